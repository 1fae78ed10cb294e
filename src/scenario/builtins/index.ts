// The registry of every built-in function of the scenario language, by name: guest memory access,
// the lab's inspection functions and kernel knobs, and the Windows API. It exists so that the
// interpreter, the checker (its `functions` environment), completions and hovers all see the same
// set. Also the checker environment of the language (built-ins, predefined constants, machine keys).

import { PREDEFINED_CONSTANTS } from '../../core/winconst';
import type { CheckEnv } from '../checker';
import { INSPECTION_BUILTINS } from './inspect';
import { KNOB_BUILTINS } from './knobs';
import { MEMORY_BUILTINS } from './memory';
import type { Builtin, BuiltinRegistry } from './types';
import { WINAPI_BUILTINS } from './winapi';

export type { Builtin, BuiltinRegistry, CallContext, BuiltinCategory } from './types';
export { minArgs, maxArgs, signature } from './types';

function build(): BuiltinRegistry {
  const map = new Map<string, Builtin>();
  for (const b of [...MEMORY_BUILTINS, ...INSPECTION_BUILTINS, ...KNOB_BUILTINS, ...WINAPI_BUILTINS]) {
    if (map.has(b.name)) throw new Error(`duplicate built-in ${b.name}`);
    map.set(b.name, b);
  }
  return map;
}

/** Every built-in, by name. */
export const BUILTINS: BuiltinRegistry = build();

/**
 * Keys of the `machine { }` block: `ram` and `pagefile` (bytes, contract §4) and `colors` (the
 * number of page colours, a power of two from 1 to 1024; default 64).
 */
export const MACHINE_KEYS: ReadonlySet<string> = new Set(['ram', 'pagefile', 'colors']);

/** The checker's environment for scenarios run with these built-ins. */
export function scenarioCheckEnv(builtins: BuiltinRegistry = BUILTINS): CheckEnv {
  return {
    functions: new Set(builtins.keys()),
    constants: new Set(PREDEFINED_CONSTANTS.keys()),
    machineKeys: MACHINE_KEYS,
  };
}
