import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import { InProcessClient } from './inProcessClient';

const sample = (name: string) => resolve(__dirname, '../../samples', name);

describe('debug adapter: launch, stepping, inspection', () => {
  it('stops on entry at the first statement and steps line by line', async () => {
    const c = new InProcessClient();
    const stop = await c.start(sample('01-first-touch.vmm'));
    assert.equal(stop.body.reason, 'entry');
    const f0 = await c.topFrame();
    assert.equal(f0.line, 11);
    await c.stopAfter('next');
    assert.equal((await c.topFrame()).line, 12);
  });

  it('step into a faulting statement shows kernel frames and returns to the script', async () => {
    const c = new InProcessClient();
    await c.start(sample('01-first-touch.vmm'));
    await c.request('setBreakpoints', { source: { path: sample('01-first-touch.vmm') }, breakpoints: [{ line: 22 }] });
    const hit = await c.stopAfter('continue');
    assert.equal(hit.body.reason, 'breakpoint');
    assert.equal((await c.topFrame()).line, 22);
    const s = await c.stopAfter('stepIn');
    assert.equal(s.body.reason, 'step');
    const frames = await c.frames();
    assert.deepEqual(frames.slice(0, 1).map((f) => f.name), ['KiPageFault']);
    assert.ok(frames.some((f) => f.source?.sourceReference), 'kernel frames have generated sources');
    // walk the fault step by step until we are back in the script
    let names: string[] = [];
    for (let i = 0; i < 60; i++) {
      await c.stopAfter('next');
      names = (await c.frames()).map((f) => f.name);
      if (!names.includes('KiPageFault')) break;
      if (names.includes('MiResolveDemandZeroFault')) assert.ok(names.indexOf('MiResolveDemandZeroFault') < names.indexOf('MmAccessFault'));
    }
    assert.ok(!names.includes('KiPageFault'));
    assert.equal((await c.topFrame()).line, 23);
  });

  it('hover of an address translates it without side effects', async () => {
    const c = new InProcessClient();
    await c.start(sample('01-first-touch.vmm'));
    await c.request('setBreakpoints', { source: { path: sample('01-first-touch.vmm') }, breakpoints: [{ line: 23 }] });
    await c.stopAfter('continue');
    const seq = c.session['runtime'].machine.journal.nextSeq;
    const r = await c.evaluate('p', 'hover');
    assert.ok(r.success, r.message);
    assert.match(r.body.result, /VA 0x00000000`00010000 → PA 0x/);
    const walk = await c.variables(r.body.variablesReference);
    assert.deepEqual(walk.map((v) => v.name).slice(1, 5), ['PXE', 'PPE', 'PDE', 'PTE']);
    const r2 = await c.evaluate('p + 64K', 'hover');
    assert.match(r2.body.result, /not resident/);
    assert.equal(c.session['runtime'].machine.journal.nextSeq, seq, 'the journal did not move');
  });
});
