// Journey 6: the five VMM Lab views of Run and Debug render rows and follow the session: the
// Address Space's VAD, the Working Set, the page lists (Standby by priority), the Fault Log, and
// the Page Walk of the fault the user selects or of an address typed with "Enter Address…". A row
// the user expanded stays expanded when the session stops again.

import assert from 'node:assert/strict';
import type { Journey } from '../journey';
import { SELECTORS, type Harness } from '../harness';
import { eventually } from '../steps';

const VIEWS = ['Address Space', 'Working Set', 'Physical Memory', 'Page Walk', 'Fault Log'];

/** Gives the side bar to some of the five views (the others and the debug panes collapsed), as a user would to read them. */
async function show(h: Harness, ...views: string[]): Promise<void> {
  await h.setPanes({ Variables: false, Watch: false, 'Call Stack': false, Breakpoints: false, ...Object.fromEntries(VIEWS.map((v) => [v, views.includes(v)])) });
}

const journey: Journey = {
  name: 'tree-views-follow-the-session',
  folder: 'samples',
  async run(h) {
    await h.startDebugging('01-first-touch.vmm');
    await h.toggleBreakpoint('e', { line: /^let e = pte\(p\)/ });

    // On entry: nothing allocated, nothing faulted.
    await show(h, 'Address Space', 'Fault Log');
    await eventually('the Address Space on entry', () => h.pane('Address Space').innerText(), (t) => /No VADs/.test(t));
    await eventually('the Fault Log on entry', () => h.pane('Fault Log').innerText(), (t) => /No page faults yet/.test(t));
    await show(h, 'Physical Memory');
    const zeroedAtEntry = await h.waitForViewRow('Physical Memory', /^Zeroed [\d,]+ pages/);
    // the user opens "Commit": it must stay open across stops
    await h.viewRow('Physical Memory', /^Commit$/).click();
    await h.page.keyboard.press('ArrowRight');
    await h.waitForViewRow('Physical Memory', /^charge [\d,]+ pages/);
    await h.screenshot('01-physical-memory-on-entry');

    await h.setPanes({ 'Call Stack': true });
    await h.debugKey('F5', /\b25:1\b/);

    // Address Space: the one VAD, as the root of the tree
    await show(h, 'Address Space');
    await h.waitForViewRow('Address Space', /^0x10000-0x1ffff Private READWRITE commit 16 level 0/);
    // Working Set: the header and the data page
    await show(h, 'Working Set');
    await h.waitForViewRow('Working Set', /^Size \d+ pages \(\d+ KB\) peak \d+ · min \d+ · max \d+/);
    await h.waitForViewRow('Working Set', /^\[\d+\] 0x10000 data · age \d+/);
    // Physical Memory: refreshed (pages left the Zeroed list), Standby by priority, Commit still open
    await show(h, 'Physical Memory');
    const zeroedNow = await eventually('the Zeroed row after the stop', () => h.waitForViewRow('Physical Memory', /^Zeroed /), (r) => r !== zeroedAtEntry);
    assert.notEqual(zeroedNow, zeroedAtEntry);
    await h.waitForViewRow('Physical Memory', /^priority 5 \d+ pages?$/);
    await h.waitForViewRow('Physical Memory', /^charge [\d,]+ pages/);
    await h.screenshot('02-physical-memory-at-line-25');
    // Fault Log: the demand-zero fault of `read8(p)`
    await show(h, 'Fault Log', 'Page Walk');
    await h.waitForViewRow('Fault Log', /^0x10000 read demand-zero · resolved$/);

    // Selecting the fault walks its address in the Page Walk
    await h.viewRow('Fault Log', /^0x10000 read$/).click();
    await h.waitForViewRow('Page Walk', /^VA 0x10000 PML4 0 · PDPT 0 · PD 0 · PT 16 · offset 0x0$/);
    await h.waitForViewRow('Page Walk', /^PTE \[16\] 0x[0-9a-f]{8}`[0-9a-f]{8} valid/);
    await h.waitForViewRow('Page Walk', /^PA 0x[0-9a-f]+ resident$/);
    await h.screenshot('03-fault-log-and-page-walk');

    // "Enter Address…" (the Page Walk's title-bar button, here from the palette)
    await h.runCommand('VMM Lab: Page Walk: Enter Address…');
    await h.typeInQuickInput('0x30000');
    await h.page.locator(SELECTORS.quickInputBox).press('Enter');
    await h.waitForViewRow('Page Walk', /^VA 0x30000 /);
    await h.waitForViewRow('Page Walk', /^not resident .*(no VAD|free)/i);

    // all five at once
    await show(h, ...VIEWS);
    await h.screenshot('04-all-five-views');
  },
};

export default journey;
