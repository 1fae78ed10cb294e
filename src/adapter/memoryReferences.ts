/**
 * Memory references the adapter hands out and accepts: `va:<process>:0x<address>` for a process's
 * virtual address space and `pa:0x<address>` for physical memory. Reading never faults a page in:
 * bytes of pages that are not resident (or not committed) are reported as unreadable, and reading
 * stops there, as DAP's readMemory allows.
 */
import type { Machine } from '../core/machine';
import type { Process } from '../core/process';
import { translateQuiet } from '../core/inspection';

export type MemorySpace = { kind: 'va'; process: Process } | { kind: 'pa' };

export interface ParsedReference {
  space: MemorySpace;
  address: number;
}

export function vaReference(proc: Process, va: number): string {
  return `va:${proc.index}:0x${va.toString(16)}`;
}

export function paReference(pa: number): string {
  return `pa:0x${pa.toString(16)}`;
}

/** Parses a reference; a bare number or 0x-address means the given default process's VA space. */
export function parseReference(m: Machine, ref: string, defaultProcess: Process): ParsedReference | undefined {
  const pa = /^pa:(0x[0-9a-f]+|\d+)$/i.exec(ref);
  if (pa) return { space: { kind: 'pa' }, address: Number(BigInt(pa[1])) };
  const va = /^va:(\d+):(0x[0-9a-f]+|\d+)$/i.exec(ref);
  if (va) {
    const p = m.processes.get(Number(va[1]));
    if (p === undefined || p.terminated) return undefined;
    return { space: { kind: 'va', process: p }, address: Number(BigInt(va[2])) };
  }
  const bare = /^(0x[0-9a-f`_]+|\d+)$/i.exec(ref.trim());
  if (bare) return { space: { kind: 'va', process: defaultProcess }, address: Number(BigInt(bare[1].replace(/[`_]/g, ''))) };
  return undefined;
}

export interface ReadResult {
  address: number;
  data: Uint8Array;
  unreadableBytes: number;
}

/** Reads up to `count` bytes without side effects; stops at the first unreadable byte. */
export function readMemory(m: Machine, r: ParsedReference, offset: number, count: number): ReadResult {
  const start = r.address + offset;
  const out: number[] = [];
  let addr = start;
  const limit = r.space.kind === 'pa' ? m.pfn.count * 4096 : 0x80000000000;
  while (out.length < count) {
    if (addr < 0 || addr >= limit) break;
    const pa = r.space.kind === 'pa' ? addr : translateQuiet(m, r.space.process, addr);
    if (pa < 0) break;
    const pfn = Math.floor(pa / 4096);
    const n = Math.min(count - out.length, 4096 - (pa % 4096));
    for (let k = 0; k < n; k++) out.push(m.phys.readByte(pfn, (pa % 4096) + k));
    addr += n;
  }
  return { address: start, data: Uint8Array.from(out), unreadableBytes: count - out.length };
}

/** Writes bytes through the debugger (no faults, no accessed/dirty bits); returns bytes written. */
export function writeMemory(m: Machine, r: ParsedReference, offset: number, data: Uint8Array): number {
  let addr = r.address + offset;
  let done = 0;
  while (done < data.length) {
    const pa = r.space.kind === 'pa' ? (addr < m.pfn.count * 4096 ? addr : -1) : translateQuiet(m, r.space.process, addr);
    if (pa < 0) break;
    const pfn = Math.floor(pa / 4096);
    const n = Math.min(data.length - done, 4096 - (pa % 4096));
    for (let k = 0; k < n; k++) m.writePhysByte(pfn, (pa % 4096) + k, data[done + k]);
    done += n;
    addr += n;
  }
  return done;
}
