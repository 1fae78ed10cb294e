/**
 * What a data breakpoint watches, named by memory rather than by variable, so an id stays valid
 * across stops and sessions (`canPersist`):
 *   pte:<process>:<slot>      a paging-structure entry (the PTE/PDE/PPE/PXE at 0xFFFFF680'... + 8*slot)
 *   va:<process>:<start>:<n>  n bytes of a process's virtual memory
 *   pfn:<n>                   a PFN database entry (any field, or its list membership)
 *   counter:<name>            a machine counter (commit.charge, lists.available, counters.<x>, perf.<x>)
 */
import { vaOfSlot } from '../core/addresses';
import { listCounts } from '../core/inspection';
import type { Machine } from '../core/machine';
import { performanceCounters } from '../core/performanceCounters';

export type DataTarget =
  | { kind: 'pte'; process: number; slot: number }
  | { kind: 'va'; process: number; start: number; length: number }
  | { kind: 'pfn'; pfn: number }
  | { kind: 'counter'; name: string };

export function dataId(t: DataTarget): string {
  switch (t.kind) {
    case 'pte':
      return `pte:${t.process}:${t.slot}`;
    case 'va':
      return `va:${t.process}:${t.start}:${t.length}`;
    case 'pfn':
      return `pfn:${t.pfn}`;
    case 'counter':
      return `counter:${t.name}`;
  }
}

const int = (s: string | undefined): number | undefined => (s !== undefined && /^\d{1,16}$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : undefined);

export function parseDataId(id: unknown): DataTarget | undefined {
  if (typeof id !== 'string') return undefined;
  const p = id.split(':');
  if (p[0] === 'pte' && p.length === 3) {
    const [process, slot] = [int(p[1]), int(p[2])];
    return process !== undefined && slot !== undefined && slot < 2 ** 36 ? { kind: 'pte', process, slot } : undefined;
  }
  if (p[0] === 'va' && p.length === 4) {
    const [process, start, length] = [int(p[1]), int(p[2]), int(p[3])];
    return process !== undefined && start !== undefined && length !== undefined && length > 0 && length <= 1 << 30 ? { kind: 'va', process, start, length } : undefined;
  }
  if (p[0] === 'pfn' && p.length === 2) {
    const pfn = int(p[1]);
    return pfn === undefined ? undefined : { kind: 'pfn', pfn };
  }
  if (p[0] === 'counter' && p.length === 2 && /^[A-Za-z]+(\.[A-Za-z]+)?$/.test(p[1])) return { kind: 'counter', name: p[1] };
  return undefined;
}

const SELFMAP_PREFIX = 0x1ed * 2 ** 27;

/** Level (1 = PTE ... 4 = PXE) of the entry at a self-map slot, and the first slot it maps. */
export function entryLevel(eSlot: number): { level: number; firstSlot: number } {
  let level = 1;
  let s = eSlot;
  while (level < 4 && Math.floor(s / 2 ** 27) === 0x1ed) {
    s = (s - SELFMAP_PREFIX) * 512;
    level++;
  }
  return { level, firstSlot: s };
}

const LEVEL_NAMES = ['', 'PTE', 'PDE', 'PPE', 'PXE'];
const SPAN_PAGES = [0, 1, 512, 512 * 512, 512 * 512 * 512];

/** "PTE of 0x10000", "PDE of 0x0-0x1fffff". */
export function entryName(eSlot: number): string {
  const { level, firstSlot } = entryLevel(eSlot);
  const va = vaOfSlot(firstSlot);
  if (level === 1) return `PTE of 0x${va.toString(16)}`;
  const end = va + BigInt(SPAN_PAGES[level]) * 4096n - 1n;
  return `${LEVEL_NAMES[level]} of 0x${va.toString(16)}-0x${end.toString(16)}`;
}

export function describeTarget(m: Machine, t: DataTarget): string {
  switch (t.kind) {
    case 'pte': {
      const p = m.processes.get(t.process);
      return `${entryName(t.slot)}${p ? ` (${p.name})` : ''}`;
    }
    case 'va':
      return `${t.length} byte${t.length === 1 ? '' : 's'} at 0x${t.start.toString(16)} (${m.processes.get(t.process)?.name ?? 'process ' + t.process})`;
    case 'pfn':
      return `_MMPFN of PFN 0x${t.pfn.toString(16)}`;
    case 'counter':
      return `counter ${t.name}`;
  }
}

/** The value of a named counter (`counter:` ids); undefined when there is no such counter. */
export function counterValue(m: Machine, name: string): number | undefined {
  const [group, field] = name.split('.');
  const pick = (o: object): number | undefined => {
    const v = field !== undefined && Object.prototype.hasOwnProperty.call(o, field) ? (o as Record<string, unknown>)[field] : undefined;
    return typeof v === 'number' ? v : undefined;
  };
  switch (group) {
    case 'commit':
      return pick(m.commit);
    case 'lists':
      return pick(listCounts(m));
    case 'counters':
      return pick(m.counters);
    case 'perf':
      return pick(performanceCounters(m));
    case 'clock':
      return field === undefined ? m.clockMs : undefined;
    default:
      return undefined;
  }
}
