// `vmm-lab check FILE...`: every syntax and semantic error (and warning) of the scenarios as
// `file:line:col: message`, without running them. Exit status 2 when any has an error.

import type { ParsedArgs } from './args';
import { EXIT_OK, EXIT_USAGE, type Io } from './io';
import { hasErrors, formatDiagnostic } from '../scenario/diagnostics';
import { createScenario } from '../scenario/setup';
import { ReadError, readScenario } from './runner';

export function checkCommand(args: ParsedArgs, io: Io): number {
  let bad = false;
  for (const file of args.positional) {
    let text: string;
    try {
      text = readScenario(file);
    } catch (e) {
      if (!(e instanceof ReadError)) throw e;
      io.err(`vmm-lab: ${e.message}`);
      bad = true;
      continue;
    }
    // createScenario also checks the machine block's values (and builds the machine, which is cheap)
    const { diagnostics } = createScenario(text, file);
    for (const d of diagnostics) io.out(formatDiagnostic(file, d));
    if (hasErrors(diagnostics)) bad = true;
  }
  return bad ? EXIT_USAGE : EXIT_OK;
}
