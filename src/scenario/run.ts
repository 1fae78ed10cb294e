// The driver of one scenario run: what the debug adapter, the command-line runner and tests hold.
// It owns the interpreter's execution generator and runs it until a stop predicate says so, the
// scenario ends, fails, raises an unhandled guest exception, or a pause is requested; and it
// answers the debugger's questions while stopped (call stack, scopes, variables, evaluation).
//
// Pausing: `resume` is synchronous; `requestPause()` may be called from the stop predicate or the
// output callback, and is checked before every event. `resumeAsync` runs in slices and yields to
// the event loop between them, so a pause request from another task (a DAP request) is honoured
// even inside an endless loop.

import type { Program } from './ast';
import type { Machine } from '../core/machine';
import type { Process } from '../core/process';
import { evaluateText, type EvalResult } from './evaluate';
import type { ExecEvent, StopResult } from './events';
import { faultScope, kernelFrames, scopeViews, scriptFrameViews, faultVariables, type ScopeView, type StackFrameView } from './frames';
import { Interpreter, type Frame } from './interpreter';
import { GuestException, internalError, ScriptError, toRunError } from './runtimeErrors';
import type { Scope } from './scope';
import { stepInFrom, stepOutFrom, stepOverFrom, type StopPredicate } from './stepping';
import type { Value } from './values';
import type { BuiltinRegistry } from './builtins/types';
import { BUILTINS } from './builtins/index';

export const DEFAULT_STEP_BUDGET = 10_000_000;
export const DEFAULT_MAX_CALL_DEPTH = 200;

export interface RunOptions {
  /** Most statements the scenario may execute (default 10,000,000). */
  stepBudget?: number;
  /** Receives each line the scenario prints (without a line break). */
  output?: (text: string) => void;
  /** Name used in messages (`file:line:col: ...`); default "scenario.vmm". */
  file?: string;
  /** The scenario's text, for `assertion failed: <source>` messages (rebuilt from the tree if absent). */
  source?: string;
  /** Deepest nesting of user function calls (default 200). */
  maxCallDepth?: number;
  /** The built-ins (default: the full registry). */
  builtins?: BuiltinRegistry;
}

/** How many events a slice of `resumeAsync` runs at most before looking at the clock. */
const SLICE_CHECK = 4096;

export class ScenarioRun {
  readonly interpreter: Interpreter;
  readonly file: string;
  private readonly gen: Generator<ExecEvent, void, void>;
  private last: ExecEvent | undefined;
  private final: StopResult | undefined;
  private pauseRequested = false;

  constructor(readonly program: Program, readonly machine: Machine, options: RunOptions = {}) {
    this.file = options.file ?? 'scenario.vmm';
    this.interpreter = new Interpreter(program, machine, {
      file: this.file,
      source: options.source,
      stepBudget: options.stepBudget ?? DEFAULT_STEP_BUDGET,
      maxCallDepth: options.maxCallDepth ?? DEFAULT_MAX_CALL_DEPTH,
      output: options.output ?? (() => {}),
      builtins: options.builtins ?? BUILTINS,
    });
    this.gen = this.interpreter.run();
  }

  /** Whether memory accesses stop before each step of a page fault (set by the debugger). */
  get faultStepping(): boolean {
    return this.interpreter.faultStepping;
  }
  set faultStepping(on: boolean) {
    this.interpreter.faultStepping = on;
  }

  /** The event the run is stopped before (undefined before the first resume and after the end). */
  get lastEvent(): ExecEvent | undefined {
    return this.final === undefined ? this.last : undefined;
  }

  /** The terminal result once the run has ended (end, error or exception). */
  get result(): StopResult | undefined {
    return this.final;
  }

  get finished(): boolean {
    return this.final !== undefined;
  }

  get statementsExecuted(): number {
    return this.interpreter.statements;
  }

  /** The process the scenario is running in now (the CPU's current process). */
  get currentProcess(): Process {
    return this.machine.current;
  }

  /** Asks the run to stop before its next event ('paused'). */
  requestPause(): void {
    this.pauseRequested = true;
  }

  /**
   * Runs until `shouldStop(event)` returns true ('stopped'), a pause is requested ('paused'), the
   * scenario ends ('end'), a run-time error ('error') or an unhandled guest exception
   * ('exception'). The run stops BEFORE the event it returns; resuming executes it.
   */
  resume(shouldStop: StopPredicate = () => false): StopResult {
    return this.slice(shouldStop, Infinity) ?? { reason: 'paused', event: this.last };
  }

