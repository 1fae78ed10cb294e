/**
 * What the adapter must do, asserted on its behaviour (in-process, through InProcessClient):
 * side-effect-free hovers, data breakpoints naming the actor, stepping through a fault, pause,
 * restart, terminate, noDebug, threads per process, the Variables view's data-breakpoint rows,
 * paging of big collections, formats, memory and invalidated events.
 */
import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { BUILTINS } from '../../src/scenario/builtins/index';
import { InProcessClient } from './inProcessClient';

const fixture = (name: string) => resolve(__dirname, 'fixtures', name);
const PROGRAM = '/virtual/scenario.vmm';

/** A client whose file system holds one scenario text at PROGRAM. */
function withText(text: string): InProcessClient {
  return new InProcessClient({
    read: (p) => {
      if (resolve(p) !== resolve(PROGRAM)) throw new Error(`ENOENT: no such file '${p}'`);
      return text;
    },
  });
}

const machineOf = (c: InProcessClient) => c.session.machine!;

/** trim() when the paging layer provides it, else the equivalent API call. */
const TRIM = BUILTINS.get('trim') !== undefined && !/not supported/.test(BUILTINS.get('trim')!.doc) ? 'trim()' : 'SetProcessWorkingSetSize(GetCurrentProcess(), -1, -1)';

