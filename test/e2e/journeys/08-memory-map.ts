// Journey 8: "VMM Lab: Show Physical Memory Map" opens a webview that draws the page frames as
// coloured cells with a legend; clicking a cell shows the _MMPFN of its first frame.

import assert from 'node:assert/strict';
import type { Journey } from '../journey';

const journey: Journey = {
  name: 'memory-map-webview',
  folder: 'samples',
  async run(h) {
    await h.startDebugging('01-first-touch.vmm');
    await h.toggleBreakpoint('e', { line: /^let e = pte\(p\)/ });
    await h.debugKey('F5', /\b25:1\b/);

    await h.runCommand('VMM Lab: Show Physical Memory Map');
    const map = await h.webviewFrame('#grid .cell');
    const cells = map.locator('#grid .cell');
    assert.equal(await cells.count(), 4096, '512 MB = 131,072 frames in 4,096 cells of 32');
    assert.match(await map.locator('#summary').innerText(), /131,072 page frames \(512 MB\) · 4,096 cells · 32 page frames per cell/);
    const legend = await map.locator('#legend').innerText();
    for (const name of ['Zeroed', 'Free', 'Standby', 'Modified', 'Active']) assert.match(legend, new RegExp(name));
    // the first frames hold the paging structures: the first cell is mostly Active, the last is Zeroed
    assert.match((await cells.first().getAttribute('class'))!, /\bs-A\b/);
    assert.match((await cells.last().getAttribute('class'))!, /\bs-Z\b/);
    // theme colours, not fixed ones: an Active cell is painted with --vscode-charts-red
    const colours = await h.pageScript<{ got: string; want: string }>('backgroundVsVariable', { selector: '#grid .cell.s-A', cssVar: '--vscode-charts-red' }, map);
    assert.equal(colours.got, colours.want);

    await cells.first().click();
    const details = map.locator('#details');
    await map.locator('#details table').waitFor({ timeout: 10_000 });
    const text = await details.innerText();
    assert.match(text, /PFN 0x0\b/);
    assert.match(text, /location\s+Active/);
    await h.screenshot('01-map-with-pfn-0');

    await cells.last().click();
    await map.locator('#details h2', { hasText: 'PFN 0x1ffe0' }).waitFor({ timeout: 10_000 });
    assert.match(await details.innerText(), /location\s+Zeroed/);

    // the map follows the session
    await h.debugKey('F10');
    await map.locator('#details h2', { hasText: 'PFN 0x1ffe0' }).waitFor({ timeout: 10_000 });
    assert.equal(await cells.count(), 4096);
    await h.screenshot('02-map-after-a-step');
  },
};

export default journey;
