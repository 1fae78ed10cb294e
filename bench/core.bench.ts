/**
 * Core benchmarks (issue: the simulated machine): MMU accesses per second on TLB hits and on full
 * walks, demand-zero faults per second with the journal on compared in the same run with the host
 * kernel's demand-zero faults, and host memory per simulated page on a 16 GB machine.
 */
import { Machine } from '../src/core/machine';
import { Access } from '../src/core/faultHandler';
import { makeVad } from '../src/core/vad';

export interface CoreFigures {
  tlbHitNs: number;
  walkNs: number;
  demandZeroNs: number;
  bytesPerPage16G: number;
  create16GMs: number;
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

function commitRange(m: Machine, startVpn: number, pages: number): void {
  const p = m.current;
  p.vads.insert(makeVad({ startVpn, endVpn: startVpn + pages - 1, protection: 4, memCommit: true, privateMemory: true, commitCharge: pages }));
  m.chargeCommit(p, pages);
}

/**
 * Nanoseconds per demand-zero fault. `write` stores a non-zero byte in every page (like the host
 * program), which also makes the simulator materialise the page's contents; `touch` does the
 * read-modify-write of `touch(va, size, "w")`, which takes the same fault but leaves the page
 * all zero (and therefore without host storage).
 */
export function demandZeroNs(pages: number, mode: 'write' | 'touch', rounds = 5): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const m = new Machine({ ramBytes: Math.max(512 << 20, (pages + 8192) * 4096) });
    m.createProcess('bench');
    commitRange(m, 0x10000, pages);
    const t0 = now();
    if (mode === 'write') for (let i = 0; i < pages; i++) m.mmu.write8((0x10000 + i) * 4096, 1);
    else m.mmu.touch(0x10000 * 4096, pages * 4096, Access.Write);
    const t = ((now() - t0) * 1e6) / pages;
    if (t < best) best = t;
  }
  return best;
}

export function mmuFigures(): { tlbHitNs: number; walkNs: number } {
  const m = new Machine();
  m.createProcess('bench');
  const pages = 8192;
  commitRange(m, 0x10000, pages);
  for (let i = 0; i < pages; i++) m.mmu.write8((0x10000 + i) * 4096, 1);
  const n = 2_000_000;
  let t0 = now();
  let sink = 0;
  for (let i = 0; i < n; i++) sink += m.mmu.translate(0x10000 * 4096 + (i & 63) * 8, Access.Read);
  const tlbHitNs = ((now() - t0) * 1e6) / n;
  // every access a different page, 8x more pages than TLB entries: each one walks four levels
  t0 = now();
  for (let i = 0; i < n; i++) sink += m.mmu.translate((0x10000 + (i * 7) % pages) * 4096, Access.Read);
  const walkNs = ((now() - t0) * 1e6) / n;
  if (sink === 42) console.log('');
  return { tlbHitNs, walkNs };
}

export function memoryFigures(): { bytesPerPage16G: number; create16GMs: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const t0 = now();
  const m = new Machine({ ramBytes: 16 * 1024 ** 3 });
  const create16GMs = now() - t0;
  m.createProcess('bench');
  gc?.();
  const after = process.memoryUsage();
  const used = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  const bytesPerPage16G = used / m.pfn.count;
  if (m.pfn.count === 0) console.log('');
  return { bytesPerPage16G, create16GMs };
}
