/**
 * The Debug Adapter Protocol server for `.vmm` scenarios (a LoggingDebugSession): it maps DAP
 * requests onto the runtime (runtime.ts) and the machine's side-effect-free views, and runtime
 * events onto DAP events. It imports no VS Code API, so it runs inline in the extension, over
 * stdio (dist/debugAdapter.js) and over TCP (`vmm-lab dap --port`).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  Breakpoint, InitializedEvent, InvalidatedEvent, Logger, LoggingDebugSession, MemoryEvent, OutputEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread, ExitedEvent, logger,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { slotOfVa } from '../core/addresses';
import { explainTranslation } from '../core/inspection';
import { EventKind } from '../core/journal';
import { PREDEFINED_CONSTANTS } from '../core/winconst';
import { BUILTINS, signature } from '../scenario/builtins/index';
import { isRecord, type Value } from '../scenario/values';
import { calleesOf } from './breakpoints';
import * as custom from './customRequests';
import { COUNTER_NAMES, dataId, describeTarget, type DataTarget } from './dataBreakpoints';
import { EXCEPTION_FILTERS } from './exceptionFilters';
import { parseSize, validateLaunch, type VmmLaunchArguments } from './launchArgs';
import { listingText, routineByReference, routineReference } from './listings';
import { parseReference, readMemory, writeMemory } from './memoryReferences';
import { CustomRequest } from './protocol';
import { VmmRuntime, type StopInfo } from './runtime';
import { frameScopes } from './scopes';
import { translationText, translationVariable } from './presenters/translation';
import { valueVariable } from './values';
import { Format, VariableStore } from './variableStore';

/** How the adapter reads scenario files (injected so tests and the web can provide their own). */
export interface FileAccessor {
  read(path: string): string;
}

const nodeFiles: FileAccessor = { read: (p) => readFileSync(p, 'utf8') };

export class VmmDebugSession extends LoggingDebugSession {
  private runtime: VmmRuntime;
  private readonly store = new VariableStore();
  private readonly fmt: Format = { hex: false };
  private launchArgs: VmmLaunchArguments | undefined;
  private clientCaps: DebugProtocol.InitializeRequestArguments = { adapterID: 'vmm' };
  private sourcePath = '';
  private memoryRefs = new Set<string>();
  private contentSeq = 0;
  private configurationDone: Promise<void>;
  private resolveConfigurationDone!: () => void;

