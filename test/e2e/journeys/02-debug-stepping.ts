// Journey 2: F5 on a scenario with no launch.json stops on entry, and Step Over (F10) moves the
// current statement: the Call Stack's position, the editor's highlighted line and the cursor
// follow it.

import assert from 'node:assert/strict';
import type { Journey } from '../journey';
import { eventually, stopReason } from '../steps';

const journey: Journey = {
  name: 'f5-stops-on-entry-and-steps',
  folder: 'samples',
  async run(h) {
    await h.startDebugging('01-first-touch.vmm');
    assert.match(await stopReason(h), /Paused on entry/i);
    // the first statement: `let p = VirtualAlloc(...)` on line 11 (the lines above are comments)
    assert.deepEqual(await h.topFrameLine(), { line: 11, col: 1 });
    assert.equal(await h.editorStopLine(), 11);
    await h.screenshot('01-paused-on-entry');

    await h.debugKey('F10');
    assert.deepEqual(await h.topFrameLine(), { line: 12, col: 1 });
    assert.equal(await h.editorStopLine(), 12);
    assert.equal(await h.cursorLine(), 12);
    assert.match(await stopReason(h), /Paused after step|step/i);
    // `p` now has a value in Locals
    await eventually('Locals after the step', () => h.variableLabels(2), (ls) => ls.includes('p, value 0x10000'));

    await h.debugKey('F10');
    await h.debugKey('F10');
    assert.equal((await h.topFrameLine())?.line, 15, 'F10 twice more: past both asserts, onto `let v = vad(p)`');
    assert.equal(await h.editorStopLine(), 15);
    await h.screenshot('02-after-three-steps');
  },
};

export default journey;
