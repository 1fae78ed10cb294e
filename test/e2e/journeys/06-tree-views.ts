// Journey 6: the five VMM Lab views of Run and Debug render rows and follow the session: the
// Address Space's VAD, the Working Set, the page lists (Standby by priority), the Fault Log, and
// the Page Walk of the fault the user selects or of an address typed with "Enter Address…". Rows
// the user expanded stay expanded when the session stops again.

import assert from 'node:assert/strict';
import type { Journey } from '../journey';
import { eventually } from '../steps';

const VIEWS = ['Address Space', 'Working Set', 'Physical Memory', 'Page Walk', 'Fault Log'];

const journey: Journey = {
  name: 'tree-views-follow-the-session',
  folder: 'samples',
  async run(h) {
    await h.startDebugging('01-first-touch.vmm');
    await h.toggleBreakpoint('e', { line: /^let e = pte\(p\)/ });
    // the five views get the side bar
    await h.setPanes({ Variables: false, Watch: false, 'Call Stack': false, Breakpoints: false, ...Object.fromEntries(VIEWS.map((v) => [v, true])) });

    // On entry: nothing allocated, nothing faulted.
    await eventually('the Fault Log on entry', () => h.pane('Fault Log').innerText(), (t) => /No page faults yet/.test(t));
    await h.focusView('Physical Memory');
    const zeroedAtEntry = await h.waitForViewRow('Physical Memory', /^Zeroed [\d,]+ pages/);
    // the user opens "Commit": it must stay open across stops
    const commit = h.viewRow('Physical Memory', /^Commit /);
    await commit.click();
    await h.page.keyboard.press('ArrowRight');
    await h.waitForViewRow('Physical Memory', /^charge [\d,]+ pages/);
    await h.screenshot('01-on-entry');

    await h.debugKey('F5', /\b25:1\b/);

    // Address Space: the one VAD, as the root of the tree
    await h.focusView('Address Space');
    await h.waitForViewRow('Address Space', /^0x10000-0x1ffff Private READWRITE commit 16 level 0/);
    // Working Set: the header and the data page
    await h.focusView('Working Set');
    await h.waitForViewRow('Working Set', /^Size \d+ pages \(\d+ KB\) peak \d+ · min \d+ · max \d+/);
    await h.waitForViewRow('Working Set', /^\[\d+\] 0x10000 data · age \d+/);
    // Physical Memory: refreshed (five pages left the Zeroed list), Standby by priority, Commit still open
    const zeroedNow = await eventually('the Zeroed row after the stop', () => h.waitForViewRow('Physical Memory', /^Zeroed /), (r) => r !== zeroedAtEntry);
    assert.notEqual(zeroedNow, zeroedAtEntry);
    await h.waitForViewRow('Physical Memory', /^priority 5 \d+ pages?$/);
    await h.waitForViewRow('Physical Memory', /^charge [\d,]+ pages/);
    // Fault Log: the demand-zero fault of `read8(p)`
    await h.focusView('Fault Log');
    await h.waitForViewRow('Fault Log', /^0x10000 read demand-zero · resolved$/);
    await h.screenshot('02-views-at-line-25');

    // Selecting the fault walks its address in the Page Walk
    await h.viewRow('Fault Log', /^0x10000 read/).click();
    await h.waitForViewRow('Page Walk', /^VA 0x10000 PML4 0 · PDPT 0 · PD 0 · PT 16 · offset 0x0$/);
    await h.waitForViewRow('Page Walk', /^PTE \[16\] 0x[0-9a-f]{8}`[0-9a-f]{8} valid/);
    await h.waitForViewRow('Page Walk', /^PA 0x[0-9a-f]+ resident$/);
    await h.screenshot('03-page-walk-of-the-fault');

    // "Enter Address…" in the Page Walk's title bar
    await h.runCommand('VMM Lab: Page Walk: Enter Address…');
    await h.page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible' });
    await h.page.keyboard.press('Control+A');
    await h.page.keyboard.type('0x30000');
    await h.page.keyboard.press('Enter');
    await h.waitForViewRow('Page Walk', /^VA 0x30000 /);
    await h.waitForViewRow('Page Walk', /^not resident .*(no VAD|free)/i);
    await h.screenshot('04-page-walk-entered-address');
  },
};

export default journey;
