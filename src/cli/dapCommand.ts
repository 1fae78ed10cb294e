// `vmm-lab dap [--port N]`: the debug adapter for any DAP client (VS Code runs dist/debugAdapter.js
// or the adapter inline; Neovim's nvim-dap, Emacs' dape and others run this). Without --port it
// speaks DAP on standard input/output — nothing else may write to stdout then; with --port it
// listens on 127.0.0.1:N (0 = any free port), one session per connection, and prints the port.
// The command returns at once; the open stream or server keeps the process alive.

import type { ParsedArgs } from './args';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type Io } from './io';
import { serveDap } from '../adapter/server';
import { VmmDebugSession } from '../adapter/session';

export function dapCommand(args: ParsedArgs, io: Io): number {
  if (args.positional.length > 0) {
    io.err(`vmm-lab: 'dap' takes no files: the client's launch request names the scenario (see vmm-lab dap --help)`);
    return EXIT_USAGE;
  }
  if (args.port !== undefined) {
    const requested = args.port;
    const server = serveDap(requested, (port) => io.out(`VMM Lab debug adapter listening on 127.0.0.1:${port}`));
    server.on('error', (e: Error) => {
      io.err(`vmm-lab: cannot listen on 127.0.0.1:${requested}: ${e.message}`);
      server.close();
      // after main() has set the exit code of the command (0: it returned before listening failed)
      setImmediate(() => (process.exitCode = EXIT_FAILED));
    });
    return EXIT_OK;
  }
  const session = new VmmDebugSession();
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
  return EXIT_OK;
}
