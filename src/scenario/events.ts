// What a running scenario reports to whoever drives it (the debug adapter, the command-line
// runner, tests): the pause points of the execution generator and the result of `resume`.
// It exists so that the interpreter, the stepping predicates and the driver share these shapes.

import type { Stmt } from './ast';
import type { FaultContext } from '../core/faultHandler';
import type { Step } from '../core/faultSteps';
import type { RunError } from './runtimeErrors';

/** Before a statement runs. `depth` is the number of frames below it (0 = top-level script). */
export interface StatementEvent {
  kind: 'statement';
  node: Stmt;
  depth: number;
}

/**
 * Before one step of the page-fault handler (only while fault stepping is on). `ctx` is the
 * machine's live fault context (it changes as the fault proceeds); `step` is the step about to
 * run, captured when the event was made. `statement` is the script statement whose access faulted;
 * `depth` is one more than that statement's depth (the kernel frames sit above it).
 */
export interface FaultEvent {
  kind: 'fault';
  ctx: FaultContext;
  step: Step;
  statement: Stmt;
  depth: number;
}

export type ExecEvent = StatementEvent | FaultEvent;

export type StopReason = 'stopped' | 'paused' | 'end' | 'error' | 'exception';

export interface StopResult {
  reason: StopReason;
  /** The event the run stopped before ('stopped' / 'paused'). */
  event?: ExecEvent;
  /** Why the run ended ('error' / 'exception'). */
  error?: RunError;
}

/** Runs an execution generator to its end, ignoring its events (no debugger is watching). */
export function drain<T>(g: Generator<ExecEvent, T, void>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}
