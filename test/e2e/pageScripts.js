// Functions that run inside the VS Code page (page.evaluate), kept in plain JavaScript because
// the project's TypeScript configuration has no DOM library. Each is an expression
// `(args) => result` that test/e2e/harness.ts sends as source text.

/**
 * Finds a whole-word token on the visible lines of the active editor.
 * args: { token, occurrence, line: {source, flags} | null, editorSel, linesSel }
 * returns { x, y, left, className, color } (centre and left edge of the token's text; its span's class and colour) or null.
 */
exports.locateToken = ({ token, occurrence, line, editorSel, linesSel }) => {
  const lines = document.querySelector(`${editorSel} ${linesSel}`);
  if (!lines) return null;
  // Visible lines in top-to-bottom order (the DOM order of .view-line is not the line order).
  const rows = [...lines.querySelectorAll('.view-line')].sort(
    (a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top,
  );
  const word = new RegExp(`(?<![A-Za-z0-9_])${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`, 'g');
  const lineRe = line ? new RegExp(line.source, line.flags) : null;
  let seen = 0;
  for (const row of rows) {
    const text = row.textContent ?? '';
    // Monaco renders spaces as U+00A0.
    if (lineRe && !lineRe.test(text.replace(/\u00a0/g, ' '))) continue;
    for (const m of text.matchAll(word)) {
      if (seen++ !== occurrence) continue;
      // The text node holding the match's first character.
      let offset = m.index;
      const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const len = n.textContent.length;
        if (offset < len) {
          const range = document.createRange();
          range.setStart(n, offset);
          range.setEnd(n, Math.min(len, offset + token.length));
          const r = range.getBoundingClientRect();
          const span = n.parentElement;
          return { x: r.left + r.width / 2, y: r.top + r.height / 2, left: r.left, className: span.className, color: getComputedStyle(span).color };
        }
        offset -= len;
      }
    }
  }
  return null;
};

/**
 * A fingerprint of the token colouring of the active editor's visible lines (the classes of
 * their spans), to tell when tokenization has settled.
 * args: { editorSel, linesSel }
 */
exports.tokenFingerprint = ({ editorSel, linesSel }) => {
  const lines = document.querySelector(`${editorSel} ${linesSel}`);
  if (!lines) return '';
  return [...lines.querySelectorAll('.view-line')]
    .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
    .map((row) => [...row.querySelectorAll('span > span')].map((s) => `${s.className}:${s.textContent.length}`).join(' '))
    .join('\n');
};

/**
 * The line number on which the active editor shows the debugger's current-statement highlight
 * (the yellow top-stack-frame line), or null when it shows none.
 * args: { editorSel }
 */
exports.stopLine = ({ editorSel }) => {
  const editor = document.querySelector(editorSel);
  if (!editor) return null;
  const mark = editor.querySelector('.view-overlays .debug-top-stack-frame-line') ?? editor.querySelector('.view-overlays .debug-focused-stack-frame-line');
  if (!mark) return null;
  const r = mark.getBoundingClientRect();
  const mid = r.top + r.height / 2;
  for (const n of editor.querySelectorAll('.margin-view-overlays .line-numbers')) {
    const b = n.getBoundingClientRect();
    if (mid >= b.top && mid < b.bottom) return Number(n.textContent.trim());
  }
  return null;
};

/**
 * The computed background colour of the first element matching `selector`, and the colour the
 * CSS variable `cssVar` resolves to in the same document (to check that a webview paints with
 * the theme's colours).
 * args: { selector, cssVar }
 */
exports.backgroundVsVariable = ({ selector, cssVar }) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  const probe = document.createElement('div');
  probe.style.background = `var(${cssVar})`;
  document.body.append(probe);
  const want = getComputedStyle(probe).backgroundColor;
  probe.remove();
  return { got: getComputedStyle(el).backgroundColor, want };
};

/**
 * The rows of the tree view in the side-bar pane whose header's accessible name is `header` (or
 * starts with `headerPrefix`), top to bottom, as "<label> <description>".
 * args: { header, headerPrefix }
 */
exports.treeViewRows = ({ header, headerPrefix }) => {
  const lower = (s) => (s ?? '').toLowerCase();
  const pane = [...document.querySelectorAll('.pane')].find((p) => {
    const h = p.querySelector(':scope > .pane-header');
    const name = lower(h?.getAttribute('aria-label'));
    return name === lower(header) || name.startsWith(lower(headerPrefix));
  });
  if (!pane) return null;
  return [...pane.querySelectorAll('.monaco-list-row')]
    .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
    .map((row) => {
      const label = (row.querySelector('.label-name')?.textContent ?? '').trim();
      const description = (row.querySelector('.label-description')?.textContent ?? '').trim();
      const text = label ? [label, description].filter((x) => x !== '').join(' ') : row.textContent ?? '';
      return text.replace(/\s+/g, ' ').trim();
    });
};