describe('debug adapter: behaviour', function () {
  this.timeout(20000);

  it('hover and watch have no side effects (journal, accessed bits, working set unchanged)', async () => {
    const c = withText(['let p = VirtualAlloc(0, 64K, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE)', 'write8(p, 5)', 'print p'].join('\n'));
    await c.start(PROGRAM);
    await c.request('setBreakpoints', { source: { path: PROGRAM }, breakpoints: [{ line: 3 }] });
    await c.stopAfter('continue');
    const m = machineOf(c);
    const pteBefore = (await c.evaluate('pte(p).raw', 'watch')).body.result;
    const seq = m.journal.nextSeq;
    const ws = m.current.wsl.size;
    const hovers = ['p', 'p + 0x1000', 'p + 0x3000', '0x7ff00000', 'read8(p)', 'read8(p + 0x2000)', 'pte(p + 0x5000)', 'pfn(pte(p).pfn)'];
    for (const h of hovers) {
      const r = await c.evaluate(h, 'hover');
      const walk = r.success && r.body.variablesReference > 0 ? await c.variables(r.body.variablesReference) : [];
      for (const v of walk) if (v.variablesReference > 0) await c.variables(v.variablesReference);
    }
    await c.evaluate('read8(p + 0x4000)', 'watch');
    await c.request('readMemory', { memoryReference: `va:${m.current.index}:0x10000`, count: 0x6000 });
    const r = await c.evaluate('p', 'hover');
    assert.match(r.body.result, /→ PA 0x/);
    const nr = await c.evaluate('p + 0x1000', 'hover');
    assert.match(nr.body.result, /not resident — PTE: demand-zero/);
    assert.equal(m.journal.nextSeq, seq, 'the journal did not move');
    assert.equal(m.current.wsl.size, ws, 'the working set did not change');
    assert.equal((await c.evaluate('pte(p).raw', 'watch')).body.result, pteBefore, 'the PTE (accessed/dirty bits) did not change');
    const sideEffect = await c.evaluate('write8(p, 1)', 'hover');
    assert.equal(sideEffect.success, false, 'a hover cannot write');
    assert.equal(m.journal.nextSeq, seq);
    await c.close();
  });

  it(`a data breakpoint on a PTE (Process ▸ Page tables) fires on a working-set trim and names the actor (${TRIM})`, async () => {
    const c = withText(['let p = VirtualAlloc(0, 64K, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE)', 'write8(p, 1)', 'let k = 1', TRIM, 'print pte(p).kind'].join('\n'));
    await c.start(PROGRAM);
    await c.request('setBreakpoints', { source: { path: PROGRAM }, breakpoints: [{ line: 3 }] });
    await c.stopAfter('continue');
    // walk Process ▸ Page tables ▸ PML4E ▸ PDPTE ▸ PDE ▸ PTE of 0x10000, as the Variables view does
    const proc = await c.scope('Process');
    let ref = (await c.child(proc.variablesReference, 'Page tables')).variablesReference;
    let row: DebugProtocol.Variable | undefined;
    for (let level = 4; level >= 1; level--) {
      const present = (await c.variables(ref, { filter: 'named' })).filter((v) => v.name.startsWith('['));
      row = present[0];
      assert.ok(row, `a present entry at level ${level}`);
      if (level > 1) ref = row.variablesReference;
    }
    assert.equal(row!.name, '[16] 0x00000000`00010000');
    assert.equal(row!.evaluateName, 'pte(0x10000)');
    const info = await c.request<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', { name: row!.name, variablesReference: ref });
    assert.equal(info.body.dataId, `pte:${machineOf(c).current.index}:16`);
    assert.equal(info.body.description, 'PTE of 0x10000 (main)');
    const set = await c.request<DebugProtocol.SetDataBreakpointsResponse>('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId! }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    const hit = await c.stopAfter('continue');
    assert.equal(hit.body.reason, 'data breakpoint');
    assert.deepEqual(hit.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
    assert.match(hit.body.description!, /^PTE of 0x10000 \(main\): Valid 1→0.*kind valid→transition by working-set trim$/);
    assert.equal((await c.topFrame()).line, 5);
    // the watched row is marked in the views
    const walk = await c.variables((await c.evaluate('p', 'hover')).body.variablesReference);
    assert.ok(walk.find((v) => v.name === 'PTE')!.presentationHint!.attributes!.includes('hasDataBreakpoint'));
    await c.close();
  });

  it('data breakpoints on a PFN row, a counter row and a guest address', async () => {
    const c = withText(['let p = VirtualAlloc(0, 64K, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE)', 'let k = 0', 'write8(p, 1)', 'write8(p + 1, 2)', 'let r = read8(p + 1)', 'print r'].join('\n'));
    await c.start(PROGRAM);
    await c.request('setBreakpoints', { source: { path: PROGRAM }, breakpoints: [{ line: 2 }] });
    await c.stopAfter('continue');
    const machine = await c.scope('Machine');
    const counters = await c.child(machine.variablesReference, 'Counters');
    await c.variables(counters.variablesReference);
    const ci = await c.request<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', { name: 'demandZeroFaults', variablesReference: counters.variablesReference });
    assert.equal(ci.body.dataId, 'counter:counters.demandZeroFaults');
    const db = await c.child(machine.variablesReference, 'PFN database');
    const pfns = await c.variables(db.variablesReference, { filter: 'indexed', start: 100, count: 2 });
    assert.deepEqual(pfns.map((v) => v.name), ['[100]', '[101]']);
    const pi = await c.request<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', { name: '[101]', variablesReference: db.variablesReference });
    assert.equal(pi.body.dataId, 'pfn:101');
    const locals = await c.scope('Locals');
    await c.variables(locals.variablesReference);
    const ai = await c.request<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', { name: 'p', variablesReference: locals.variablesReference });
    assert.equal(ai.body.dataId, `va:${machineOf(c).current.index}:65536:8`);
    assert.deepEqual(ai.body.accessTypes, ['write', 'read', 'readWrite']);
    const ki = await c.request<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', { name: 'k', variablesReference: locals.variablesReference });
    assert.equal(ki.body.dataId, null);
    const gone = await c.request<DebugProtocol.DataBreakpointInfoResponse>('dataBreakpointInfo', { name: 'x', variablesReference: 987654 });
    assert.equal(gone.body.dataId, null);
    // the counter fires on the first touch, the read watch on the read8
    await c.request('setDataBreakpoints', { breakpoints: [{ dataId: ci.body.dataId! }, { dataId: `va:${machineOf(c).current.index}:65537:1`, accessType: 'read' }] });
    const s1 = await c.stopAfter('continue');
    assert.equal(s1.body.reason, 'data breakpoint');
    assert.match(s1.body.description!, /^counters\.demandZeroFaults: \d+ → \d+$/);
    assert.equal((await c.topFrame()).line, 4);
    const s2 = await c.stopAfter('continue');
    assert.match(s2.body.description!, /^read of 0x10001 \(1 byte at 0x10001 \(main\)\)$/);
    assert.equal((await c.topFrame()).line, 6);
    await c.close();
  });

  it('step into a demand-zero fault walks its steps and returns to the script', async () => {
    const c = new InProcessClient();
    await c.start(fixture('touch.vmm'));
    await c.request('setBreakpoints', { source: { path: fixture('touch.vmm') }, breakpoints: [{ line: 7 }] });
    await c.stopAfter('continue');
    const targets = await c.request<DebugProtocol.StepInTargetsResponse>('stepInTargets', { frameId: 0 });
    assert.match(targets.body.targets[0].label, /^page fault handler: read8\(0x10000\)/);
    await c.stopAfter('stepIn');
    const seen: string[] = [];
    let inScript = false;
    for (let i = 0; i < 400 && !inScript; i++) {
      const frames = await c.frames();
      if (frames[0].source?.sourceReference) {
        seen.push(frames[0].name);
        const src = await c.request<DebugProtocol.SourceResponse>('source', { sourceReference: frames[0].source.sourceReference });
        assert.ok(src.body.content.split('\n').length >= frames[0].line, 'the listing has the current step line');
        await c.stopAfter('next');
      } else inScript = true;
    }
    assert.ok(inScript, 'back in the script');
    assert.equal((await c.topFrame()).line, 8);
    for (const r of ['KiPageFault', 'MmAccessFault', 'MiDispatchFault', 'MiResolveDemandZeroFault', 'MiInitializePfn', 'MiAllocateWsle']) assert.ok(seen.includes(r), `walked through ${r}`);
    // step out of a fault finishes it
    await c.request('setBreakpoints', { source: { path: fixture('touch.vmm') }, breakpoints: [{ line: 8 }] });
    const c2 = new InProcessClient();
    await c2.start(fixture('touch.vmm'));
    await c2.request('setBreakpoints', { source: { path: fixture('touch.vmm') }, breakpoints: [{ line: 7 }] });
    await c2.stopAfter('continue');
    await c2.stopAfter('stepIn');
    await c2.stopAfter('next');
    const out = await c2.stopAfter('stepOut');
    assert.equal(out.body.reason, 'step');
    assert.equal((await c2.frames()).length, 1);
    assert.equal((await c2.topFrame()).line, 8);
    await c.close();
    await c2.close();
  });

  it('pause stops in the middle of while true { } with a big step budget', async () => {
    const c = new InProcessClient();
    await c.start(fixture('loop.vmm'), { stepBudget: 1e12 });
    await c.request('continue', { threadId: 1 });
    await new Promise((r) => setTimeout(r, 150));
    const s = await c.stopAfter('pause');
    assert.equal(s.body.reason, 'pause');
    const line = (await c.topFrame()).line;
    assert.ok(line === 3 || line === 4, `stopped in the loop (line ${line})`);
    const i = Number((await c.evaluate('i', 'watch')).body.result);
    assert.ok(i > 100, `the loop ran (${i})`);
    // a pause while stopped does nothing, and the next step is a normal step
    await c.request('pause', { threadId: 1 });
    const n = await c.stopAfter('next');
    assert.equal(n.body.reason, 'step');
    await c.close();
  });

  it('restart reloads the scenario, keeps breakpoints and resets hit counts', async () => {
    const c = new InProcessClient();
    await c.start(fixture('touch.vmm'));
    await c.request('setBreakpoints', { source: { path: fixture('touch.vmm') }, breakpoints: [{ line: 5, hitCondition: '== 2' }] });
    await c.request('setDataBreakpoints', { breakpoints: [{ dataId: 'pte:1:16' }] });
    const s = await c.stopAfter('continue');
    assert.equal(s.body.reason, 'breakpoint');
    assert.equal((await c.evaluate('i', 'watch')).body.result, '2');
    const stopped = c.event<DebugProtocol.StoppedEvent>('stopped');
    const r = await c.request('restart', { arguments: { program: fixture('touch.vmm'), stopOnEntry: true } });
    assert.ok(r.success, r.message);
    assert.equal((await stopped).body.reason, 'entry');
    assert.equal((await c.topFrame()).line, 2);
    assert.equal((await c.evaluate('p', 'watch')).success, false, 'p is not declared yet');
    const again = await c.stopAfter('continue');
    assert.equal(again.body.reason, 'breakpoint');
    assert.equal((await c.evaluate('i', 'watch')).body.result, '2', 'the hit count started over');
    const hit = await c.stopAfter('continue');
    assert.equal(hit.body.reason, 'data breakpoint', 'the data breakpoint survived the restart');
    assert.match(hit.body.description!, /^PTE of 0x10000 \(main\): .* by page fault$/);
    await c.close();
  });

  it('terminate ends a running scenario: exited and terminated, then no stop', async () => {
    const c = new InProcessClient();
    await c.start(fixture('loop.vmm'), { stepBudget: 1e12 });
    await c.request('continue', { threadId: 1 });
    await new Promise((r) => setTimeout(r, 50));
    const exited = c.event<DebugProtocol.ExitedEvent>('exited');
    const terminated = c.event('terminated');
    const r = await c.request('terminate', {});
    assert.ok(r.success);
    assert.equal((await exited).body.exitCode, 0);
    await terminated;
    await new Promise((res) => setTimeout(res, 100));
    const after = c.transcript.slice(c.transcript.findIndex((m) => m.event === 'terminated') + 1);
    assert.ok(!after.some((m) => m.event === 'stopped'), 'no stop after termination');
    assert.ok((await c.request('threads')).success, 'threads still answers');
    await c.close();
  });

  it('noDebug runs to the end without stopping and exits', async () => {
    const c = new InProcessClient();
    await c.request('initialize', { adapterID: 'vmm' });
    await c.request('setBreakpoints', { source: { path: fixture('touch.vmm') }, breakpoints: [{ line: 5 }] });
    const terminated = c.event('terminated');
    const launched = c.request('launch', { program: fixture('touch.vmm'), noDebug: true });
    await c.request('configurationDone');
    assert.ok((await launched).success);
    await terminated;
    const out = c.transcript.filter((m) => m.event === 'output').map((m) => (m.body as DebugProtocol.OutputEvent['body']).output);
    assert.deepEqual(out, ['total 10 x 0\n', 'released\n']);
    assert.ok(!c.transcript.some((m) => m.event === 'stopped'));
    assert.equal((c.transcript.find((m) => m.event === 'exited')!.body as { exitCode: number }).exitCode, 0);
  });

  it('narration goes to the console, guest output to stdout', async () => {
    const c = new InProcessClient();
    await c.request('initialize', { adapterID: 'vmm', pathFormat: 'path' });
    const terminated = c.event('terminated');
    const launched = c.request('launch', { program: fixture('touch.vmm'), narrate: true, stopOnEntry: false });
    await c.request('configurationDone');
    assert.ok((await launched).success);
    await terminated;
    const outs = c.transcript.filter((m) => m.event === 'output').map((m) => m.body as DebugProtocol.OutputEvent['body']);
    assert.ok(outs.some((o) => o.category === 'console' && /demand-zero/i.test(o.output)), 'narration lines');
    assert.ok(outs.some((o) => o.category === 'stdout' && o.output === 'released\n'));
  });

  it('one thread per process; another process shows its Process scope', async () => {
    const c = new InProcessClient();
    await c.start(fixture('processes.vmm'));
    await c.stopAfter('next');
    const threads = (await c.request<DebugProtocol.ThreadsResponse>('threads')).body.threads;
    assert.equal(threads.length, 2);
    assert.match(threads[0].name, /^main \(pid \d+\)$/);
    assert.match(threads[1].name, /^child \(pid \d+\)$/);
    const st = await c.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: threads[1].id });
    assert.equal(st.body.stackFrames[0].presentationHint, 'label');
    const scopes = await c.scopes(st.body.stackFrames[0].id);
    assert.equal(scopes.length, 1);
    assert.match(scopes[0].name, /^Process child/);
    const vars = await c.variables(scopes[0].variablesReference);
    assert.deepEqual(vars.map((v) => v.name), ['VADs', 'Working set', 'Page tables', 'Commit', 'Faults']);
    await c.close();
  });

  it('scopes: Locals first, expensive Process and Machine; unique names; evaluateName on PTE/PFN/counter rows', async () => {
    const c = new InProcessClient();
    await c.start(fixture('touch.vmm'));
    await c.request('setBreakpoints', { source: { path: fixture('touch.vmm') }, breakpoints: [{ line: 9 }] });
    await c.stopAfter('continue');
    const scopes = await c.scopes(0);
    assert.deepEqual(scopes.map((s) => [s.name.split(' ')[0], s.expensive]), [['Locals', false], ['CPU/MMU', false], ['Process', true], ['Machine', true]]);
    const checkUnique = (vars: DebugProtocol.Variable[]) => assert.equal(new Set(vars.map((v) => v.name)).size, vars.length, vars.map((v) => v.name).join(', '));
    const locals = await c.variables(scopes[0].variablesReference);
    checkUnique(locals);
    const p = locals.find((v) => v.name === 'p')!;
    assert.equal(p.memoryReference, 'va:1:0x10000');
    const tr = await c.variables(p.variablesReference);
    assert.deepEqual(tr.map((v) => v.name).slice(1, 5), ['PXE', 'PPE', 'PDE', 'PTE']);
    const machine = await c.variables(scopes[3].variablesReference);
    checkUnique(machine);
    assert.deepEqual(machine.map((v) => v.name), ['Page lists', 'Commit', 'Counters', 'Performance counters', 'Paging files', 'PFN database', 'clock']);
    const files = await c.variables(machine.find((v) => v.name === 'Paging files')!.variablesReference);
    assert.match(files[0].name, /^\[0\] .*pagefile\.sys$/);
    const fileFields = await c.variables(files[0].variablesReference);
    assert.ok(fileFields.some((v) => v.name === 'FreeSpace'));
    const lists = await c.variables(machine[0].variablesReference);
    checkUnique(lists);
    const zeroed = lists.find((v) => v.name === 'Zeroed')!;
    assert.equal(zeroed.evaluateName, 'lists().zeroed');
    const members = await c.variables(zeroed.variablesReference, { filter: 'indexed', start: 0, count: 3 });
    assert.equal(members.length, 3);
    assert.match(members[0].evaluateName!, /^pfn\(0x[0-9a-f]+\)$/);
    const pfnFields = await c.variables(members[0].variablesReference);
    assert.ok(pfnFields.some((v) => v.name === 'PteAddress'));
    const counters = await c.variables(machine.find((v) => v.name === 'Counters')!.variablesReference);
    for (const v of counters) {
      const r = await c.evaluate(v.evaluateName!, 'watch');
      assert.ok(r.success, `${v.evaluateName}: ${r.message}`);
    }
    // the WSLE rows decode into fields and the page's PTE
    const proc = await c.variables(scopes[2].variablesReference);
    const ws = await c.variables(proc.find((v) => v.name === 'Working set')!.variablesReference);
    const wsle = ws.find((v) => v.name === 'Wsle')!;
    const entries = await c.variables(wsle.variablesReference, { filter: 'indexed', start: 0, count: 12 });
    const data = entries.find((v) => / VA 0x00000000`00010000 /.test(v.value))!;
    const fields = await c.variables(data.variablesReference);
    assert.deepEqual(fields.map((v) => v.name), ['raw', 'VirtualAddress', 'Valid', 'Hashed', 'Direct', 'Protection', 'Age', 'Locked', 'PTE']);
    assert.equal(fields[8].evaluateName, 'pte(0x10000)');
    await c.close();
  });

  it('format.hex on variables and evaluate; the hex toggle invalidates the views', async () => {
    const c = new InProcessClient();
    await c.start(fixture('touch.vmm'));
    await c.request('setBreakpoints', { source: { path: fixture('touch.vmm') }, breakpoints: [{ line: 9 }] });
    await c.stopAfter('continue');
    const cpu = await c.scope('CPU/MMU');
    const dec = await c.variables(cpu.variablesReference);
    const hex = await c.variables(cpu.variablesReference, { format: { hex: true } });
    assert.match(dec.find((v) => v.name === 'TLB misses')!.value, /^\d+$/);
    assert.match(hex.find((v) => v.name === 'TLB misses')!.value, /^0x[0-9a-f]+$/);
    assert.match((await c.variables(cpu.variablesReference)).find((v) => v.name === 'TLB misses')!.value, /^\d+$/, 'the session format is unchanged');
    const e = await c.request<DebugProtocol.EvaluateResponse>('evaluate', { expression: 'total', context: 'watch', format: { hex: true } });
    assert.equal(e.body.result, '0xa');
    const inv = c.event('invalidated');
    await c.request('vmm/setFormat', { hex: true });
    assert.deepEqual((await inv).body, { areas: ['variables'] });
    await c.close();
  });

  it('the PFN database of a 16 GB machine (launch override) opens instantly (paged)', async () => {
    const c = withText('machine { ram = 64M }\nlet a = 1\nprint a');
    await c.start(PROGRAM, { machine: { ram: '16G', pagefile: '2G' } });
    const machine = await c.scope('Machine');
    const t0 = performance.now();
    const db = await c.child(machine.variablesReference, 'PFN database');
    assert.equal(db.indexedVariables, 4 * 1024 * 1024);
    const last = await c.variables(db.variablesReference, { filter: 'indexed', start: 4 * 1024 * 1024 - 100, count: 100 });
    assert.equal(last.length, 100);
    const named = await c.variables(db.variablesReference, { filter: 'named' });
    assert.equal(named.length, 0);
    assert.ok(performance.now() - t0 < 1000, 'fast');
    const beyond = await c.variables(db.variablesReference, { filter: 'indexed', start: 5 * 1024 * 1024, count: 10 });
    assert.equal(beyond.length, 0);
    const files = await c.child(machine.variablesReference, 'Paging files');
    assert.equal(files.value, '1 file, 524288 pages', 'machine.pagefile = 2G');
    await c.close();
  });

  it('memory events after a stop for referenced pages that changed; writeMemory invalidates', async () => {
    const c = new InProcessClient();
    await c.start(fixture('touch.vmm'));
    await c.request('setBreakpoints', { source: { path: fixture('touch.vmm') }, breakpoints: [{ line: 7 }, { line: 8 }, { line: 9 }] });
    await c.stopAfter('continue');
    const ref = (await c.evaluate('p', 'watch')).body.memoryReference!;
    const before = await c.request<DebugProtocol.ReadMemoryResponse>('readMemory', { memoryReference: ref, count: 4 });
    assert.equal(before.body?.unreadableBytes, 4, 'not resident before the first touch');
    const mem = c.event<DebugProtocol.MemoryEvent>('memory');
    await c.stopAfter('continue');
    assert.deepEqual((await mem).body, { memoryReference: ref, offset: 0, count: 4096 }, 'the page was faulted in');
    const mem2 = c.event<DebugProtocol.MemoryEvent>('memory');
    await c.stopAfter('continue');
    assert.equal((await mem2).body.memoryReference, ref, 'the write changed the page');
    const inv = c.event('invalidated');
    const w = await c.request<DebugProtocol.WriteMemoryResponse>('writeMemory', { memoryReference: ref, offset: 2, data: Buffer.from([0xab, 0xcd]).toString('base64') });
    assert.equal(w.body!.bytesWritten, 2);
    await inv;
    const after = await c.request<DebugProtocol.ReadMemoryResponse>('readMemory', { memoryReference: ref, count: 4 });
    assert.deepEqual([...Buffer.from(after.body!.data!, 'base64')], [0, 7, 0xab, 0xcd]);
    const partial = await c.request('writeMemory', { memoryReference: ref, offset: 4095, data: Buffer.from([1, 2]).toString('base64') });
    assert.equal(partial.success, false);
    await c.close();
  });

  it('breakpoints set before the launch are verified by it; other files stay unverified', async () => {
    const c = new InProcessClient();
    await c.request('initialize', { adapterID: 'vmm' });
    const early = await c.request<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', { source: { path: fixture('touch.vmm') }, breakpoints: [{ line: 6 }] });
    assert.equal(early.body.breakpoints[0].verified, false);
    const other = await c.request<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', { source: { path: fixture('av.vmm') }, breakpoints: [{ line: 4 }] });
    const changed = c.event<DebugProtocol.BreakpointEvent>('breakpoint');
    const stopped = c.event<DebugProtocol.StoppedEvent>('stopped');
    const launched = c.request('launch', { program: fixture('touch.vmm'), stopOnEntry: false });
    const ev = await changed;
    assert.equal(ev.body.breakpoint.id, early.body.breakpoints[0].id);
    assert.equal(ev.body.breakpoint.verified, true);
    assert.equal(ev.body.breakpoint.line, 7, 'snapped to the next statement');
    await c.request('configurationDone');
    await launched;
    assert.equal((await stopped).body.reason, 'breakpoint');
    assert.equal((await c.topFrame()).line, 7);
    const otherNow = c.transcript.filter((m) => m.event === 'breakpoint').map((m) => (m.body as DebugProtocol.BreakpointEvent['body']).breakpoint);
    assert.ok(otherNow.some((b) => b.id === other.body.breakpoints[0].id && b.verified === false));
    await c.close();
  });

  it('exception filters: conditions by address range and process; the console does not report its own faults', async () => {
    const c = new InProcessClient();
    await c.start(fixture('av.vmm'), {}, async () => {
      const r = await c.request<DebugProtocol.SetExceptionBreakpointsResponse>('setExceptionBreakpoints', {
        filters: ['demandZero'],
        filterOptions: [{ filterId: 'accessViolation', condition: 'process == "other"' }, { filterId: 'guardPage', condition: 'nonsense' }],
      });
      assert.equal(r.body!.breakpoints!.filter((b) => !b.verified).length, 1);
    });
    const s = await c.stopAfter('continue');
    assert.equal(s.body.reason, 'exception', 'the access violation of another process was skipped; the demand-zero fault stops');
    assert.match(s.body.description!, /^demand-zero fault at 0x20000 \(write\)$/);
    const info = await c.request<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: 1 });
    assert.match(info.body.details!.message!, /resolver decisions:\n {2}1\. KiPageFault: trap\n/);
    assert.match(info.body.details!.message!, /MiResolveDemandZeroFault: take a physical page/);
    await c.stopAfter('stepOut');
    await c.request('setExceptionBreakpoints', { filters: ['accessViolation'] });
    const r = await c.evaluate('read8(0x100)', 'repl');
    assert.equal(r.success, false);
    const next = await c.stopAfter('next');
    assert.equal(next.body.reason, 'step', 'the console access violation is not reported as the program\'s');
    await c.close();
  });

  it('a change made from the Debug Console is reported as output, not as a stop', async () => {
    const c = withText(['let p = VirtualAlloc(0, 64K, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE)', 'write8(p, 1)', 'let k = 1', 'let j = 2'].join('\n'));
    await c.start(PROGRAM);
    await c.request('setBreakpoints', { source: { path: PROGRAM }, breakpoints: [{ line: 3 }] });
    await c.stopAfter('continue');
    await c.request('setDataBreakpoints', { breakpoints: [{ dataId: `pte:${machineOf(c).current.index}:16` }] });
    const inv = c.event('invalidated');
    const out = c.event<DebugProtocol.OutputEvent>('output');
    const r = await c.evaluate('SetProcessWorkingSetSize(GetCurrentProcess(), -1, -1)', 'repl');
    assert.ok(r.success, r.message);
    assert.match((await out).body.output, /^data breakpoint: PTE of 0x10000 \(main\): Valid 1→0.* by working-set trim \(from the debugger; not stopping\)\n$/);
    await inv;
    const n = await c.stopAfter('next');
    assert.equal(n.body.reason, 'step');
    const trim = await c.request('vmm/trimWorkingSet', {});
    assert.ok(trim.success, trim.message);
    await c.close();
  });

  it('completions offer built-ins, variables and constants', async () => {
    const c = new InProcessClient();
    await c.start(fixture('touch.vmm'));
    await c.stopAfter('next');
    const r = await c.request<DebugProtocol.CompletionsResponse>('completions', { text: 'VirtualF', column: 9 });
    assert.ok(r.body.targets.some((t) => t.label === 'VirtualFree' && t.type === 'function'));
    const v = await c.request<DebugProtocol.CompletionsResponse>('completions', { text: 'print p', column: 8, frameId: 0 });
    assert.ok(v.body.targets.some((t) => t.label === 'p' && t.type === 'variable'));
    const k = await c.request<DebugProtocol.CompletionsResponse>('completions', { text: 'MEM_RE', column: 7 });
    assert.ok(k.body.targets.some((t) => t.label === 'MEM_RESERVE'));
    await c.close();
  });
});
