// `vmm-lab test PATH...`: every .vmm file under the paths, run as a test. One line per file,
// `ok FILE` or `FAIL FILE:LINE MESSAGE`, and a closing `N passed, N failed`.

import type { ParsedArgs } from './args';
import { collectScenarioFiles, MissingPathError } from './files';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type Io } from './io';
import { ReadError, runScenario, type RunReport } from './runner';

/** Why a test failed, as `FILE:LINE MESSAGE` (no line when it is unknown). */
export function failureText(file: string, r: RunReport): string {
  let line = 0;
  let message: string;
  if (r.outcome === 'diagnostics') {
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    const d = errors[0];
    line = d?.range.start.line ?? 0;
    message = d === undefined ? 'the scenario cannot run' : errors.length > 1 ? `${d.message} (and ${errors.length - 1} more errors)` : d.message;
  } else if (r.error !== undefined) {
    line = r.error.line;
    message = r.error.message;
  } else {
    message = `the run ended with outcome '${r.outcome}'`;
  }
  return line > 0 ? `${file}:${line} ${message}` : `${file} ${message}`;
}

export function testCommand(args: ParsedArgs, io: Io): number {
  let files: string[];
  try {
    files = collectScenarioFiles(args.positional);
  } catch (e) {
    if (e instanceof MissingPathError) {
      io.err(`vmm-lab: ${e.message}`);
      return EXIT_USAGE;
    }
    throw e;
  }
  if (files.length === 0) io.err(`vmm-lab: no .vmm files under ${args.positional.join(', ')}`);
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    let r: RunReport;
    try {
      r = runScenario({ file, ram: args.ram, pagefile: args.pagefile });
    } catch (e) {
      failed++;
      io.out(`FAIL ${file} ${e instanceof ReadError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`}`);
      continue;
    }
    if (r.outcome === 'ok') {
      passed++;
      io.out(`ok ${file}`);
    } else {
      failed++;
      io.out(`FAIL ${failureText(file, r)}`);
    }
  }
  io.out(`${passed} passed, ${failed} failed`);
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}
