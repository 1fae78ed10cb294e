/**
 * Data breakpoints. Their ids name memory, not variables, so they survive stops and sessions:
 *   pte:<process>:<slot>      a paging-structure entry (the PTE/PDE/PPE/PXE at 0xFFFFF680'... + 8*slot)
 *   va:<process>:<start>:<n>  n bytes of a process's virtual memory
 *   pfn:<n>                   a PFN database entry (any field, or its list membership)
 *   counter:<name>            a machine counter (commit.charge, lists.available, counters.<x>, ...)
 * Entries and PFNs are watched through the journal (any actor: fault, trim, writer, repurposing,
 * API); guest memory through the MMU's access hook; counters are sampled before each statement.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { vaOfSlot, entryVaOfSlot } from '../core/addresses';
import { Access } from '../core/faultHandler';
import { listCounts } from '../core/inspection';
import { ACTOR_NAMES, EventKind, Journal, PfnFieldId } from '../core/journal';
import type { Machine } from '../core/machine';
import { decodePte } from '../core/pte';
import { hex64 } from './variableStore';

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

export function parseDataId(id: string): DataTarget | undefined {
  const p = id.split(':');
  if (p[0] === 'pte' && p.length === 3) return { kind: 'pte', process: Number(p[1]), slot: Number(p[2]) };
  if (p[0] === 'va' && p.length === 4) return { kind: 'va', process: Number(p[1]), start: Number(p[2]), length: Number(p[3]) };
  if (p[0] === 'pfn' && p.length === 2) return { kind: 'pfn', pfn: Number(p[1]) };
  if (p[0] === 'counter' && p.length === 2) return { kind: 'counter', name: p[1] };
  return undefined;
}

export function describeTarget(m: Machine, t: DataTarget): string {
  switch (t.kind) {
    case 'pte': {
      const p = m.processes.get(t.process);
      return `entry at ${hex64(entryVaOfSlot(t.slot))} mapping ${hex64(vaOfSlot(t.slot))}${p ? ` (${p.name})` : ''}`;
    }
    case 'va':
      return `${t.length} byte${t.length === 1 ? '' : 's'} at 0x${t.start.toString(16)} (${m.processes.get(t.process)?.name ?? 'process ' + t.process})`;
    case 'pfn':
      return `_MMPFN of PFN 0x${t.pfn.toString(16)}`;
    case 'counter':
      return `counter ${t.name}`;
  }
}

/** The value of a named counter (`counter:` ids). */
export function counterValue(m: Machine, name: string): number | undefined {
  const [group, field] = name.split('.');
  if (group === 'commit' && field in m.commit) return (m.commit as unknown as Record<string, number>)[field];
  if (group === 'lists') {
    const c = listCounts(m) as unknown as Record<string, number>;
    return typeof c[field] === 'number' ? c[field] : undefined;
  }
  if (group === 'counters' && field in m.counters) return (m.counters as unknown as Record<string, number>)[field];
  if (group === 'clock') return m.clockMs;
  return undefined;
}

export const COUNTER_NAMES = ['commit.charge', 'commit.limit', 'lists.zeroed', 'lists.free', 'lists.standby', 'lists.modified', 'lists.available', 'counters.pageFaults', 'counters.demandZeroFaults', 'counters.transitionFaults', 'counters.pageReads', 'counters.pageWrites'];

interface Armed {
  id: number;
  target: DataTarget;
  access: DebugProtocol.DataBreakpointAccessType;
  condition?: string;
  hitCondition?: string;
  hits: number;
  last?: number;
}

export interface DataHit {
  ids: number[];
  description: string;
}

const BITS: Array<[string, (d: Record<string, unknown>) => unknown]> = [
  ['Valid', (d) => (d.kind === 'valid' ? 1 : 0)],
  ['Write', (d) => (d.write ? 1 : 0)],
  ['Accessed', (d) => (d.accessed ? 1 : 0)],
  ['Dirty', (d) => (d.dirty ? 1 : 0)],
  ['PFN', (d) => (d.pfn === undefined ? undefined : '0x' + Number(d.pfn).toString(16))],
  ['Protection', (d) => d.protection],
  ['kind', (d) => d.kind],
];

/** "Valid 1→0, kind valid→transition" between two entry values. */
export function describePteChange(oldLo: number, oldHi: number, newLo: number, newHi: number): string {
  const a = decodePte(oldLo, oldHi) as unknown as Record<string, unknown>;
  const b = decodePte(newLo, newHi) as unknown as Record<string, unknown>;
  const parts: string[] = [];
  for (const [name, get] of BITS) {
    const x = get(a);
    const y = get(b);
    if (x !== y && !(x === undefined && y === undefined)) parts.push(`${name} ${x ?? '-'}→${y ?? '-'}`);
  }
  return parts.length ? parts.join(', ') : `${hex64(a.raw as bigint)} → ${hex64(b.raw as bigint)}`;
}

