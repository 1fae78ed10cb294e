/**
 * Finds the scenario expression under the cursor for debug hovers: a hex literal (with `_` or a
 * WinDbg backtick), a call of a lab function such as `pte(p)`, or a dotted name such as `e.pfn`.
 * Pure string logic (no VS Code), so it is unit-tested directly.
 */

export interface ExpressionSpan {
  start: number;
  end: number;
  text: string;
}

const HEX = /0x[0-9a-fA-F][0-9a-fA-F_`]*/g;
const SIZE = /\b\d+[KMGT]?\b/g;
const CALL = /\b[A-Za-z_][A-Za-z0-9_]*\s*\([^()]*\)(?:\.[A-Za-z_][A-Za-z0-9_]*)*/g;
const NAME = /\b[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/g;
const PATTERNS = [HEX, SIZE, CALL, NAME];

const KEYWORDS = new Set(['let', 'if', 'else', 'while', 'for', 'in', 'step', 'break', 'continue', 'fn', 'return', 'assert', 'expect', 'print', 'machine', 'true', 'false', 'null']);

/** The expression covering `col` (0-based) on `line`, or undefined. */
export function expressionAt(line: string, col: number): ExpressionSpan | undefined {
  // comments are not evaluated
  const comment = line.indexOf('//');
  if (comment >= 0 && col >= comment) return undefined;
  for (const re of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(line); m !== null; m = re.exec(line)) {
      const start = m.index;
      const end = start + m[0].length;
      if (col < start || col >= end) continue;
      // a call counts only when the cursor is on its name (inside the parentheses: the argument)
      if (re === CALL && col >= line.indexOf('(', start)) continue;
      let text = m[0].replace(/\s+/g, '');
      if (re === NAME) {
        // a dotted name: evaluate up to the part under the cursor
        let cut = end;
        for (let i = col; i < end; i++) {
          if (line[i] === '.') {
            cut = i;
            break;
          }
        }
        text = line.slice(start, cut);
        if (KEYWORDS.has(text)) return undefined;
        return { start, end: cut, text };
      }
      return { start, end, text };
    }
  }
  return undefined;
}

/** Identifiers declared with `let` on a line (for inline values). */
export function declaredNames(line: string): string[] {
  const out: string[] = [];
  const code = line.replace(/\/\/.*$/, '').replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const re = /\blet\s+([A-Za-z_][A-Za-z0-9_]*)/g;
  for (let m = re.exec(code); m !== null; m = re.exec(code)) out.push(m[1]);
  return out;
}
