/**
 * Drives a VmmDebugSession in-process, the way VS Code's inline adapter does: requests go in with
 * `handleMessage`, responses and events come out of `onDidSendMessage`. Tests await responses and
 * events, and can record the whole transcript.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { VmmDebugSession, type FileAccessor } from '../../src/adapter/session';

/** What VS Code sends in `initialize` (anchors-dap.md §7.1). */
export const INITIALIZE: DebugProtocol.InitializeRequestArguments = {
  clientID: 'vscode',
  adapterID: 'vmm',
  pathFormat: 'path',
  linesStartAt1: true,
  columnsStartAt1: true,
  supportsVariableType: true,
  supportsVariablePaging: true,
  supportsRunInTerminalRequest: true,
  locale: 'en',
  supportsProgressReporting: true,
  supportsInvalidatedEvent: true,
  supportsMemoryReferences: true,
  supportsMemoryEvent: true,
};

type Msg = DebugProtocol.ProtocolMessage & { command?: string; event?: string; request_seq?: number; body?: unknown; success?: boolean; message?: string };

export class InProcessClient {
  readonly session: VmmDebugSession;
  readonly transcript: Msg[] = [];
  private seq = 1;
  private waiters: Array<{ test: (m: Msg) => boolean; resolve: (m: Msg) => void }> = [];

  constructor(files?: FileAccessor) {
    this.session = new VmmDebugSession(files);
    this.session.onDidSendMessage((m) => {
      const msg = m as Msg;
      this.transcript.push(msg);
      const w = this.waiters.find((x) => x.test(msg));
      if (w) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    });
  }

  /** Sends a request and resolves with its response (successful or not). */
  request<T extends DebugProtocol.Response = DebugProtocol.Response>(command: string, args?: unknown): Promise<T> {
    const seq = this.seq++;
    const req = { seq, type: 'request', command, arguments: args } as DebugProtocol.Request;
    this.transcript.push(req as Msg);
    const p = this.wait((m) => m.type === 'response' && m.request_seq === seq) as Promise<unknown> as Promise<T>;
    this.session.handleMessage(req);
    return p;
  }

  /** Resolves with the first message (already sent or future) that passes the test. */
  wait(test: (m: Msg) => boolean, timeoutMs = 10000): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for a DAP message')), timeoutMs);
      this.waiters.push({ test, resolve: (m) => (clearTimeout(t), resolve(m)) });
    });
  }

  /** The next event named `name` sent after this call. */
  event<T extends DebugProtocol.Event = DebugProtocol.Event>(name: string, timeoutMs?: number): Promise<T> {
    return this.wait((m) => m.type === 'event' && m.event === name, timeoutMs) as Promise<unknown> as Promise<T>;
  }

  /** initialize + launch + configurationDone; resolves with the first stop. */
  async start(program: string, launch: Record<string, unknown> = {}, before?: () => Promise<void>): Promise<DebugProtocol.StoppedEvent> {
    const init = await this.request('initialize', INITIALIZE);
    if (!init.success) throw new Error(`initialize failed: ${init.message}`);
    const stopped = this.event<DebugProtocol.StoppedEvent>('stopped');
    const launched = this.request('launch', { program, stopOnEntry: true, ...launch });
    if (before) await before();
    await this.request('configurationDone');
    const r = await launched;
    if (!r.success) throw new Error(`launch failed: ${r.message}`);
    return stopped;
  }

  async stopAfter(command: string, args: unknown = { threadId: 1 }): Promise<DebugProtocol.StoppedEvent> {
    const stopped = this.event<DebugProtocol.StoppedEvent>('stopped');
    await this.request(command, args);
    return stopped;
  }

  async topFrame(): Promise<DebugProtocol.StackFrame> {
    const r = await this.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: 1 });
    return r.body.stackFrames[0];
  }

  async frames(): Promise<DebugProtocol.StackFrame[]> {
    const r = await this.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: 1 });
    return r.body.stackFrames;
  }

  async variables(ref: number, extra: Record<string, unknown> = {}): Promise<DebugProtocol.Variable[]> {
    const r = await this.request<DebugProtocol.VariablesResponse>('variables', { variablesReference: ref, ...extra });
    if (!r.success) throw new Error(r.message);
    return r.body.variables;
  }

  async scopes(frameId = 0): Promise<DebugProtocol.Scope[]> {
    const r = await this.request<DebugProtocol.ScopesResponse>('scopes', { frameId });
    return r.body.scopes;
  }

  async evaluate(expression: string, context = 'watch', frameId = 0): Promise<DebugProtocol.EvaluateResponse> {
    return this.request<DebugProtocol.EvaluateResponse>('evaluate', { expression, context, frameId });
  }

  /** The scope named `name` (or starting with it) of a frame. */
  async scope(name: string, frameId = 0): Promise<DebugProtocol.Scope> {
    const s = (await this.scopes(frameId)).find((x) => x.name === name || x.name.startsWith(name + ' '));
    if (s === undefined) throw new Error(`no scope '${name}'`);
    return s;
  }

  /** The child `name` of a variables reference. */
  async child(ref: number, name: string, extra: Record<string, unknown> = {}): Promise<DebugProtocol.Variable> {
    const v = (await this.variables(ref, extra)).find((x) => x.name === name);
    if (v === undefined) throw new Error(`no variable '${name}' under reference ${ref}`);
    return v;
  }

  /** Ends the session (disconnect): a scenario still running is stopped. */
  async close(): Promise<void> {
    await this.request('disconnect', {});
  }
}
