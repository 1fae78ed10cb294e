// The debugger's step commands as stop predicates over execution events, built on frame depth.
// It exists so that the debug adapter, the command-line runner and tests step alike:
//  - step in: stop at the very next event — the next statement, or (fault stepping on) the first
//    step of a page fault the current statement takes;
//  - step over, from a statement at depth d: the next statement at depth <= d (calls, `in` blocks
//    and faults of this statement run through); from a fault step: the next fault step, or the
//    next statement at the faulting statement's depth or above;
//  - step out, from a statement at depth d: the next statement at depth < d (the rest of the
//    function or `in` block runs; at the top level that is the end of the scenario); from a fault
//    step: finish the fault and the rest of the faulting statement's accesses, i.e. the next
//    statement, wherever it is.

import type { ExecEvent } from './events';

export type StopPredicate = (ev: ExecEvent) => boolean;

export const stopAtAny: StopPredicate = () => true;
export const neverStop: StopPredicate = () => false;

export function stepInFrom(_from: ExecEvent | undefined): StopPredicate {
  return stopAtAny;
}

export function stepOverFrom(from: ExecEvent | undefined): StopPredicate {
  if (from === undefined) return stopAtAny;
  const d = from.depth;
  if (from.kind === 'fault') return (ev) => ev.kind === 'fault' || ev.depth <= d - 1;
  return (ev) => ev.kind === 'statement' && ev.depth <= d;
}

export function stepOutFrom(from: ExecEvent | undefined): StopPredicate {
  if (from === undefined) return neverStop;
  const d = from.depth;
  if (from.kind === 'fault') return (ev) => ev.kind === 'statement';
  return (ev) => ev.kind === 'statement' && ev.depth < d;
}
