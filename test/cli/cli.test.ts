import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiCallOf } from '../../src/cli/runner';
import { parseScenario } from '../../src/scenario/index';
import { assertGolden, cli, fixture, normalize } from './helpers';

describe('cli: run', () => {
  it('prints the guest output and exits 0', async () => {
    const r = await cli('run', fixture('first-touch.vmm'));
    assert.equal(r.code, 0);
    assert.deepEqual(r.stdout, ['allocated 0x10000', 'valid valid', 'faults 2']);
    assert.deepEqual(r.stderr, []);
  });

  it('--narrate interleaves narration lines (prefixed "  · ") with the output, in event order', async () => {
    for (const name of ['first-touch', 'guard', 'exception']) {
      const r = await cli('run', fixture(`${name}.vmm`), '--narrate');
      assertGolden(`${name}.narrate.txt`, [...r.stdout, ...r.stderr.map((l) => `stderr: ${l}`), `exit ${r.code}`].join('\n'));
    }
  });

  it('--json prints one JSON object per outcome', async () => {
    const cases: Array<[string, string, number]> = [
      ['first-touch', 'ok', 0],
      ['assert-fails', 'assertion', 1],
      ['exception', 'exception', 1],
      ['runtime-error', 'error', 1],
      ['diagnostics', 'diagnostics', 2],
    ];
    for (const [name, outcome, code] of cases) {
      const r = await cli('run', fixture(`${name}.vmm`), '--json');
      assert.equal(r.code, code, name);
      assert.equal(r.stdout.length, 1, 'one JSON object');
      assert.deepEqual(r.stderr, []);
      const obj = JSON.parse(r.stdout[0]) as { outcome: string };
      assert.equal(obj.outcome, outcome, name);
      assertGolden(`${name}.json`, r.stdout[0]);
    }
  });

  it('--json --narrate adds the narration to the object', async () => {
    const r = await cli('run', fixture('guard.vmm'), '--json', '--narrate');
    assert.equal(r.code, 0);
    const obj = JSON.parse(r.stdout[0]) as { outcome: string; output: string[]; narration: string[] };
    assert.equal(obj.outcome, 'ok');
    assert.deepEqual(obj.output, ['ok']);
    assert.ok(obj.narration.some((l) => l.startsWith('read from 0x10000: guard page')), obj.narration.join('\n'));
  });

  it('warnings go to stderr and the scenario still runs', async () => {
    const r = await cli('run', fixture('warning.vmm'));
    assert.equal(r.code, 0);
    assert.deepEqual(r.stdout, ['still runs']);
    assert.equal(r.stderr.length, 1);
    assert.match(normalize(r.stderr[0]), /^fixtures\/warning\.vmm:3:1: warning: /);
  });

  it('exit codes and messages: 0 ok, 1 assertion / exception / run-time error, 2 diagnostics', async () => {
    const a = await cli('run', fixture('assert-fails.vmm'));
    assert.equal(a.code, 1);
    assert.deepEqual(a.stdout, ['before']);
    assert.deepEqual(a.stderr.map(normalize), ['fixtures/assert-fails.vmm:4:1: assertion failed: p should be null']);

    const e = await cli('run', fixture('exception.vmm'));
    assert.equal(e.code, 1);
    assert.deepEqual(e.stdout, ['reserved 0x10000']);
    assert.deepEqual(e.stderr.map(normalize), ['fixtures/exception.vmm:4:1: unhandled exception STATUS_ACCESS_VIOLATION (0xC0000005): write at 0x10000']);

    const rt = await cli('run', fixture('runtime-error.vmm'));
    assert.equal(rt.code, 1);
    assert.deepEqual(rt.stderr.map(normalize), ['fixtures/runtime-error.vmm:3:9: division by zero']);

    const d = await cli('run', fixture('diagnostics.vmm'));
    assert.equal(d.code, 2);
    assert.deepEqual(d.stdout, []);
    assert.deepEqual(d.stderr.map(normalize), [
      "fixtures/diagnostics.vmm:1:9: unknown function 'VirtualAloc' (did you mean 'VirtualAlloc'?)",
      "fixtures/diagnostics.vmm:2:7: unknown variable 'q'",
    ]);

    const missing = await cli('run', fixture('no-such-file.vmm'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr[0], /cannot read .*no-such-file\.vmm: no such file/);
  });

  it('--ram and --pagefile override the machine block', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmm-cli-'));
    try {
      const f = join(dir, 'limit.vmm');
      writeFileSync(f, 'machine { ram = 64M; pagefile = 0 }\nprint commit().limit\nprint lists().zeroed + lists().active\n');
      const plain = await cli('run', f);
      const more = await cli('run', f, '--ram', '128M', '--pagefile', '64M');
      assert.equal(plain.code, 0);
      assert.equal(more.code, 0);
      const [limitPlain, pagesPlain] = plain.stdout.map((s) => Number(s));
      const [limitMore, pagesMore] = more.stdout.map((s) => Number(s));
      assert.equal(pagesMore - pagesPlain, (64 * 2 ** 20) / 4096, 'twice the RAM');
      assert.equal(limitMore - limitPlain, (64 * 2 ** 20) / 4096 + (64 * 2 ** 20) / 4096, 'RAM and paging file both add to the commit limit');
      const bad = await cli('run', f, '--ram', '1K');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr.join('\n'), /ram must be between 1M and 16G/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the API call in narration ("by VirtualFree")', () => {
    const stmt = (src: string) => parseScenario(src).program.body[0];
    assert.equal(apiCallOf(stmt('VirtualFree(p, 0, MEM_RELEASE)')), 'VirtualFree');
    assert.equal(apiCallOf(stmt('let p = VirtualAlloc(0, 4096, MEM_COMMIT, PAGE_READWRITE)')), 'VirtualAlloc');
    assert.equal(apiCallOf(stmt('print read8(p)')), undefined);
    assert.equal(apiCallOf(stmt('if VirtualProtect(p, 1, PAGE_READONLY) != 0 { VirtualFree(p, 0, MEM_RELEASE) }')), 'VirtualProtect');
  });
});

describe('cli: test', () => {
  it('runs every .vmm under the paths, sorted, and closes with the summary', async () => {
    const r = await cli('test', fixture('suite'));
    assert.equal(r.code, 1);
    assert.deepEqual(r.stdout.map(normalize), [
      'ok fixtures/suite/a-ok.vmm',
      'FAIL fixtures/suite/b-fails.vmm:3 assertion failed: x is not 2',
      'ok fixtures/suite/nested/c-ok.vmm',
      '2 passed, 1 failed',
    ]);
  });

  it('exits 0 when all pass; reports diagnostics and exceptions as failures with their line', async () => {
    const ok = await cli('test', fixture('suite/a-ok.vmm'), fixture('suite/nested'));
    assert.equal(ok.code, 0);
    assert.equal(ok.stdout[ok.stdout.length - 1], '2 passed, 0 failed');
    const bad = await cli('test', fixture('diagnostics.vmm'), fixture('exception.vmm'), fixture('guard.vmm'));
    assert.equal(bad.code, 1);
    assert.deepEqual(bad.stdout.map(normalize), [
      "FAIL fixtures/diagnostics.vmm:1 unknown function 'VirtualAloc' (did you mean 'VirtualAlloc'?) (and 1 more errors)",
      'FAIL fixtures/exception.vmm:4 unhandled exception STATUS_ACCESS_VIOLATION (0xC0000005): write at 0x10000',
      'ok fixtures/guard.vmm',
      '1 passed, 2 failed',
    ]);
  });

  it('a missing path is a usage error', async () => {
    const r = await cli('test', fixture('nowhere'));
    assert.equal(r.code, 2);
    assert.match(r.stderr[0], /no such file or directory/);
  });
});

describe('cli: check', () => {
  it('prints every diagnostic and exits 2 on errors, 0 on a clean file', async () => {
    const bad = await cli('check', fixture('diagnostics.vmm'), fixture('guard.vmm'));
    assert.equal(bad.code, 2);
    assert.deepEqual(bad.stdout.map(normalize), [
      "fixtures/diagnostics.vmm:1:9: unknown function 'VirtualAloc' (did you mean 'VirtualAlloc'?)",
      "fixtures/diagnostics.vmm:2:7: unknown variable 'q'",
    ]);
    const good = await cli('check', fixture('guard.vmm'), fixture('exception.vmm'));
    assert.equal(good.code, 0);
    assert.deepEqual(good.stdout, []);
  });
});
