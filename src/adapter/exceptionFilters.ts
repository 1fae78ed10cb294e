/**
 * Exception breakpoint filters: guest exceptions (access violation — on by default —, guard
 * page), failed assertions, and each kind of page fault, each with an optional condition
 * (`0x10000-0x20000` address range, `process == "main"`, or both joined by `&&`).
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { FaultContext } from '../core/faultHandler';
import type { FaultKind, Process } from '../core/process';
import { STATUS_ACCESS_VIOLATION, STATUS_GUARD_PAGE_VIOLATION } from '../core/status';

export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  { filter: 'accessViolation', label: 'Access violations', description: 'Break when a guest access raises STATUS_ACCESS_VIOLATION (also inside expect blocks)', default: true, supportsCondition: true, conditionDescription: 'address range "0x10000-0x20000" and/or process == "main"' },
  { filter: 'guardPage', label: 'Guard page violations', description: 'Break when a guard page fires (STATUS_GUARD_PAGE_VIOLATION)', default: false, supportsCondition: true, conditionDescription: 'address range and/or process' },
  { filter: 'assertion', label: 'Failed assertions', description: 'Break when an assert or expect fails', default: true },
  { filter: 'demandZero', label: 'Demand-zero faults', description: 'Break at the end of every demand-zero fault', default: false, supportsCondition: true, conditionDescription: 'address range and/or process' },
  { filter: 'transition', label: 'Transition (soft) faults', description: 'Break at the end of every soft fault from Standby or Modified', default: false, supportsCondition: true, conditionDescription: 'address range and/or process' },
  { filter: 'hard', label: 'Hard faults', description: 'Break at the end of every fault that reads the paging file', default: false, supportsCondition: true, conditionDescription: 'address range and/or process' },
  { filter: 'copyOnWrite', label: 'Copy-on-write faults', description: 'Break at the end of every copy-on-write fault', default: false, supportsCondition: true, conditionDescription: 'address range and/or process' },
  { filter: 'prototype', label: 'Prototype-PTE faults', description: 'Break at the end of every fault resolved through a prototype PTE', default: false, supportsCondition: true, conditionDescription: 'address range and/or process' },
];

interface Condition {
  from?: number;
  to?: number;
  process?: string;
}

export function parseCondition(text: string | undefined): Condition | string {
  const c: Condition = {};
  if (text === undefined || text.trim() === '') return c;
  for (const part of text.split('&&').map((s) => s.trim())) {
    const range = /^(0x[0-9a-f`_]+|\d+)\s*(?:-|\.\.)\s*(0x[0-9a-f`_]+|\d+)$/i.exec(part);
    const proc = /^process\s*==\s*"?([^"]+)"?$/.exec(part);
    if (range) {
      c.from = Number(BigInt(range[1].replace(/[`_]/g, '')));
      c.to = Number(BigInt(range[2].replace(/[`_]/g, '')));
    } else if (proc) c.process = proc[1];
    else return `condition '${part}' is not understood: use an address range such as 0x10000-0x20000 or process == "main"`;
  }
  return c;
}

export class ExceptionFilters {
  private enabled = new Map<string, Condition>();

  constructor() {
    for (const f of EXCEPTION_FILTERS) if (f.default) this.enabled.set(f.filter, {});
  }

  set(args: DebugProtocol.SetExceptionBreakpointsArguments): DebugProtocol.Breakpoint[] {
    this.enabled.clear();
    const out: DebugProtocol.Breakpoint[] = [];
    const known = new Set(EXCEPTION_FILTERS.map((f) => f.filter));
    for (const f of args.filters ?? []) {
      if (!known.has(f)) {
        out.push({ verified: false, message: `there is no exception filter '${f}'` });
        continue;
      }
      this.enabled.set(f, {});
      out.push({ verified: true });
    }
    for (const o of args.filterOptions ?? []) {
      if (!known.has(o.filterId)) {
        out.push({ verified: false, message: `there is no exception filter '${o.filterId}'` });
        continue;
      }
      const c = parseCondition(o.condition);
      if (typeof c === 'string') out.push({ verified: false, message: c });
      else {
        this.enabled.set(o.filterId, c);
        out.push({ verified: true });
      }
    }
    return out;
  }

  isOn(filter: string): boolean {
    return this.enabled.has(filter);
  }

  /** Whether any filter needs to see faults step by step. */
  get needsFaultStepping(): boolean {
    // access violations and guard pages are noticed through the machine's counters between events
    // (runtime.ts), so only the fault-kind filters need every fault run step by step
    for (const f of this.enabled.keys()) if (f !== 'assertion' && f !== 'accessViolation' && f !== 'guardPage') return true;
    return false;
  }

  private matches(filter: string, ctx: FaultContext): boolean {
    return this.matchesAccess(filter, ctx.va, ctx.proc);
  }

  /** Whether a filter is on and its condition holds for an access to `va` by `proc`. */
  matchesAccess(filter: string, va: number, proc: Process): boolean {
    const c = this.enabled.get(filter);
    if (c === undefined) return false;
    if (c.from !== undefined && (va < c.from || va > c.to!)) return false;
    if (c.process !== undefined && c.process !== proc.name && c.process !== String(proc.pid)) return false;
    return true;
  }

  /** The filter a finished fault triggers, if any. */
  filterFor(ctx: FaultContext): string | undefined {
    const s = ctx.status >>> 0;
    if (s === STATUS_ACCESS_VIOLATION) return this.matches('accessViolation', ctx) ? 'accessViolation' : undefined;
    if (s === STATUS_GUARD_PAGE_VIOLATION) return this.matches('guardPage', ctx) ? 'guardPage' : undefined;
    const kindFilter: Partial<Record<FaultKind, string>> = { demandZero: 'demandZero', transition: 'transition', hard: 'hard', copyOnWrite: 'copyOnWrite', prototype: 'prototype' };
    const f = kindFilter[ctx.kind];
    return f !== undefined && this.matches(f, ctx) ? f : undefined;
  }
}
