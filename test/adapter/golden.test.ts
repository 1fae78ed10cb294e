/**
 * Golden DAP transcripts of typical debugging journeys, driven in-process (golden.ts explains the
 * normalisation; UPDATE_GOLDEN=1 re-records). The first journey records the handshake; the others
 * start recording at the entry stop.
 */
import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assertGoldenTranscript } from './golden';
import { InProcessClient } from './inProcessClient';

const fixture = (name: string) => resolve(__dirname, 'fixtures', name);

/** Starts a session on a fixture and returns the client and the transcript position after the entry stop. */
async function begin(name: string, before?: (c: InProcessClient) => Promise<void>, launch: Record<string, unknown> = {}): Promise<{ c: InProcessClient; mark: number }> {
  const c = new InProcessClient();
  await c.start(fixture(name), launch, before ? () => before(c) : undefined);
  return { c, mark: c.transcript.length };
}

async function finish(c: InProcessClient, name: string, mark: number): Promise<void> {
  const messages = c.transcript.slice(mark);
  await c.close();
  assertGoldenTranscript(name, messages);
}

describe('debug adapter: golden DAP transcripts', () => {
  it('launch, stop on entry, stack, scopes, variables', async () => {
    const c = new InProcessClient();
    await c.start(fixture('touch.vmm'));
    await c.request('threads');
    await c.stopAfter('next');
    await c.stopAfter('next');
    await c.request('setBreakpoints', { source: { path: fixture('touch.vmm') }, breakpoints: [{ line: 8 }] });
    await c.stopAfter('continue');
    await c.request('stackTrace', { threadId: 1 });
    const scopes = await c.scopes(0);
    for (const s of scopes.filter((x) => !x.expensive)) await c.variables(s.variablesReference);
    const proc = await c.scope('Process');
    const pt = await c.child(proc.variablesReference, 'Page tables');
    const pml4 = await c.variables(pt.variablesReference, { filter: 'named' });
    await c.variables(pml4[0].variablesReference, { filter: 'named' });
    await c.variables(pt.variablesReference, { filter: 'indexed', start: 0, count: 2 });
    const ws = await c.child(proc.variablesReference, 'Working set');
    const wsle = await c.child(ws.variablesReference, 'Wsle');
    await c.variables(wsle.variablesReference, { filter: 'indexed', start: 0, count: 3 });
    await finish(c, 'launch-entry', 0);
  });

  it('line breakpoints with a condition, a hit count and a logpoint', async () => {
    const { c, mark } = await begin('touch.vmm');
    const source = { path: fixture('touch.vmm') };
    await c.request('breakpointLocations', { source, line: 1, endLine: 12 });
    await c.request('setBreakpoints', {
      source,
      breakpoints: [{ line: 5, condition: 'i >= 2', hitCondition: '== 2' }, { line: 7, logMessage: 'total is {total}, p is {p}' }, { line: 8 }, { line: 40 }],
    });
    const s1 = await c.stopAfter('continue');
    assert.equal(s1.body.reason, 'breakpoint');
    await c.evaluate('i', 'watch');
    const s2 = await c.stopAfter('continue');
    assert.equal(s2.body.reason, 'breakpoint');
    await c.request('stackTrace', { threadId: 1 });
    const ended = c.event('terminated');
    await c.request('continue', { threadId: 1 });
    await ended;
    await finish(c, 'breakpoints', mark);
  });

  it('step into a demand-zero fault, walk it and step out', async () => {
    const { c, mark } = await begin('touch.vmm');
    await c.request('setBreakpoints', { source: { path: fixture('touch.vmm') }, breakpoints: [{ line: 7 }] });
    await c.stopAfter('continue');
    await c.request('stepInTargets', { frameId: 0 });
    await c.stopAfter('stepIn', { threadId: 1, targetId: 1 });
    const frames = (await c.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: 1 })).body.stackFrames;
    await c.request('source', { sourceReference: frames[0].source!.sourceReference, source: frames[0].source });
    await c.scopes(0);
    await c.stopAfter('next');
    await c.stopAfter('next');
    await c.request('stackTrace', { threadId: 1 });
    await c.stopAfter('stepOut');
    await c.request('stackTrace', { threadId: 1 });
    await finish(c, 'step-into-fault', mark);
  });

  it('a data breakpoint on a PTE fires on a working-set trim', async () => {
    const { c, mark } = await begin('trim.vmm');
    await c.request('setBreakpoints', { source: { path: fixture('trim.vmm') }, breakpoints: [{ line: 4 }] });
    await c.stopAfter('continue');
    const hover = await c.evaluate('p', 'hover');
    await c.variables(hover.body.variablesReference);
    const info = await c.request<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', { name: 'PTE', variablesReference: hover.body.variablesReference });
    await c.request('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId, accessType: 'write' }] });
    const hit = await c.stopAfter('continue');
    assert.equal(hit.body.reason, 'data breakpoint');
    assert.match(hit.body.description!, /^PTE of 0x10000 \(main\): Valid 1→0.* by working-set trim$/);
    await c.request('stackTrace', { threadId: 1 });
    await finish(c, 'data-breakpoint-trim', mark);
  });

  it('hover of an address, resident and not', async () => {
    const { c, mark } = await begin('touch.vmm');
    await c.request('setBreakpoints', { source: { path: fixture('touch.vmm') }, breakpoints: [{ line: 8 }] });
    await c.stopAfter('continue');
    const h = await c.evaluate('p', 'hover');
    await c.variables(h.body.variablesReference);
    await c.evaluate('p + 0x1000', 'hover');
    await c.evaluate('0x7ff00000', 'hover');
    await c.evaluate('total', 'hover');
    await finish(c, 'hover', mark);
  });

  it('readMemory stops at a page that is not resident (unreadableBytes)', async () => {
    const { c, mark } = await begin('touch.vmm');
    await c.request('setBreakpoints', { source: { path: fixture('touch.vmm') }, breakpoints: [{ line: 9 }] });
    await c.stopAfter('continue');
    const h = await c.evaluate('p', 'watch');
    const ref = h.body.memoryReference!;
    await c.request('readMemory', { memoryReference: ref, offset: 0, count: 4 });
    await c.request('readMemory', { memoryReference: ref, offset: 4092, count: 8 });
    await c.request('readMemory', { memoryReference: ref, offset: 8192, count: 16 });
    await c.request('readMemory', { memoryReference: ref, offset: -4, count: 8 });
    await finish(c, 'read-memory', mark);
  });

  it('exception filter on an access violation, and exceptionInfo', async () => {
    const { c, mark } = await begin('av.vmm', async (cl) => {
      await cl.request('setExceptionBreakpoints', { filters: [], filterOptions: [{ filterId: 'accessViolation', condition: '0x10000-0x1ffff' }] });
    });
    const s = await c.stopAfter('continue');
    assert.equal(s.body.reason, 'exception');
    await c.request('exceptionInfo', { threadId: 1 });
    await c.request('stackTrace', { threadId: 1 });
    await finish(c, 'exception-info', mark);
  });

  it('function breakpoints on MiResolveDemandZeroFault and on VirtualFree', async () => {
    const { c, mark } = await begin('touch.vmm', async (cl) => {
      await cl.request('setFunctionBreakpoints', { breakpoints: [{ name: 'MiResolveDemandZeroFault', hitCondition: '1' }, { name: 'VirtualFree' }, { name: 'NoSuchThing' }] });
    });
    const s1 = await c.stopAfter('continue');
    assert.equal(s1.body.reason, 'function breakpoint');
    await c.request('stackTrace', { threadId: 1, startFrame: 0, levels: 3 });
    await c.request('setFunctionBreakpoints', { breakpoints: [{ name: 'VirtualFree' }] });
    const s2 = await c.stopAfter('continue');
    assert.equal(s2.body.description, 'Paused before a call to VirtualFree');
    await c.request('stackTrace', { threadId: 1 });
    await finish(c, 'function-breakpoints', mark);
  });
});
