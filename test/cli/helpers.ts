// Running the command line in-process for tests, and golden files under test/cli/golden/
// (re-recorded with UPDATE_GOLDEN=1).
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { BufferIo, main } from '../../src/cli/main';

/** The fixtures directory as the command line sees it (relative to the working directory). */
export const FIXTURES = relative(process.cwd(), join(__dirname, 'fixtures')) || '.';
export const fixture = (name: string): string => join(FIXTURES, name);

export interface CliResult {
  code: number;
  stdout: string[];
  stderr: string[];
}

export async function cli(...argv: string[]): Promise<CliResult> {
  const io = new BufferIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** Replaces the machine-dependent fixtures path with `fixtures`, so goldens do not depend on the cwd. */
export function normalize(text: string): string {
  return text.split(FIXTURES + '/').join('fixtures/');
}

/** Compares text with a golden file; UPDATE_GOLDEN=1 (re)writes the file instead. */
export function assertGolden(name: string, actual: string): void {
  const file = join(__dirname, 'golden', name);
  const text = normalize(actual).replace(/\n?$/, '\n');
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1' && process.env.CI) assert.fail(`golden file ${name} is missing (record it with UPDATE_GOLDEN=1)`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.equal(text, readFileSync(file, 'utf8'), `output differs from golden/${name} (re-record with UPDATE_GOLDEN=1 if the change is intended)`);
}
