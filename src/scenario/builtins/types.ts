// The shape of a built-in function of the scenario language (Windows API, guest memory access,
// the lab's inspection functions and kernel knobs). It exists so that the interpreter calls them,
// the checker and the editor's completions list them, and the debugger knows which ones are safe
// to evaluate in a watch or hover (no side effects), all from one registry.

import type { Range, Stmt } from '../ast';
import type { Machine } from '../../core/machine';
import type { Process } from '../../core/process';
import type { ExecEvent } from '../events';
import type { Value } from '../values';

/** What a built-in gets besides its arguments. A fresh object per call. */
export interface CallContext {
  readonly machine: Machine;
  /** The process the call acts on when it takes no handle (the scenario's current process). */
  readonly process: Process;
  /** The built-in being called (for argument error messages). */
  readonly builtin: Builtin;
  /** Range of the call expression. */
  readonly range: Range;
  /** The statement being executed and its frame depth (for fault events). */
  readonly statement: Stmt | null;
  readonly depth: number;
  /**
   * Whether fault steps are still wanted (the debugger may turn fault stepping off while stopped
   * inside a fault; a stepping variant then finishes the fault without yielding). Absent: yes.
   */
  readonly host?: { readonly faultStepping: boolean };
}

export type BuiltinCategory = 'memory' | 'inspection' | 'knob' | 'win32' | 'native' | 'misc';

export interface Builtin {
  name: string;
  /**
   * Parameter names; a trailing `?` marks an optional one (only at the end), a leading `...`
   * a rest parameter.
   */
  params: readonly string[];
  /** One sentence for hovers and completions. */
  doc: string;
  category: BuiltinCategory;
  /**
   * Whether a call may change the machine (page faults, accessed bits, working sets, the journal,
   * the last error). Built-ins without side effects may be evaluated in watches and hovers.
   */
  sideEffects: boolean;
  call(args: Value[], ctx: CallContext): Value;
  /**
   * The fault-stepping variant: the same effect, but a page fault is run one handler step at a
   * time, yielding a FaultEvent before each step. Used only while fault stepping is on.
   */
  steps?(args: Value[], ctx: CallContext): Generator<ExecEvent, Value, void>;
  /**
   * A side-effect-free variant for watches and hovers (reads guest memory through the page tables
   * without faulting or setting accessed bits). Throws a ScriptError when that is not possible.
   */
  quiet?(args: Value[], ctx: CallContext): Value;
}

export type BuiltinRegistry = ReadonlyMap<string, Builtin>;

/** Fewest arguments a built-in accepts. */
export function minArgs(b: Builtin): number {
  let n = 0;
  for (const p of b.params) {
    if (p.endsWith('?') || p.startsWith('...')) break;
    n++;
  }
  return n;
}

/** Most arguments a built-in accepts (Infinity with a rest parameter). */
export function maxArgs(b: Builtin): number {
  return b.params.some((p) => p.startsWith('...')) ? Infinity : b.params.length;
}

/** `VirtualAlloc(addr, size, type, protect)` — for messages and completions. */
export function signature(b: Builtin): string {
  return `${b.name}(${b.params.join(', ')})`;
}
