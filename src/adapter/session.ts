/**
 * The Debug Adapter Protocol server for `.vmm` scenarios (a LoggingDebugSession): it maps DAP
 * requests onto the runtime (runtime.ts) and the machine's side-effect-free views, and runtime
 * events onto DAP events. It imports no VS Code API, so it runs inline in the extension, over
 * stdio (dist/debugAdapter.js) and over TCP (`vmm-lab dap --port`).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  BreakpointEvent, ExitedEvent, InitializedEvent, InvalidatedEvent, Logger, LoggingDebugSession, MemoryEvent, OutputEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread, logger,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { slotOfEntryVa } from '../core/addresses';
import { explainTranslation, translateQuiet } from '../core/inspection';
import { EventKind } from '../core/journal';
import type { Machine } from '../core/machine';
import { runModifiedPageWriter, trimWorkingSet } from '../core/paging';
import type { Process } from '../core/process';
import { PREDEFINED_CONSTANTS } from '../core/winconst';
import type { Expr, Stmt } from '../scenario/ast';
import { BUILTINS, signature } from '../scenario/builtins/index';
import { isRecord, type Value } from '../scenario/values';
import { calleesOf } from './breakpoints';
import * as custom from './customRequests';
import { counterValue, dataId, describeTarget, type DataTarget } from './dataTarget';
import { EXCEPTION_FILTERS } from './exceptionFilters';
import { parseSize, validateLaunch, type VmmLaunchArguments } from './launchArgs';
import { listingText, routineByReference, routineReference } from './listings';
import { parseReference, readMemory, writeMemory } from './memoryReferences';
import { CustomRequest } from './protocol';
import { checkRequest } from './requestSchema';
import { VmmRuntime, type StepInTarget, type StopInfo } from './runtime';
import { frameScopes, processScope } from './scopes';
import { translationText, translationVariable } from './presenters/translation';
import { pteSummary } from './presenters/pte';
import { isAddressLike, valueVariable } from './values';
import { Format, VariableStore } from './variableStore';

/** How the adapter reads scenario files (injected so tests and the web can provide their own). */
export interface FileAccessor {
  read(path: string): string;
}

const nodeFiles: FileAccessor = { read: (p) => readFileSync(p, 'utf8') };

/** Frame ids: script and kernel frames are their index in the call stack; these are synthetic. */
const LABEL_FRAME_ID = 999_999;
const PROCESS_FRAME_BASE = 1_000_000;
const USER_LIMIT = 0x80000000000;
/** Largest readMemory answered at once. */
const MAX_READ = 1 << 20;

interface PendingDataBreakpoint {
  id: number;
  bp: DebugProtocol.DataBreakpoint;
}

export class VmmDebugSession extends LoggingDebugSession {
  private runtime: VmmRuntime;
  private readonly store = new VariableStore();
  private readonly fmt: Format = { hex: false };
  private launchArgs: VmmLaunchArguments | undefined;
  private clientCaps: DebugProtocol.InitializeRequestArguments = { adapterID: 'vmm' };
  private sourcePath = '';
  private sourceText = '';
  private readonly memoryRefs = new Set<string>();
  private contentSeq = 0;
  private launched = false;
  private configurationDone: Promise<void>;
  private resolveConfigurationDone!: () => void;
  private stepTargets = new Map<number, StepInTarget>();
  /** Data breakpoints set before the scenario was loaded (applied by the launch). */
  private pendingData: PendingDataBreakpoint[] = [];
  private nextPendingId = 900;

