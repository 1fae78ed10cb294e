// Name resolution and static rules of the `.vmm` scenario language, run after parsing.
// It exists so that a scenario's mistakes (a misspelled API name, a variable used before its
// `let`, a `break` outside a loop...) are all reported with file:line:col before anything runs,
// instead of one at a time at run time.
//
// Scoping rules (lexical, block-scoped, checked statically; the interpreter must match them):
//  - `let x = e` declares x in the innermost enclosing block, from that statement on; `e` is
//    checked before x exists (so `let x = x + 1` needs an outer x). Declaring the same name twice
//    in one block is an error; an inner block may shadow an outer name.
//  - Using a name of the current or an enclosing block before its `let` has run is an error
//    ("used before its 'let'") unless an outer block already has that name (then the outer one is
//    meant, as the interpreter's environment chain will find it).
//  - A function's parameters are declared in the function body's block; the `for` variable is
//    declared in the loop body's block. So `let` of the same name directly in that body is a
//    duplicate.
//  - A function body sees its parameters, its own locals, and the GLOBALS: the `let`s directly at
//    the top level of the file, wherever they are in the file (functions are hoisted and called
//    later). Reading a global in a function that is called before the global's `let` has run is a
//    run-time error of the interpreter. A function does not see variables of top-level blocks
//    (`if`, `for`, `in` ... bodies) nor the variables of its callers.
//  - Functions (`fn`) are hoisted: any call anywhere may name any function of the file. Functions
//    and variables are separate namespaces; a function name is not a value.
//  - Names are resolved in this order: variable in scope, then (for ALL_CAPS names of two or more
//    characters, /^[A-Z][A-Z0-9_]+$/) a predefined constant; an unresolved ALL_CAPS name is an
//    "unknown constant", any other an "unknown variable". A `let` may hide a constant (warning).
//  - `break` / `continue` only inside `while` / `for` (in the same function); `return` only inside a
//    function. The `machine` block must be the first statement; its keys must be known and appear
//    once, and its values may use only literals, operators and constants.
// Warnings: an expression statement that is not a call (its value is thrown away), a `let` hiding
// a predefined constant.

import type { Block, Call, Expr, Fn, Machine, Program, Range, Stmt } from './ast';
import { formatPosition, makeDiagnostic, sortDiagnostics, type Diagnostic } from './diagnostics';
import { didYouMean } from './suggest';

export interface CheckEnv {
  /** Built-in functions (Windows API, the lab's own functions). */
  functions: ReadonlySet<string>;
  /** Predefined constants (MEM_COMMIT, PAGE_READWRITE, STATUS_..., INVALID_HANDLE_VALUE...). */
  constants: ReadonlySet<string>;
  /** Keys accepted in the `machine { }` block. */
  machineKeys: ReadonlySet<string>;
}

const CONSTANT_NAME = /^[A-Z][A-Z0-9_]+$/;

/** Whether a name is spelled like a constant (ALL_CAPS, at least two characters). */
export function isConstantName(name: string): boolean {
  return CONSTANT_NAME.test(name);
}

interface Decl {
  what: 'variable' | 'parameter' | 'loop variable';
  range: Range;
}

class Scope {
  readonly declared = new Map<string, Decl>();
  /** Names that a `let` directly in this block will declare later (first one wins). */
  readonly pending = new Map<string, Decl>();
  constructor(readonly parent: Scope | null) {}
}

interface Context {
  inFunction: boolean;
  loopDepth: number;
  inMachine: boolean;
}

class Checker {
  private readonly diags: Diagnostic[] = [];
  private readonly fns = new Map<string, Fn>();
  /** All top-level `let`s: what function bodies see. */
  private readonly globals = new Scope(null);

  constructor(private readonly program: Program, private readonly env: CheckEnv) {}

  private error(message: string, range: Range, code: string): void {
    this.diags.push(makeDiagnostic('error', message, range, code));
  }

  private warn(message: string, range: Range, code: string): void {
    this.diags.push(makeDiagnostic('warning', message, range, code));
  }

  run(): Diagnostic[] {
    this.collectFunctions(this.program.body);
    for (const s of this.program.body) {
      if (s.kind === 'Let' && s.name !== '' && !this.globals.declared.has(s.name)) {
        this.globals.declared.set(s.name, { what: 'variable', range: s.nameRange });
      }
    }
    if (this.program.machine) this.checkMachine(this.program.machine);
    const top = new Scope(null);
    this.collectPending(top, this.program.body);
    const ctx: Context = { inFunction: false, loopDepth: 0, inMachine: false };
    for (const s of this.program.body) this.stmt(s, top, ctx);
    return sortDiagnostics(this.diags);
  }

