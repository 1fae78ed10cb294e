// Physical memory map webview (src/extension/memoryMap.ts sends the data; the message types are
// in src/extension/views/memoryMapModel.ts). Plain browser JavaScript, no inline handlers: the
// Content Security Policy allows this one script and the stylesheet, nothing else.
// @ts-check
(function () {
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const grid = /** @type {HTMLElement} */ (document.getElementById('grid'));
  const legend = /** @type {HTMLElement} */ (document.getElementById('legend'));
  const summary = /** @type {HTMLElement} */ (document.getElementById('summary'));
  const details = /** @type {HTMLElement} */ (document.getElementById('details'));

  const ORDER = 'ZFSMNBAT';
  /** @type {{ totalPages: number, pagesPerCell: number, cells: string, legend: Record<string,string> } | undefined} */
  let map;
  /** @type {HTMLElement[]} */
  let cells = [];
  let columns = 1;
  const saved = vscode.getState() || {};
  /** @type {number | undefined} */
  let selected = typeof saved.selected === 'number' ? saved.selected : undefined;
  /** @type {Record<string,string>} */
  let lastFields = {};
  let lastFieldsCell = -1;

  const hex = (/** @type {number} */ n) => '0x' + n.toString(16);
  const group = (/** @type {number} */ n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

  function el(/** @type {string} */ tag, /** @type {string=} */ cls, /** @type {string=} */ text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function framesOf(/** @type {number} */ i) {
    if (!map) return undefined;
    const first = i * map.pagesPerCell;
    if (first >= map.totalPages) return undefined;
    return { first, last: Math.min(map.totalPages, first + map.pagesPerCell) - 1 };
  }

  function describeCell(/** @type {number} */ i) {
    const f = framesOf(i);
    if (!map || !f) return '';
    const state = map.legend[map.cells[i]] || map.cells[i];
    return f.first === f.last ? `PFN ${hex(f.first)}: ${state}` : `PFN ${hex(f.first)}-${hex(f.last)} (${f.last - f.first + 1} pages), mostly ${state}`;
  }

  function renderLegend() {
    if (!map) return;
    /** @type {Record<string, number>} */
    const counts = {};
    for (const c of map.cells) counts[c] = (counts[c] || 0) + 1;
    legend.textContent = '';
    for (const letter of ORDER) {
      const name = map.legend[letter];
      if (!name) continue;
      const li = el('li');
      li.dataset.state = letter;
      const sw = el('span', `swatch s-${letter}`);
      const n = counts[letter] || 0;
      const unit = map.pagesPerCell === 1 ? (n === 1 ? 'page' : 'pages') : n === 1 ? 'cell' : 'cells';
      li.append(sw, el('span', 'name', name), el('span', 'count', `${group(n)} ${unit}`));
      li.title = map.pagesPerCell === 1 ? `${n} page frames on the ${name} list` : `${n} cells whose ${map.pagesPerCell} frames are mostly ${name}`;
      legend.append(li);
    }
  }

  function renderMap(/** @type {NonNullable<typeof map>} */ body) {
    const previous = map && map.cells.length === body.cells.length ? map.cells : undefined;
    map = body;
    const n = body.cells.length;
    columns = Math.max(1, Math.ceil(Math.sqrt(n)));
    grid.style.gridTemplateColumns = `repeat(${columns}, 1fr)`;
    if (cells.length !== n) {
      grid.textContent = '';
      cells = [];
      const frag = document.createDocumentFragment();
      for (let i = 0; i < n; i++) {
        const c = el('div', 'cell');
        c.dataset.i = String(i);
        c.setAttribute('role', 'gridcell');
        cells.push(c);
        frag.append(c);
      }
      grid.append(frag);
    }
    for (let i = 0; i < n; i++) {
      const letter = body.cells[i];
      const changed = previous !== undefined && previous[i] !== letter;
      cells[i].className = `cell s-${letter}${changed ? ' changed' : ''}${i === selected ? ' selected' : ''}`;
      cells[i].dataset.state = letter;
    }
    grid.classList.remove('stale');
    fitGaps();
    const perCell = body.pagesPerCell === 1 ? 'one cell per page frame' : `${body.pagesPerCell} page frames per cell (the colour of the most common state)`;
    summary.classList.remove('warn');
    summary.textContent = `${group(body.totalPages)} page frames (${Math.round((body.totalPages * 4) / 1024)} MB) · ${group(n)} cells · ${perCell}`;
    renderLegend();
  }

  function select(/** @type {number} */ i, /** @type {boolean} */ ask) {
    if (!map || !framesOf(i)) return;
    if (selected !== undefined && cells[selected]) cells[selected].classList.remove('selected');
    selected = i;
    cells[i].classList.add('selected');
    vscode.setState({ selected });
    if (ask) {
      details.textContent = '';
      details.append(el('h2', undefined, `Cell ${i}`), el('p', 'sub', describeCell(i)), el('p', 'hint', 'Reading the PFN entry…'));
      vscode.postMessage({ type: 'select', cell: i });
    }
  }

  function renderPfn(/** @type {{ cell: number, first: number, last: number, body: { pfn: number, fields: Record<string,string> } }} */ m) {
    if (m.cell !== selected) return;
    details.textContent = '';
    details.append(el('h2', undefined, `PFN ${hex(m.body.pfn)}`));
    details.append(el('p', 'sub', `${describeCell(m.cell)}${m.first !== m.last ? ' — the first frame of the cell:' : ''}`));
    const table = el('table');
    table.setAttribute('aria-label', `_MMPFN of page frame ${hex(m.body.pfn)}`);
    const same = lastFieldsCell === m.cell;
    for (const [k, v] of Object.entries(m.body.fields)) {
      const tr = el('tr', same && lastFields[k] !== undefined && lastFields[k] !== v ? 'changed' : undefined);
      tr.append(el('td', undefined, k), el('td', undefined, v));
      table.append(tr);
    }
    details.append(table);
    lastFields = m.body.fields;
    lastFieldsCell = m.cell;
  }

  /** Drops the 1px gaps when the cells get too small to see between them. */
  function fitGaps() {
    grid.classList.toggle('dense', grid.clientWidth / columns < 6);
  }
  window.addEventListener('resize', fitGaps);

  grid.addEventListener('click', (ev) => {
    const t = /** @type {HTMLElement} */ (ev.target);
    if (t && t.dataset && t.dataset.i !== undefined) select(Number(t.dataset.i), true);
  });
  grid.addEventListener('mouseover', (ev) => {
    const t = /** @type {HTMLElement} */ (ev.target);
    if (t && t.dataset && t.dataset.i !== undefined && !t.title) t.title = describeCell(Number(t.dataset.i));
  });
  grid.addEventListener('mouseout', (ev) => {
    const t = /** @type {HTMLElement} */ (ev.target);
    if (t && t.dataset && t.dataset.i !== undefined) t.title = '';
  });
  grid.addEventListener('keydown', (ev) => {
    if (!map) return;
    const n = map.cells.length;
    let i = selected === undefined ? 0 : selected;
    if (ev.key === 'ArrowRight') i = Math.min(n - 1, i + 1);
    else if (ev.key === 'ArrowLeft') i = Math.max(0, i - 1);
    else if (ev.key === 'ArrowDown') i = Math.min(n - 1, i + columns);
    else if (ev.key === 'ArrowUp') i = Math.max(0, i - columns);
    else if (ev.key === 'Home') i = 0;
    else if (ev.key === 'End') i = n - 1;
    else if (ev.key !== 'Enter' && ev.key !== ' ') return;
    ev.preventDefault();
    select(i, true);
  });

  window.addEventListener('message', (ev) => {
    const m = ev.data;
    if (!m || typeof m.type !== 'string') return;
    if (m.type === 'map') {
      renderMap(m.body);
      if (selected !== undefined && lastFieldsCell !== selected) select(selected, true);
    } else if (m.type === 'pfn') renderPfn(m);
    else if (m.type === 'pfnError') {
      if (m.cell !== selected) return;
      details.textContent = '';
      details.append(el('h2', undefined, `Cell ${m.cell}`), el('p', 'error', m.message));
    } else if (m.type === 'status') {
      summary.textContent = m.message;
      summary.classList.add('warn');
      if (map) grid.classList.add('stale');
    }
  });

  vscode.postMessage({ type: 'ready' });
})();
