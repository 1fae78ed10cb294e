// The `--help` texts. Kept apart so that the wording of the command line lives in one place.

import type { CommandName } from './args';

const GENERAL = `VMM Lab: run .vmm scenarios against a simulated Windows 7 x64 memory manager.

Usage:
  vmm-lab run FILE [--ram SIZE] [--pagefile SIZE] [--json] [--narrate]
  vmm-lab test PATH... [--ram SIZE] [--pagefile SIZE]
  vmm-lab check FILE...
  vmm-lab dap [--port N]
  vmm-lab help [COMMAND]   vmm-lab --version

Commands:
  run     run a scenario; prints its output (print statements)
  test    run every .vmm file under the paths as a test
  check   report a scenario's errors without running it
  dap     the debug adapter (used by the VS Code extension)

SIZE is bytes, or a number with K, M, G or T (512M, 1G, 64K, 65536).
Exit status: 0 success; 1 failed assertion, unhandled guest exception,
run-time error or failed test; 2 errors in the scenario or the command line.`;

const PER_COMMAND: Partial<Record<CommandName, string>> = {
  run: `Usage: vmm-lab run FILE [--ram SIZE] [--pagefile SIZE] [--json] [--narrate]

Runs a scenario and prints its output.
  --ram SIZE        physical memory (overrides the scenario's machine block; default 512M)
  --pagefile SIZE   size of the paging file (0 = none; default 1G)
  --narrate         explain every memory-manager event, interleaved with the output;
                    narration lines start with "  · "
  --json            print one JSON object: outcome, output, faults, counters, commit,
                    lists and the error, if any (with --narrate: and the narration)
Exit status: 0 ok; 1 failed assertion, unhandled guest exception or run-time error;
2 the scenario has errors (printed as file:line:col: message).`,
  test: `Usage: vmm-lab test PATH... [--ram SIZE] [--pagefile SIZE]

Runs every .vmm file under the paths (directories are searched recursively, files are
run in sorted order) as a test. Prints "ok FILE" or "FAIL FILE:LINE MESSAGE" for each
and a last line "N passed, N failed". Exit status 1 when any failed.`,
  check: `Usage: vmm-lab check FILE...

Reports every syntax and semantic error of the scenarios (file:line:col: message)
without running them. Exit status 2 when any has an error.`,
  dap: `Usage: vmm-lab dap [--port N]

Runs the debug adapter on standard input/output, or on TCP port N.`,
};

export function helpText(command?: CommandName): string {
  return (command !== undefined ? PER_COMMAND[command] : undefined) ?? GENERAL;
}

export const VERSION = '0.1.0';
