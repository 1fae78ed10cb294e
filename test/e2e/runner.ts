// Runs the UI journeys (test/e2e/journeys/*.ts) one after the other and prints "N passed, N failed".
// Consecutive journeys that open the same folder with the same settings share one code-server and
// browser (test/e2e/harness.ts), cleaned up with Harness.reset() in between; a failed journey, or
// one with `fresh: true`, gets a new one. Started by run.mjs, which
// first installs the tools (setup.sh) and packages the extension; it passes them in:
//   VMM_E2E_CODE_SERVER, VMM_E2E_CHROMIUM, VMM_E2E_VSIX
// Arguments: substrings of journey file names or journey names to run only those.
// A failed journey leaves a screenshot "failure.png" and code-server's logs in its artifacts folder.

import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Harness, REPO_ROOT } from './harness';
import type { Journey } from './journey';

function required(name: string): string {
  const v = process.env[name];
  if (!v) {
    console.error(`${name} is not set: run the journeys with 'npm run test:e2e' (test/e2e/run.mjs)`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<number> {
  const codeServer = required('VMM_E2E_CODE_SERVER');
  const chromiumPath = required('VMM_E2E_CHROMIUM');
  const vsix = required('VMM_E2E_VSIX');
  const filters = process.argv.slice(2);
  const journeysDir = join(__dirname, 'journeys');
  const artifactsRoot = join(__dirname, 'artifacts');

  const files = readdirSync(journeysDir).filter((f) => f.endsWith('.ts')).sort();
  let passed = 0;
  let failed = 0;
  const failures: string[] = [];
  // One VS Code (code-server + browser) serves consecutive journeys that open the same folder with
  // the same settings; reset() cleans up in between. A failed journey (or `fresh: true`) gets a
  // new one, so one failure cannot spill into the next journey.
  let shared: { h: Harness; key: string } | undefined;
  const closeShared = async () => {
    await shared?.h.close();
    shared = undefined;
  };
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(join(journeysDir, file)) as { default?: Journey };
    const journey = mod.default;
    if (!journey) {
      console.error(`${file}: no default export`);
      failed++;
      failures.push(file);
      continue;
    }
    if (filters.length && !filters.some((f) => file.includes(f) || journey.name.includes(f))) continue;

    const artifactsDir = join(artifactsRoot, file.replace(/\.ts$/, ''));
    rmSync(artifactsDir, { recursive: true, force: true });
    const key = JSON.stringify([journey.folder ?? 'samples', journey.settings ?? {}]);
    const t0 = Date.now();
    let h: Harness | undefined;
    let startup = 0;
    try {
      if (shared && (shared.key !== key || journey.fresh)) await closeShared();
      if (shared) {
        h = shared.h;
        h.useArtifactsDir(artifactsDir);
        await h.reset();
      } else {
        h = await Harness.start({
          name: journey.name,
          folder: join(REPO_ROOT, journey.folder ?? 'samples'),
          vsix,
          codeServer,
          chromiumPath,
          artifactsDir,
          settings: journey.settings,
          keepTemp: process.env.VMM_E2E_KEEP === '1',
        });
        shared = { h, key };
        startup = Date.now() - t0;
      }
      await journey.run(h);
      passed++;
      console.log(`  ✓ ${journey.name} (${((Date.now() - t0) / 1000).toFixed(1)} s${startup ? `, of which start-up ${(startup / 1000).toFixed(1)} s` : ''})`);
    } catch (e) {
      failed++;
      failures.push(journey.name);
      let shot = '';
      if (h) shot = await h.screenshot('failure').then((p) => relative(REPO_ROOT, p), () => '');
      console.log(`  ✗ ${journey.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      console.log(indent(e instanceof Error ? (e.stack ?? e.message) : String(e)));
      if (shot) console.log(indent(`screenshot: ${shot}`));
      console.log(indent(`artifacts: ${relative(REPO_ROOT, artifactsDir)}`));
      await closeShared();
    }
  }
  await closeShared();
  if (failures.length) console.log(`failed: ${failures.join(', ')}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

function indent(s: string): string {
  return s.split('\n').map((l) => `      ${l}`).join('\n');
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
