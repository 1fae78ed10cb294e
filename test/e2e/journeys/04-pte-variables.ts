// Journey 4: the Variables view decodes a PTE. Step into `write8(r, 0x41)` in sample 02 (the page
// is committed, never touched): the Fault context scope has a "PTE now" row whose value is the
// raw PTE and its meaning, and whose children are the decoded fields of the demand-zero format.

import assert from 'node:assert/strict';
import type { Journey } from '../journey';
import { continueToLine } from '../steps';

const journey: Journey = {
  name: 'variables-decode-a-pte',
  folder: 'samples',
  async run(h) {
    await h.startDebugging('02-reserve-commit-decommit-release.vmm');
    await h.toggleBreakpoint('write8', { line: /^write8\(r, 0x41\)/ });
    await continueToLine(h, 30);
    await h.debugKey('F11', /KiPageFault/);

    // room for the Variables view
    await h.setPanes({ Variables: true, Watch: false, 'Call Stack': false, Breakpoints: false });
    const pte = await h.variableRow('PTE now, value', 2);
    assert.match((await pte.getAttribute('aria-label'))!, /^PTE now, value 0x00000000`00000080\s+demand-zero, ReadWrite$/);
    await h.expandVariable('PTE now, value', 2);
    const labels = await h.variableLabels(3); // the PTE's children
    const child = (name: string) => labels.find((l) => l.startsWith(`${name}, value `));
    assert.equal(child('raw'), 'raw, value 0x00000000`00000080');
    assert.equal(child('kind'), 'kind, value demandZero');
    assert.equal(child('valid'), 'valid, value false');
    assert.equal(child('protection'), 'protection, value 4 (ReadWrite)');
    assert.match(child('address') ?? '', /^address, value 0xfffff680`00000080$/, 'the PTE of 0x10000 in the self-map');
    await h.screenshot('01-pte-now-decoded');
  },
};

export default journey;
