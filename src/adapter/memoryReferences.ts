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

/** Physical address of a byte of a space without side effects; -1 when it is not readable. */
function physicalOf(m: Machine, space: MemorySpace, addr: number): number {
  if (!Number.isSafeInteger(addr) || addr < 0) return -1;
  if (space.kind === 'pa') return addr < m.pfn.count * 4096 ? addr : -1;
  return addr < 0x80000000000 ? translateQuiet(m, space.process, addr) : -1;
}

/**
 * Reads up to `count` bytes without side effects (no fault, no accessed bit, no working-set
 * change). Reading stops at the first byte that is not readable — not resident, not committed,
 * outside the space; `unreadableBytes` then counts the bytes up to the next readable page (or to
 * the end of the request), so a client can skip them and read on, as DAP's readMemory intends.
 */
export function readMemory(m: Machine, r: ParsedReference, offset: number, count: number): ReadResult {
  const start = r.address + offset;
  const out = new Uint8Array(Math.max(0, count));
  let done = 0;
  let addr = start;
  while (done < count) {
    const pa = physicalOf(m, r.space, addr);
    if (pa < 0) break;
    const pfn = Math.floor(pa / 4096);
    const n = Math.min(count - done, 4096 - (pa % 4096));
    for (let k = 0; k < n; k++) out[done + k] = m.phys.readByte(pfn, (pa % 4096) + k);
    done += n;
    addr += n;
  }
  let unreadable = 0;
  while (done + unreadable < count) {
    const a = addr + unreadable;
    if (unreadable > 0 && a >= 0 && a % 4096 === 0 && physicalOf(m, r.space, a) >= 0) break;
    // skip to the next page boundary (a negative start skips to 0)
    const step = a < 0 ? Math.min(-a, count - done - unreadable) : Math.min(4096 - (a % 4096), count - done - unreadable);
    unreadable += step;
  }
  return { address: start, data: out.subarray(0, done), unreadableBytes: unreadable };
}

/** Writes bytes through the debugger (no faults, no accessed/dirty bits); returns bytes written. */
export function writeMemory(m: Machine, r: ParsedReference, offset: number, data: Uint8Array): number {
  let addr = r.address + offset;
  let done = 0;
  while (done < data.length) {
    const pa = physicalOf(m, r.space, addr);
    if (pa < 0) break;
    const pfn = Math.floor(pa / 4096);
    const n = Math.min(data.length - done, 4096 - (pa % 4096));
    for (let k = 0; k < n; k++) m.writePhysByte(pfn, (pa % 4096) + k, data[done + k]);
    done += n;
    addr += n;
  }
  return done;
}
