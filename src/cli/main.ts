// The `vmm-lab` command line: subcommands run, test, check and dap. `main` takes the arguments and
// where to write, and returns the exit status, so tests run it in-process; when this file is the
// program (dist/cli.js) it runs with the process's arguments and streams.

import { parseArgs, UsageError } from './args';
import { checkCommand } from './checkCommand';
import { dapCommand } from './dapCommand';
import { helpText, VERSION } from './help';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, processIo, type Io } from './io';
import { runCommand } from './runCommand';
import { testCommand } from './testCommand';

export type { Io } from './io';
export { BufferIo } from './io';

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`vmm-lab: ${e.message}`);
      return EXIT_USAGE;
    }
    throw e;
  }
  try {
    switch (args.command) {
      case 'help':
        io.out(helpText(args.helpFor));
        return EXIT_OK;
      case 'version':
        io.out(`vmm-lab ${VERSION}`);
        return EXIT_OK;
      case 'run':
        return runCommand(args, io);
      case 'test':
        return testCommand(args, io);
      case 'check':
        return checkCommand(args, io);
      case 'dap':
        return dapCommand(args, io);
    }
  } catch (e) {
    // a bug of the simulator or of this program: say so plainly, with the stack for a report
    io.err(`vmm-lab: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT_FAILED;
  }
}

if (require.main === module) {
  // `vmm-lab run x --narrate | head`: a closed pipe ends the program quietly
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