  constructor(private readonly files: FileAccessor = nodeFiles) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.runtime = this.makeRuntime();
    this.configurationDone = new Promise((r) => (this.resolveConfigurationDone = r));
  }

  private makeRuntime(): VmmRuntime {
    return new VmmRuntime({
      stopped: (info) => this.onStopped(info),
      output: (category, text, line, col) => {
        const e = new OutputEvent(text, category) as DebugProtocol.OutputEvent;
        if (line !== undefined) {
          e.body.source = this.source();
          e.body.line = line;
          e.body.column = col;
        }
        this.sendEvent(e);
      },
      terminated: (code) => {
        this.sendEvent(new ExitedEvent(code));
        this.sendEvent(new TerminatedEvent());
      },
    });
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
    const problem = validateLaunch(args);
    if (problem !== undefined) return this.fail(response, problem);
    logger.setup(args.trace ? Logger.LogLevel.Verbose : Logger.LogLevel.Stop, false);
    this.launchArgs = args;
    const error = this.load(args);
    if (error !== undefined) return this.fail(response, error);
    await Promise.race([this.configurationDone, new Promise((r) => setTimeout(r, 1000))]);
    this.sendResponse(response);
    if (args.noDebug) this.runtime.runToEnd();
    else this.runtime.start(args.stopOnEntry ?? true);
  }

  private load(args: VmmLaunchArguments): string | undefined {
    let text: string;
    try {
      text = this.files.read(args.program);
    } catch (e) {
      return `cannot read the scenario '${args.program}': ${(e as Error).message}`;
    }
    this.sourcePath = args.program;
    const overrides: { ram?: bigint; pagefile?: bigint; colors?: number } = {};
    if (args.machine?.ram !== undefined) overrides.ram = parseSize(args.machine.ram, 'machine.ram');
    if (args.machine?.pagefile !== undefined) overrides.pagefile = parseSize(args.machine.pagefile, 'machine.pagefile');
    if (args.machine?.colors !== undefined) overrides.colors = args.machine.colors;
    const diags = this.runtime.load({ file: basename(args.program), text, overrides, narrate: args.narrate ?? false, stepBudget: args.stepBudget });
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
    return undefined;
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    const launch = (args.arguments as VmmLaunchArguments | undefined) ?? this.launchArgs;
    if (launch === undefined) return this.fail(response, 'nothing to restart');
    this.runtime.pause();
    this.runtime.dataBreakpoints?.dispose();
    const old = this.runtime;
    this.runtime = this.makeRuntime();
    // carry the breakpoints over
    (this.runtime as { breakpoints: unknown }).breakpoints = old.breakpoints;
    (this.runtime as { exceptions: unknown }).exceptions = old.exceptions;
    const error = this.load(launch);
    if (error !== undefined) return this.fail(response, error);
    old.breakpoints.clearHits();
    this.sendResponse(response);
    this.runtime.start(launch.stopOnEntry ?? true);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.runtime.pause();
    this.sendResponse(response);
    this.runtime.terminate(0);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.runtime.pause();
    this.runtime.dataBreakpoints?.dispose();
    this.sendResponse(response);
  }

  // ---- breakpoints -------------------------------------------------------------------------------

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const bps = this.runtime.breakpoints.setLineBreakpoints(args.breakpoints ?? (args.lines ?? []).map((line) => ({ line })));
    response.body = { breakpoints: bps.map((b) => ({ ...b, source: args.source })) };
    this.sendResponse(response);
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    const lines = this.runtime.breakpoints.locations(args.line, args.endLine ?? args.line);
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
    if (e === undefined) return this.fail(response, 'the debugger did not stop on an exception');
    const run = this.runtime.run;
    const fault = run?.lastEvent?.kind === 'fault' ? run.lastEvent.ctx : undefined;
    let details = e.details;
    if (fault !== undefined) {
      const before = (BigInt(fault.pteHi >>> 0) << 32n) | BigInt(fault.pteLo >>> 0);
      details += `\nPTE before: 0x${before.toString(16)}\nPTE now: ${translationText(run!.machine, fault.proc, fault.va)}\nresolver decisions: ${this.decisions()}`;
    } else if (run !== undefined) {
      const f = run.machine.mmu.lastFault;
      if (f.va >= 0 && f.va < 0x80000000000) details += `\n${translationText(run.machine, run.machine.current, f.va)}`;
    }
    response.body = { exceptionId: e.id, description: e.description, breakMode: e.breakMode, details: { message: details, typeName: e.id } };
    this.sendResponse(response);
  }

  /** The named steps of the fault in progress (or the last one), from the journal. */
  private decisions(): string {
    const m = this.runtime.machine;
    const j = m.journal;
    const steps: string[] = [];
    for (let s = j.nextSeq - 1; s >= j.firstSeq && steps.length < 64; s--) {
      const k = j.kindAt(s);
      if (k === EventKind.FaultStep) steps.unshift(String(j.get(s)!.sub));
      if (k === EventKind.FaultBegin) break;
    }
    return steps.length ? `steps ${steps.join(' → ')}` : 'none recorded';
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
  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.sendResponse(response);
    this.runtime.stepIn();
  }
  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.sendResponse(response);
    this.runtime.stepOut();
  }
  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.sendResponse(response);
    this.runtime.pause();
  }

  protected override stepInTargetsRequest(response: DebugProtocol.StepInTargetsResponse): void {
    const run = this.runtime.run;
    const ev = run?.lastEvent;
    const targets: DebugProtocol.StepInTarget[] = [];
    if (run !== undefined && ev?.kind === 'statement') {
      const m = run.machine;
      for (const callee of calleesOf(ev.node)) {
        const b = BUILTINS.get(callee);
        if (b === undefined) {
          targets.push({ id: targets.length + 1, label: `${callee}()` });
          continue;
        }
        if (b.category !== 'memory') continue;
        const addr = this.firstArgumentAddress(ev.node, callee);
        if (addr === undefined) continue;
        const t = addr >= 0 && addr < 0x80000000000 ? explainTranslation(m, m.current, addr) : undefined;
        if (t === undefined || !t.resident) targets.push({ id: targets.length + 1, label: `page fault handler: ${callee}(0x${addr.toString(16)}) — ${t?.reason ?? 'not a user address'}` });
      }
    }
    response.body = { targets };
    this.sendResponse(response);
  }

  private firstArgumentAddress(stmt: import('../scenario/ast').Stmt, callee: string): number | undefined {
    const run = this.runtime.run!;
    let found: number | undefined;
    const visit = (e: import('../scenario/ast').Expr | null | undefined): void => {
      if (e === null || e === undefined || found !== undefined) return;
      if (e.kind === 'Call' && e.callee === callee && e.args.length > 0) {
        const text = this.sourceText(e.args[0].range.start.offset, e.args[0].range.end.offset);
        const r = run.evaluate(text, 0, { sideEffects: false });
        if (r.ok && typeof r.value === 'bigint') found = Number(r.value);
        return;
      }
      for (const k of Object.values(e)) {
        if (k && typeof k === 'object' && 'kind' in (k as object)) visit(k as import('../scenario/ast').Expr);
        if (Array.isArray(k)) k.forEach((x) => x && typeof x === 'object' && 'kind' in x && visit(x));
      }
    };
    for (const k of Object.values(stmt)) if (k && typeof k === 'object' && 'kind' in (k as object)) visit(k as import('../scenario/ast').Expr);
    if (stmt.kind === 'Print') stmt.args.forEach(visit);
    return found;
  }

  private sourceText(from: number, to: number): string {
    try {
      return this.files.read(this.sourcePath).slice(from, to);
    } catch {
      return '';
    }
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

  /** After a stop: `memory` events for the memory references handed out whose pages changed. */
  private sendMemoryEvents(): void {
    if (!this.clientCaps.supportsMemoryEvent || this.runtime.run === undefined) return;
    const m = this.runtime.machine;
    const j = m.journal;
    const pages = new Set<number>();
    for (let s = Math.max(this.contentSeq, j.firstSeq); s < j.nextSeq; s++) {
      if (j.kindAt(s) === EventKind.PageContent || j.kindAt(s) === EventKind.PteWrite) {
        const ev = j.get(s)!;
        if (ev.kind === EventKind.PageContent) pages.add(Math.floor(ev.a / 4096));
      }
    }
    this.contentSeq = j.nextSeq;
    if (pages.size === 0) return;
    for (const ref of this.memoryRefs) {
      const r = parseReference(m, ref, m.current);
      if (r === undefined) continue;
      const pa = r.space.kind === 'pa' ? r.address : -1;
      if (r.space.kind === 'va' || pages.has(Math.floor(pa / 4096))) this.sendEvent(new MemoryEvent(ref, 0, 4096));
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
    if (args.threadId !== run.machine.current.index) {
      response.body = { stackFrames: [new StackFrame(1_000_000 + args.threadId, 'not running (another process is current)')], totalFrames: 1 };
      return this.sendResponse(response);
    }
    const frames = run.callStack().map((f) => {
      if (f.kind === 'kernel') {
        const sf = new StackFrame(f.index, f.name, new Source(`${f.name}.listing`, undefined, routineReference(f.name), undefined, 'vmm-kernel'), f.line, 1);
        (sf as DebugProtocol.StackFrame).presentationHint = 'subtle';
        return sf;
      }
      return new StackFrame(f.index, f.kind === 'script' ? basename(this.sourcePath) : f.name, this.source(), f.line, f.col);
    });
    const start = args.startFrame ?? 0;
    const end = args.levels ? start + args.levels : frames.length;
    response.body = { stackFrames: frames.slice(start, end), totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    const routine = routineByReference(args.sourceReference ?? args.source?.sourceReference ?? 0);
    if (routine === undefined) return this.fail(response, 'no such generated source');
    response.body = { content: listingText(routine), mimeType: 'text/plain' };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const run = this.runtime.run;
    if (run === undefined || args.frameId >= 1_000_000) {
      response.body = { scopes: [] };
      return this.sendResponse(response);
    }
    response.body = { scopes: frameScopes(this.store, run, args.frameId, this.fmt).map((s) => Object.assign(new Scope(s.name, s.variablesReference, s.expensive), s)) };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const fmt = args.format?.hex ? { hex: true } : this.fmt;
    void fmt;
    const vars = this.store.children(args.variablesReference, { filter: args.filter, start: args.start, count: args.count });
    if (vars === undefined) return this.fail(response, 'this variable is no longer available (the program moved on)');
    for (const v of vars) if (v.memoryReference) this.memoryRefs.add(v.memoryReference);
    response.body = { variables: vars };
    this.sendResponse(response);
  }

  // ---- evaluation ----------------------------------------------------------------------------------

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const run = this.runtime.run;
    if (run === undefined) return this.fail(response, 'no scenario is running');
    const frame = args.frameId !== undefined && args.frameId < 1_000_000 ? args.frameId : 0;
    const context = args.context ?? 'repl';
    const sideEffects = context === 'repl';
    if (sideEffects && this.runtime.isRunning) return this.fail(response, 'the scenario is running: pause it first');
    const text = args.expression.trim();
    const before = run.machine.journal.nextSeq;
    const r = run.evaluate(text, frame, { sideEffects });
    if (!r.ok) return this.fail(response, r.error);
    const m = run.machine;
    const stack = run.callStack();
    const proc = stack[frame]?.process ?? m.current;
    const v: Value = r.value;
    if (context === 'hover' && typeof v === 'bigint' && v >= 0n && v < 0x80000000000n) {
      const t = translationVariable(this.store, m, proc, Number(v), this.fmt, text);
      response.body = { result: t.value, variablesReference: t.variablesReference, memoryReference: t.memoryReference };
    } else {
      const variable = valueVariable(this.store, m, proc, text, v, this.fmt, text);
      response.body = {
        result: v !== null && typeof v === 'object' && isRecord(v) ? r.text.slice(0, 400) : variable.value,
        type: variable.type,
        variablesReference: variable.variablesReference,
        namedVariables: variable.namedVariables,
        indexedVariables: variable.indexedVariables,
        memoryReference: variable.memoryReference,
      };
    }
    if (response.body.memoryReference) this.memoryRefs.add(response.body.memoryReference);
    this.sendResponse(response);
    if (sideEffects && m.journal.nextSeq !== before) {
      this.runtime.flushNarration();
      if (this.clientCaps.supportsInvalidatedEvent) this.sendEvent(new InvalidatedEvent(['variables']));
    }
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    const upto = args.text.slice(0, args.column - 1);
    const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(upto)?.[0] ?? '';
    const targets: DebugProtocol.CompletionItem[] = [];
    const add = (label: string, type: DebugProtocol.CompletionItemType, detail?: string) => {
      if (label.startsWith(word)) targets.push({ label, type, detail, start: upto.length - word.length, length: word.length });
    };
    const run = this.runtime.run;
    if (run !== undefined) for (const k of run.variables(args.frameId ?? 0).keys()) add(k, 'variable');
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
    const count = Math.max(0, Math.min(args.count, 1 << 20));
    const res = readMemory(run.machine, r, args.offset ?? 0, count);
    response.body = { address: '0x' + res.address.toString(16), data: Buffer.from(res.data).toString('base64'), unreadableBytes: res.unreadableBytes };
    this.sendResponse(response);
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    const run = this.runtime.run;
    if (run === undefined) return this.fail(response, 'no scenario is running');
    const r = parseReference(run.machine, args.memoryReference, run.machine.current);
    if (r === undefined) return this.fail(response, `unknown memory reference '${args.memoryReference}'`);
    const data = Buffer.from(args.data, 'base64');
    const n = writeMemory(run.machine, r, args.offset ?? 0, data);
    if (n < data.length && !args.allowPartial) return this.fail(response, `only ${n} of ${data.length} bytes are writable (the rest is not resident)`);
    response.body = { bytesWritten: n };
    this.sendResponse(response);
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
    let target: DataTarget | undefined;
    if (args.asAddress) {
      const r = parseReference(m, args.name, m.current);
      if (r === undefined || r.space.kind !== 'va') return none(`'${args.name}' is not an address`);
      target = { kind: 'va', process: r.space.process.index, start: r.address, length: Math.max(1, args.bytes ?? 1) };
    } else if (args.variablesReference !== undefined && COUNTER_NAMES.includes(args.name)) {
      target = { kind: 'counter', name: args.name };
    } else {
      target = this.targetOfExpression(args.name, args.frameId);
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

  /** What an expression (a variable name, `pte(x)`, `pfn(n)`, an address) watches. */
  private targetOfExpression(name: string, frameId?: number): DataTarget | undefined {
    const run = this.runtime.run!;
    const m = run.machine;
    const counter = /^(commit|lists|counters)\.[A-Za-z]+$/.exec(name);
    if (counter) return { kind: 'counter', name };
    const r = run.evaluate(name, frameId ?? 0, { sideEffects: false });
    if (!r.ok) return undefined;
    const v = r.value;
    if (v !== null && typeof v === 'object' && isRecord(v)) {
      const address = v.get('address');
      const location = v.get('location');
      if (typeof address === 'bigint' && v.has('kind') && v.has('raw')) {
        const slot = slotOfVa(address);
        // the record of pte(x) names the entry by its self-map address; its slot is the entry slot
        const entrySlot = Number((address - 0xfffff68000000000n) / 8n);
        void slot;
        return { kind: 'pte', process: m.current.index, slot: entrySlot };
      }
      if (location !== undefined && v.has('pteAddress')) {
        const n = /^\s*pfn\s*\(\s*(.+)\)\s*$/.exec(name);
        if (n) {
          const pr = run.evaluate(n[1], frameId ?? 0, { sideEffects: false });
          if (pr.ok && typeof pr.value === 'bigint') return { kind: 'pfn', pfn: Number(pr.value) };
        }
      }
      return undefined;
    }
    if (typeof v === 'bigint' && v >= 0n && v < 0x80000000000n) return { kind: 'va', process: m.current.index, start: Number(v), length: 1 };
    return undefined;
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    const dbs = this.runtime.dataBreakpoints;
    if (dbs === undefined) {
      response.body = { breakpoints: args.breakpoints.map(() => new Breakpoint(false)) };
      return this.sendResponse(response);
    }
    response.body = { breakpoints: dbs.set(args.breakpoints) };
    this.sendResponse(response);
  }

  // ---- custom requests (the extension's views) -------------------------------------------------------

  protected override customRequest(command: string, response: DebugProtocol.Response, args: Record<string, unknown> | undefined): void {
    const run = this.runtime.run;
    if (run === undefined) return this.fail(response, 'no scenario is running');
    const m = run.machine;
    const proc = (typeof args?.process === 'number' ? m.processes.get(args.process) : undefined) ?? m.current;
    try {
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
          if (r === undefined || r.space.kind !== 'va') return this.fail(response, `'${a}' is not an address`);
          response.body = custom.pageWalk(m, r.space.process, r.address);
          break;
        }
        case CustomRequest.faultLog:
          response.body = custom.faultLog(m);
          break;
        case CustomRequest.memoryMap:
          response.body = custom.memoryMap(m, typeof args?.cells === 'number' ? args.cells : undefined);
          break;
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
          if (this.clientCaps.supportsInvalidatedEvent) this.sendEvent(new InvalidatedEvent(['variables']));
          break;
        case CustomRequest.trimWorkingSet:
        case CustomRequest.runModifiedPageWriter: {
          if (this.runtime.isRunning) return this.fail(response, 'pause the scenario first');
          const r = run.evaluate(command === CustomRequest.trimWorkingSet ? 'trim()' : 'writeModifiedPages()', 0, { sideEffects: true });
          if (!r.ok) return this.fail(response, r.error);
          this.runtime.flushNarration();
          response.body = {};
          if (this.clientCaps.supportsInvalidatedEvent) this.sendEvent(new InvalidatedEvent(['variables']));
          break;
        }
        default:
          return this.fail(response, `unknown request '${command}'`);
      }
      this.sendResponse(response);
    } catch (e) {
      this.fail(response, (e as Error).message);
    }
  }

  // ---- robustness ------------------------------------------------------------------------------------

  private fail(response: DebugProtocol.Response, message: string): void {
    this.sendErrorResponse(response, { id: 1001, format: message.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')), showUser: true });
  }

  /** Any exception thrown by a handler becomes an error response; the adapter keeps running. */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    try {
      super.dispatchRequest(request);
    } catch (e) {
      const response = { type: 'response', seq: 0, request_seq: request.seq, command: request.command, success: false } as DebugProtocol.Response;
      this.fail(response, `internal error in '${request.command}': ${(e as Error).message}`);
    }
  }
}

