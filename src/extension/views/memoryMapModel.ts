/**
 * The pure part of the physical memory map (src/extension/memoryMap.ts, media/memoryMap.js): the
 * messages between the extension and the webview, the page of HTML with its Content Security
 * Policy, and the arithmetic from a cell to the page frames it stands for.
 */
import type { MemoryMapBody, PfnEntryBody } from '../../adapter/protocol';

/** Cells requested from the adapter: 64 × 64, each aggregating pagesPerCell frames. */
export const MEMORY_MAP_CELLS = 4096;

/** Extension → webview. */
export type ToWebview =
  | { type: 'map'; body: MemoryMapBody; stop: number; note?: string }
  | { type: 'pfn'; cell: number; first: number; last: number; body: PfnEntryBody }
  | { type: 'pfnError'; cell: number; message: string }
  | { type: 'status'; message: string };

/** Webview → extension. */
export type FromWebview = { type: 'ready' } | { type: 'select'; cell: number };

export function isFromWebview(m: unknown): m is FromWebview {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  if (t === 'ready') return true;
  const cell = (m as { cell?: unknown }).cell;
  return t === 'select' && typeof cell === 'number' && Number.isInteger(cell) && cell >= 0;
}

/** The page frames [first, last] that a cell aggregates (undefined past the end of memory). */
export function cellFrames(cell: number, pagesPerCell: number, totalPages: number): { first: number; last: number } | undefined {
  const first = cell * pagesPerCell;
  if (!Number.isInteger(cell) || cell < 0 || first >= totalPages) return undefined;
  return { first, last: Math.min(totalPages, first + pagesPerCell) - 1 };
}

/** How many cells of each state letter the map has ("Z" → 4000, …). */
export function stateCounts(cells: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of cells) out[c] = (out[c] ?? 0) + 1;
  return out;
}

/** A nonce for the page's one script: 32 characters from [A-Za-z0-9]. */
export function makeNonce(random: (n: number) => Uint8Array): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...random(32)].map((b) => chars[b % chars.length]).join('');
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The webview's page: nothing inline but the nonce'd script tag; styles and script come from
 * media/ (cspSource = webview.cspSource).
 */
export function memoryMapHtml(o: { cspSource: string; nonce: string; scriptUri: string; styleUri: string }): string {
  const csp = [`default-src 'none'`, `img-src ${o.cspSource} data:`, `style-src ${o.cspSource}`, `font-src ${o.cspSource}`, `script-src 'nonce-${o.nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(o.styleUri)}">
<title>Physical Memory Map</title>
</head>
<body>
<header class="top">
  <h1>Physical memory</h1>
  <div id="summary" class="summary" role="status" aria-live="polite">Waiting for a stopped VMM session…</div>
</header>
<ul id="legend" class="legend" aria-label="Legend"></ul>
<main class="layout">
  <div id="grid" class="grid" role="grid" tabindex="0" aria-label="Page frames, one cell per group of frames; arrow keys move, Enter shows the frame"></div>
  <aside id="details" class="details" aria-live="polite">
    <p class="hint">Click a cell to see the _MMPFN of its first page frame.</p>
  </aside>
</main>
<script nonce="${o.nonce}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>`;
}