  constructor(private readonly files: FileAccessor = nodeFiles) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.runtime = this.makeRuntime();
    this.configurationDone = new Promise((r) => (this.resolveConfigurationDone = r));
  }

  /** A runtime whose events reach the client only while it is the session's current one. */
  private makeRuntime(carried?: VmmRuntime): VmmRuntime {
    const rt: VmmRuntime = new VmmRuntime(
      {
        stopped: (info) => {
          if (this.runtime === rt) this.onStopped(info);
        },
        output: (category, text, line, col) => {
          if (this.runtime !== rt) return;
          const e = new OutputEvent(text, category) as DebugProtocol.OutputEvent;
          if (line !== undefined) {
            e.body.source = this.source();
            e.body.line = line;
            e.body.column = col;
          }
          this.sendEvent(e);
        },
        terminated: (code) => {
          if (this.runtime !== rt) return;
          this.sendEvent(new ExitedEvent(code));
          this.sendEvent(new TerminatedEvent());
        },
      },
      carried === undefined ? undefined : { breakpoints: carried.breakpoints, exceptions: carried.exceptions, dataBreakpoints: carried.dataBreakpoints },
    );
    return rt;
  }

  // ---- handshake ---------------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.clientCaps = args;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsEvaluateForHovers: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsBreakpointLocationsRequest: true,
      supportsStepInTargetsRequest: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsExceptionInfoRequest: true,
      supportsExceptionFilterOptions: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: ['.', '('],
      supportsValueFormattingOptions: true,
      supportsLoadedSourcesRequest: false,
      supportsSetVariable: false,
      supportsDelayedStackTraceLoading: false,
      supportsClipboardContext: true,
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.resolveConfigurationDone();
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: VmmLaunchArguments): Promise<void> {
    try {
      await this.launch(response, args);
    } catch (e) {
      this.fail(response, `cannot launch: ${(e as Error).message}`);
    }
  }

  private async launch(response: DebugProtocol.LaunchResponse, args: VmmLaunchArguments): Promise<void> {
    if (this.launched) return this.fail(response, 'the scenario is launched already (use restart)');
    const problem = validateLaunch(args);
    if (problem !== undefined) return this.fail(response, problem);
    logger.setup(args.trace ? Logger.LogLevel.Verbose : Logger.LogLevel.Stop, false);
    const error = this.load(args);
    if (error !== undefined) return this.fail(response, error);
    this.launched = true;
    this.launchArgs = args;
    // VS Code sends the breakpoints after the `initialized` event; wait for them (at most a second)
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.configurationDone, new Promise<void>((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    this.sendResponse(response);
    if (args.noDebug) this.runtime.runToEnd();
    else this.runtime.start(args.stopOnEntry ?? true);
  }

  /** Reads, checks and builds the scenario on the current runtime; returns an error message or undefined. */
  private load(args: VmmLaunchArguments): string | undefined {
    let text: string;
    try {
      text = this.files.read(args.program);
    } catch (e) {
      return `cannot read the scenario '${args.program}': ${(e as Error).message}`;
    }
    this.sourcePath = args.program;
    this.sourceText = text;
    const overrides: { ram?: bigint; pagefile?: bigint; colors?: number } = {};
    if (args.machine?.ram !== undefined) overrides.ram = parseSize(args.machine.ram, 'machine.ram');
    if (args.machine?.pagefile !== undefined) overrides.pagefile = parseSize(args.machine.pagefile, 'machine.pagefile');
    if (args.machine?.colors !== undefined) overrides.colors = args.machine.colors;
    const diags = this.runtime.load({ file: basename(args.program), path: args.program, text, overrides, narrate: args.narrate ?? false, stepBudget: args.stepBudget });
    const errors = diags.filter((d) => d.severity === 'error');
    for (const d of diags) {
      const e = new OutputEvent(this.runtime.formatDiagnostics([d]) + '\n', d.severity === 'error' ? 'stderr' : 'console') as DebugProtocol.OutputEvent;
      e.body.source = this.source();
      e.body.line = d.range.start.line;
      e.body.column = d.range.start.col;
      this.sendEvent(e);
    }
    if (errors.length > 0) return `the scenario has ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${this.runtime.formatDiagnostics(errors)}`;
    this.contentSeq = this.runtime.machine.journal.nextSeq;
    this.store.watched = (id) => this.runtime.dataBreakpoints?.isArmed(id) ?? false;
    for (const bp of this.runtime.resolvedBreakpoints) this.sendEvent(new BreakpointEvent('changed', { ...bp, source: bp.verified ? this.source() : undefined } as DebugProtocol.Breakpoint));
    if (this.pendingData.length > 0 && this.runtime.dataBreakpoints !== undefined) {
      const results = this.runtime.dataBreakpoints.set(
        this.pendingData.map((p) => p.bp),
        this.pendingData.map((p) => p.id),
      );
      for (const r of results) if (r.id !== undefined) this.sendEvent(new BreakpointEvent('changed', r));
      this.pendingData = [];
    }
    return undefined;
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    const given = args?.arguments as Partial<VmmLaunchArguments> | undefined;
    const launch = (given !== undefined && typeof given === 'object' && 'program' in given ? given : this.launchArgs) as VmmLaunchArguments | undefined;
    if (launch === undefined) return this.fail(response, 'nothing to restart: the scenario was not launched');
    const problem = validateLaunch(launch);
    if (problem !== undefined) return this.fail(response, problem);
    const old = this.runtime;
    old.abandon();
    old.breakpoints.clearHits();
    this.runtime = this.makeRuntime(old);
    this.store.reset();
    this.memoryRefs.clear();
    this.stepTargets.clear();
    const error = this.load(launch);
    if (error !== undefined) return this.fail(response, error);
    this.launched = true;
    this.launchArgs = launch;
    this.sendResponse(response);
    if (this.clientCaps.supportsInvalidatedEvent) this.sendEvent(new InvalidatedEvent(['all']));
    if (launch.noDebug) this.runtime.runToEnd();
    else this.runtime.start(launch.stopOnEntry ?? true);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.runtime.pause();
    this.sendResponse(response);
    this.runtime.terminate(0);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.sendResponse(response);
    this.shutdown();
  }

  // ---- breakpoints -------------------------------------------------------------------------------

  private clientPath(source: DebugProtocol.Source | undefined): string | undefined {
    return source?.path === undefined ? undefined : this.convertClientPathToDebugger(source.path);
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const requested = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    const bps = this.runtime.breakpoints.setLineBreakpoints(this.clientPath(args.source), requested);
    response.body = { breakpoints: bps.map((b) => ({ ...b, source: args.source })) };
    this.sendResponse(response);
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    const lines = this.runtime.breakpoints.locations(this.clientPath(args.source), args.line, args.endLine ?? args.line);
    response.body = { breakpoints: lines.map((line) => ({ line })) };
    this.sendResponse(response);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    response.body = { breakpoints: this.runtime.breakpoints.setFunctionBreakpoints(args.breakpoints, new Set(BUILTINS.keys())) };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    response.body = { breakpoints: this.runtime.exceptions.set(args) };
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const e = this.runtime.lastStop?.exception;
    const run = this.runtime.run;
    if (e === undefined || run === undefined) return this.fail(response, 'the debugger did not stop on an exception');
    const m = run.machine;
    const lines = [e.details];
    let evaluateName: string | undefined;
    const fault = run.lastEvent?.kind === 'fault' ? run.lastEvent.ctx : undefined;
    if (fault !== undefined) {
      const before = (BigInt(fault.pteHi >>> 0) << 32n) | BigInt(fault.pteLo >>> 0);
      lines.push(`address: 0x${fault.va.toString(16)}, ${['read', 'write', '', '', '', '', '', '', 'execute'][fault.access] ?? 'access'} by ${fault.proc.name} (pid ${fault.proc.pid})`);
      lines.push(`PTE before: 0x${before.toString(16)}`);
      if (fault.va >= 0 && fault.va < USER_LIMIT) {
        const walk = explainTranslation(m, fault.proc, fault.va).walk;
        lines.push(`PTE after:  ${pteSummary(walk[3], this.fmt)}`);
        lines.push(translationText(m, fault.proc, fault.va));
        evaluateName = `pte(0x${fault.va.toString(16)})`;
      }
      lines.push(`resolution: ${fault.kind}${fault.pfn >= 0 ? `, PFN 0x${fault.pfn.toString(16)}` : ''}`);
    } else {
      const f = m.mmu.lastFault;
      if (f.va >= 0 && f.va < USER_LIMIT && f.status !== 0) {
        lines.push(`address: 0x${f.va.toString(16)}`);
        lines.push(`PTE now: ${pteSummary(explainTranslation(m, m.current, f.va).walk[3], this.fmt)}`);
        lines.push(translationText(m, m.current, f.va));
        evaluateName = `pte(0x${f.va.toString(16)})`;
      }
    }
    const steps = this.runtime.faultDecisions();
    if (steps.length > 0) lines.push('resolver decisions:', ...steps.map((s, i) => `  ${i + 1}. ${s}`));
    response.body = {
      exceptionId: e.id,
      description: e.description,
      breakMode: e.breakMode,
      details: { message: lines.join('\n'), typeName: e.id, evaluateName, stackTrace: steps.join('\n') || undefined },
    };
    this.sendResponse(response);
  }

  // ---- execution ---------------------------------------------------------------------------------

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.runtime.continue();
  }
  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.sendResponse(response);
    this.runtime.next();
  }
  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    const target = args.targetId === undefined ? 'fault' : this.stepTargets.get(args.targetId);
    if (target === undefined) return this.fail(response, `unknown step-in target ${args.targetId}`);
    this.sendResponse(response);
    this.runtime.stepIn(target);
  }
  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.sendResponse(response);
    this.runtime.stepOut();
  }
  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.sendResponse(response);
    this.runtime.pause();
  }

  /** Where Step Into can go from the current statement: a called function, or the page-fault handler. */
  protected override stepInTargetsRequest(response: DebugProtocol.StepInTargetsResponse): void {
    const run = this.runtime.run;
    const ev = run?.lastEvent;
    const targets: DebugProtocol.StepInTarget[] = [];
    this.stepTargets.clear();
    const add = (label: string, kind: StepInTarget) => {
      const id = targets.length + 1;
      this.stepTargets.set(id, kind);
      targets.push({ id, label });
    };
    if (run !== undefined && ev?.kind === 'statement') {
      const m = run.machine;
      const calls: string[] = [];
      for (const callee of calleesOf(ev.node)) {
        const b = BUILTINS.get(callee);
        if (b === undefined) {
          calls.push(callee);
          continue;
        }
        if (b.category !== 'memory') continue;
        const addr = this.firstArgumentAddress(ev.node, callee);
        if (addr === undefined) continue;
        const t = addr >= 0 && addr < USER_LIMIT ? explainTranslation(m, m.current, addr) : undefined;
        if (t === undefined) add(`page fault handler: ${callee}(0x${addr.toString(16)}) — not a user address`, 'fault');
        else if (!t.resident) add(`page fault handler: ${callee}(0x${addr.toString(16)}) — ${t.reason}`, 'fault');
      }
      for (const c of calls) add(`${c}()`, 'call');
    }
    response.body = { targets };
    this.sendResponse(response);
  }

  /** The value of the first argument of a call to `callee` in a statement, evaluated without side effects. */
  private firstArgumentAddress(stmt: Stmt, callee: string): number | undefined {
    const run = this.runtime.run!;
    let found: number | undefined;
    const visit = (e: unknown): void => {
      if (found !== undefined || e === null || typeof e !== 'object') return;
      if (Array.isArray(e)) {
        for (const x of e) visit(x);
        return;
      }
      const node = e as Expr;
      if (node.kind === 'Call' && node.callee === callee && node.args.length > 0) {
        const arg = node.args[0];
        const r = run.evaluate(this.sourceText.slice(arg.range.start.offset, arg.range.end.offset), 0, { sideEffects: false });
        if (r.ok && typeof r.value === 'bigint') found = Number(r.value);
        return;
      }
      for (const [k, v] of Object.entries(node)) if (k !== 'range' && v !== null && typeof v === 'object' && (Array.isArray(v) || 'kind' in v)) visit(v);
    };
    for (const [k, v] of Object.entries(stmt)) {
      if (k === 'range' || k === 'body' || k === 'else' || k === 'then') continue;
      if (v !== null && typeof v === 'object' && (Array.isArray(v) || 'kind' in v)) visit(v);
    }
    return found;
  }

  private onStopped(info: StopInfo): void {
    this.store.reset();
    const e = new StoppedEvent(info.reason, this.threadId()) as DebugProtocol.StoppedEvent;
    e.body.description = info.description;
    e.body.text = info.text;
    e.body.allThreadsStopped = true;
    if (info.hitBreakpointIds) e.body.hitBreakpointIds = info.hitBreakpointIds;
    this.sendEvent(e);
    this.sendMemoryEvents();
  }

  /**
   * After a stop (or a change made from the debugger): a `memory` event for each memory reference
   * handed out whose page changed since the last one — content written, or the mapping of a
   * virtual page changed (faulted in, trimmed, freed).
   */
  private sendMemoryEvents(): void {
    if (this.runtime.run === undefined) return;
    const m = this.runtime.machine;
    const j = m.journal;
    const from = Math.max(this.contentSeq, j.firstSeq);
    this.contentSeq = j.nextSeq;
    if (!this.clientCaps.supportsMemoryEvent || this.memoryRefs.size === 0) return;
    const pages = new Set<number>();
    const slots = new Set<string>();
    for (let s = from; s < j.nextSeq; s++) {
      const k = j.kindAt(s);
      if (k !== EventKind.PageContent && k !== EventKind.PteWrite) continue;
      const ev = j.get(s)!;
      if (k === EventKind.PageContent) {
        const first = Math.floor(ev.a / 4096);
        const last = Math.floor((ev.a + Math.max(1, ev.sub) - 1) / 4096);
        for (let p = first; p <= last; p++) pages.add(p);
      } else slots.add(`${ev.proc}:${ev.a}`);
    }
    if (pages.size === 0 && slots.size === 0) return;
    for (const ref of this.memoryRefs) {
      const r = parseReference(m, ref, m.current);
      if (r === undefined) continue;
      const page = r.address - (r.address % 4096);
      let changed: boolean;
      if (r.space.kind === 'pa') changed = pages.has(Math.floor(r.address / 4096));
      else {
        const pa = r.address < USER_LIMIT ? translateQuiet(m, r.space.process, r.address) : -1;
        changed = slots.has(`${r.space.process.index}:${Math.floor(r.address / 4096)}`) || (pa >= 0 && pages.has(Math.floor(pa / 4096)));
      }
      if (changed) this.sendEvent(new MemoryEvent(ref, page - r.address, 4096));
    }
  }

  private threadId(): number {
    return this.runtime.run?.machine.current.index ?? 1;
  }

  // ---- threads, frames, scopes, variables ----------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const run = this.runtime.run;
    const threads = run === undefined ? [new Thread(1, 'main')] : [...run.machine.processes.values()].filter((p) => !p.terminated).map((p) => new Thread(p.index, `${p.name} (pid ${p.pid})`));
    response.body = { threads };
    this.sendResponse(response);
  }

  private source(): Source {
    return new Source(basename(this.sourcePath), this.convertDebuggerPathToClient(this.sourcePath));
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const run = this.runtime.run;
    if (run === undefined) {
      response.body = { stackFrames: [], totalFrames: 0 };
      return this.sendResponse(response);
    }
    const m = run.machine;
    if (args.threadId !== m.current.index) {
      const p = m.processes.get(args.threadId);
      if (p === undefined || p.terminated) return this.fail(response, `there is no thread ${args.threadId}`);
      const f = new StackFrame(PROCESS_FRAME_BASE + p.index, `${p.name} (pid ${p.pid}): not running — ${m.current.name} is the current process`) as DebugProtocol.StackFrame;
      f.presentationHint = 'label';
      response.body = { stackFrames: [f], totalFrames: 1 };
      return this.sendResponse(response);
    }
    const frames: DebugProtocol.StackFrame[] = [];
    const stack = run.callStack();
    const ev = run.lastEvent;
    stack.forEach((f, i) => {
      if (f.kind === 'kernel') {
        const sf = new StackFrame(f.index, f.name, new Source(`${f.name}.listing`, undefined, routineReference(f.name), undefined, 'vmm-kernel'), f.line, 1) as DebugProtocol.StackFrame;
        // kernel frames are the point of stepping into a fault: never fold them away ('subtle' would)
        frames.push(sf);
        if (stack[i + 1]?.kind !== 'kernel' && ev?.kind === 'fault') {
          const c = ev.ctx;
          const label = new StackFrame(LABEL_FRAME_ID, `[page fault at 0x${c.va.toString(16)} (${['read', 'write', '', '', '', '', '', '', 'execute'][c.access] ?? 'access'})]`) as DebugProtocol.StackFrame;
          label.presentationHint = 'label';
          frames.push(label);
        }
        return;
      }
      frames.push(new StackFrame(f.index, f.kind === 'script' ? basename(this.sourcePath) : f.name, this.source(), f.line, f.col));
    });
    const start = args.startFrame ?? 0;
    const end = args.levels ? start + args.levels : frames.length;
    response.body = { stackFrames: frames.slice(start, end), totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    const routine = routineByReference(args.source?.sourceReference ?? args.sourceReference);
    if (routine === undefined) return this.fail(response, 'no such generated source');
    response.body = { content: listingText(routine), mimeType: 'text/plain' };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const run = this.runtime.run;
    if (run === undefined) return this.fail(response, 'no scenario is running');
    const toScope = (s: DebugProtocol.Scope) => Object.assign(new Scope(s.name, s.variablesReference, s.expensive), s);
    if (args.frameId >= PROCESS_FRAME_BASE) {
      const p = run.machine.processes.get(args.frameId - PROCESS_FRAME_BASE);
      if (p === undefined) return this.fail(response, `there is no frame ${args.frameId}`);
      response.body = { scopes: [toScope(processScope(this.store, run.machine, p, this.fmt))] };
      return this.sendResponse(response);
    }
    if (args.frameId === LABEL_FRAME_ID) {
      response.body = { scopes: [] };
      return this.sendResponse(response);
    }
    if (args.frameId < 0 || args.frameId >= Math.max(1, run.callStack().length)) return this.fail(response, `there is no frame ${args.frameId}`);
    response.body = { scopes: frameScopes(this.store, run, args.frameId, this.fmt).map(toScope) };
    this.sendResponse(response);
  }

  /** Runs `fn` with the number format a request asks for (`format.hex`), then restores the session's. */
  private withFormat<T>(format: DebugProtocol.ValueFormat | undefined, fn: () => T): T {
    if (format?.hex === undefined) return fn();
    const saved = this.fmt.hex;
    this.fmt.hex = format.hex;
    try {
      return fn();
    } finally {
      this.fmt.hex = saved;
    }
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const filter = args.filter === 'indexed' || args.filter === 'named' ? args.filter : undefined;
    const vars = this.withFormat(args.format, () => this.store.children(args.variablesReference, { filter, start: args.start, count: args.count }));
    if (vars === undefined) {
      // a reference from an earlier stop (VS Code may still ask while the user steps quickly):
      // answer with no children instead of an error toast
      response.body = { variables: [] };
      return this.sendResponse(response);
    }
    for (const v of vars) if (v.memoryReference) this.memoryRefs.add(v.memoryReference);
    response.body = { variables: vars };
    this.sendResponse(response);
  }

  // ---- evaluation ----------------------------------------------------------------------------------

  /** The script/kernel frame a request names (0 when none or a synthetic one). */
  private frameIndex(frameId: number | undefined): number {
    const run = this.runtime.run;
    if (frameId === undefined || run === undefined || frameId < 0 || frameId >= run.callStack().length) return 0;
    return frameId;
  }

  private frameProcess(frame: number): Process {
    const run = this.runtime.run!;
    return run.callStack()[frame]?.process ?? run.machine.current;
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const run = this.runtime.run;
    if (run === undefined) return this.fail(response, 'no scenario is running');
    const frame = this.frameIndex(args.frameId);
    const context = args.context ?? 'repl';
    const sideEffects = context === 'repl';
    if (sideEffects && this.runtime.isRunning) return this.fail(response, 'the scenario is running: pause it first');
    const text = args.expression.trim();
    const m = run.machine;
    const before = m.journal.nextSeq;
    const r = this.runtime.evaluate(text, frame, sideEffects);
    if (!r.ok) return this.fail(response, r.error);
    const proc = this.frameProcess(frame);
    const v: Value = r.value;
    this.withFormat(args.format, () => {
      // an address: a hex literal, a value inside an allocation of the process, or address
      // arithmetic such as `p + 64K` (names holding counts and sizes stay plain numbers)
      const address = typeof v === 'bigint' && v >= 0n && v < BigInt(USER_LIMIT) && (/^0x[0-9a-f`_]+$/i.test(text) || isAddressLike(proc, v) || (v >= 0x10000n && /[-+*/()&|]/.test(text)));
      if (context === 'hover' && typeof v === 'bigint' && address) {
        const t = translationVariable(this.store, m, proc, Number(v), this.fmt, text);
        response.body = { result: t.value, variablesReference: t.variablesReference, memoryReference: t.memoryReference };
      } else {
        const variable = valueVariable(this.store, m, proc, text, v, this.fmt, text);
        this.store.adopt(0, variable);
        const record = v !== null && typeof v === 'object' && isRecord(v);
        response.body = {
          result: record ? (context === 'clipboard' ? r.text : r.text.slice(0, 400)) : variable.value,
          type: variable.type,
          variablesReference: variable.variablesReference,
          namedVariables: variable.namedVariables,
          indexedVariables: variable.indexedVariables,
          memoryReference: variable.memoryReference,
        };
      }
    });
    if (response.body.memoryReference) this.memoryRefs.add(response.body.memoryReference);
    this.sendResponse(response);
    if (sideEffects && m.journal.nextSeq !== before) {
      this.sendMemoryEvents();
      if (this.clientCaps.supportsInvalidatedEvent) this.sendEvent(new InvalidatedEvent(['variables']));
    }
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    const upto = args.text.slice(0, Math.max(0, args.column - 1));
    const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(upto)?.[0] ?? '';
    const targets: DebugProtocol.CompletionItem[] = [];
    const seen = new Set<string>();
    const add = (label: string, type: DebugProtocol.CompletionItemType, detail?: string) => {
      if (seen.has(label) || !label.startsWith(word)) return;
      seen.add(label);
      targets.push({ label, type, detail, start: upto.length - word.length, length: word.length });
    };
    const run = this.runtime.run;
    if (run !== undefined) for (const k of run.variables(this.frameIndex(args.frameId)).keys()) add(k, 'variable');
    for (const [name, b] of BUILTINS) add(name, 'function', signature(b));
    if (word.length >= 2) for (const name of PREDEFINED_CONSTANTS.keys()) add(name, 'value');
    response.body = { targets: targets.slice(0, 500) };
    this.sendResponse(response);
  }

  // ---- memory ---------------------------------------------------------------------------------------

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    const run = this.runtime.run;
    if (run === undefined) return this.fail(response, 'no scenario is running');
    const r = parseReference(run.machine, args.memoryReference, run.machine.current);
    if (r === undefined) return this.fail(response, `unknown memory reference '${args.memoryReference}'`);
    const res = readMemory(run.machine, r, args.offset ?? 0, Math.min(args.count, MAX_READ));
    response.body = { address: '0x' + Math.max(0, res.address).toString(16), data: Buffer.from(res.data).toString('base64'), unreadableBytes: res.unreadableBytes };
    this.sendResponse(response);
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    const run = this.runtime.run;
    if (run === undefined) return this.fail(response, 'no scenario is running');
    if (this.runtime.isRunning) return this.fail(response, 'the scenario is running: pause it first');
    const r = parseReference(run.machine, args.memoryReference, run.machine.current);
    if (r === undefined) return this.fail(response, `unknown memory reference '${args.memoryReference}'`);
    const data = Buffer.from(args.data, 'base64');
    const n = this.runtime.debuggerAction(() => writeMemory(run.machine, r, args.offset ?? 0, data));
    if (n < data.length && !args.allowPartial) return this.fail(response, `only ${n} of ${data.length} bytes are writable (the rest is not resident)`);
    response.body = { bytesWritten: n };
    this.sendResponse(response);
    this.sendMemoryEvents();
    if (this.clientCaps.supportsInvalidatedEvent) this.sendEvent(new InvalidatedEvent(['variables']));
  }

  // ---- data breakpoints --------------------------------------------------------------------------------

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    const run = this.runtime.run;
    const none = (why: string) => {
      response.body = { dataId: null, description: why };
      this.sendResponse(response);
    };
    if (run === undefined) return none('no scenario is running');
    const m = run.machine;
    const proc = this.frameProcess(this.frameIndex(args.frameId));
    let target: DataTarget | undefined;
    if (args.variablesReference !== undefined && args.variablesReference !== 0) {
      target = this.store.targetOf(args.variablesReference, args.name);
      if (target === undefined) {
        if (!this.store.has(args.variablesReference)) return none('this variable is no longer available (the program moved on)');
        return none(`'${args.name}' cannot be watched: data breakpoints watch guest memory, PTEs, PFN entries and counters`);
      }
    } else if (args.asAddress) {
      const r = parseReference(m, args.name, proc);
      if (r === undefined || r.space.kind !== 'va') return none(`'${args.name}' is not an address`);
      if (r.address < 0 || r.address >= USER_LIMIT) return none(`0x${r.address.toString(16)} is not a user address`);
      target = { kind: 'va', process: r.space.process.index, start: r.address, length: Math.max(1, Math.min(args.bytes ?? 1, USER_LIMIT - r.address)) };
    } else {
      target = this.targetOfExpression(args.name, this.frameIndex(args.frameId), proc, args.bytes);
    }
    if (target === undefined) return none(`'${args.name}' is not a PTE, a PFN entry, an address or a counter`);
    response.body = {
      dataId: dataId(target),
      description: describeTarget(m, target),
      accessTypes: target.kind === 'va' ? ['write', 'read', 'readWrite'] : ['write'],
      canPersist: true,
    };
    this.sendResponse(response);
  }

  /** What an expression watches: `pte(x)`/`pde(x)`…, `pfn(n)`, `lists().x`/`commit().x`/`counters().x`, or an address. */
  private targetOfExpression(name: string, frame: number, proc: Process, bytes: number | undefined): DataTarget | undefined {
    const run = this.runtime.run!;
    const m = run.machine;
    const counter = /^\s*(lists|commit|counters)\s*\(\s*\)\s*\.\s*([A-Za-z]+)\s*$/.exec(name) ?? /^\s*(lists|commit|counters|perf)\.([A-Za-z]+)\s*$/.exec(name);
    if (counter) {
      const [, group, field] = counter;
      const names = group === 'counters' ? [`counters.${field}`, `perf.${field}`] : [`${group}.${field}`];
      const found = names.find((n) => counterValue(m, n) !== undefined);
      if (found !== undefined) return { kind: 'counter', name: found };
    }
    const r = run.evaluate(name, frame, { sideEffects: false });
    if (!r.ok) return undefined;
    const v = r.value;
    if (v !== null && typeof v === 'object' && isRecord(v)) {
      const address = v.get('address');
      if (typeof address === 'bigint' && v.has('levelName') && v.has('raw')) return { kind: 'pte', process: proc.index, slot: slotOfEntryVa(address) };
      const n = /^\s*pfn\s*\(\s*(.+)\)\s*$/.exec(name);
      if (n && v.has('location')) {
        const pr = run.evaluate(n[1], frame, { sideEffects: false });
        if (pr.ok && typeof pr.value === 'bigint' && pr.value >= 0n && pr.value < BigInt(m.pfn.count)) return { kind: 'pfn', pfn: Number(pr.value) };
      }
      return undefined;
    }
    if (typeof v === 'bigint' && v >= 0n && v < BigInt(USER_LIMIT)) {
      const start = Number(v);
      return { kind: 'va', process: proc.index, start, length: Math.max(1, Math.min(bytes ?? 8, USER_LIMIT - start)) };
    }
    return undefined;
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    const dbs = this.runtime.dataBreakpoints;
    if (dbs === undefined) {
      // before the launch: kept and applied when the scenario is loaded
      this.pendingData = args.breakpoints.map((bp) => ({ id: this.nextPendingId++, bp }));
      response.body = { breakpoints: this.pendingData.map((p) => ({ id: p.id, verified: false, reason: 'pending', message: 'applied when the scenario is loaded' }) as DebugProtocol.Breakpoint) };
      return this.sendResponse(response);
    }
    response.body = { breakpoints: dbs.set(args.breakpoints) };
    this.sendResponse(response);
    if (this.clientCaps.supportsInvalidatedEvent && this.runtime.run !== undefined && !this.runtime.isRunning) this.sendEvent(new InvalidatedEvent(['variables']));
  }

  // ---- custom requests (the extension's views) -------------------------------------------------------

  protected override customRequest(command: string, response: DebugProtocol.Response, args: Record<string, unknown> | undefined): void {
    if (!(Object.values(CustomRequest) as string[]).includes(command)) return this.fail(response, `unknown request '${command}'`);
    const run = this.runtime.run;
    if (run === undefined) return this.fail(response, 'no scenario is running');
    const m = run.machine;
    const proc = (typeof args?.process === 'number' ? m.processes.get(args.process) : undefined) ?? m.current;
    switch (command) {
      case CustomRequest.addressSpace:
        response.body = custom.addressSpace(m, proc);
        break;
      case CustomRequest.workingSet:
        response.body = custom.workingSet(m, proc);
        break;
      case CustomRequest.physicalMemory:
        response.body = custom.physicalMemory(m);
        break;
      case CustomRequest.pageWalk: {
        const a = String(args?.address ?? '');
        const r = parseReference(m, a, proc);
        if (r === undefined || r.space.kind !== 'va' || r.address < 0 || r.address >= USER_LIMIT) return this.fail(response, `'${a}' is not a user address`);
        response.body = custom.pageWalk(m, r.space.process, r.address);
        break;
      }
      case CustomRequest.faultLog:
        response.body = custom.faultLog(m);
        break;
      case CustomRequest.memoryMap: {
        const cells = typeof args?.cells === 'number' && Number.isSafeInteger(args.cells) && args.cells > 0 ? Math.min(args.cells, 1 << 16) : undefined;
        response.body = custom.memoryMap(m, cells);
        break;
      }
      case CustomRequest.pfnEntry: {
        const n = Number(args?.pfn);
        if (!Number.isInteger(n) || n < 0 || n >= m.pfn.count) return this.fail(response, `PFN ${String(args?.pfn)} is outside physical memory`);
        response.body = custom.pfnEntry(m, n);
        break;
      }
      case CustomRequest.status:
        response.body = { commitCharge: m.commit.charge, commitLimit: m.commit.limit, availablePages: m.pfn.availablePages, hex: this.fmt.hex };
        break;
      case CustomRequest.setFormat:
        this.fmt.hex = Boolean(args?.hex);
        response.body = { hex: this.fmt.hex };
        this.sendResponse(response);
        if (this.clientCaps.supportsInvalidatedEvent) this.sendEvent(new InvalidatedEvent(['variables']));
        return;
      case CustomRequest.trimWorkingSet:
      case CustomRequest.runModifiedPageWriter: {
        if (this.runtime.isRunning) return this.fail(response, 'pause the scenario first');
        if (m.faults.active) return this.fail(response, 'step out of the page fault first');
        const n = this.runtime.debuggerAction(() => (command === CustomRequest.trimWorkingSet ? trimWorkingSet(m, proc) : runModifiedPageWriter(m)));
        response.body = command === CustomRequest.trimWorkingSet ? { trimmed: n } : { requests: n };
        this.sendResponse(response);
        this.sendMemoryEvents();
        if (this.clientCaps.supportsInvalidatedEvent) this.sendEvent(new InvalidatedEvent(['variables']));
        return;
      }
    }
    this.sendResponse(response);
  }

  // ---- robustness ------------------------------------------------------------------------------------

  private fail(response: DebugProtocol.Response, message: string): void {
    // no substitution variables: braces in the message (scenario code) are shown as they are
    this.sendErrorResponse(response, { id: 1001, format: message, variables: {}, showUser: true });
  }

  /**
   * Every request is checked against its shape first (requestSchema.ts); any exception thrown by
   * a handler becomes an error response. Either way the client gets an answer and the adapter
   * keeps running.
   */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const problem = checkRequest(request.command, request.arguments);
    if (problem !== undefined) {
      const response = { type: 'response', seq: 0, request_seq: request.seq, command: String(request.command), success: false } as DebugProtocol.Response;
      return this.fail(response, problem);
    }
    // DAP's default path format is 'path'; the base class rejects an initialize that omits it
    if (request.command === 'initialize') request.arguments = { pathFormat: 'path', ...(request.arguments as object | undefined) };
    try {
      super.dispatchRequest(request);
    } catch (e) {
      const response = { type: 'response', seq: 0, request_seq: request.seq, command: request.command, success: false } as DebugProtocol.Response;
      this.fail(response, `internal error in '${request.command}': ${(e as Error).message}`);
    }
  }

  /** The client went away (stream closed, disconnect, SIGTERM): stop the scenario, then the process unless inline or a server. */
  override shutdown(): void {
    this.runtime.abandon();
    super.shutdown();
  }

  // exposed for tests and the extension's status
  get machine(): Machine | undefined {
    return this.runtime.run?.machine;
  }
}
