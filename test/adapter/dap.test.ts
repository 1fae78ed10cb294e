/**
 * The adapter out of process, as other DAP clients see it, driven by @vscode/debugadapter-testsupport's
 * DebugClient: the bundled dist/debugAdapter.js over stdio (catches bundling mistakes and anything
 * that writes to stdout), `vmm-lab dap --port 0` over TCP, and serveDap in-process. The bundles are
 * rebuilt first (scripts/build.mjs) when a source is newer than them.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { join, resolve } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { serveDap } from '../../src/adapter/server';

const ROOT = resolve(__dirname, '../..');
const ADAPTER = join(ROOT, 'dist/debugAdapter.js');
const CLI = join(ROOT, 'dist/cli.js');
const program = resolve(__dirname, 'fixtures/touch.vmm');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ unless both bundles are newer than every source file. */
function ensureBuilt(): void {
  const fresh = (f: string) => existsSync(f) && statSync(f).mtimeMs >= newestSource(join(ROOT, 'src'));
  if (fresh(ADAPTER) && fresh(CLI)) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `the build failed:\n${r.stdout}\n${r.stderr}`);
}

/** initialize + launch (stop on entry) + configurationDone, as VS Code orders them. */
async function launchStopped(dc: DebugClient): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped', 10000) as Promise<DebugProtocol.StoppedEvent>;
  await Promise.all([dc.configurationSequence(), dc.launch({ program, stopOnEntry: true })]);
  return stopped;
}

/** A short journey: entry, a breakpoint, stack, scopes, variables, a hover, a step into a fault. */
async function journey(dc: DebugClient): Promise<void> {
  const entry = await launchStopped(dc);
  assert.equal(entry.body.reason, 'entry');
  const bps = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 7 }] });
  assert.equal(bps.body.breakpoints[0].verified, true);
  const hit = dc.waitForEvent('stopped', 10000);
  await dc.continueRequest({ threadId: 1 });
  assert.equal(((await hit) as DebugProtocol.StoppedEvent).body.reason, 'breakpoint');
  const st = await dc.stackTraceRequest({ threadId: 1 });
  assert.equal(st.body.stackFrames[0].line, 7);
  const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
  const locals = await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
  assert.ok(locals.body.variables.some((v) => v.name === 'p' && v.memoryReference === 'va:1:0x10000'));
  const hover = await dc.evaluateRequest({ expression: 'p', context: 'hover', frameId: 0 });
  assert.match(hover.body.result, /not resident — .*demand-zero/);
  const step = dc.waitForEvent('stopped', 10000);
  await dc.stepInRequest({ threadId: 1 });
  await step;
  const kernel = await dc.stackTraceRequest({ threadId: 1 });
  assert.equal(kernel.body.stackFrames[0].name, 'KiPageFault');
  const listing = await dc.sourceRequest({ sourceReference: kernel.body.stackFrames[0].source!.sourceReference! });
  assert.match(listing.body.content, /^trap: /);
  const stdout = dc.assertOutput('stdout', 'total 10 x 0\n', 10000);
  const ended = dc.waitForEvent('terminated', 10000);
  await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
  await dc.continueRequest({ threadId: 1 });
  await stdout;
  await ended;
}

describe('debug adapter out of process (DebugClient)', function () {
  this.timeout(60000);
  before(ensureBuilt);

  it('dist/debugAdapter.js over stdio', async () => {
    const dc = new DebugClient(process.execPath, ADAPTER, 'vmm', { cwd: ROOT });
    await dc.start();
    try {
      await journey(dc);
    } finally {
      await dc.stop();
    }
  });

  it('`vmm-lab dap --port 0` over TCP', async () => {
    const child: ChildProcess = spawn(process.execPath, [CLI, 'dap', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((res, rej) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) res(Number(m[1]));
        });
        child.on('exit', (code) => rej(new Error(`vmm-lab dap exited (${code}) before listening: ${out}`)));
      });
      // two sessions one after the other on the same server
      for (let k = 0; k < 2; k++) {
        const dc = new DebugClient(process.execPath, ADAPTER, 'vmm');
        await dc.start(port);
        try {
          await journey(dc);
        } finally {
          await dc.stop();
        }
      }
    } finally {
      child.kill();
    }
  });

  it('serveDap in-process, and a session whose client goes away stops its scenario', async () => {
    const server: Server = await new Promise((res) => {
      const s = serveDap(0, () => res(s));
    });
    try {
      const port = (server.address() as AddressInfo).port;
      const dc = new DebugClient(process.execPath, ADAPTER, 'vmm');
      await dc.start(port);
      const stopped = dc.waitForEvent('stopped', 10000);
      await Promise.all([dc.configurationSequence(), dc.launch({ program: resolve(__dirname, 'fixtures/loop.vmm'), stopOnEntry: true, stepBudget: 1e12 })]);
      await stopped;
      await dc.continueRequest({ threadId: 1 });
      const threads = await dc.threadsRequest();
      assert.equal(threads.body.threads.length, 1);
      await dc.stop();
    } finally {
      await new Promise<void>((res) => server.close(() => res()));
    }
  });
});
