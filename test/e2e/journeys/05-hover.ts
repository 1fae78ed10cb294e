// Journey 5: hovering an address variable while paused shows its translation: "not resident"
// before the first touch, "VA … → PA …" after it. The hovered address is also the one the Page
// Walk view walks.

import assert from 'node:assert/strict';
import type { Journey } from '../journey';

const journey: Journey = {
  name: 'hover-translates-an-address',
  folder: 'samples',
  async run(h) {
    await h.startDebugging('01-first-touch.vmm');
    await h.setPanes({ Watch: false, Breakpoints: false, 'Page Walk': true });
    await h.debugKey('F10'); // p = VirtualAlloc(...): committed, nothing resident yet
    const before = await h.hover('p', { line: /^let p = VirtualAlloc/ });
    assert.match(before, /VA 0x00000000`00010000: not resident/);
    assert.match(before, /demand-zero/i);
    await h.waitForViewRow('Page Walk', /^not resident .*demand-zero/);
    await h.screenshot('01-hover-not-resident');
    await h.page.keyboard.press('Escape');

    await h.toggleBreakpoint('e', { line: /^let e = pte\(p\)/ });
    await h.debugKey('F5', /\b25:1\b/);
    const after = await h.hover('p', { line: /^let x = read8\(p\)/ });
    assert.match(after, /VA 0x00000000`00010000 → PA 0x[0-9a-f]+000\b/);
    assert.match(after, /PTE\s*=\s*0x[0-9a-f]{8}`[0-9a-f]{8}\s+valid/, 'the walk is in the hover');
    await h.waitForViewRow('Page Walk', /^PA 0x[0-9a-f]+ resident$/);
    await h.screenshot('02-hover-resident');
  },
};

export default journey;
