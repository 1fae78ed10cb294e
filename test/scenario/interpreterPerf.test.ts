/**
 * Speed of the interpreter at full speed: a scenario touching 100,000 pages and a loop of 100,000
 * guest writes must not pay for the stepping machinery. Limits are generous (shared CI machines);
 * the measured times are printed.
 */
import { strict as assert } from 'node:assert';
import { createScenario } from '../../src/scenario/setup';

function timed(text: string): { ms: number; reason: string } {
  const s = createScenario(text, 'perf.vmm', {}, { output: () => {} });
  assert.ok(s.run, s.diagnostics.map((d) => d.message).join('\n'));
  const t0 = process.hrtime.bigint();
  const r = s.run.resume();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.equal(r.reason, 'end', r.error?.text);
  return { ms, reason: r.reason };
}

describe('scenario interpreter speed', function () {
  this.timeout(60_000);

  before(() => {
    // warm the JIT up
    timed('let p = VirtualAlloc(0, 4M, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)\ntouch(p, 4M)\nfor i in 0..20000 { write8(p + (i % 1024) * 4096, i) }');
  });

  it('touch(base, 400M) over a 100k-page region', () => {
    const { ms } = timed('let p = VirtualAlloc(0, 400M, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)\ntouch(p, 400M)\nassert ws().size > 100000');
    console.log(`      touch 400M: ${ms.toFixed(0)} ms`);
    assert.ok(ms < 3000, `${ms} ms`);
  });

  it('a for loop of 100k iterations calling write8 (resident pages: the interpreter\'s own cost)', () => {
    const { ms } = timed('let p = VirtualAlloc(0, 1M, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)\ntouch(p, 1M)\nfor i in 0..100000 { write8(p + (i & 0xfffff), i) }');
    console.log(`      100k write8: ${ms.toFixed(0)} ms`);
    assert.ok(ms < 1500, `${ms} ms`);
  });

  it('a for loop of 100k iterations calling write8 on 100k fresh pages (100k demand-zero faults)', () => {
    const { ms } = timed('let p = VirtualAlloc(0, 400M, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)\nfor i in 0..100000 { write8(p + i * 4096, 1) }');
    console.log(`      100k write8 + faults: ${ms.toFixed(0)} ms`);
    assert.ok(ms < 5000, `${ms} ms`);
  });
});