  /** Like `resume`, but yields to the event loop every `sliceMs` so `requestPause` can arrive. */
  async resumeAsync(shouldStop: StopPredicate = () => false, sliceMs = 20): Promise<StopResult> {
    for (;;) {
      const r = this.slice(shouldStop, sliceMs);
      if (r !== undefined) return r;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Runs for at most `ms` milliseconds of host time; undefined when the slice ran out. */
  private slice(shouldStop: StopPredicate, ms: number): StopResult | undefined {
    if (this.final !== undefined) return this.final;
    const deadline = ms === Infinity ? Infinity : Date.now() + ms;
    let n = 0;
    for (;;) {
      let r: IteratorResult<ExecEvent, void>;
      try {
        r = this.gen.next();
      } catch (e) {
        return this.fail(e);
      }
      if (r.done) {
        this.final = { reason: 'end' };
        this.last = undefined;
        return this.final;
      }
      const ev = r.value;
      this.last = ev;
      if (this.pauseRequested) {
        this.pauseRequested = false;
        return { reason: 'paused', event: ev };
      }
      if (shouldStop(ev)) return { reason: 'stopped', event: ev };
      if (++n === SLICE_CHECK) {
        n = 0;
        if (Date.now() >= deadline) {
          // the event was looked at (no stop): the next slice runs it
          return undefined;
        }
      }
    }
  }

  private fail(e: unknown): StopResult {
    const interp = this.interpreter;
    const range = interp.lastStatement?.range;
    let err: ScriptError | GuestException;
    if (e instanceof ScriptError || e instanceof GuestException) {
      err = e;
      if (err.range === undefined) err.range = range;
    } else {
      err = internalError(e, range);
    }
    const error = toRunError(err, this.file);
    this.final = { reason: err instanceof GuestException ? 'exception' : 'error', error };
    return this.final;
  }

  // ---- step commands (predicates relative to where the run is stopped) -----------------------------

  stepIn(): StopPredicate {
    return stepInFrom(this.lastEvent);
  }
  stepOver(): StopPredicate {
    return stepOverFrom(this.lastEvent);
  }
  stepOut(): StopPredicate {
    return stepOutFrom(this.lastEvent);
  }

  // ---- inspection while stopped ---------------------------------------------------------------------

  private scriptFrames(): readonly Frame[] {
    if (this.final !== undefined) return this.interpreter.errorFrames ?? [];
    return this.interpreter.frames;
  }

  /** Whether the run is stopped inside a page fault (kernel frames on top of the stack). */
  get inFault(): boolean {
    const ev = this.lastEvent;
    return ev !== undefined && ev.kind === 'fault' && this.machine.faults.active;
  }

  /** Frames innermost first: kernel routines while inside a fault, then the script's frames. */
  callStack(): StackFrameView[] {
    const views: Array<Omit<StackFrameView, 'index'>> = [];
    const ev = this.lastEvent;
    if (ev !== undefined && ev.kind === 'fault' && this.machine.faults.active) views.push(...kernelFrames(ev.step, ev.ctx));
    views.push(...scriptFrameViews(this.scriptFrames()));
    return views.map((v, index) => ({ ...v, index }));
  }

  /** The scope chain and process a frame of `callStack()` evaluates in; undefined for a bad index. */
  private target(frameIndex: number): { scope: Scope; process: Process; fault?: ScopeView } | undefined {
    const stack = this.callStack();
    const frames = this.scriptFrames();
    if (stack.length === 0 && frameIndex === 0) {
      // nothing on the stack (before the start, after the end): the globals
      return { scope: this.interpreter.globals, process: this.machine.current };
    }
    const view = stack[frameIndex];
    if (view === undefined || !Number.isInteger(frameIndex)) return undefined;
    if (view.kind === 'kernel') {
      const ev = this.lastEvent!;
      const inner = frames[frames.length - 1];
      const parent = inner?.scope ?? this.interpreter.globals;
      if (ev.kind === 'fault') {
        return {
          scope: faultScope(ev.ctx, ev.step, parent),
          process: ev.ctx.proc,
          fault: { name: 'Fault context', kind: 'fault', variables: faultVariables(ev.ctx, ev.step) },
        };
      }
      return { scope: parent, process: view.process };
    }
    const kernelCount = stack.length - frames.length;
    const f = frames[frames.length - 1 - (frameIndex - kernelCount)];
    return { scope: f.scope, process: f.process };
  }

  /** The scopes of a frame, innermost first (a kernel frame: the fault context, then the script's). */
  scopes(frameIndex: number): ScopeView[] {
    const t = this.target(frameIndex);
    if (t === undefined) return [];
    if (t.fault !== undefined) return [t.fault, ...scopeViews(t.scope.parent ?? this.interpreter.globals)];
    return scopeViews(t.scope);
  }

  /** Every variable visible in a frame (inner names hide outer ones); empty for a bad index. */
  variables(frameIndex: number): Map<string, Value> {
    return this.target(frameIndex)?.scope.visible() ?? new Map();
  }

  /**
   * Evaluates text in a frame. `sideEffects: false` (watch, hover): one expression, nothing that
   * could change the machine. `sideEffects: true` (debug console): statements allowed.
   */
  evaluate(text: string, frameIndex = 0, opts: { sideEffects: boolean } = { sideEffects: false }): EvalResult {
    const t = this.target(frameIndex);
    if (t === undefined) return { ok: false, error: `there is no frame ${frameIndex}` };
    return evaluateText(this.interpreter, text, { scope: t.scope, process: t.process }, opts.sideEffects);
  }
}
