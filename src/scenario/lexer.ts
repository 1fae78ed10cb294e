// Lexer of the `.vmm` scenario language: source text -> tokens (with exact ranges) + diagnostics.
// It exists so that the parser sees a clean token stream in which the statement-ending newlines
// have already been decided (the "line continuation" rule below); it never throws on bad input,
// it reports a diagnostic and carries on.
//
// Tokens: integers (`int`, value bigint), strings (`string`, value decoded), identifiers,
// keywords, operators/punctuation (`op`), statement terminators (`newline`, text '\n' or ';') and
// one final `eof`.
//
// Integers: decimal `4096`, hex `0x1000`, binary `0b101` (prefix letters in either case); `_` may
// separate digits anywhere after the first digit (`0x7ff_0000`, `1_000`) but may not end the
// number; in hex numbers one WinDbg backtick may separate digits (`0xfffff680`00000000`); an
// upper-case size suffix multiplies: K = 2^10, M = 2^20, G = 2^30, T = 2^40 (`64K`, `0x10K`, `1G`).
// Strings: `"..."` on one line with the escapes \n \t \\ \" \xNN (plus \r and \0 as extensions).
// Comments: `//` to end of line and `/* ... */` (not nested). A block comment that spans a line
// break counts as a line break.
//
// Continuation rule (contract §1: "statements end at a newline or `;`; a line that ends inside
// ( [ { or after a binary operator continues"). Braces only ever delimit blocks in this language
// (statement lists), so a line ending inside `{ ... }` "continues" in the sense that the enclosing
// statement (the `if`, `while`, `fn`...) is not over until its `}`; inside the block, newlines
// separate the block's statements as usual. The lexer therefore keeps a stack of open brackets and
// drops a line break when:
//   1. the innermost open bracket is `(` or `[` (a call's argument list, a parenthesised
//      expression, an index), or
//   2. the last token of the line is an operator that needs a right operand: a binary operator,
//      `=` or a compound assignment, `,`, `.`, `..`, unary `!` `~`, or the keywords `in` / `step`,
//      or
//   3. (extension) the next line starts with an operator that cannot start a statement: a binary
//      operator other than `-` (`&&`, `||`, `|`, `*`, `==`, `<`, ...), `.` or `..` — so long
//      conditions and member chains may be broken before the operator too.
// `;` is always a terminator. Several line breaks in a row become one `newline` token.
// Recovery: because no expression can contain `{`, `}` or a statement keyword, a `{` or `}` closes
// any `(` / `[` still open inside the current block, and a line break followed by a keyword other
// than true/false/null is always kept (rules 1 and 2 do not apply) and closes them — so one missing
// `)` or operand does not swallow the next statement (the parser reports the missing part).

import type { Position, Range } from './ast';
import { makeDiagnostic, type Diagnostic } from './diagnostics';

export type TokenKind = 'int' | 'string' | 'ident' | 'keyword' | 'op' | 'newline' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text (for `newline`: '\n' or ';'; for `eof`: ''). */
  text: string;
  range: Range;
  /** `int`: the value; `string`: the decoded value; otherwise null. */
  value: bigint | string | null;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'let', 'if', 'else', 'while', 'for', 'in', 'step', 'break', 'continue', 'fn', 'return',
  'assert', 'expect', 'print', 'machine', 'true', 'false', 'null',
]);

/** Operators and punctuation, longest first within each starting character. */
const OPERATORS = [
  '<<=', '>>=',
  '..', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
  '+', '-', '*', '/', '%', '<', '>', '=', '!', '~', '&', '|', '^',
  '(', ')', '[', ']', '{', '}', ',', '.',
];

/** Operators grouped by their first character code, longest first. */
const OPERATORS_BY_FIRST_CHAR: ReadonlyMap<number, readonly string[]> = (() => {
  const m = new Map<number, string[]>();
  for (const op of OPERATORS) {
    const list = m.get(op.charCodeAt(0)) ?? [];
    list.push(op);
    m.set(op.charCodeAt(0), list);
  }
  for (const list of m.values()) list.sort((a, b) => b.length - a.length);
  return m;
})();

export const BINARY_OPERATORS: ReadonlySet<string> = new Set([
  '*', '/', '%', '+', '-', '<<', '>>', '<', '<=', '>', '>=', '==', '!=', '&', '^', '|', '&&', '||',
]);

