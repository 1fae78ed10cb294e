/**
 * The debug runtime: one scenario run plus everything that decides where it stops — line,
 * function, data and exception breakpoints, step commands, pause — and what it reports while it
 * runs (guest output, narration). It knows nothing of DAP (session.ts maps it), like mock-debug's
 * runtime/adapter split.
 */
import { STEP_INFO, Step } from '../core/faultSteps';
import type { Machine } from '../core/machine';
import { Narrator } from '../core/narration';
import { statusName } from '../core/status';
import { formatDiagnostic, hasErrors, type Diagnostic } from '../scenario/diagnostics';
import type { ExecEvent, StopResult } from '../scenario/events';
import type { ScenarioRun } from '../scenario/run';
import { createScenario, type MachineOverrides } from '../scenario/setup';
import { stepInFrom, stepOutFrom, stepOverFrom, type StopPredicate } from '../scenario/stepping';
import { truthy } from '../scenario/values';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { EvalResult } from '../scenario/evaluate';
import { BreakpointStore, hitConditionMet } from './breakpoints';
import { DataBreakpoints } from './dataBreakpoints';
import { ExceptionFilters } from './exceptionFilters';
import { faultStepsFromJournal, stepName } from './listings';

export type StopKind = 'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'data breakpoint' | 'exception' | 'pause';

export interface StopInfo {
  reason: StopKind;
  description: string;
  text?: string;
  hitBreakpointIds?: number[];
  /** For exceptions: what exceptionInfo reports. */
  exception?: { id: string; description: string; details: string; breakMode: 'always' | 'unhandled' };
  /** The run ended (unhandled exception, failed assertion, error): continuing terminates. */
  final?: boolean;
}

export interface RuntimeHost {
  stopped(info: StopInfo): void;
  output(category: 'stdout' | 'stderr' | 'console' | 'important', text: string, line?: number, col?: number): void;
  terminated(exitCode: number): void;
}

export interface LoadOptions {
  file: string;
  /** Full path of the scenario (what setBreakpoints names it by). */
  path?: string;
  text: string;
  overrides: MachineOverrides;
  narrate: boolean;
  stepBudget?: number;
}

/** What a restarted runtime keeps from the previous one. */
export interface CarriedState {
  breakpoints: BreakpointStore;
  exceptions: ExceptionFilters;
  dataBreakpoints?: DataBreakpoints;
}

/** Where Step Into goes from a statement: into the page-fault handler, or into a called function. */
export type StepInTarget = 'fault' | 'call';

export class VmmRuntime {
  run: ScenarioRun | undefined;
  readonly breakpoints: BreakpointStore;
  readonly exceptions: ExceptionFilters;
  dataBreakpoints: DataBreakpoints | undefined;
  /** Line breakpoints whose verification changed when the program was loaded. */
  resolvedBreakpoints: DebugProtocol.Breakpoint[] = [];
  lastStop: StopInfo | undefined;
  private narrator: Narrator | undefined;
  private narratedTo = 0;
  private running: Promise<void> | undefined;
  private terminatedSent = false;
  private avSeen = 0;
  private guardSeen = 0;
  private lastFrames: readonly string[] = [];
  private file = 'scenario.vmm';

  private carriedData: DataBreakpoints | undefined;

  constructor(private readonly host: RuntimeHost, carried?: CarriedState) {
    this.breakpoints = carried?.breakpoints ?? new BreakpointStore();
    this.exceptions = carried?.exceptions ?? new ExceptionFilters();
    this.carriedData = carried?.dataBreakpoints;
  }

