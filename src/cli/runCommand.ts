// `vmm-lab run FILE`: runs one scenario, prints its output (and, with --narrate, the narration of
// every memory-manager event, each line prefixed with "  · "), or one JSON object with --json
// (with --narrate too, the object gets a `narration` array).

import type { ParsedArgs } from './args';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type Io } from './io';
import { jsonReport } from './jsonReport';
import { ReadError, runScenario } from './runner';

/** Prefix of narration lines, so they stand apart from the scenario's own output. */
export const NARRATION_PREFIX = '  · ';

export function runCommand(args: ParsedArgs, io: Io): number {
  const file = args.positional[0];
  let report;
  const narration: string[] = [];
  try {
    report = runScenario({
      file,
      ram: args.ram,
      pagefile: args.pagefile,
      onDiagnostics: args.json ? undefined : (lines) => lines.forEach((l) => io.err(l)),
      onOutput: args.json ? undefined : (line) => io.out(line),
      onNarration: !args.narrate ? undefined : args.json ? (line) => narration.push(line) : (line) => io.out(NARRATION_PREFIX + line),
    });
  } catch (e) {
    if (e instanceof ReadError) {
      io.err(`vmm-lab: ${e.message}`);
      return EXIT_USAGE;
    }
    throw e;
  }
  const code = report.outcome === 'ok' ? EXIT_OK : report.outcome === 'diagnostics' ? EXIT_USAGE : EXIT_FAILED;
  if (args.json) {
    io.out(JSON.stringify(jsonReport(file, report, args.narrate ? narration : undefined), null, 2));
    return code;
  }
  if (report.error !== undefined) io.err(report.error.text);
  return code;
}
