// Journey 3: stepping into a statement that faults walks the simulated fault handler. Run to the
// breakpoint on `let x = read8(p)` (F9, F5), then Step Into (F11) until the Call Stack shows the
// handler's routines: KiPageFault → MmAccessFault → MiResolveDemandZeroFault, above a
// "[page fault at 0x10000 (read)]" label frame and the scenario's frame.

import assert from 'node:assert/strict';
import type { Journey } from '../journey';
import { SELECTORS } from '../harness';

const ROUTINES = ['KiPageFault', 'MmAccessFault', 'MiResolveDemandZeroFault'];

const journey: Journey = {
  name: 'step-into-page-fault-handler',
  folder: 'samples',
  async run(h) {
    await h.startDebugging('01-first-touch.vmm');
    await h.setPanes({ Watch: false, Breakpoints: false });
    await h.toggleBreakpoint('read8', { line: /^let x = read8\(p\)/ });
    await h.debugKey('F5', /\b22:1\b/);
    assert.equal(await h.editorStopLine(), 22);

    await h.debugKey('F11', /KiPageFault/);
    const first = await h.callStackText();
    assert.match(first, /^KiPageFault/, 'the top frame is the trap handler');
    assert.match(first, /\[page fault at 0x10000 \(read\)\]/);
    await h.screenshot('01-ki-page-fault');

    // Kernel frames are shown as "subtle": VS Code folds runs of them into "Show N More Stack
    // Frames", which the user clicks.
    let text = first;
    for (let i = 0; i < 40 && !ROUTINES.every((r) => text.includes(r)); i++) {
      await h.debugKey('F11');
      const more = h.page.locator(SELECTORS.callStackRows).filter({ hasText: /Show \d+ More Stack Frames/ }).first();
      if (await more.count()) {
        await more.click();
        await h.page.locator(SELECTORS.callStackRows).filter({ hasText: /Show \d+ More Stack Frames/ }).first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
      }
      text = await h.callStackText();
    }
    for (const r of ROUTINES) assert.ok(text.includes(r), `the Call Stack shows ${r}:\n${text}`);
    // innermost first: the resolver above MmAccessFault above the trap handler, the scenario at the bottom
    const at = (r: string) => text.indexOf(r);
    assert.ok(at('MiResolveDemandZeroFault') < at('MmAccessFault') && at('MmAccessFault') < at('KiPageFault'), text);
    assert.ok(at('KiPageFault') < text.indexOf('01-first-touch.vmm'), text);
    await h.screenshot('02-demand-zero-resolver');
  },
};

export default journey;
