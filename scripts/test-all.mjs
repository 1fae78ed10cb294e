#!/usr/bin/env node
// `npm test`: every test of the project, in order — types, lint, bundles, unit and adapter tests
// (mocha), every sample scenario as a test (vmm-lab test samples), and the journeys in real VS
// Code (test/e2e). Each stage streams its output; the run stops at the first failing stage and
// closes with one line totalling the tests of all stages: "N passed, N failed".
import { spawn } from 'node:child_process';

const stages = [
  { name: 'typecheck', cmd: 'npx', args: ['tsc', '-p', '.', '--noEmit'] },
  { name: 'lint', cmd: 'npx', args: ['eslint', 'src', 'test', 'bench'] },
  { name: 'build', cmd: 'node', args: ['scripts/build.mjs'] },
  { name: 'unit', cmd: 'npx', args: ['mocha'], count: mochaCount },
  { name: 'samples', cmd: 'node', args: ['dist/cli.js', 'test', 'samples'], count: plainCount },
  { name: 'e2e', cmd: 'node', args: ['test/e2e/run.mjs'], count: plainCount },
];

function mochaCount(out) {
  const p = /(\d+) passing/.exec(out);
  const f = /(\d+) failing/.exec(out);
  return { passed: p ? Number(p[1]) : 0, failed: f ? Number(f[1]) : 0 };
}

function plainCount(out) {
  const all = [...out.matchAll(/^(\d+) passed, (\d+) failed/gm)];
  const last = all[all.length - 1];
  return last ? { passed: Number(last[1]), failed: Number(last[2]) } : { passed: 0, failed: 0 };
}

function run(stage) {
  return new Promise((resolve) => {
    const child = spawn(stage.cmd, stage.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

let passed = 0;
let failed = 0;
for (const stage of stages) {
  const t0 = Date.now();
  console.log(`\n== ${stage.name}`);
  const { code, out } = await run(stage);
  if (stage.count) {
    const c = stage.count(out);
    passed += c.passed;
    failed += c.failed;
  }
  console.log(`== ${stage.name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (code !== 0) {
    if (!stage.count) failed += 1;
    console.log(`\n${passed} passed, ${Math.max(failed, 1)} failed`);
    process.exit(1);
  }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