  get machine(): Machine {
    if (this.run === undefined) throw new Error('no scenario is loaded');
    return this.run.machine;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  get finished(): boolean {
    return this.run?.finished ?? true;
  }

  get terminated(): boolean {
    return this.terminatedSent;
  }

  /** Parses, checks and builds the machine; returns the diagnostics (the run exists when none is an error). */
  load(opts: LoadOptions): Diagnostic[] {
    this.file = opts.file;
    const setup = createScenario(opts.text, opts.file, opts.overrides, {
      output: (text: string) => this.guestOutput(text),
      stepBudget: opts.stepBudget,
    });
    if (hasErrors(setup.diagnostics) || setup.run === undefined) return setup.diagnostics;
    this.run = setup.run;
    this.resolvedBreakpoints = this.breakpoints.setProgram(setup.program, opts.path ?? opts.file);
    this.dataBreakpoints?.dispose();
    this.dataBreakpoints = this.carriedData !== undefined ? this.carriedData.transferTo(this.run.machine) : new DataBreakpoints(this.run.machine);
    this.carriedData = undefined;
    this.dataBreakpoints.conditionHolds = (c) => this.conditionHolds(c);
    this.narrator = opts.narrate ? new Narrator(this.run.machine) : undefined;
    this.narratedTo = this.run.machine.journal.nextSeq;
    this.avSeen = this.run.machine.counters.accessViolations;
    this.guardSeen = this.run.machine.counters.guardPageFaults;
    this.terminatedSent = false;
    return setup.diagnostics;
  }

  formatDiagnostics(diags: Diagnostic[]): string {
    return diags.map((d) => formatDiagnostic(this.file, d)).join('\n');
  }

  private guestOutput(text: string): void {
    this.flushNarration();
    this.host.output('stdout', text + '\n');
  }

  /** Sends narration lines for the journal events since the last flush. */
  flushNarration(): void {
    if (this.narrator === undefined || this.run === undefined) return;
    const j = this.run.machine.journal;
    const lines = this.narrator.lines(this.narratedTo, j.nextSeq);
    this.narratedTo = j.nextSeq;
    for (const l of lines) this.host.output('console', `  · ${l}\n`);
  }

  // ---- control -------------------------------------------------------------------------------------

  start(stopOnEntry: boolean): void {
    this.go(stopOnEntry ? () => true : () => false, stopOnEntry ? 'entry' : 'step', false);
  }

  continue(): void {
    this.go(() => false, 'step', false);
  }

  next(): void {
    // inside a fault, step over means the next step of the handler: keep running it step by step
    this.go(stepOverFrom(this.run?.lastEvent), 'step', this.run?.inFault ?? false);
  }

  /** Step Into; `target` 'call' steps into a called function without stopping in a page fault. */
  stepIn(target: StepInTarget = 'fault'): void {
    this.go(stepInFrom(this.run?.lastEvent), 'step', target === 'fault');
  }

  stepOut(): void {
    this.go(stepOutFrom(this.run?.lastEvent), 'step', false);
  }

  /** Pauses a running scenario (nothing to do when it is stopped already). */
  pause(): void {
    if (this.running !== undefined) this.run?.requestPause();
  }

  /** Runs to the end without stopping (noDebug). */
  runToEnd(): void {
    this.go(() => false, 'step', false, true);
  }

  private go(user: StopPredicate, userReason: StopKind, stepIn: boolean, noDebug = false): void {
    const run = this.run;
    if (run === undefined || this.running !== undefined || this.terminatedSent) return;
    if (run.finished) {
      this.finish(run.result!);
      return;
    }
    const wantsFaults = stepIn || this.breakpoints.hasRoutineBreakpoints || this.exceptions.needsFaultStepping;
    run.faultStepping = !noDebug && wantsFaults;
    let info: StopInfo | undefined;
    const m = run.machine;
    const predicate: StopPredicate = noDebug
      ? () => false
      : (ev: ExecEvent) => {
          info = this.check(ev, user, userReason, m);
          return info !== undefined;
        };
    this.running = run
      .resumeAsync(predicate)
      .then((r) => {
        this.running = undefined;
        if (this.terminatedSent) return; // terminated or restarted while running
        this.flushNarration();
        if (r.reason === 'stopped' || r.reason === 'paused') {
          const stop: StopInfo = r.reason === 'paused' ? { reason: 'pause', description: 'Paused' } : info ?? { reason: userReason, description: userReason === 'entry' ? 'Paused on entry' : 'Paused after step' };
          this.lastStop = stop;
          this.host.stopped(stop);
        } else this.finish(r);
      })
      .catch((e: unknown) => {
        this.running = undefined;
        if (this.terminatedSent) return;
        this.host.output('stderr', `internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
        this.terminate(1);
      });
  }

  /** Decides whether to stop before an event; undefined = keep running. */
  private check(ev: ExecEvent, user: StopPredicate, userReason: StopKind, m: Machine): StopInfo | undefined {
    const dbs = this.dataBreakpoints;
    if (dbs !== undefined) {
      if (ev.kind === 'statement' && dbs.hasCounters) dbs.sampleCounters();
      const hit = dbs.take();
      if (hit !== undefined) return { reason: 'data breakpoint', description: hit.description, text: hit.description, hitBreakpointIds: hit.ids };
    }
    // guest exceptions raised since the last event (also those an expect block caught)
    if (m.counters.accessViolations !== this.avSeen || m.counters.guardPageFaults !== this.guardSeen) {
      const av = m.counters.accessViolations !== this.avSeen;
      this.avSeen = m.counters.accessViolations;
      this.guardSeen = m.counters.guardPageFaults;
      const filter = av ? 'accessViolation' : 'guardPage';
      const f = m.mmu.lastFault;
      if (ev.kind !== 'fault' && this.exceptions.matchesAccess(filter, f.va, m.current)) {
        const desc = `${statusName(f.status)} at 0x${f.va.toString(16)} (${['read', 'write', '', '', '', '', '', '', 'execute'][f.access]}) in the previous statement`;
        return { reason: 'exception', description: desc, text: desc, exception: { id: statusName(f.status), description: desc, details: desc, breakMode: 'always' } };
      }
    }
    if (ev.kind === 'statement') {
      this.lastFrames = [];
      const stmt = ev.node;
      const line = stmt.range.start.line;
      const bp = this.breakpoints.lineBreakpoint(line);
      if (bp !== undefined && this.breakpoints.firstStatementOn(line) === stmt) {
        if (this.conditionHolds(bp.condition)) {
          bp.hits++;
          const hc = hitConditionMet(bp.hitCondition, bp.hits);
          if (hc === true) {
            if (bp.logMessage !== undefined) this.host.output('console', this.interpolate(bp.logMessage) + '\n', line, stmt.range.start.col);
            else return { reason: 'breakpoint', description: 'Paused on breakpoint', hitBreakpointIds: [bp.id] };
          }
        }
      }
      for (const fb of this.breakpoints.callBreakpointsFor(stmt)) {
        if (!this.conditionHolds(fb.condition)) continue;
        fb.hits++;
        if (hitConditionMet(fb.hitCondition, fb.hits) === true) return { reason: 'function breakpoint', description: `Paused before a call to ${fb.name}`, hitBreakpointIds: [fb.id] };
      }
    } else {
      // a routine breakpoint fires when the routine is entered (not when a callee returns to it)
      const frames = STEP_INFO[ev.step]?.frames ?? [];
      const before = ev.step === Step.Trap ? [] : this.lastFrames;
      this.lastFrames = frames;
      for (const routine of frames) {
        if (before.includes(routine)) continue;
        for (const fb of this.breakpoints.routineBreakpointsFor(routine)) {
          if (!this.conditionHolds(fb.condition)) continue;
          fb.hits++;
          if (hitConditionMet(fb.hitCondition, fb.hits) === true) return { reason: 'function breakpoint', description: `Paused in ${routine}`, hitBreakpointIds: [fb.id] };
        }
      }
      if (ev.step === Step.TrapReturn) {
        // this fault's exception is decided here (with the filter's condition), not by the counters
        const failed = ev.ctx.status >>> 0 >= 0x80000000;
        this.avSeen = m.counters.accessViolations + (failed && ev.ctx.status >>> 0 === 0xc0000005 ? 1 : 0);
        this.guardSeen = m.counters.guardPageFaults + (failed && ev.ctx.status >>> 0 !== 0xc0000005 ? 1 : 0);
        const filter = this.exceptions.filterFor(ev.ctx);
        if (filter !== undefined) {
          const desc = `${faultWords(ev.ctx.kind, ev.ctx.status)} at 0x${ev.ctx.va.toString(16)} (${['read', 'write', '', '', '', '', '', '', 'execute'][ev.ctx.access]})`;
          const id = ev.ctx.status >>> 0 >= 0x80000000 ? statusName(ev.ctx.status) : faultWords(ev.ctx.kind, ev.ctx.status);
          return { reason: 'exception', description: desc, text: desc, exception: { id, description: desc, details: desc, breakMode: 'always' } };
        }
      }
    }
    if (user(ev)) return { reason: userReason, description: userReason === 'entry' ? 'Paused on entry' : 'Paused after step' };
    return undefined;
  }

  private conditionHolds(cond: string | undefined): boolean {
    if (cond === undefined || cond.trim() === '' || this.run === undefined) return true;
    const r = this.run.evaluate(cond, 0, { sideEffects: false });
    if (!r.ok) {
      this.host.output('stderr', `breakpoint condition '${cond}': ${r.error}\n`);
      return true; // a broken condition stops, like other debuggers
    }
    return truthy(r.value);
  }

  /** Logpoint text: `{expr}` parts are evaluated without side effects. */
  interpolate(message: string): string {
    return message.replace(/\{([^{}]+)\}/g, (_, expr: string) => {
      const r = this.run?.evaluate(expr, 0, { sideEffects: false });
      return r === undefined ? '?' : r.ok ? r.text : `<${r.error}>`;
    });
  }

  /**
   * Evaluates for the debugger. Without side effects (watch, hover, conditions) nothing changes.
   * With side effects (the Debug Console) the machine may change: what that does to data
   * breakpoints is reported as console output instead of a later stop, and the guest exceptions
   * it raised are not reported as the program's.
   */
  evaluate(text: string, frame: number, sideEffects: boolean): EvalResult {
    const run = this.run;
    if (run === undefined) return { ok: false, error: 'no scenario is loaded' };
    if (!sideEffects) return run.evaluate(text, frame, { sideEffects: false });
    return this.debuggerAction(() => run.evaluate(text, frame, { sideEffects: true }));
  }

  /**
   * Runs a change the debugger makes (write memory, trim from a view) with the same bookkeeping
   * as a Debug Console evaluation.
   */
  debuggerAction<T>(fn: () => T): T {
    const m = this.machine;
    const r = fn();
    this.flushNarration();
    const hit = this.dataBreakpoints?.take();
    if (hit !== undefined) this.host.output('console', `data breakpoint: ${hit.description} (from the debugger; not stopping)\n`);
    this.dataBreakpoints?.resample();
    this.avSeen = m.counters.accessViolations;
    this.guardSeen = m.counters.guardPageFaults;
    return r;
  }

  /** Stops reporting anything (the session restarts or disconnects): a run in progress is paused and dropped. */
  abandon(): void {
    this.run?.requestPause();
    this.terminatedSent = true;
    this.dataBreakpoints?.detach();
  }

  /** The steps of the fault in progress (or the last one), by name, in order. */
  faultDecisions(): string[] {
    if (this.run === undefined) return [];
    return faultStepsFromJournal(this.run.machine.journal).map(stepName);
  }

  private finish(r: StopResult): void {
    if (r.reason === 'end') {
      this.terminate(0);
      return;
    }
    const err = r.error!;
    const assertion = err.kind === 'assertion';
    if (this.lastStop?.final) {
      // already reported: continuing after the final stop ends the session
      this.terminate(1);
      return;
    }
    this.host.output('stderr', err.text + '\n', err.line || undefined, err.col || undefined);
    const show = r.reason === 'exception' || (assertion && this.exceptions.isOn('assertion')) || err.kind === 'runtime' || err.kind === 'budget';
    if (show) {
      const id = r.reason === 'exception' ? statusName(err.status ?? 0) : assertion ? 'assertion failed' : 'runtime error';
      const stop: StopInfo = {
        reason: 'exception',
        description: r.reason === 'exception' ? `Unhandled ${statusName(err.status ?? 0)}` : assertion ? 'Assertion failed' : 'Runtime error',
        text: err.message,
        exception: { id, description: err.message, details: err.text, breakMode: 'unhandled' },
        final: true,
      };
      this.lastStop = stop;
      this.host.stopped(stop);
      return;
    }
    this.terminate(1);
  }

  terminate(code: number): void {
    if (this.terminatedSent) return;
    this.terminatedSent = true;
    this.dataBreakpoints?.dispose();
    this.host.terminated(code);
  }
}

function faultWords(kind: string, status: number): string {
  const s = status >>> 0;
  if (s >= 0x80000000) return statusName(s);
  const words: Record<string, string> = { demandZero: 'demand-zero fault', transition: 'transition (soft) fault', hard: 'hard fault', copyOnWrite: 'copy-on-write fault', prototype: 'prototype fault' };
  return words[kind] ?? `${kind} fault`;
}