  /** Hoists every `fn` (the parser already reported the ones not at top level). */
  private collectFunctions(stmts: readonly Stmt[]): void {
    const visit = (list: readonly Stmt[]): void => {
      for (const s of list) {
        if (s.kind === 'Fn' && s.name !== '') {
          const prev = this.fns.get(s.name);
          if (prev) {
            this.error(`function '${s.name}' is already declared at ${formatPosition(prev.nameRange.start)}`, s.nameRange, 'duplicate-function');
          } else if (this.env.functions.has(s.name)) {
            this.error(`'${s.name}' is a built-in function; give your function another name`, s.nameRange, 'duplicate-function');
          } else {
            this.fns.set(s.name, s);
          }
        }
        switch (s.kind) {
          case 'Block': visit(s.statements); break;
          case 'If': visit([s.then]); if (s.else) visit([s.else]); break;
          case 'While': case 'For': case 'Expect': case 'In': case 'Fn': visit([s.body]); break;
          default: break;
        }
      }
    };
    visit(stmts);
  }

  private collectPending(scope: Scope, stmts: readonly Stmt[]): void {
    for (const s of stmts) {
      if (s.kind === 'Let' && s.name !== '' && !scope.pending.has(s.name)) {
        scope.pending.set(s.name, { what: 'variable', range: s.nameRange });
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Statements
  // ---------------------------------------------------------------------------------------------

  private block(b: Block, parent: Scope, ctx: Context, predeclared: readonly { name: string; decl: Decl }[] = []): void {
    const scope = new Scope(parent);
    for (const p of predeclared) {
      if (p.name === '') continue;
      const prev = scope.declared.get(p.name);
      if (prev) {
        this.error(`${p.decl.what} '${p.name}' is declared twice (first at ${formatPosition(prev.range.start)})`, p.decl.range, 'duplicate-declaration');
      } else {
        scope.declared.set(p.name, p.decl);
      }
    }
    this.collectPending(scope, b.statements);
    for (const s of b.statements) this.stmt(s, scope, ctx);
  }

  private stmt(s: Stmt, scope: Scope, ctx: Context): void {
    switch (s.kind) {
      case 'Let': {
        this.expr(s.init, scope, ctx);
        if (s.name === '') return;
        const prev = scope.declared.get(s.name);
        if (prev) {
          this.error(`'${s.name}' is already declared in this block (${prev.what} at ${formatPosition(prev.range.start)})`, s.nameRange, 'duplicate-declaration');
          return;
        }
        if (this.env.constants.has(s.name)) {
          this.warn(`'${s.name}' is a predefined constant; this variable hides it`, s.nameRange, 'hides-constant');
        }
        scope.declared.set(s.name, { what: 'variable', range: s.nameRange });
        return;
      }
      case 'Assign': {
        this.expr(s.value, scope, ctx);
        if (s.target === '') return;
        if (this.lookup(s.target, scope)) return;
        if (this.env.constants.has(s.target) && isConstantName(s.target)) {
          this.error(`cannot assign to the constant '${s.target}'`, s.targetRange, 'assign-to-constant');
          return;
        }
        const pending = this.findPending(s.target, scope);
        if (pending) {
          this.error(`'${s.target}' is used before its 'let' at ${formatPosition(pending.range.start)}`, s.targetRange, 'use-before-declaration');
          return;
        }
        const hint = didYouMean(s.target, this.visibleNames(scope));
        this.error(hint !== ''
          ? `unknown variable '${s.target}'${hint}`
          : `unknown variable '${s.target}' (declare it first: let ${s.target} = ...)`, s.targetRange, 'unknown-variable');
        return;
      }
      case 'ExprStmt': {
        this.expr(s.expr, scope, ctx);
        const e = s.expr;
        if (e.kind === 'Call' || e.kind === 'Error') return;
        if (e.kind === 'Binary' && e.op === '==') {
          this.warn(`this '==' comparison does nothing; did you mean '=' to assign?`, e.opRange, 'unused-value');
        } else {
          this.warn(`this expression's value is not used (did you mean to 'print' it?)`, e.range, 'unused-value');
        }
        return;
      }
      case 'If':
        this.expr(s.cond, scope, ctx);
        this.block(s.then, scope, ctx);
        if (s.else?.kind === 'Block') this.block(s.else, scope, ctx);
        else if (s.else) this.stmt(s.else, scope, ctx);
        return;
      case 'While':
        this.expr(s.cond, scope, ctx);
        this.block(s.body, scope, { ...ctx, loopDepth: ctx.loopDepth + 1 });
        return;
      case 'For':
        this.expr(s.from, scope, ctx);
        this.expr(s.to, scope, ctx);
        if (s.step) this.expr(s.step, scope, ctx);
        this.block(s.body, scope, { ...ctx, loopDepth: ctx.loopDepth + 1 },
          [{ name: s.variable, decl: { what: 'loop variable', range: s.variableRange } }]);
        return;
      case 'Break':
      case 'Continue':
        if (ctx.loopDepth === 0) {
          this.error(`'${s.kind === 'Break' ? 'break' : 'continue'}' can only be used inside a 'while' or 'for' loop`, s.range, 'outside-loop');
        }
        return;
      case 'Fn':
        this.block(s.body, this.globals, { inFunction: true, loopDepth: 0, inMachine: false },
          s.params.map((p) => ({ name: p.name, decl: { what: 'parameter' as const, range: p.range } })));
        return;
      case 'Return':
        if (!ctx.inFunction) this.error(`'return' can only be used inside a function (fn)`, s.range, 'return-outside-function');
        if (s.value) this.expr(s.value, scope, ctx);
        return;
      case 'Assert':
        this.expr(s.cond, scope, ctx);
        if (s.message) this.expr(s.message, scope, ctx);
        return;
      case 'Expect':
        this.expr(s.status, scope, ctx);
        this.block(s.body, scope, ctx);
        return;
      case 'Print':
        for (const a of s.args) this.expr(a, scope, ctx);
        return;
      case 'In':
        this.expr(s.process, scope, ctx);
        this.block(s.body, scope, ctx);
        return;
      case 'Block':
        this.block(s, scope, ctx);
        return;
      case 'Machine': {
        // Only reached for a machine block that is not the program's first statement.
        const r = s.range;
        const kw: Range = { start: r.start, end: { line: r.start.line, col: r.start.col + 7, offset: r.start.offset + 7 } };
        this.error(`the 'machine' block must be the first statement of the scenario`, kw, 'machine-not-first');
        this.checkMachine(s);
        return;
      }
    }
  }

  private checkMachine(m: Machine): void {
    const seen = new Map<string, Range>();
    const ctx: Context = { inFunction: false, loopDepth: 0, inMachine: true };
    const empty = new Scope(null);
    for (const e of m.entries) {
      if (!this.env.machineKeys.has(e.key)) {
        const hint = didYouMean(e.key, this.env.machineKeys);
        const known = [...this.env.machineKeys].sort().join(', ');
        this.error(`unknown machine setting '${e.key}'${hint !== '' ? hint : known !== '' ? ` (known settings: ${known})` : ''}`,
          e.keyRange, 'unknown-machine-key');
      } else {
        const prev = seen.get(e.key);
        if (prev) this.error(`machine setting '${e.key}' is set twice (first at ${formatPosition(prev.start)})`, e.keyRange, 'duplicate-machine-key');
        else seen.set(e.key, e.keyRange);
      }
      this.expr(e.value, empty, ctx);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions
  // ---------------------------------------------------------------------------------------------

  private expr(e: Expr, scope: Scope, ctx: Context): void {
    // Iterative over the left spine of binary chains so very long expressions do not recurse deeply.
    switch (e.kind) {
      case 'IntLit':
      case 'StrLit':
      case 'Bool':
      case 'Null':
      case 'Error':
        return;
      case 'Ident':
        this.ident(e.name, e.range, scope, ctx);
        return;
      case 'Unary':
        this.expr(e.operand, scope, ctx);
        return;
      case 'Binary': {
        let cur: Expr = e;
        const rights: Expr[] = [];
        while (cur.kind === 'Binary') {
          rights.push(cur.right);
          cur = cur.left;
        }
        this.expr(cur, scope, ctx);
        for (let i = rights.length - 1; i >= 0; i--) this.expr(rights[i], scope, ctx);
        return;
      }
      case 'Call':
        this.call(e, scope, ctx);
        return;
      case 'Member':
        this.expr(e.object, scope, ctx);
        return;
      case 'Index':
        this.expr(e.object, scope, ctx);
        this.expr(e.index, scope, ctx);
        return;
      case 'Paren':
        this.expr(e.expr, scope, ctx);
        return;
    }
  }

  private call(e: Call, scope: Scope, ctx: Context): void {
    if (ctx.inMachine) {
      this.error(`the 'machine' block can only use numbers, strings and constants, not function calls`, e.calleeRange, 'machine-call');
    } else {
      const user = this.fns.get(e.callee);
      if (user) {
        if (user.params.length !== e.args.length) {
          const n = user.params.length;
          const list = n === 0 ? 'no arguments' : `${n} argument${n === 1 ? '' : 's'} (${user.params.map((p) => p.name).join(', ')})`;
          this.error(`function '${e.callee}' takes ${list} but is given ${e.args.length}`, e.calleeRange, 'wrong-arity');
        }
      } else if (!this.env.functions.has(e.callee)) {
        if (this.lookup(e.callee, scope)) {
          this.error(`'${e.callee}' is a variable, not a function`, e.calleeRange, 'not-a-function');
        } else {
          this.error(`unknown function '${e.callee}'${didYouMean(e.callee, this.functionNames())}`, e.calleeRange, 'unknown-function');
        }
      }
    }
    for (const a of e.args) this.expr(a, scope, ctx);
  }

  private ident(name: string, range: Range, scope: Scope, ctx: Context): void {
    if (this.lookup(name, scope)) return;
    const constantLike = isConstantName(name);
    if (constantLike && this.env.constants.has(name)) return;
    if (ctx.inMachine) {
      if (this.env.constants.has(name)) return;
      this.error(`unknown constant '${name}'${didYouMean(name, this.env.constants)} (the 'machine' block can only use numbers and constants)`,
        range, 'unknown-constant');
      return;
    }
    const pending = this.findPending(name, scope);
    if (pending) {
      this.error(`'${name}' is used before its 'let' at ${formatPosition(pending.range.start)}`, range, 'use-before-declaration');
      return;
    }
    if (constantLike) {
      this.error(`unknown constant '${name}'${didYouMean(name, [...this.env.constants, ...this.visibleNames(scope)])}`, range, 'unknown-constant');
      return;
    }
    if (this.env.constants.has(name)) return; // a predefined constant that is not ALL_CAPS
    if (this.fns.has(name) || this.env.functions.has(name)) {
      this.error(`'${name}' is a function; call it with parentheses: ${name}(...)`, range, 'function-as-value');
      return;
    }
    const hint = didYouMean(name, [...this.visibleNames(scope), ...this.env.constants]);
    const inFnHint = ctx.inFunction && hint === '' ? this.outerVariableHint(name) : '';
    this.error(`unknown variable '${name}'${hint}${inFnHint}`, range, 'unknown-variable');
  }

  private lookup(name: string, scope: Scope): boolean {
    for (let s: Scope | null = scope; s !== null; s = s.parent) {
      if (s.declared.has(name)) return true;
    }
    return false;
  }

  private findPending(name: string, scope: Scope): Decl | undefined {
    for (let s: Scope | null = scope; s !== null; s = s.parent) {
      const d = s.pending.get(name);
      if (d && !s.declared.has(name)) return d;
    }
    return undefined;
  }

  private visibleNames(scope: Scope): string[] {
    const out: string[] = [];
    for (let s: Scope | null = scope; s !== null; s = s.parent) out.push(...s.declared.keys());
    return out;
  }

  private functionNames(): string[] {
    return [...this.fns.keys(), ...this.env.functions];
  }

  /** For a name unknown inside a function: is it a variable of some top-level block? */
  private outerVariableHint(name: string): string {
    let found: Range | undefined;
    const visit = (list: readonly Stmt[]): void => {
      for (const s of list) {
        if (found) return;
        if (s.kind === 'Let' && s.name === name) found = s.nameRange;
        else if (s.kind === 'For' && s.variable === name) found = s.variableRange;
        else if (s.kind === 'Block') visit(s.statements);
        else if (s.kind === 'If') { visit([s.then]); if (s.else) visit([s.else]); }
        else if (s.kind === 'While' || s.kind === 'For' || s.kind === 'Expect' || s.kind === 'In') visit([s.body]);
      }
    };
    for (const s of this.program.body) {
      if (s.kind !== 'Fn') visit([s]);
    }
    return found
      ? ` (the '${name}' at ${formatPosition(found.start)} is not visible in a function: pass it as a parameter or declare it at the top level)`
      : '';
  }
}

/** Static checks of a parsed program; diagnostics in source order. Never throws. */
export function check(program: Program, env: CheckEnv): Diagnostic[] {
  return new Checker(program, env).run();
}
