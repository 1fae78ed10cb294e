// Entry point of the scenario front end: what the CLI, the debug adapter and the extension import.
// It exists so that callers parse a `.vmm` text with one call and get the tree plus every syntax
// diagnostic, then run `check` with their own table of built-ins for the semantic diagnostics.

import type { Program } from './ast';
import type { Diagnostic } from './diagnostics';
import { parse } from './parser';

export type * from './ast';
export { childStatements, forEachStatement } from './ast';
export type { Diagnostic, Severity } from './diagnostics';
export { formatDiagnostic, hasErrors, sortDiagnostics } from './diagnostics';
export { check, isConstantName, type CheckEnv } from './checker';
export { lex, type Token, type TokenKind, KEYWORDS } from './lexer';
export { editDistance, suggest, didYouMean } from './suggest';

/**
 * Lexes and parses a scenario. Never throws: the program is always returned (with `Error` nodes
 * where the text could not be read) together with the lexer's and the parser's diagnostics in
 * source order. A program is runnable only if no diagnostic is an error (after `check` as well).
 */
export function parseScenario(text: string): { program: Program; diagnostics: Diagnostic[] } {
  return parse(text);
}