/** A line ending after one of these continues on the next line. */
const TRAILING_CONTINUATION: ReadonlySet<string> = new Set([
  ...BINARY_OPERATORS,
  '=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=',
  ',', '.', '..', '!', '~',
]);

/** A line starting with one of these continues the previous line. */
const LEADING_CONTINUATION: ReadonlySet<string> = new Set(
  [...BINARY_OPERATORS, '.', '..'].filter((op) => op !== '-'),
);

const SIZE_SUFFIX: Readonly<Record<string, bigint>> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n };

export interface LexResult {
  tokens: Token[];
  diagnostics: Diagnostic[];
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}
function isHexDigit(ch: string): boolean {
  return ch.length === 1 && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'));
}

/** Shows a character in a message: printable ones as themselves, others as U+XXXX. */
function showChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${ch}'`;
}

class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  readonly raw: Token[] = [];
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly src: string) {}

  private here(): Position {
    return { line: this.line, col: this.pos - this.lineStart + 1, offset: this.pos };
  }

  private error(message: string, start: Position, end: Position, code: string): void {
    this.diagnostics.push(makeDiagnostic('error', message, { start, end }, code));
  }

  private push(kind: TokenKind, text: string, start: Position, value: bigint | string | null = null): void {
    this.raw.push({ kind, text, range: { start, end: this.here() }, value });
  }

  private newline(start: Position, text: string): void {
    const last = this.raw[this.raw.length - 1];
    if (text === '\n' && last !== undefined && last.kind === 'newline' && last.text === '\n') return;
    this.raw.push({ kind: 'newline', text, range: { start, end: { ...start, col: start.col + 1, offset: start.offset + 1 } }, value: null });
  }

  run(): void {
    const src = this.src;
    const n = src.length;
    while (this.pos < n) {
      const c = src.charCodeAt(this.pos);
      if (c === 10) {
        this.newline(this.here(), '\n');
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
        continue;
      }
      if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xfeff) {
        this.pos++;
        continue;
      }
      if (c === 47 /* / */ && src.charCodeAt(this.pos + 1) === 47) {
        while (this.pos < n && src.charCodeAt(this.pos) !== 10) this.pos++;
        continue;
      }
      if (c === 47 && src.charCodeAt(this.pos + 1) === 42 /* * */) {
        this.blockComment();
        continue;
      }
      if (isDigit(c)) {
        this.number();
        continue;
      }
      if (isIdentStart(c)) {
        const start = this.here();
        let p = this.pos + 1;
        while (p < n && isIdentPart(src.charCodeAt(p))) p++;
        const text = src.slice(this.pos, p);
        this.pos = p;
        this.push(KEYWORDS.has(text) ? 'keyword' : 'ident', text, start);
        continue;
      }
      if (c === 34 /* " */) {
        this.string();
        continue;
      }
      if (c === 59 /* ; */) {
        const start = this.here();
        this.pos++;
        this.newline(start, ';');
        continue;
      }
      let matched: string | undefined;
      const candidates = OPERATORS_BY_FIRST_CHAR.get(c);
      if (candidates !== undefined) {
        for (const op of candidates) {
          if (op.length === 1 || src.startsWith(op, this.pos)) {
            matched = op;
            break;
          }
        }
      }
      if (matched !== undefined) {
        const start = this.here();
        this.pos += matched.length;
        this.push('op', matched, start);
        continue;
      }
      const start = this.here();
      const cp = src.codePointAt(this.pos)!;
      const ch = String.fromCodePoint(cp);
      this.pos += ch.length;
      const hint = ch === '`' ? ' (a backtick may only separate the two halves of a hex number, as in 0xfffff680`00000000)'
        : ch === "'" ? " (strings use double quotes: \"text\")" : '';
      this.error(`unexpected character ${showChar(ch)}${hint}`, start, this.here(), 'unexpected-character');
    }
    this.push('eof', '', this.here());
  }

  private blockComment(): void {
    const src = this.src;
    const start = this.here();
    this.pos += 2;
    let sawNewline = false;
    let newlineAt: Position | undefined;
    while (this.pos < src.length) {
      const c = src.charCodeAt(this.pos);
      if (c === 42 && src.charCodeAt(this.pos + 1) === 47) {
        this.pos += 2;
        if (sawNewline) this.newline(newlineAt!, '\n');
        return;
      }
      if (c === 10) {
        if (!sawNewline) newlineAt = this.here();
        sawNewline = true;
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
        continue;
      }
      this.pos++;
    }
    this.error(`unterminated comment: the '/*' at ${start.line}:${start.col} has no closing '*/'`, start,
      { line: start.line, col: start.col + 2, offset: start.offset + 2 }, 'unterminated-comment');
    if (sawNewline) this.newline(newlineAt!, '\n');
  }

  private string(): void {
    const src = this.src;
    const start = this.here();
    this.pos++;
    let value = '';
    for (;;) {
      if (this.pos >= src.length || src.charCodeAt(this.pos) === 10 ||
          (src.charCodeAt(this.pos) === 13 && src.charCodeAt(this.pos + 1) === 10)) {
        this.error(`unterminated string: add a closing '"' before the end of the line`, start, this.here(), 'unterminated-string');
        break;
      }
      const ch = src[this.pos];
      if (ch === '"') {
        this.pos++;
        break;
      }
      if (ch === '\\') {
        const escStart = this.here();
        const e = src[this.pos + 1];
        if (e === undefined || e === '\n') {
          this.pos++;
          continue; // reported as unterminated on the next round
        }
        switch (e) {
          case 'n': value += '\n'; this.pos += 2; continue;
          case 't': value += '\t'; this.pos += 2; continue;
          case 'r': value += '\r'; this.pos += 2; continue;
          case '0': value += '\0'; this.pos += 2; continue;
          case '\\': value += '\\'; this.pos += 2; continue;
          case '"': value += '"'; this.pos += 2; continue;
          case 'x': {
            const h1 = src[this.pos + 2] ?? '';
            const h2 = src[this.pos + 3] ?? '';
            if (isHexDigit(h1) && isHexDigit(h2)) {
              value += String.fromCharCode(parseInt(h1 + h2, 16));
              this.pos += 4;
            } else {
              this.pos += 2;
              this.error(`'\\x' must be followed by two hex digits (as in "\\x41")`, escStart, this.here(), 'bad-escape');
            }
            continue;
          }
          default: {
            const cp = src.codePointAt(this.pos + 1)!;
            const shown = String.fromCodePoint(cp);
            this.pos += 1 + shown.length;
            value += shown;
            this.error(`unknown escape '\\${shown}' in string (use \\n \\t \\\\ \\" or \\xNN)`, escStart, this.here(), 'bad-escape');
            continue;
          }
        }
      }
      value += ch;
      this.pos++;
    }
    this.push('string', src.slice(start.offset, this.pos), start, value);
  }

  private number(): void {
    const src = this.src;
    const start = this.here();
    let p = this.pos;
    // The whole alphanumeric run (with '_' and backticks followed by an alphanumeric) is one
    // literal, so `12abc` is one bad number and not a number followed by a name.
    while (p < src.length) {
      const c = src.charCodeAt(p);
      if (isIdentPart(c)) p++;
      else if (c === 96 /* ` */ && p + 1 < src.length && isIdentPart(src.charCodeAt(p + 1))) p++;
      else break;
    }
    const text = src.slice(this.pos, p);
    this.pos = p;
    const value = this.numberValue(text, start);
    this.push('int', text, start, value);
  }

  private numberValue(text: string, start: Position): bigint {
    const end = this.here();
    const fail = (message: string): bigint => {
      this.error(message, start, end, 'bad-number');
      return 0n;
    };
    let base = 10;
    let body = text;
    const p2 = text.slice(0, 2);
    if (p2 === '0x' || p2 === '0X') {
      base = 16;
      body = text.slice(2);
    } else if (p2 === '0b' || p2 === '0B') {
      base = 2;
      body = text.slice(2);
    }
    const baseName = base === 16 ? 'hex' : base === 2 ? 'binary' : 'decimal';
    // Split into digits and a trailing letter part (a size suffix, or garbage).
    const m = (base === 16 ? /^([0-9a-fA-F_`]*)([g-zG-Z][A-Za-z0-9_`]*)?$/ : /^([0-9_`]*)([A-Za-z][A-Za-z0-9_`]*)?$/).exec(body);
    const digitPart = m ? m[1] : body;
    const suffix = m ? m[2] : undefined;
    let multiplier = 1n;
    if (suffix !== undefined) {
      const scale = SIZE_SUFFIX[suffix];
      if (scale !== undefined) {
        multiplier = scale;
      } else if (suffix.length === 1 && 'kmgt'.includes(suffix)) {
        return fail(`size suffixes are upper-case: write '${text.slice(0, -1)}${suffix.toUpperCase()}'`);
      } else if (/^[A-Za-z]+$/.test(suffix) && 'KMGT'.includes(suffix[0].toUpperCase())) {
        return fail(`unknown size suffix '${suffix}' in '${text}' (use K, M, G or T)`);
      } else {
        return fail(`invalid character '${suffix[0]}' in ${baseName} number '${text}'`);
      }
    }
    if (!m) {
      const bad = [...body].find((ch) => !/[0-9a-fA-F_`]/.test(ch)) ?? body[0];
      return fail(`invalid character '${bad}' in ${baseName} number '${text}'`);
    }
    let digits = '';
    let backticks = 0;
    for (let i = 0; i < digitPart.length; i++) {
      const ch = digitPart[i];
      if (ch === '_') continue;
      if (ch === '`') {
        if (base !== 16) return fail(`a backtick may only separate the two halves of a hex number (as in 0xfffff680\`00000000), not '${text}'`);
        if (++backticks > 1) return fail(`'${text}' has more than one backtick; a hex number has only two halves`);
        if (digits.length === 0) return fail(`'\`' must be between digits in '${text}'`);
        continue;
      }
      if (base === 2 && ch !== '0' && ch !== '1') return fail(`invalid digit '${ch}' in binary number '${text}'`);
      digits += ch;
    }
    if (digits.length === 0) return fail(`${baseName} number '${text}' has no digits`);
    const lastDigit = digitPart[digitPart.length - 1];
    if (lastDigit === '_' || lastDigit === '`') return fail(`'${lastDigit}' must be between digits in '${text}'`);
    const prefix = base === 16 ? '0x' : base === 2 ? '0b' : '';
    return BigInt(prefix + digits) * multiplier;
  }
}

