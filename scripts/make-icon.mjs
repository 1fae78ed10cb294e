// Draws the extension's icon, media/icon.png (128×128): a four-level page-table walk — PML4,
// PDPT, PD and PT drawn as columns of entries, the selected entry of each linked to the next
// table, ending in the physical page. Pure Node (zlib for the PNG), no image library, so the icon
// can be regenerated on any machine: `node scripts/make-icon.mjs [out.png]`.
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const SS = 4; // supersampling factor (anti-aliasing)
const W = SIZE * SS;

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? `${repo}/media/icon.png`);

// --- a tiny rasteriser on a supersampled, premultiplied RGBA float canvas -----------------------
const px = new Float64Array(W * W * 4);

function hex(c) {
  const n = parseInt(c.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Blends colour `c` (hex) with opacity `a` over the pixel at (x, y) of the supersampled canvas. */
function blend(x, y, c, a = 1) {
  if (x < 0 || y < 0 || x >= W || y >= W || a <= 0) return;
  const [r, g, b] = hex(c);
  const i = (y * W + x) * 4;
  px[i] = r * a + px[i] * (1 - a);
  px[i + 1] = g * a + px[i + 1] * (1 - a);
  px[i + 2] = b * a + px[i + 2] * (1 - a);
  px[i + 3] = a + px[i + 3] * (1 - a);
}

/** Fills a shape given by `inside(x, y)` in icon coordinates (0..128), over its bounding box. */
function fill(x0, y0, x1, y1, inside, colour, alpha = 1) {
  for (let y = Math.floor(y0 * SS); y < Math.ceil(y1 * SS); y++) {
    for (let x = Math.floor(x0 * SS); x < Math.ceil(x1 * SS); x++) {
      const u = (x + 0.5) / SS;
      const v = (y + 0.5) / SS;
      const c = typeof colour === 'function' ? colour(u, v) : colour;
      if (inside(u, v)) blend(x, y, c, alpha);
    }
  }
}

function roundRect(x, y, w, h, r, colour, alpha = 1) {
  fill(x, y, x + w, y + h, (u, v) => {
    const dx = Math.max(x + r - u, 0, u - (x + w - r));
    const dy = Math.max(y + r - v, 0, v - (y + h - r));
    return dx * dx + dy * dy <= r * r;
  }, colour, alpha);
}

function rect(x, y, w, h, colour, alpha = 1) {
  roundRect(x, y, w, h, 0, colour, alpha);
}

/** A line segment of the given width with round caps. */
function line(x0, y0, x1, y1, width, colour, alpha = 1) {
  const pad = width;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  fill(Math.min(x0, x1) - pad, Math.min(y0, y1) - pad, Math.max(x0, x1) + pad, Math.max(y0, y1) + pad, (u, v) => {
    const t = Math.max(0, Math.min(1, ((u - x0) * dx + (v - y0) * dy) / len2));
    const ex = x0 + t * dx - u;
    const ey = y0 + t * dy - v;
    return ex * ex + ey * ey <= (width / 2) ** 2;
  }, colour, alpha);
}

function triangle(ax, ay, bx, by, cx, cy, colour) {
  const s = (px1, py1, px2, py2, u, v) => (u - px2) * (py1 - py2) - (px1 - px2) * (v - py2);
  fill(Math.min(ax, bx, cx), Math.min(ay, by, cy), Math.max(ax, bx, cx), Math.max(ay, by, cy), (u, v) => {
    const d1 = s(u, v, ax, ay, bx, by);
    const d2 = s(u, v, bx, by, cx, cy);
    const d3 = s(u, v, cx, cy, ax, ay);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  }, colour);
}

// --- the picture ------------------------------------------------------------------------------
const BG_TOP = hex('#1f3147');
const BG_BOTTOM = hex('#0d1623');
const bg = (_u, v) => {
  const t = v / SIZE;
  const c = BG_TOP.map((a, k) => Math.round(a + (BG_BOTTOM[k] - a) * t));
  return '#' + c.map((n) => n.toString(16).padStart(2, '0')).join('');
};
roundRect(0, 0, SIZE, SIZE, 22, bg);

// Four tables (PML4, PDPT, PD, PT), each a column of entries, stepping down to the right.
const TABLE_W = 19;
const ENTRY_H = 8;
const GAP = 2;
const ROWS = 6;
const tables = [
  { x: 12, y: 14, sel: 1 },
  { x: 38, y: 26, sel: 3 },
  { x: 64, y: 38, sel: 2 },
  { x: 90, y: 50, sel: 4 },
];
const ENTRY = '#3a5573';
const SELECTED = ['#4fd1c5', '#4fd1c5', '#4fd1c5', '#f6ad55'];

tables.forEach((t, k) => {
  roundRect(t.x - 3, t.y - 3, TABLE_W + 6, ROWS * (ENTRY_H + GAP) - GAP + 6, 4, '#0a111b', 0.55);
  for (let r = 0; r < ROWS; r++) {
    const y = t.y + r * (ENTRY_H + GAP);
    roundRect(t.x, y, TABLE_W, ENTRY_H, 2, r === t.sel ? SELECTED[k] : ENTRY);
  }
});

// The walk: from each selected entry to the top of the next table.
for (let k = 0; k < tables.length - 1; k++) {
  const a = tables[k];
  const b = tables[k + 1];
  const y = a.y + a.sel * (ENTRY_H + GAP) + ENTRY_H / 2;
  const x0 = a.x + TABLE_W + 1;
  const xm = b.x + TABLE_W / 2;
  line(x0, y, xm, y, 2.4, '#e2e8f0');
  line(xm, y, xm, b.y - 6, 2.4, '#e2e8f0');
  triangle(xm - 3.6, b.y - 6.5, xm + 3.6, b.y - 6.5, xm, b.y - 2, '#e2e8f0');
}

// The PT's selected entry points down to the physical page (a sheet with a folded corner).
const last = tables[3];
const ly = last.y + last.sel * (ENTRY_H + GAP) + ENTRY_H;
const px0 = 58;
const py0 = 100;
const pw = 24;
const ph = 18;
const lx = last.x + TABLE_W / 2;
line(lx, ly + 1, lx, py0 + ph / 2, 2.4, '#f6ad55');
line(lx, py0 + ph / 2, px0 + pw + 5, py0 + ph / 2, 2.4, '#f6ad55');
triangle(px0 + pw + 6.5, py0 + ph / 2 - 3.6, px0 + pw + 6.5, py0 + ph / 2 + 3.6, px0 + pw + 1.5, py0 + ph / 2, '#f6ad55');
const fold = 7;
fill(px0, py0, px0 + pw, py0 + ph, (u, v) => !(u > px0 + pw - fold && v < py0 + fold && u - (px0 + pw - fold) > v - py0), '#f6ad55');
triangle(px0 + pw - fold, py0, px0 + pw - fold, py0 + fold, px0 + pw, py0 + fold, '#b7791f');
for (let k = 0; k < 3; k++) rect(px0 + 4, py0 + 6 + k * 4, pw - 8 - (k === 0 ? fold - 2 : 0), 1.6, '#7b4a12', 0.8);

// --- downsample and encode ---------------------------------------------------------------------
const rgba = Buffer.alloc(SIZE * SIZE * 4);
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const i = ((y * SS + sy) * W + x * SS + sx) * 4;
        for (let k = 0; k < 4; k++) acc[k] += px[i + k];
      }
    }
    const n = SS * SS;
    const a = acc[3] / n;
    const o = (y * SIZE + x) * 4;
    for (let k = 0; k < 3; k++) rgba[o + k] = a > 0 ? Math.round(acc[k] / n / a) : 0;
    rgba[o + 3] = Math.round(a * 255);
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  rgba.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
}
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, png);
console.log(`wrote ${out} (${SIZE}x${SIZE}, ${png.length} bytes)`);
