/**
 * Debug adapter benchmark: the round trip of one step as VS Code does it — next → stopped →
 * threads → stackTrace → scopes → the first page of Locals and of Process ▸ Page tables and
 * Process ▸ Working set — on the default machine (512 MB, a small scenario) and on a 16 GB machine
 * with 10,000 VADs and 100,000 working-set entries, measured in the same run. The ratio big/default
 * shows whether the adapter's cost grows with the machine (target ≤ 1.5: a stop never walks the
 * whole PFN database, the VAD tree or the working set).
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { VmmDebugSession } from '../src/adapter/session';

const LOOP = ['let last = VirtualAlloc(0, 64K, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE)', 'let i = 0', 'while true {', '  i = i + 1', '  write8(last + (i % 16) * 4K, i)', '}'];

/** The default scenario: the stepping loop only. */
export const DEFAULT_SCENARIO = LOOP.join('\n');

/** The big scenario: 10,000 VADs of 10 touched pages each (≈100,000 working-set entries), then the loop. */
export const BIG_SCENARIO = [
  'machine { ram = 16G }',
  'for v in 0..10000 {',
  '  let a = VirtualAlloc(0, 64K, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE)',
  '  for k in 0..10 {',
  '    write8(a + k * 4K, 1)',
  '  }',
  '}',
  ...LOOP,
].join('\n');

type Msg = DebugProtocol.ProtocolMessage & { command?: string; event?: string; request_seq?: number; body?: unknown; success?: boolean; message?: string };

/** A minimal in-process DAP client (the VS Code inline adapter's path). */
class Driver {
  private seq = 1;
  private waiters: Array<{ test: (m: Msg) => boolean; resolve: (m: Msg) => void }> = [];
  readonly session: VmmDebugSession;

  constructor(text: string) {
    this.session = new VmmDebugSession({ read: () => text });
    this.session.onDidSendMessage((m) => {
      const i = this.waiters.findIndex((w) => w.test(m as Msg));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m as Msg);
    });
  }

  wait(test: (m: Msg) => boolean): Promise<Msg> {
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  async request<T = unknown>(command: string, args?: unknown): Promise<T> {
    const seq = this.seq++;
    const p = this.wait((m) => m.type === 'response' && m.request_seq === seq);
    this.session.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    const r = await p;
    if (!r.success) throw new Error(`${command}: ${r.message}`);
    return r.body as T;
  }

  async launch(): Promise<void> {
    await this.request('initialize', { adapterID: 'vmm', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, supportsVariablePaging: true, supportsInvalidatedEvent: true, supportsMemoryEvent: true, supportsMemoryReferences: true });
    const stopped = this.wait((m) => m.event === 'stopped');
    const launched = this.request('launch', { program: '/bench/scenario.vmm', stopOnEntry: false, stepBudget: 1e12 });
    await this.request('setBreakpoints', { source: { path: '/bench/scenario.vmm' }, breakpoints: [{ line: this.loopLine }] });
    await this.request('configurationDone');
    await launched;
    await stopped;
    await this.request('setBreakpoints', { source: { path: '/bench/scenario.vmm' }, breakpoints: [] });
  }

  loopLine = 0;

  /** One step and what VS Code asks after it. */
  async roundTrip(): Promise<void> {
    const stopped = this.wait((m) => m.event === 'stopped');
    await this.request('next', { threadId: 1 });
    const ev = (await stopped) as DebugProtocol.StoppedEvent;
    await this.request('threads');
    const st = await this.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { threadId: ev.body.threadId ?? 1, startFrame: 0, levels: 20 });
    const scopes = await this.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: st.stackFrames[0].id });
    const ref = (name: string) => scopes.scopes.find((s) => s.name === name || s.name.startsWith(name + ' '))!.variablesReference;
    await this.request('variables', { variablesReference: ref('Locals') });
    const proc = await this.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: ref('Process') });
    const child = (vars: DebugProtocol.Variable[], name: string) => vars.find((v) => v.name === name)!.variablesReference;
    const pt = child(proc.variables, 'Page tables');
    await this.request('variables', { variablesReference: pt, filter: 'named' });
    await this.request('variables', { variablesReference: pt, filter: 'indexed', start: 0, count: 100 });
    const ws = await this.request<DebugProtocol.VariablesResponse['body']>('variables', { variablesReference: child(proc.variables, 'Working set') });
    await this.request('variables', { variablesReference: child(ws.variables, 'Wsle'), filter: 'indexed', start: 0, count: 100 });
  }
}

export interface AdapterFigures {
  defaultRoundTripMs: number;
  bigRoundTripMs: number;
  ratio: number;
  bigSetupMs: number;
  bigWorkingSet: number;
  bigVads: number;
}

async function start(text: string): Promise<{ driver: Driver; setupMs: number }> {
  const driver = new Driver(text);
  driver.loopLine = text.split('\n').indexOf('let i = 0') + 1;
  const t0 = performance.now();
  await driver.launch();
  return { driver, setupMs: performance.now() - t0 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Median round trip on both machines (ms) and their ratio, and the big machine's shape. Both
 * sessions are set up and warmed first, then measured alternately, so neither profits from the
 * JIT having warmed up on the other.
 */
export async function adapterFigures(rounds = 200): Promise<AdapterFigures> {
  const small = await start(DEFAULT_SCENARIO);
  const big = await start(BIG_SCENARIO);
  for (let i = 0; i < 30; i++) {
    await small.driver.roundTrip();
    await big.driver.roundTrip();
  }
  const samples = { small: [] as number[], big: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    for (const [k, d] of [['small', small.driver], ['big', big.driver]] as const) {
      const t = performance.now();
      await d.roundTrip();
      samples[k].push(performance.now() - t);
    }
  }
  const m = big.driver.session.machine!;
  const figures: AdapterFigures = {
    defaultRoundTripMs: median(samples.small),
    bigRoundTripMs: median(samples.big),
    ratio: median(samples.big) / median(samples.small),
    bigSetupMs: big.setupMs,
    bigWorkingSet: m.current.wsl.size,
    bigVads: m.current.vads.size,
  };
  await small.driver.request('disconnect', {});
  await big.driver.request('disconnect', {});
  return figures;
}
