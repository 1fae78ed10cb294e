// Journey 7: a data breakpoint on a PTE. In sample 02, step into `write8(r, 0x41)`, right-click
// the Fault context's "PTE now" row and choose "Break on Value Change"; continuing then stops
// when the fault handler makes the PTE valid, and again when VirtualFree(MEM_DECOMMIT) writes
// 0x200 into it.

import assert from 'node:assert/strict';
import type { Journey } from '../journey';
import { continueToLine, stopReason } from '../steps';

const journey: Journey = {
  name: 'data-breakpoint-on-a-pte',
  folder: 'samples',
  async run(h) {
    await h.startDebugging('02-reserve-commit-decommit-release.vmm');
    await h.toggleBreakpoint('write8', { line: /^write8\(r, 0x41\)/ });
    await continueToLine(h, 30);
    await h.debugKey('F11', /KiPageFault/);

    await h.setPanes({ Variables: true, Watch: false, 'Call Stack': false, Breakpoints: false });
    const pte = await h.variableRow('PTE now, value', 2);
    const items = await h.contextMenu(pte);
    assert.ok(items.includes('Break on Value Change'), `context menu: ${items.join(' | ')}`);
    await h.chooseMenuItem('Break on Value Change');

    await h.setPanes({ Variables: true, 'Call Stack': true, Breakpoints: true });
    await h.waitForText(/PTE of 0x10000 \(main\)/, 10_000, '.debug-breakpoints');
    await h.screenshot('01-data-breakpoint-set');

    // 1st change: the demand-zero fault writes a valid PTE
    await h.debugKey('F5');
    assert.match(await stopReason(h), /PTE of 0x10000/);
    await h.screenshot('02-stopped-pte-valid');

    // 2nd change: VirtualFree(r, 4K, MEM_DECOMMIT) writes 0x200
    await h.debugKey('F5');
    const reason = await stopReason(h);
    assert.match(reason, /PTE of 0x10000/);
    const line = (await h.topFrameLine())?.line;
    assert.ok(line === 34 || line === 35, `stopped at the VirtualFree line or just after it (line ${line}); ${reason}`);
    assert.equal(await h.editorStopLine(), line);
    await h.screenshot('03-stopped-pte-decommitted');
  },
};

export default journey;
