// Kernel knobs of the lab (contract §8) and the simulated clock, wired to the paging machinery
// (core/paging.ts): tick / Sleep advance the simulated clock (running what falls due), trim /
// trimAll / writeModifiedPages / balance / zeroFreePages run one pass of the system thread they
// name and return how many pages it handled. What does not exist yet in the simulator (the
// simulated file system behind createFile) raises a clear run-time error instead of pretending.

import { balanceSetManager, runModifiedPageWriter, tick, trimAll, trimWorkingSet, zeroFreePages } from '../../core/paging';
import { ScriptError } from '../runtimeErrors';
import type { Value } from '../values';
import { countArg } from './args';
import { processArg } from './inspect';
import type { Builtin, BuiltinCategory, CallContext } from './types';

/** The message of a built-in whose machinery lands in a later version. */
export function notSupported(name: string): string {
  return `'${name}' is not supported yet (paging/sections land in a later version)`;
}

export function unsupported(name: string, params: string[], doc: string, category: BuiltinCategory = 'knob'): Builtin {
  return {
    name,
    params,
    doc: `${doc} (not supported yet in this version of the simulator)`,
    category,
    sideEffects: true,
    call(_args, ctx) {
      throw new ScriptError(notSupported(name), ctx.range);
    },
  };
}

/** Most milliseconds one tick/Sleep may advance (about 11.5 days). */
const MAX_MS = 1_000_000_000;

function clockBuiltin(name: string, doc: string, category: BuiltinCategory): Builtin {
  return {
    name,
    params: ['ms'],
    doc,
    category,
    sideEffects: true,
    call(args, ctx) {
      tick(ctx.machine, countArg(args, 0, ctx, MAX_MS));
      return null;
    },
  };
}

function knob(name: string, params: string[], doc: string, run: (args: Value[], ctx: CallContext) => number): Builtin {
  return {
    name,
    params,
    doc,
    category: 'knob',
    sideEffects: true,
    call(args, ctx) {
      return BigInt(run(args, ctx));
    },
  };
}

export const KNOB_BUILTINS: readonly Builtin[] = [
  clockBuiltin('tick', 'Advances the simulated clock by ms milliseconds, like Sleep: disk completions, the balance set manager (each second), the modified page writer when woken, and the zero page thread in idle time.', 'knob'),
  clockBuiltin('Sleep', 'Sleep(ms): advances the simulated clock by ms milliseconds, running the system threads that fall due.', 'win32'),
  knob('zeroFreePages', [], 'Lets the zero page thread empty the Free list (every page zeroed, moved to the Zeroed list). Returns the pages zeroed.',
    (_a, c) => zeroFreePages(c.machine)),
  knob('trim', ['h?'], 'Trims the working set of a process (default: the current one) as the working set manager would, oldest entries first. Returns the entries removed.',
    (a, c) => trimWorkingSet(c.machine, processArg(a, 0, c))),
  knob('trimAll', [], 'Trims the working set of every process. Returns the entries removed.', (_a, c) => trimAll(c.machine)),
  knob('writeModifiedPages', [], 'Starts one pass of the modified page writer; its writes stay in flight (WriteInProgress) until simulated time passes (tick / Sleep). Returns the pages written.',
    (_a, c) => runModifiedPageWriter(c.machine)),
  knob('balance', [], 'Runs one pass of the balance set manager (ages working sets, trims when memory is short, wakes the modified page writer). Returns the pages trimmed.',
    (_a, c) => balanceSetManager(c.machine)),
  unsupported('createFile', ['name', 'size', 'fillByte?'], 'Creates a file in the simulated file system and returns its handle'),
];