/** Tokenizes without applying the continuation rule: every line break is a `newline` token. */
export function lexRaw(src: string): LexResult {
  const lx = new Lexer(src);
  lx.run();
  return { tokens: lx.raw, diagnostics: lx.diagnostics };
}

/** Tokenizes and keeps only the line breaks that end statements (see the header comment). */
export function lex(src: string): LexResult {
  const { tokens: raw, diagnostics } = lexRaw(src);
  return { tokens: applyContinuation(raw), diagnostics };
}

function isOp(t: Token | undefined, set: ReadonlySet<string>): boolean {
  return t !== undefined && t.kind === 'op' && set.has(t.text);
}

export function applyContinuation(raw: readonly Token[]): Token[] {
  const out: Token[] = [];
  const frames: string[] = [];
  const popParens = (): void => {
    while (frames.length > 0 && frames[frames.length - 1] !== '{') frames.pop();
  };
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i];
    if (t.kind === 'newline') {
      if (t.text === ';') {
        out.push(t);
        continue;
      }
      const next = raw[i + 1];
      // Recovery: a statement keyword cannot be inside an expression, so it starts a new statement.
      const statementNext = next !== undefined && next.kind === 'keyword' && next.text !== 'true' && next.text !== 'false' && next.text !== 'null';
      const top = frames[frames.length - 1];
      if (top === '(' || top === '[') {
        if (statementNext) popParens();
        else continue;
      } else {
        const prev = out[out.length - 1];
        if (prev === undefined || prev.kind === 'newline') continue;
        if (!statementNext) {
          if (isOp(prev, TRAILING_CONTINUATION)) continue;
          if (prev.kind === 'keyword' && (prev.text === 'in' || prev.text === 'step')) continue;
        }
        if (isOp(next, LEADING_CONTINUATION)) continue;
      }
      out.push(t);
      continue;
    }
    if (t.kind === 'op') {
      switch (t.text) {
        case '(':
        case '[':
          frames.push(t.text);
          break;
        case ')':
          if (frames[frames.length - 1] === '(') frames.pop();
          break;
        case ']':
          if (frames[frames.length - 1] === '[') frames.pop();
          break;
        case '{':
          popParens();
          frames.push('{');
          break;
        case '}':
          popParens();
          frames.pop();
          break;
      }
    }
    out.push(t);
  }
  return out;
}
