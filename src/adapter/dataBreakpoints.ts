/**
 * Data breakpoints (ids in dataTarget.ts). Entries and PFNs are watched through the journal, so
 * any actor that changes them is caught (fault, trim, modified page writer, repurposing, API) and
 * named in the stop description ("PTE of 0x1f0000 (main): Valid 1→0 by working-set trim"); guest
 * memory through the MMU's access hook; counters are sampled before each statement.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Access } from '../core/faultHandler';
import { ACTOR_NAMES, EventKind, PfnFieldId } from '../core/journal';
import type { Machine } from '../core/machine';
import { decodePte } from '../core/pte';
import { hitConditionMet } from './breakpoints';
import { counterValue, dataId, describeTarget, parseDataId, type DataTarget } from './dataTarget';
import { hex64 } from './variableStore';

export { dataId, describeTarget, parseDataId, type DataTarget } from './dataTarget';

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

/** Fields compared between two entry values; `both`: only when both formats have the field. */
const BITS: Array<[string, (d: Record<string, unknown>) => unknown, boolean?]> = [
  ['Valid', (d) => (d.kind === 'valid' ? 1 : 0)],
  ['Write', (d) => (d.write === undefined ? undefined : d.write ? 1 : 0), true],
  ['Accessed', (d) => (d.accessed === undefined ? undefined : d.accessed ? 1 : 0), true],
  ['Dirty', (d) => (d.dirty === undefined ? undefined : d.dirty ? 1 : 0), true],
  ['PFN', (d) => (d.pfn === undefined ? undefined : '0x' + Number(d.pfn).toString(16))],
  ['Protection', (d) => d.protection, true],
  ['kind', (d) => d.kind],
];

/** "Valid 1→0, kind valid→transition" between two entry values. */
export function describePteChange(oldLo: number, oldHi: number, newLo: number, newHi: number): string {
  const a = decodePte(oldLo, oldHi) as unknown as Record<string, unknown>;
  const b = decodePte(newLo, newHi) as unknown as Record<string, unknown>;
  const parts: string[] = [];
  for (const [name, get, both] of BITS) {
    const x = get(a);
    const y = get(b);
    if (both && (x === undefined || y === undefined)) continue;
    if (x !== y) parts.push(`${name} ${String(x ?? '-')}→${String(y ?? '-')}`);
  }
  return parts.length ? parts.join(', ') : `${hex64(a.raw as bigint)} → ${hex64(b.raw as bigint)}`;
}

const ACCESS_TYPES = new Set(['read', 'write', 'readWrite']);

export class DataBreakpoints {
  private armed: Armed[] = [];
  private nextId: number;
  /** A hit noticed during execution, reported at the next stop point. */
  pending: DataHit | undefined;
  /** Decides a breakpoint's condition (side-effect-free evaluation); true when absent. */
  conditionHolds: (condition: string) => boolean = () => true;

  constructor(private readonly m: Machine, firstId = 1000) {
    this.nextId = firstId;
  }

  get active(): boolean {
    return this.armed.length > 0;
  }

  /** The same breakpoints (ids kept, hits cleared) on another machine: a restarted scenario. */
  transferTo(m: Machine): DataBreakpoints {
    const d = new DataBreakpoints(m, this.nextId);
    d.conditionHolds = this.conditionHolds;
    d.armed = this.armed.map((a) => ({ ...a, hits: 0, last: a.target.kind === 'counter' ? counterValue(m, a.target.name) : undefined }));
    d.install();
    this.dispose();
    return d;
  }

  isArmed(id: string): boolean {
    return this.armed.some((a) => dataId(a.target) === id);
  }

  /** setDataBreakpoints (replaces all); `ids` forces the ids (breakpoints set before the launch). */
  set(bps: readonly DebugProtocol.DataBreakpoint[], ids?: readonly number[]): DebugProtocol.Breakpoint[] {
    const old = this.armed;
    this.armed = [];
    const out = bps.map((bp, k) => {
      const fail = (message: string) => ({ id: ids?.[k], verified: false, message }) as DebugProtocol.Breakpoint;
      const target = parseDataId(bp.dataId);
      if (target === undefined) return fail(`unknown data breakpoint id '${String(bp.dataId)}'`);
      const access = bp.accessType ?? 'write';
      if (!ACCESS_TYPES.has(access)) return fail(`unknown access type '${String(access)}'`);
      if (target.kind !== 'va' && access !== 'write') return fail(`${describeTarget(this.m, target)} can only be watched for changes (write)`);
      if (target.kind === 'counter' && counterValue(this.m, target.name) === undefined) return fail(`there is no counter '${target.name}'`);
      if (target.kind === 'pfn' && target.pfn >= this.m.pfn.count) return fail(`PFN 0x${target.pfn.toString(16)} is outside physical memory`);
      const hc = hitConditionMet(bp.hitCondition, 0);
      if (typeof hc === 'string') return fail(hc);
      const same = old.find((a) => dataId(a.target) === bp.dataId && a.access === access);
      const a: Armed = { id: ids?.[k] ?? same?.id ?? this.nextId++, target, access, condition: bp.condition, hitCondition: bp.hitCondition, hits: same?.hits ?? 0 };
      if (target.kind === 'counter') a.last = counterValue(this.m, target.name);
      this.armed.push(a);
      return { id: a.id, verified: true, message: describeTarget(this.m, target) } as DebugProtocol.Breakpoint;
    });
    this.install();
    return out;
  }

  private install(): void {
    const j = this.m.journal;
    const watchJournal = this.armed.some((a) => a.target.kind === 'pte' || a.target.kind === 'pfn');
    j.listener = watchJournal ? (seq) => this.onEvent(seq) : null;
    const watchVa = this.armed.some((a) => a.target.kind === 'va');
    this.m.mmu.accessHook = watchVa ? (_pa, va, size, access) => this.onAccess(va, size, access) : null;
  }

  /** Stops watching this machine but keeps the breakpoints (a restart transfers them). */
  detach(): void {
    this.pending = undefined;
    if (this.m.journal.listener !== null) this.m.journal.listener = null;
    this.m.mmu.accessHook = null;
  }

  /** Detaches every hook (end of session). */
  dispose(): void {
    this.armed = [];
    this.pending = undefined;
    this.install();
  }

  private hit(a: Armed, text: string): void {
    if (a.condition !== undefined && a.condition.trim() !== '' && !this.conditionHolds(a.condition)) return;
    a.hits++;
    if (hitConditionMet(a.hitCondition, a.hits) !== true) return;
    if (this.pending) {
      if (!this.pending.ids.includes(a.id)) this.pending.ids.push(a.id);
      return;
    }
    this.pending = { ids: [a.id], description: text };
  }

  private onEvent(seq: number): void {
    const j = this.m.journal;
    const kind = j.kindAt(seq);
    if (kind !== EventKind.PteWrite && kind !== EventKind.PfnField && kind !== EventKind.PfnList) return;
    const e = j.get(seq);
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
        const before = a.last;
        a.last = v;
        this.hit(a, `${a.target.name}: ${String(before)} → ${String(v)}`);
      }
    }
  }

  /** Counters sampled now without reporting (after the debugger itself changed the machine). */
  resample(): void {
    for (const a of this.armed) if (a.target.kind === 'counter') a.last = counterValue(this.m, a.target.name);
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
