/**
 * Entry point of dist/debugAdapter.js: the VMM Lab debug adapter over stdin/stdout, for VS Code's
 * "executable" mode and any DAP client. Nothing else may write to stdout.
 */
import { VmmDebugSession } from './session';

const session = new VmmDebugSession();
process.on('SIGTERM', () => session.shutdown());
session.start(process.stdin, process.stdout);
