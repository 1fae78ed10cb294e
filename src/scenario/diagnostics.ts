// Diagnostics of the scenario front end (lexer, parser, checker) and their one-line text form.
// It exists so that the editor (squiggles), the debugger and the command-line runner all report a
// problem the same way: `file:line:col: message`, the form the language contract (§9) prescribes.

import type { Position, Range } from './ast';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** A sentence for a newcomer, without the location and without a trailing period. */
  message: string;
  range: Range;
  /** A stable machine-readable identifier of the kind of problem (e.g. 'unknown-function'). */
  code?: string;
}

/**
 * `scenario.vmm:12:9: unknown function 'VirtualAloc' (did you mean 'VirtualAlloc'?)`.
 * Warnings get a `warning: ` prefix in front of the message; errors have none.
 */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const where = `${file}:${d.range.start.line}:${d.range.start.col}`;
  return d.severity === 'warning' ? `${where}: warning: ${d.message}` : `${where}: ${d.message}`;
}

/** True when at least one diagnostic is an error (a program with errors must not be run). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sorts by position (then keeps the order of reporting), in place; returns the array. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const indexed = diagnostics.map((d, i) => ({ d, i }));
  indexed.sort((a, b) => a.d.range.start.offset - b.d.range.start.offset || a.i - b.i);
  for (let i = 0; i < indexed.length; i++) diagnostics[i] = indexed[i].d;
  return diagnostics;
}

export function makeDiagnostic(severity: Severity, message: string, range: Range, code?: string): Diagnostic {
  return code === undefined ? { severity, message, range } : { severity, message, range, code };
}

/** `3:5` — how messages refer to another place in the same file. */
export function formatPosition(p: Position): string {
  return `${p.line}:${p.col}`;
}
