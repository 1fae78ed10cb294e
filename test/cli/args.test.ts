import { strict as assert } from 'node:assert';
import { parseArgs, UsageError } from '../../src/cli/args';
import { parseSize } from '../../src/cli/sizes';
import { cli } from './helpers';

describe('cli: arguments', () => {
  it('sizes: plain bytes, K/M/G/T suffixes, hex', () => {
    assert.equal(parseSize('65536'), 65536);
    assert.equal(parseSize('64K'), 0x10000);
    assert.equal(parseSize('64k'), 0x10000);
    assert.equal(parseSize('512M'), 512 * 2 ** 20);
    assert.equal(parseSize('1G'), 2 ** 30);
    assert.equal(parseSize('2T'), 2 * 2 ** 40);
    assert.equal(parseSize('0x10000'), 0x10000);
    assert.equal(parseSize('1_048_576'), 1048576);
    assert.equal(parseSize('0'), 0);
    for (const bad of ['', 'M', '12Q', '-1', '1.5G', '0x', 'ten']) assert.equal(parseSize(bad), undefined, bad);
  });

  it('parses run with its flags, in both spellings', () => {
    const a = parseArgs(['run', 'x.vmm', '--ram', '512M', '--pagefile=0', '--narrate']);
    assert.equal(a.command, 'run');
    assert.deepEqual(a.positional, ['x.vmm']);
    assert.equal(a.ram, 512 * 2 ** 20);
    assert.equal(a.pagefile, 0);
    assert.equal(a.narrate, true);
    assert.equal(a.json, false);
    assert.deepEqual(parseArgs(['test', 'a', 'b']).positional, ['a', 'b']);
    assert.equal(parseArgs(['dap', '--port', '4711']).port, 4711);
    assert.deepEqual(parseArgs(['run', '--', '--odd.vmm']).positional, ['--odd.vmm']);
  });

  it('help: no arguments, --help, COMMAND --help, help COMMAND', () => {
    assert.equal(parseArgs([]).command, 'help');
    assert.equal(parseArgs(['--help']).command, 'help');
    assert.deepEqual([parseArgs(['run', '--help']).command, parseArgs(['run', '--help']).helpFor], ['help', 'run']);
    assert.equal(parseArgs(['help', 'test']).helpFor, 'test');
  });

  it('refuses what it does not know, with a message that says what', () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['--verbose'], /unknown option '--verbose'/],
      [['run', 'x.vmm', '--fast'], /unknown option '--fast'/],
      [['check', 'x.vmm', '--json'], /unknown option '--json' with 'check'/],
      [['run', 'x.vmm', '--ram'], /'--ram' needs a value/],
      [['run', 'x.vmm', '--ram', 'lots'], /'lots' is not a size/],
      [['run'], /'run' needs a scenario file/],
      [['run', 'a.vmm', 'b.vmm'], /'run' takes one scenario file/],
      [['test'], /'test' needs at least one/],
      [['dap', '--port', '99999'], /not a port number/],
    ];
    for (const [argv, re] of cases) assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(' '));
  });

  it('usage errors exit 2 with the message on stderr', async () => {
    const r = await cli('frobnicate');
    assert.equal(r.code, 2);
    assert.deepEqual(r.stdout, []);
    assert.match(r.stderr[0], /^vmm-lab: unknown command 'frobnicate'/);
    const r2 = await cli('run', 'x.vmm', '--turbo');
    assert.equal(r2.code, 2);
    assert.match(r2.stderr[0], /unknown option '--turbo'/);
  });

  it('--help prints the usage and exits 0; dap with a file exits 2', async () => {
    const h = await cli('--help');
    assert.equal(h.code, 0);
    assert.match(h.stdout.join('\n'), /vmm-lab run FILE \[--ram SIZE\] \[--pagefile SIZE\] \[--json\] \[--narrate\]/);
    const hr = await cli('run', '--help');
    assert.match(hr.stdout.join('\n'), /--narrate/);
    const v = await cli('--version');
    assert.match(v.stdout[0], /^vmm-lab \d+\.\d+\.\d+$/);
    // `dap` itself serves DAP (test/adapter/dap.test.ts); a file argument is a usage error
    const d = await cli('dap', 'scenario.vmm');
    assert.equal(d.code, 2);
    assert.match(d.stderr[0], /'dap' takes no files/);
  });
});
