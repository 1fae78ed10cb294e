// Recursive-descent parser of the `.vmm` scenario language: tokens -> Program (see ast.ts).
// It exists to turn a scenario into a tree that the checker and the stepwise interpreter walk,
// and to report EVERY syntax error of a file in one run, each with a message a newcomer
// understands. It never throws on bad input.
//
// Error recovery: an expression that cannot be read becomes an `Error` node and the parser skips
// to the end of the statement (the next line break or `;`, or the `}` that closes the block, or —
// in an `if`/`while`/`for`/`expect`/`in` header — the `{` of the body, so that the body is still
// parsed and its own errors reported). Statements keep their shape whenever possible, so that the
// checker does not report follow-up errors (a `let` whose value is broken still declares its name).
// Blocks left open at the end of the file are reported against the line where they were opened.
//
// Extensions (the contract allows additions): compound assignment (`x += 1`), indexing
// (`a[i]`), a bare `{ ... }` block statement (a nested scope), `print(a, b)` and
// `assert(cond, "msg")` with parentheses, trailing commas in argument and parameter lists, the
// `{` of a body and an `else` may be on the next line (`}` / newline / `else`).
//
// Other rules: `fn` may only be declared at the top level; `machine { }` is parsed wherever it is
// (the checker reports one that is not first); after a statement only a line break, `;`, `}` or
// the end of the file may follow — except after a statement that ends with the `}` of its block
// (`if a { return 1 } return 2` is two statements, as in the contract's `{ ... return expr }`).

import type {
  AssignOp, BinaryOp, Block, Expr, Fn, For, If, Machine, MachineEntry, Param, Position, Program, Range, Stmt,
  UnaryOp,
} from './ast';
import { forEachNode } from './ast';
import { formatPosition, makeDiagnostic, type Diagnostic } from './diagnostics';
import { lex, type Token } from './lexer';

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** Binding power of the binary operators (C precedence; higher binds tighter). */
const PRECEDENCE: Readonly<Record<string, number>> = {
  '||': 1,
  '&&': 2,
  '|': 3,
  '^': 4,
  '&': 5,
  '==': 6, '!=': 6,
  '<': 7, '<=': 7, '>': 7, '>=': 7,
  '<<': 8, '>>': 8,
  '+': 9, '-': 9,
  '*': 10, '/': 10, '%': 10,
};

const ASSIGN_OPS: ReadonlySet<string> = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=']);
const COMPARISONS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** Deepest nesting of blocks and expressions before the parser gives up (protects the stack). */
const MAX_NESTING = 200;
/** Most operators (or `.f` / `[i]` / `(...)` suffixes) in one chain, which nests the tree as deeply. */
const MAX_CHAIN = 1000;

/** Thrown inside expression parsing after an error has been reported; caught at statement level. */
class SyncError extends Error {}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the file';
    case 'newline':
      return t.text === ';' ? "';'" : 'the end of the line';
    case 'string':
      return `string ${t.text.length > 20 ? t.text.slice(0, 17) + '..."' : t.text}`;
    case 'keyword':
      return `keyword '${t.text}'`;
    default:
      return `'${t.text}'`;
  }
}

