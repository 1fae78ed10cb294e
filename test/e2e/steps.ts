// Steps that several journeys share (a journey file in journeys/ must default-export a Journey,
// so shared steps live here).

import type { Harness } from './harness';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The Call Stack pane's header text: "CALL STACK" plus the stop reason or description VS Code shows. */
export async function stopReason(h: Harness): Promise<string> {
  return (await h.paneHeader('Call Stack').innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * Continues (F5) until the scenario's frame is at `line`, continuing again over exception stops
 * on the way (the "Access violations" filter is on by default and `expect` blocks raise them).
 */
export async function continueToLine(h: Harness, line: number, maxStops = 4): Promise<void> {
  for (let i = 0; i < maxStops; i++) {
    await h.debugKey('F5');
    const at = await h.topFrameLine();
    if (at?.line === line) return;
    if (!/exception|STATUS_|violation/i.test(await stopReason(h))) {
      throw new Error(`continued to line ${at?.line ?? '?'} (${await stopReason(h)}), expected line ${line}`);
    }
  }
  throw new Error(`did not reach line ${line} after ${maxStops} continues`);
}

/**
 * Waits until `f` returns a value that passes `ok` (polling every 200 ms), and returns it; throws
 * with the last value after `timeoutMs`.
 */
export async function eventually<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await f();
      if (ok(last)) return last;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await sleep(200);
  }
}
