// Evaluating text typed by the user while a scenario is stopped: watch and hover expressions
// (no side effects on the machine at all) and the debug console (statements allowed). It exists
// so that the debugger's three evaluation contexts share one implementation.
//
// Without side effects: the text must be one expression; user functions may not be called;
// built-ins that could change the machine are refused unless they have a quiet variant (the
// read8/16/32/64 and readString reads go through the page tables without faulting or setting
// accessed bits; a page that is not resident is an error). Nothing is journaled.
// With side effects (debug console): any statements, run to completion in the chosen frame's
// scope (a `let` declares into it), without stopping and with fault stepping off; refused while
// the machine is stopped inside a page fault (the fault handler is single-threaded).

import { formatDiagnostic, hasErrors, parseScenario } from './index';
import type { Interpreter } from './interpreter';
import type { Process } from '../core/process';
import { GuestException, internalError, ScriptError } from './runtimeErrors';
import type { Scope } from './scope';
import { formatValue, type Value } from './values';

export type EvalResult = { ok: true; value: Value; text: string } | { ok: false; error: string };

/** Most statements one debug-console evaluation may run. */
export const CONSOLE_BUDGET = 1_000_000;

export interface EvalTarget {
  scope: Scope;
  process: Process;
}

function fail(error: string): EvalResult {
  return { ok: false, error };
}

function describe(e: unknown, file: string): string {
  if (e instanceof GuestException) return `unhandled exception ${e.message}`;
  if (e instanceof ScriptError) return e.range ? `${file}:${e.range.start.line}:${e.range.start.col}: ${e.message}` : e.message;
  return internalError(e, undefined).message;
}

export function evaluateText(interp: Interpreter, text: string, target: EvalTarget, sideEffects: boolean): EvalResult {
  const { program, diagnostics } = parseScenario(text);
  if (hasErrors(diagnostics)) {
    return fail(diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic('<input>', d)).join('\n'));
  }
  if (program.machine !== null) return fail("a 'machine' block cannot be evaluated here");
  if (program.body.length === 0) return fail('nothing to evaluate');
  interp.adopt(program, text);
  if (!sideEffects) {
    const only = program.body[0];
    if (program.body.length !== 1 || only.kind !== 'ExprStmt') {
      return fail('only an expression can be evaluated here (statements need the debug console)');
    }
    try {
      const value = interp.evalQuiet(only.expr, target.scope, target.process);
      return { ok: true, value, text: formatValue(value, true) };
    } catch (e) {
      return fail(describe(e, '<input>'));
    }
  }
  const m = interp.machine;
  if (m.faults.active) {
    return fail('cannot run code with side effects while stopped inside a page fault (step out of the fault first)');
  }
  const prev = m.hasCurrent ? m.current : undefined;
  try {
    if (prev !== target.process && !target.process.terminated) m.switchTo(target.process);
    const value = interp.runConsole(program.body, target.scope, CONSOLE_BUDGET);
    return { ok: true, value, text: formatValue(value, true) };
  } catch (e) {
    return fail(describe(e, '<input>'));
  } finally {
    if (prev !== undefined && m.current !== prev) m.switchTo(prev);
  }
}