class Parser {
  private pos = 0;
  private nextId = 1;
  private nesting = 0;
  /** End of the last consumed token that is not a line break. */
  private prevEnd: Position;
  /** Open blocks, innermost last (for "is a '}' missing?" hints). */
  private readonly openBlocks: Token[] = [];
  /**
   * Blocks whose `}` starts a line indented differently from the line that opened them: when a
   * `}` is missing, the `}` meant for an outer block closes an inner one, so the innermost such
   * block is the likely culprit and is named in the "missing '}'" messages.
   */
  private readonly misindented: Token[] = [];
  /** The `fn` token at which all open blocks were closed for recovery (reported once). */
  private unwoundAt: Token | null = null;
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly tokens: Token[]) {
    this.prevEnd = { line: 1, col: 1, offset: 0 };
  }

  // ---------------------------------------------------------------------------------------------
  // Token helpers
  // ---------------------------------------------------------------------------------------------

  private peek(k = 0): Token {
    const i = Math.min(this.pos + k, this.tokens.length - 1);
    return this.tokens[i];
  }

  private advance(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== 'eof') this.pos++;
    if (t.kind !== 'newline' && t.kind !== 'eof') this.prevEnd = t.range.end;
    return t;
  }

  private isOp(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'op' && t.text === text;
  }

  private isKw(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'keyword' && t.text === text;
  }

  /** At a statement end: line break, `;`, `}` or end of file. */
  private atStatementEnd(): boolean {
    const t = this.peek();
    return t.kind === 'newline' || t.kind === 'eof' || (t.kind === 'op' && t.text === '}') || t === this.unwoundAt;
  }

  private id(): number {
    return this.nextId++;
  }

  private span(start: Position, end: Position = this.prevEnd): Range {
    return { start, end };
  }

  private error(message: string, range: Range, code = 'syntax'): void {
    this.diagnostics.push(makeDiagnostic('error', message, range, code));
  }

  private warn(message: string, range: Range, code: string): void {
    this.diagnostics.push(makeDiagnostic('warning', message, range, code));
  }

  /** Reports at the current token (zero-width at the end of the previous token for line ends). */
  private errorHere(message: string, code = 'syntax'): void {
    const t = this.peek();
    if (t.kind === 'eof' || (t.kind === 'newline' && t.text === '\n')) {
      this.error(message, { start: this.prevEnd, end: this.prevEnd }, code);
    } else {
      this.error(message, t.range, code);
    }
  }

  /**
   * Skips the rest of a broken statement: stops (without consuming) at a line break, `;`, `}`,
   * the end of the file, or — when `stopAtBrace` — a `{`. A `{` that is not a stop is skipped
   * together with its whole block.
   */
  private recover(stopAtBrace: boolean): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'newline' || t.kind === 'eof') return;
      if (t.kind === 'op' && t.text === '}') return;
      if (t.kind === 'op' && t.text === '{') {
        if (stopAtBrace) return;
        this.skipBalancedBlock();
        continue;
      }
      this.advance();
    }
  }

  private skipBalancedBlock(): void {
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return;
      this.advance();
      if (t.kind === 'op' && t.text === '{') depth++;
      else if (t.kind === 'op' && t.text === '}' && --depth === 0) return;
    }
  }

  /** An Error node from `start` to the end of what was consumed (zero-width if nothing was). */
  private errorExpr(start: Position): Expr {
    const from = start.offset <= this.prevEnd.offset ? start : this.prevEnd;
    return { kind: 'Error', id: this.id(), range: { start: from, end: this.prevEnd } };
  }

  /** Parses an expression; on a syntax error returns an Error node after skipping (see recover). */
  private exprOrError(stopAtBrace: boolean): Expr {
    const start = this.peek().range.start;
    const savedNesting = this.nesting;
    try {
      return this.parseExpr();
    } catch (e) {
      if (!(e instanceof SyncError)) throw e;
      this.nesting = savedNesting;
      this.recover(stopAtBrace);
      return this.errorExpr(start);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Program and statements
  // ---------------------------------------------------------------------------------------------

  parseProgram(): Program {
    const start: Position = { line: 1, col: 1, offset: 0 };
    const body = this.parseStatements(null);
    let machine: Machine | null = null;
    if (body.length > 0 && body[0].kind === 'Machine') machine = body.shift() as Machine;
    const eof = this.tokens[this.tokens.length - 1];
    const program: Program = { kind: 'Program', id: 0, range: { start, end: eof.range.end }, machine, body, nodeCount: 0 };
    // Ids were handed out as nodes were completed; renumber them in pre-order (source order).
    let next = 0;
    forEachNode(program, (n) => {
      (n as { id: number }).id = next++;
    });
    program.nodeCount = next;
    return program;
  }

  /** Statements until the `}` closing `opener` (not consumed) or, at top level, the end of file. */
  private parseStatements(opener: Token | null): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'newline') {
        this.advance();
        continue;
      }
      if (t.kind === 'eof') {
        if (opener !== null) this.reportUnclosed(opener);
        return out;
      }
      if (opener !== null && t.kind === 'keyword' && t.text === 'fn' && t.range.start.col === 1) {
        // A `fn` at the start of a line inside a block: almost certainly a '}' is missing above.
        // Report it once and close every open block here, so the rest of the file parses normally.
        if (this.unwoundAt !== t) {
          this.unwoundAt = t;
          const suspect = this.suspectInside(this.openBlocks[this.openBlocks.length - 1]);
          this.error(`expected '}' before this 'fn': the block opened at ${formatPosition(suspect.range.start)} is not closed (functions can only be declared at the top level)`,
            t.range, 'unclosed-block');
        }
        return out;
      }
      if (t.kind === 'op' && t.text === '}') {
        if (opener !== null) return out;
        this.error(`unexpected '}': there is no open block to close here`, t.range);
        this.advance();
        continue;
      }
      const s = this.parseStatementSafely();
      if (s !== null) out.push(s);
    }
  }

  private parseStatementSafely(): Stmt | null {
    const before = this.pos;
    const savedNesting = this.nesting;
    let s: Stmt | null = null;
    try {
      s = this.parseStatement();
      // A statement that ends with its block's '}' may be followed by another on the same line.
      if (s === null || !this.endsWithBrace(s)) this.expectStatementEnd();
    } catch (e) {
      if (!(e instanceof SyncError)) throw e;
      this.nesting = savedNesting;
      this.recover(false);
    }
    if (this.pos === before) {
      // Guarantee progress whatever happened.
      this.advance();
    }
    return s;
  }

  private endsWithBrace(s: Stmt): boolean {
    const last = this.tokens[this.pos - 1];
    if (last === undefined || last.kind !== 'op' || last.text !== '}') return false;
    switch (s.kind) {
      case 'If': case 'While': case 'For': case 'Fn': case 'Expect': case 'In': case 'Block': case 'Machine':
        return last.range.end.offset === s.range.end.offset;
      default:
        return false;
    }
  }

  private expectStatementEnd(): void {
    if (this.atStatementEnd()) {
      if (this.peek().kind === 'newline') this.advance();
      return;
    }
    const t = this.peek();
    if (t.kind === 'op' && t.text === '..') {
      this.error(`a range 'a..b' can only be used in a 'for' loop (for i in a..b { ... })`, t.range);
    } else if (t.kind === 'op' && ASSIGN_OPS.has(t.text)) {
      this.error(`only a variable can be assigned: the left side of '${t.text}' must be a name`, t.range);
    } else if (t.kind === 'keyword' && t.text === 'else') {
      this.error(`'else' without an 'if': it must follow the '}' of an 'if' block`, t.range);
    } else {
      this.error(`unexpected ${describe(t)} after the statement (put each statement on its own line, or separate them with ';')`, t.range);
    }
    this.recover(false);
    if (this.peek().kind === 'newline') this.advance();
  }

  private parseStatement(): Stmt | null {
    const t = this.peek();
    if (t.kind === 'keyword') {
      switch (t.text) {
        case 'let': return this.parseLet();
        case 'if': return this.parseIf();
        case 'while': return this.parseWhile();
        case 'for': return this.parseFor();
        case 'fn': return this.parseFn();
        case 'return': return this.parseReturn();
        case 'break':
          this.advance();
          return { kind: 'Break', id: this.id(), range: t.range };
        case 'continue':
          this.advance();
          return { kind: 'Continue', id: this.id(), range: t.range };
        case 'assert': return this.parseAssert();
        case 'expect': return this.parseExpect();
        case 'print': return this.parsePrint();
        case 'in': return this.parseIn();
        case 'machine': return this.parseMachine();
        case 'else': {
          this.error(`'else' without an 'if': it must follow the '}' of an 'if' block`, t.range);
          this.advance();
          if (this.isKw('if')) return this.parseIf();
          if (this.isOp('{')) return this.parseBlock();
          this.recover(false);
          return null;
        }
        case 'step':
          this.error(`'step' can only be used in a 'for' loop (for i in 0..10 step 2 { ... })`, t.range);
          this.advance();
          this.recover(false);
          return null;
        default:
          break; // true / false / null start an expression statement
      }
    }
    if (t.kind === 'op' && t.text === '{') return this.parseBlock();
    return this.parseSimpleStatement();
  }

  /** Assignment or expression statement. */
  private parseSimpleStatement(): Stmt {
    const start = this.peek().range.start;
    const expr = this.parseExpr();
    const t = this.peek();
    if (t.kind === 'op' && ASSIGN_OPS.has(t.text)) {
      this.advance();
      if (expr.kind !== 'Ident') {
        this.error(`only a variable can be assigned: the left side of '${t.text}' must be a name`, expr.range);
        const value = this.exprOrError(false);
        return { kind: 'Assign', id: this.id(), range: this.span(start), target: '', targetRange: expr.range, op: t.text as AssignOp, value };
      }
      const value = this.exprOrError(false);
      return {
        kind: 'Assign', id: this.id(), range: this.span(start), target: expr.name, targetRange: expr.range,
        op: t.text as AssignOp, value,
      };
    }
    return { kind: 'ExprStmt', id: this.id(), range: this.span(start), expr };
  }

  private keywordName(t: Token): string | null {
    return t.kind === 'keyword' ? `'${t.text}' is a keyword and cannot be used as a name` : null;
  }

  private parseLet(): Stmt | null {
    const letTok = this.advance();
    const nameTok = this.peek();
    if (nameTok.kind !== 'ident') {
      this.errorHere(this.keywordName(nameTok) ?? `expected a variable name after 'let', found ${describe(nameTok)}`);
      this.recover(false);
      return null;
    }
    this.advance();
    let init: Expr;
    if (this.isOp('=')) {
      this.advance();
      init = this.exprOrError(false);
    } else {
      const t = this.peek();
      if (t.kind === 'op' && t.text === '==') {
        this.errorHere(`use '=' to give '${nameTok.text}' its value ('==' compares)`);
      } else {
        this.errorHere(`expected '=' after 'let ${nameTok.text}' (a variable needs a value: let ${nameTok.text} = 0), found ${describe(t)}`);
      }
      const s = this.peek().range.start;
      this.recover(false);
      init = this.errorExpr(s);
    }
    return {
      kind: 'Let', id: this.id(), range: this.span(letTok.range.start), name: nameTok.text, nameRange: nameTok.range, init,
    };
  }

  /** A condition: like an expression, but `a = b` is reported as a probable `a == b`. */
  private parseCondition(): Expr {
    let cond = this.exprOrError(true);
    const t = this.peek();
    if (t.kind === 'op' && t.text === '=') {
      this.error(`'=' is assignment; did you mean '=='?`, t.range, 'assign-in-condition');
      this.advance();
      const right = this.exprOrError(true);
      cond = {
        kind: 'Binary', id: this.id(), range: { start: cond.range.start, end: right.range.end }, op: '==',
        left: cond, right, opRange: t.range,
      };
    }
    return cond;
  }

  /**
   * The `{ ... }` body of a construct. `what` completes "expected '{' ..." (e.g. "after the 'if'
   * condition"). The `{` may be on the next line. Without a `{`, reports, skips the rest of the
   * line (using a `{` found on it) or returns an empty block.
   */
  private parseBody(what: string): Block {
    if (this.peek().kind === 'newline' && this.peek().text === '\n' && this.isOp('{', 1)) this.advance();
    if (this.isOp('{')) return this.parseBlock();
    this.errorHere(`expected '{' ${what}, found ${describe(this.peek())}`, 'expected-block');
    this.recover(true);
    if (this.isOp('{')) return this.parseBlock();
    return { kind: 'Block', id: this.id(), range: { start: this.prevEnd, end: this.prevEnd }, statements: [] };
  }

  private parseBlock(): Block {
    const openIndex = this.pos;
    const open = this.advance(); // '{'
    if (this.nesting >= MAX_NESTING) {
      this.error('blocks are nested too deeply', open.range, 'too-deep');
      this.pos--; // back onto '{' so that skipBalancedBlock consumes the whole block
      this.skipBalancedBlock();
      return { kind: 'Block', id: this.id(), range: this.span(open.range.start), statements: [] };
    }
    this.nesting++;
    this.openBlocks.push(open);
    const statements = this.parseStatements(open);
    this.openBlocks.pop();
    this.nesting--;
    if (this.isOp('}')) {
      const close = this.advance();
      if (this.startsLine(this.pos - 1) && close.range.start.col !== this.lineIndent(openIndex)) this.misindented.push(open);
    }
    return { kind: 'Block', id: this.id(), range: this.span(open.range.start), statements };
  }

  /** Whether tokens[i] is the first token on its line. */
  private startsLine(i: number): boolean {
    if (i === 0) return true;
    const prev = this.tokens[i - 1];
    return (prev.kind === 'newline' && prev.text === '\n') || prev.range.end.line < this.tokens[i].range.start.line;
  }

  /** Column of the first token on the line of tokens[i]. */
  private lineIndent(i: number): number {
    const line = this.tokens[i].range.start.line;
    let col = this.tokens[i].range.start.col;
    for (let j = i - 1; j >= 0; j--) {
      const u = this.tokens[j];
      if (u.kind === 'newline' || u.range.start.line !== line) break;
      col = u.range.start.col;
    }
    return col;
  }

  /** The innermost misindented block inside `open`'s block, or `open` itself. */
  private suspectInside(open: Token): Token {
    for (let i = this.misindented.length - 1; i >= 0; i--) {
      const m = this.misindented[i];
      if (m.range.start.offset > open.range.start.offset) return m;
      break;
    }
    return open;
  }

  private reportUnclosed(open: Token): void {
    const suspect = this.suspectInside(open);
    const hint = suspect !== open ? ` (perhaps the block opened at ${formatPosition(suspect.range.start)} is the one missing its '}')` : '';
    this.error(`expected '}' to close the block opened at ${formatPosition(open.range.start)}${hint}`,
      { start: this.prevEnd, end: this.prevEnd }, 'unclosed-block');
  }

  private parseIf(): If {
    const ifTok = this.advance();
    const cond = this.parseCondition();
    const then = this.parseBody(`after the 'if' condition`);
    let elseBranch: Block | If | null = null;
    // `else` may follow on the next line.
    const savedPos = this.pos;
    const savedEnd = this.prevEnd;
    if (this.peek().kind === 'newline' && this.peek().text === '\n') this.advance();
    if (this.isKw('else')) {
      this.advance();
      if (this.peek().kind === 'newline' && this.peek().text === '\n' && this.isKw('if', 1)) this.advance();
      if (this.isKw('if')) elseBranch = this.parseIf();
      else elseBranch = this.parseBody(`or 'if' after 'else'`);
    } else {
      this.pos = savedPos;
      this.prevEnd = savedEnd;
    }
    return { kind: 'If', id: this.id(), range: this.span(ifTok.range.start), cond, then, else: elseBranch };
  }

  private parseWhile(): Stmt {
    const w = this.advance();
    const cond = this.parseCondition();
    const body = this.parseBody(`after the 'while' condition`);
    return { kind: 'While', id: this.id(), range: this.span(w.range.start), cond, body };
  }

  private parseFor(): For {
    const forTok = this.advance();
    let variable = '';
    let variableRange: Range = { start: this.prevEnd, end: this.prevEnd };
    let from: Expr | null = null;
    let to: Expr | null = null;
    let step: Expr | null = null;
    const fail = (message: string): void => {
      this.errorHere(message);
      this.recover(true);
    };
    parse: {
      const nameTok = this.peek();
      if (nameTok.kind !== 'ident') {
        fail(this.keywordName(nameTok) ?? `expected a loop variable name after 'for' (for i in 0..10 { ... }), found ${describe(nameTok)}`);
        break parse;
      }
      this.advance();
      variable = nameTok.text;
      variableRange = nameTok.range;
      if (!this.isKw('in')) {
        fail(`expected 'in' after 'for ${variable}' (for ${variable} in 0..10 { ... }), found ${describe(this.peek())}`);
        break parse;
      }
      this.advance();
      from = this.exprOrError(true);
      if (from.kind === 'Error') break parse;
      if (!this.isOp('..')) {
        fail(`expected '..' in the range of the 'for' loop (for ${variable} in 0..10 { ... }), found ${describe(this.peek())}`);
        break parse;
      }
      this.advance();
      to = this.exprOrError(true);
      if (to.kind === 'Error') break parse;
      if (this.isKw('step')) {
        this.advance();
        step = this.exprOrError(true);
      }
    }
    const here = this.prevEnd;
    from ??= { kind: 'Error', id: this.id(), range: { start: here, end: here } };
    to ??= { kind: 'Error', id: this.id(), range: { start: here, end: here } };
    const body = this.parseBody(`after the range of the 'for' loop`);
    return { kind: 'For', id: this.id(), range: this.span(forTok.range.start), variable, variableRange, from, to, step, body };
  }

  private parseFn(): Fn {
    const fnTok = this.advance();
    if (this.openBlocks.length > 0) {
      const open = this.suspectInside(this.openBlocks[this.openBlocks.length - 1]);
      this.error(
        `functions can only be declared at the top level of the scenario (is a '}' missing to close the block opened at ${formatPosition(open.range.start)}?)`,
        fnTok.range, 'nested-fn');
    }
    let name = '';
    let nameRange: Range = { start: fnTok.range.end, end: fnTok.range.end };
    const params: Param[] = [];
    parse: {
      const nameTok = this.peek();
      if (nameTok.kind !== 'ident') {
        this.errorHere(this.keywordName(nameTok) ?? `expected a function name after 'fn' (fn name(a, b) { ... }), found ${describe(nameTok)}`);
        this.recover(true);
        break parse;
      }
      this.advance();
      name = nameTok.text;
      nameRange = nameTok.range;
      if (!this.isOp('(')) {
        this.errorHere(`expected '(' after 'fn ${name}' (write 'fn ${name}() { ... }' for no parameters), found ${describe(this.peek())}`);
        this.recover(true);
        break parse;
      }
      const open = this.advance();
      for (;;) {
        if (this.isOp(')')) {
          this.advance();
          break;
        }
        const p = this.peek();
        if (p.kind !== 'ident') {
          if (p.kind === 'newline' || p.kind === 'eof' || this.isOp('{')) {
            this.errorHere(`expected ')' to close the '(' opened at ${formatPosition(open.range.start)}`);
          } else {
            this.errorHere(this.keywordName(p) ?? `expected a parameter name, found ${describe(p)}`);
          }
          this.recover(true);
          break parse;
        }
        this.advance();
        params.push({ name: p.text, range: p.range });
        if (this.isOp(',')) {
          this.advance();
          continue;
        }
        if (this.isOp(')')) continue;
        const q = this.peek();
        if (q.kind === 'newline' || q.kind === 'eof' || this.isOp('{')) {
          this.errorHere(`expected ')' to close the '(' opened at ${formatPosition(open.range.start)}`);
        } else {
          this.errorHere(`expected ',' or ')' after parameter '${p.text}', found ${describe(q)}`);
        }
        this.recover(true);
        break parse;
      }
    }
    const body = this.parseBody(name === '' ? `to start the function body` : `to start the body of function '${name}'`);
    return { kind: 'Fn', id: this.id(), range: this.span(fnTok.range.start), name, nameRange, params, body };
  }

  private parseReturn(): Stmt {
    const r = this.advance();
    const value = this.atStatementEnd() ? null : this.exprOrError(false);
    return { kind: 'Return', id: this.id(), range: this.span(r.range.start), value };
  }

  /**
   * Whether the statement's arguments are one parenthesised list: the next token is `(`, its
   * matching `)` ends the statement, and the list is empty or has a top-level comma — used for
   * `print(a, b)` / `assert(c, "m")` (while `print (a + b) * 2` stays an expression).
   */
  private parenthesisedList(): boolean {
    if (!this.isOp('(')) return false;
    let depth = 0;
    let commas = 0;
    for (let k = 0; ; k++) {
      const t = this.peek(k);
      if (t.kind === 'eof' || t.kind === 'newline') return false;
      if (t.kind !== 'op') continue;
      if (t.text === '(' || t.text === '[') depth++;
      else if (t.text === ')' || t.text === ']') {
        depth--;
        if (depth === 0) {
          const after = this.peek(k + 1);
          const ends = after.kind === 'newline' || after.kind === 'eof' || (after.kind === 'op' && after.text === '}');
          return ends && (commas > 0 || this.isOp(')', 1));
        }
      } else if (t.text === ',' && depth === 1) commas++;
      else if (t.text === '{' || t.text === '}') return false;
    }
  }

  /** Comma-separated expressions; with `open` (the `(` already consumed), up to its `)`. */
  private parseExprList(open: Token | null): Expr[] {
    const out: Expr[] = [];
    if (open && this.isOp(')')) {
      this.advance();
      return out;
    }
    for (;;) {
      const e = this.exprOrError(false);
      out.push(e);
      if (e.kind === 'Error') return out;
      if (this.isOp(',')) {
        this.advance();
        if (open && this.isOp(')')) break; // trailing comma
        continue;
      }
      break;
    }
    if (open) {
      if (this.isOp(')')) this.advance();
      else {
        this.errorHere(`expected ')' to close the '(' opened at ${formatPosition(open.range.start)}`);
        this.recover(false);
      }
    }
    return out;
  }

  private parsePrint(): Stmt {
    const p = this.advance();
    let args: Expr[] = [];
    if (this.parenthesisedList()) args = this.parseExprList(this.advance());
    else if (!this.atStatementEnd()) args = this.parseExprList(null);
    return { kind: 'Print', id: this.id(), range: this.span(p.range.start), args };
  }

  private parseAssert(): Stmt {
    const a = this.advance();
    let cond: Expr;
    let message: Expr | null = null;
    if (this.parenthesisedList()) {
      const open = this.advance();
      const list = this.parseExprList(open);
      cond = list[0] ?? this.errorExpr(open.range.start);
      message = list[1] ?? null;
      if (list.length === 0) this.error(`'assert' needs a condition (assert x == 1, "message")`, open.range);
      if (list.length > 2) this.error(`'assert' takes a condition and an optional message, not ${list.length} values`, list[2].range);
    } else {
      if (this.atStatementEnd()) {
        this.errorHere(`'assert' needs a condition (assert x == 1, "message")`);
        return { kind: 'Assert', id: this.id(), range: a.range, cond: this.errorExpr(a.range.end), message: null };
      }
      cond = this.parseCondition();
      if (this.isOp(',') && cond.kind !== 'Error') {
        this.advance();
        message = this.exprOrError(false);
      }
    }
    return { kind: 'Assert', id: this.id(), range: this.span(a.range.start), cond, message };
  }

  private parseExpect(): Stmt {
    const e = this.advance();
    const status = this.exprOrError(true);
    const body = this.parseBody(`after the status of 'expect' (expect STATUS_ACCESS_VIOLATION { ... })`);
    return { kind: 'Expect', id: this.id(), range: this.span(e.range.start), status, body };
  }

  private parseIn(): Stmt {
    const i = this.advance();
    const process = this.exprOrError(true);
    const body = this.parseBody(`after the process of 'in' (in proc { ... })`);
    return { kind: 'In', id: this.id(), range: this.span(i.range.start), process, body };
  }

  private parseMachine(): Machine {
    const m = this.advance();
    const entries: MachineEntry[] = [];
    if (this.peek().kind === 'newline' && this.peek().text === '\n' && this.isOp('{', 1)) this.advance();
    if (!this.isOp('{')) {
      this.errorHere(`expected '{' after 'machine' (machine { ram = 512M }), found ${describe(this.peek())}`, 'expected-block');
      this.recover(false);
      return { kind: 'Machine', id: this.id(), range: this.span(m.range.start), entries };
    }
    const open = this.advance();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'newline') {
        this.advance();
        continue;
      }
      if (t.kind === 'op' && t.text === '}') {
        this.advance();
        break;
      }
      if (t.kind === 'eof') {
        this.reportUnclosed(open);
        break;
      }
      if (t.kind === 'keyword' && t.text !== 'true' && t.text !== 'false' && t.text !== 'null') {
        // A statement keyword: the '}' of the machine block is missing. End the block here.
        this.error(`expected '}' to close the 'machine' block opened at ${formatPosition(open.range.start)}`, t.range, 'unclosed-block');
        this.unwoundAt = t;
        break;
      }
      if (t.kind !== 'ident') {
        this.errorHere(`expected a setting name in the 'machine' block (like 'ram = 512M'), found ${describe(t)}`);
        this.recover(false);
        continue;
      }
      this.advance();
      if (!this.isOp('=')) {
        this.errorHere(`expected '=' after the setting '${t.text}' (${t.text} = ...), found ${describe(this.peek())}`);
        this.recover(false);
        continue;
      }
      this.advance();
      const value = this.exprOrError(false);
      entries.push({ key: t.text, keyRange: t.range, value, range: this.span(t.range.start) });
      if (!this.atStatementEnd()) {
        this.errorHere(`unexpected ${describe(this.peek())} after the setting '${t.text}' (put each setting on its own line)`);
        this.recover(false);
      }
    }
    return { kind: 'Machine', id: this.id(), range: this.span(m.range.start), entries };
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions
  // ---------------------------------------------------------------------------------------------

  private enter(t: Token): void {
    if (++this.nesting > MAX_NESTING) {
      this.error('expression is nested too deeply', t.range, 'too-deep');
      throw new SyncError();
    }
  }

  private checkChain(chain: number, t: Token): void {
    if (chain >= MAX_CHAIN) {
      this.error(`expression is too long (more than ${MAX_CHAIN} operators); split it using 'let'`, t.range, 'too-deep');
      throw new SyncError();
    }
  }

  parseExpr(): Expr {
    return this.parseBinary(1);
  }

  private parseBinary(minPrec: number): Expr {
    let left = this.parseUnary();
    for (let chain = 0; ; chain++) {
      const t = this.peek();
      if (t.kind !== 'op') return left;
      const prec = PRECEDENCE[t.text];
      if (prec === undefined || prec < minPrec) return left;
      this.checkChain(chain, t);
      this.advance();
      this.enter(t);
      const right = this.parseBinary(prec + 1);
      this.nesting--;
      const op = t.text as BinaryOp;
      if ((op === '&' || op === '|' || op === '^') && (this.isBareComparison(left) || this.isBareComparison(right))) {
        const cmp = this.isBareComparison(right) ? (right as { op: string }).op : (left as { op: string }).op;
        this.warn(`'${op}' is evaluated after '${cmp}' (C precedence); add parentheses, e.g. '(a ${op} b) ${cmp} c'`, t.range, 'precedence');
      }
      left = { kind: 'Binary', id: this.id(), range: { start: left.range.start, end: right.range.end }, op, left, right, opRange: t.range };
    }
  }

  private isBareComparison(e: Expr): boolean {
    return e.kind === 'Binary' && COMPARISONS.has(e.op);
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '!' || t.text === '~')) {
      this.advance();
      this.enter(t);
      const operand = this.parseUnary();
      this.nesting--;
      return { kind: 'Unary', id: this.id(), range: { start: t.range.start, end: operand.range.end }, op: t.text as UnaryOp, operand };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    for (let chain = 0; ; chain++) {
      const t = this.peek();
      if (t.kind !== 'op') return e;
      this.checkChain(chain, t);
      if (t.text === '(') {
        const open = this.advance();
        this.enter(open);
        const args = this.parseArgs(open);
        this.nesting--;
        if (e.kind !== 'Ident') {
          this.error(`only a function name can be called (this is not a name)`, e.range);
          continue;
        }
        e = { kind: 'Call', id: this.id(), range: this.span(e.range.start), callee: e.name, calleeRange: e.range, args };
      } else if (t.text === '.') {
        this.advance();
        const f = this.peek();
        if (f.kind !== 'ident' && f.kind !== 'keyword') {
          this.errorHere(`expected a field name after '.', found ${describe(f)}`);
          throw new SyncError();
        }
        this.advance();
        e = { kind: 'Member', id: this.id(), range: this.span(e.range.start), object: e, field: f.text, fieldRange: f.range };
      } else if (t.text === '[') {
        const open = this.advance();
        this.enter(open);
        const index = this.parseExpr();
        this.nesting--;
        this.expectClose(']', open);
        e = { kind: 'Index', id: this.id(), range: this.span(e.range.start), object: e, index };
      } else {
        return e;
      }
    }
  }

  /** Arguments after `(` up to and including `)`. */
  private parseArgs(open: Token): Expr[] {
    const args: Expr[] = [];
    if (this.isOp(')')) {
      this.advance();
      return args;
    }
    for (;;) {
      const a = this.peek();
      if (a.kind === 'newline' || a.kind === 'eof' || (a.kind === 'op' && (a.text === '{' || a.text === '}'))) {
        this.errorHere(`expected ')' to close the '(' opened at ${formatPosition(open.range.start)}`);
        return args;
      }
      args.push(this.parseExpr());
      if (this.isOp(',')) {
        this.advance();
        if (this.isOp(')')) {
          this.advance();
          return args;
        }
        continue;
      }
      if (this.isOp(')')) {
        this.advance();
        return args;
      }
      const t = this.peek();
      if (t.kind === 'newline' || t.kind === 'eof' || (t.kind === 'op' && (t.text === '{' || t.text === '}'))) {
        this.errorHere(`expected ')' to close the '(' opened at ${formatPosition(open.range.start)}`);
        return args;
      }
      if (t.kind === 'op' && t.text === '=') {
        this.errorHere(`'=' cannot be used inside an argument list; did you mean '=='?`);
      } else {
        this.errorHere(`expected ',' or ')' after the argument, found ${describe(t)}`);
      }
      throw new SyncError();
    }
  }

  private expectClose(close: ')' | ']', open: Token): void {
    if (this.isOp(close)) {
      this.advance();
      return;
    }
    const t = this.peek();
    if (t.kind === 'op' && t.text === '=') {
      this.error(`'=' is assignment; did you mean '=='?`, t.range, 'assign-in-condition');
      throw new SyncError();
    }
    this.errorHere(`expected '${close}' to close the '${open.text}' opened at ${formatPosition(open.range.start)}, found ${describe(t)}`);
    if (t.kind === 'newline' || t.kind === 'eof' || (t.kind === 'op' && (t.text === '{' || t.text === '}'))) return;
    throw new SyncError();
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'int':
        this.advance();
        return { kind: 'IntLit', id: this.id(), range: t.range, value: t.value as bigint, text: t.text };
      case 'string':
        this.advance();
        return { kind: 'StrLit', id: this.id(), range: t.range, value: t.value as string, text: t.text };
      case 'ident':
        this.advance();
        return { kind: 'Ident', id: this.id(), range: t.range, name: t.text };
      case 'keyword':
        if (t.text === 'true' || t.text === 'false') {
          this.advance();
          return { kind: 'Bool', id: this.id(), range: t.range, value: t.text === 'true' };
        }
        if (t.text === 'null') {
          this.advance();
          return { kind: 'Null', id: this.id(), range: t.range };
        }
        break;
      case 'op':
        if (t.text === '(') {
          const open = this.advance();
          this.enter(open);
          const inner = this.parseExpr();
          this.nesting--;
          this.expectClose(')', open);
          return { kind: 'Paren', id: this.id(), range: this.span(open.range.start), expr: inner };
        }
        break;
      default:
        break;
    }
    this.errorHere(`expected an expression, found ${describe(t)}`, 'expected-expression');
    throw new SyncError();
  }
}

export function parseTokens(tokens: Token[]): ParseResult {
  const p = new Parser(tokens);
  const program = p.parseProgram();
  return { program, diagnostics: p.diagnostics };
}

/** Lexes and parses; the diagnostics are the lexer's and the parser's, in source order. */
export function parse(text: string): ParseResult {
  const lexed = lex(text);
  const parsed = parseTokens(lexed.tokens);
  const diagnostics = [...lexed.diagnostics, ...parsed.diagnostics];
  diagnostics.sort((a, b) => a.range.start.offset - b.range.start.offset);
  return { program: parsed.program, diagnostics };
}