export class DataBreakpoints {
  private armed: Armed[] = [];
  private nextId = 1000;
  /** A hit noticed during execution, reported at the next stop point. */
  pending: DataHit | undefined;

  constructor(private readonly m: Machine) {}

  get active(): boolean {
    return this.armed.length > 0;
  }

  set(bps: DebugProtocol.DataBreakpoint[]): DebugProtocol.Breakpoint[] {
    this.armed = [];
    const out = bps.map((bp) => {
      const target = parseDataId(bp.dataId);
      if (target === undefined) return { verified: false, message: `unknown data breakpoint id '${bp.dataId}'` } as DebugProtocol.Breakpoint;
      const a: Armed = { id: this.nextId++, target, access: bp.accessType ?? 'write', condition: bp.condition, hitCondition: bp.hitCondition, hits: 0 };
      if (target.kind === 'counter') a.last = counterValue(this.m, target.name);
      this.armed.push(a);
      return { id: a.id, verified: true, message: describeTarget(this.m, target) } as DebugProtocol.Breakpoint;
    });
    this.install();
    return out;
  }

  private install(): void {
    const j: Journal = this.m.journal;
    const watchJournal = this.armed.some((a) => a.target.kind === 'pte' || a.target.kind === 'pfn');
    j.listener = watchJournal ? (seq) => this.onEvent(seq) : null;
    const watchVa = this.armed.some((a) => a.target.kind === 'va');
    this.m.mmu.accessHook = watchVa ? (pa, va, size, access) => this.onAccess(va, size, access) : null;
  }

  /** Detaches every hook (end of session). */
  dispose(): void {
    this.armed = [];
    this.install();
  }

  private hit(a: Armed, text: string): void {
    a.hits++;
    if (this.pending) {
      this.pending.ids.push(a.id);
      return;
    }
    this.pending = { ids: [a.id], description: text };
  }

  private onEvent(seq: number): void {
    const e = this.m.journal.get(seq);
    if (e === undefined) return;
    for (const a of this.armed) {
      const t = a.target;
      if (t.kind === 'pte' && e.kind === EventKind.PteWrite && e.a === t.slot && e.proc === t.process) {
        this.hit(a, `${describeTarget(this.m, t)}: ${describePteChange(e.oldLo, e.oldHi, e.newLo, e.newHi)} by ${ACTOR_NAMES[e.actor]}`);
      } else if (t.kind === 'pfn' && e.a === t.pfn && (e.kind === EventKind.PfnField || e.kind === EventKind.PfnList)) {
        const what = e.kind === EventKind.PfnList ? (e.newHi === 1 ? 'linked into a list' : 'unlinked from its list') : `${PFN_FIELD_NAMES[e.sub] ?? 'field'} 0x${e.oldLo.toString(16)}→0x${e.newLo.toString(16)}`;
        this.hit(a, `${describeTarget(this.m, t)}: ${what} by ${ACTOR_NAMES[e.actor]}`);
      }
    }
  }

  private onAccess(va: number, size: number, access: Access): void {
    const proc = this.m.current.index;
    for (const a of this.armed) {
      const t = a.target;
      if (t.kind !== 'va' || t.process !== proc) continue;
      if (va + size <= t.start || va >= t.start + t.length) continue;
      const isWrite = access === Access.Write;
      if (a.access === 'write' && !isWrite) continue;
      if (a.access === 'read' && isWrite) continue;
      this.hit(a, `${isWrite ? 'write to' : access === Access.Execute ? 'execute at' : 'read of'} 0x${va.toString(16)} (${describeTarget(this.m, t)})`);
    }
  }

  /** Counters are compared at statement boundaries. */
  sampleCounters(): void {
    for (const a of this.armed) {
      if (a.target.kind !== 'counter') continue;
      const v = counterValue(this.m, a.target.name);
      if (v !== a.last) {
        this.hit(a, `${a.target.name}: ${a.last} → ${v}`);
        a.last = v;
      }
    }
  }

  /** Clears the pending hit (after reporting it). */
  take(): DataHit | undefined {
    const h = this.pending;
    this.pending = undefined;
    return h;
  }

  get hasCounters(): boolean {
    return this.armed.some((a) => a.target.kind === 'counter');
  }
}

const PFN_FIELD_NAMES: Record<number, string> = {
  [PfnFieldId.U1]: 'u1 (WsIndex/Flink)',
  [PfnFieldId.U2]: 'u2 (ShareCount/Blink)',
  [PfnFieldId.PteAddress]: 'PteAddress',
  [PfnFieldId.ReferenceCount]: 'ReferenceCount',
  [PfnFieldId.Flags]: 'u3.e1 flags',
  [PfnFieldId.OriginalPte]: 'OriginalPte',
  [PfnFieldId.PteFrame]: 'PteFrame',
  [PfnFieldId.UsedPageTableEntries]: 'UsedPageTableEntries',
};
