/**
 * Bad requests get error responses that say what is wrong, and the adapter keeps answering:
 * unknown references and commands, malformed arguments, launches of missing or broken scenarios,
 * and a seeded fuzz of a few thousand random and invalid requests interleaved with valid ones.
 */
import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { VmmDebugSession } from '../../src/adapter/session';
import { InProcessClient } from './inProcessClient';

const fixture = (name: string) => resolve(__dirname, 'fixtures', name);

describe('debug adapter: bad requests', () => {
  it('answers unknown references, unknown commands and malformed arguments with errors', async () => {
    const c = new InProcessClient();
    await c.start(fixture('touch.vmm'));
    const cases: Array<[string, unknown, RegExp]> = [
      ['variables', { variablesReference: 'x' }, /'variablesReference' must be an integer, not a string/],
      ['variables', { variablesReference: 1, count: -5 }, /'count' must be an integer ≥ 0, not -5/],
      ['variables', { variablesReference: 1e300 }, /'variablesReference' must be an integer, not a number/],
      ['variables', undefined, /'variables' needs arguments \('variablesReference' is missing\)/],
      ['variables', [1, 2], /must be an object, not an array/],
      ['frobnicate', {}, /unknown request 'frobnicate'/],
      ['vmm/frobnicate', {}, /unknown request 'vmm\/frobnicate'/],
      ['scopes', { frameId: 77 }, /there is no frame 77/],
      ['stackTrace', { threadId: 99 }, /there is no thread 99/],
      ['setBreakpoints', { source: { path: 1 } }, /'source\.path' must be a string/],
      ['setBreakpoints', { source: {}, breakpoints: [{ line: 'x' }] }, /'breakpoints\[0\]\.line' must be an integer/],
      ['setFunctionBreakpoints', { breakpoints: [{}] }, /'breakpoints\[0\]\.name' is missing/],
      ['setExceptionBreakpoints', { filters: 'all' }, /'filters' must be an array/],
      ['readMemory', { memoryReference: 'nowhere', count: 4 }, /unknown memory reference 'nowhere'/],
      ['readMemory', { memoryReference: 'va:1:0x10000', count: -1 }, /'count' must be an integer ≥ 0/],
      ['evaluate', { expression: 'let = ', context: 'watch' }, /<input>:1:/],
      ['evaluate', { expression: 42 }, /'expression' must be a string/],
      ['source', { sourceReference: 999 }, /no such generated source/],
      ['exceptionInfo', { threadId: 1 }, /did not stop on an exception/],
      ['stepIn', { threadId: 1, targetId: 55 }, /unknown step-in target 55/],
      ['launch', { program: fixture('touch.vmm') }, /launched already/],
      ['vmm/pfnEntry', { pfn: -1 }, /outside physical memory/],
      ['vmm/pageWalk', { address: 'zzz' }, /is not a user address/],
    ];
    for (const [command, args, message] of cases) {
      const r = await c.request(command, args);
      assert.equal(r.success, false, `${command} ${JSON.stringify(args)} fails`);
      assert.match(r.message ?? '', message, `${command} ${JSON.stringify(args)}`);
    }
    // a reference from an earlier stop (or never handed out) answers with no children, not an error
    // toast: VS Code may still ask for one while the user steps quickly
    const stale = await c.request<DebugProtocol.VariablesResponse>('variables', { variablesReference: 424242 });
    assert.equal(stale.success, true);
    assert.deepEqual(stale.body.variables, []);
    const dbi = await c.request<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', { name: 'nonsense(', frameId: 0 });
    assert.equal(dbi.body.dataId, null);
    const sdb = await c.request<DebugProtocol.SetDataBreakpointsResponse>('setDataBreakpoints', { breakpoints: [{ dataId: 'pte:x' }, { dataId: 'counter:nope.none' }, { dataId: 'pfn:1', accessType: 'read' }] });
    assert.deepEqual(sdb.body.breakpoints.map((b) => b.verified), [false, false, false]);
    assert.ok((await c.request('threads')).success);
    await c.close();
  });

  it('launch of a missing file fails with the reason', async () => {
    const c = new InProcessClient();
    await c.request('initialize', { adapterID: 'vmm' });
    const r = await c.request('launch', { program: fixture('no-such-file.vmm') });
    assert.equal(r.success, false);
    assert.match(r.message!, /cannot read the scenario '.*no-such-file\.vmm': ENOENT/);
    const bad = await c.request('launch', { program: 42 });
    assert.match(bad.message!, /needs 'program'/);
    const ram = await c.request('launch', { program: fixture('touch.vmm'), machine: { ram: 'lots' } });
    assert.match(ram.message!, /machine\.ram: 'lots' is not a size/);
  });

  it('launch of a scenario with syntax errors fails listing the diagnostics', async () => {
    const c = new InProcessClient();
    await c.request('initialize', { adapterID: 'vmm' });
    const r = await c.request('launch', { program: fixture('broken.vmm') });
    assert.equal(r.success, false);
    assert.match(r.message!, /^the scenario has 2 errors:\n.*broken\.vmm:2:70: expected '\)' to close the '\(' opened at 2:21\n.*broken\.vmm:3:5: expected a variable name after 'let', found '='$/);
    const diagnostics = c.transcript.filter((m) => m.event === 'output').map((m) => m.body as DebugProtocol.OutputEvent['body']);
    assert.deepEqual(diagnostics.map((d) => [d.category, d.line]), [['stderr', 2], ['stderr', 3]]);
  });

  it('a fuzz of malformed requests: every request gets a response and threads still answers', async function () {
    this.timeout(60000);
    let seed = 0x5eed1234;
    const rnd = () => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const COMMANDS = [
      'initialize', 'launch', 'restart', 'configurationDone', 'setBreakpoints', 'breakpointLocations', 'setFunctionBreakpoints', 'setExceptionBreakpoints',
      'exceptionInfo', 'continue', 'next', 'stepIn', 'stepOut', 'pause', 'stepInTargets', 'threads', 'stackTrace', 'scopes', 'variables', 'source', 'evaluate',
      'completions', 'readMemory', 'writeMemory', 'dataBreakpointInfo', 'setDataBreakpoints', 'setVariable', 'goto', 'attach', 'cancel', 'loadedSources',
      'vmm/addressSpace', 'vmm/workingSet', 'vmm/physicalMemory', 'vmm/pageWalk', 'vmm/faultLog', 'vmm/memoryMap', 'vmm/pfnEntry', 'vmm/status', 'vmm/setFormat',
      'vmm/trimWorkingSet', 'vmm/runModifiedPageWriter', '', 'x', 'vmm/', '__proto__', 'constructor',
    ];
    const FIELDS = ['threadId', 'frameId', 'variablesReference', 'start', 'count', 'filter', 'expression', 'context', 'memoryReference', 'offset', 'data', 'name', 'source',
      'line', 'endLine', 'breakpoints', 'filters', 'filterOptions', 'dataId', 'sourceReference', 'text', 'column', 'targetId', 'levels', 'startFrame', 'format', 'program',
      'arguments', 'pfn', 'address', 'hex', 'cells', 'process', 'bytes', 'asAddress', 'allowPartial', 'lines', '__proto__'];
    const value = (depth = 0): unknown => {
      switch (Math.floor(rnd() * 14)) {
        case 0: return undefined;
        case 1: return null;
        case 2: return Math.floor(rnd() * 10);
        case 3: return -Math.floor(rnd() * 1e6);
        case 4: return pick([1e300, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, -0, 0.5, NaN, Infinity, 2 ** 36, 0x7fffffff]);
        case 5: return pick(['', 'p', 'p + 0x1000', '0x10000', 'va:1:0x10000', 'pa:0x41000', 'pte:1:16', 'pfn:3', 'counter:commit.charge', 'read8(p)', 'pte(p)', '{', '🙂', 'x'.repeat(5000), '0x' + 'f'.repeat(30)]);
        case 6: return rnd() < 0.5;
        case 7: return depth < 2 ? Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1)) : [];
        case 8: return depth < 2 ? obj(depth + 1) : {};
        case 9: return { line: Math.floor(rnd() * 20) - 2, condition: pick([undefined, 'i == 2', '((', 'true']), hitCondition: pick([undefined, '2', '>= x', '% 0']), logMessage: pick([undefined, '{i}', '{'])};
        case 10: return { dataId: pick(['pte:1:16', 'va:1:65536:8', 'pfn:70', 'counter:lists.zeroed', 'nope', 'va:1:1e9:0']), accessType: pick([undefined, 'read', 'write', 'readWrite', 'bogus']) };
        case 11: return { path: pick([fixture('touch.vmm'), fixture('av.vmm'), '/nope.vmm', '']), sourceReference: pick([undefined, 0, 1, 999]) };
        case 12: return { hex: rnd() < 0.5 };
        default: return String(Math.floor(rnd() * 100));
      }
    };
    const obj = (depth = 0): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      const n = Math.floor(rnd() * 5);
      for (let i = 0; i < n; i++) o[pick(FIELDS)] = value(depth);
      return o;
    };
    const VALID: Array<[string, unknown]> = [
      ['threads', undefined],
      ['stackTrace', { threadId: 1 }],
      ['scopes', { frameId: 0 }],
      ['variables', { variablesReference: 1 }],
      ['variables', { variablesReference: 3, filter: 'indexed', start: 0, count: 10 }],
      ['evaluate', { expression: 'p', context: 'hover', frameId: 0 }],
      ['next', { threadId: 1 }],
      ['stepIn', { threadId: 1 }],
      ['readMemory', { memoryReference: 'va:1:0x10000', count: 64 }],
      ['dataBreakpointInfo', { name: 'pte(p)', frameId: 0 }],
    ];

    const c = new InProcessClient();
    await c.start(fixture('touch.vmm'));
    const session: VmmDebugSession = c.session;
    let seq = 10000;
    const errors = new Map<number, number>();
    const N = 3000;
    for (let i = 0; i < N; i++) {
      let command: unknown;
      let args: unknown;
      if (rnd() < 0.3) [command, args] = pick(VALID);
      else {
        command = rnd() < 0.03 ? pick([undefined, 7, null, {}]) : pick(COMMANDS);
        args = rnd() < 0.15 ? value() : obj();
      }
      // a restart or terminate now and then, but not so often that nothing else happens
      if ((command === 'restart' || command === 'terminate' || command === 'disconnect') && rnd() < 0.8) continue;
      const s = seq++;
      const answered = c.wait((m) => m.type === 'response' && m.request_seq === s, 5000);
      session.handleMessage({ seq: s, type: 'request', command, arguments: args } as DebugProtocol.Request);
      const r = (await answered) as DebugProtocol.Response;
      if (!r.success) {
        const id = (r.body as { error?: { id: number } } | undefined)?.error?.id ?? 0;
        errors.set(id, (errors.get(id) ?? 0) + 1);
        assert.ok(id !== 1104, `a handler threw for ${String(command)} ${JSON.stringify(args)?.slice(0, 200)}: ${r.message?.slice(0, 300)}`);
      }
    }
    const t = await c.request<DebugProtocol.ThreadsResponse>('threads');
    assert.ok(t.success);
    assert.ok(t.body.threads.length >= 1);
    const internal = c.transcript.filter((m) => m.event === 'output' && /internal error/.test((m.body as { output: string }).output));
    assert.deepEqual(internal, []);
    assert.ok((errors.get(1001) ?? 0) > N / 4, 'most malformed requests were refused with a message');
    await c.close();
  });
});
