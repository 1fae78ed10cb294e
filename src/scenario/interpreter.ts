// The stepwise interpreter of the scenario language: it walks the syntax tree (ast.ts) as a
// generator that yields a StatementEvent before every statement and — only while `faultStepping`
// is on — a FaultEvent before every step of a page fault, so a debugger can stop anywhere. The
// driver (run.ts) decides where to stop; this file only executes.
//
// Speed: statements are generators, but an expression is evaluated by a plain recursive function
// unless it needs to yield — it calls a user function (whose statements yield), or it calls a
// memory built-in while fault stepping is on. Each expression node carries precomputed flags for
// that test, so a loop of guest memory accesses at full speed pays for no stepping machinery.
//
// Semantics beyond the contract (documented in the language reference):
//  - statement events: a `while` / `for` header gets an event before every test of its condition
//    (so stepping shows each iteration); bare blocks, `fn` declarations and the `machine` block get
//    none;
//  - `for i in a..b step s`: a, b, s are evaluated once; s must not be 0; a negative s counts down
//    (a >= i > b); the loop variable is a fresh variable of each iteration: assigning it does not
//    change the iteration;
//  - leaving an `expect` block without an exception (also by break/continue/return) is an
//    expect failure; an `in` block restores the previous process however it is left;
//  - user functions nest at most `maxCallDepth` deep (default 200).

import type { BinaryOp, Block, Call, Expr, Fn, In, Node, Program, Range, Stmt } from './ast';
import type { Machine } from '../core/machine';
import type { Process } from '../core/process';
import { PREDEFINED_CONSTANTS } from '../core/winconst';
import { referenceProcess } from '../core/api/handles';
import { statusName } from '../core/status';
import { drain, type ExecEvent, type StatementEvent } from './events';
import { binaryOp, unaryOp } from './operators';
import { describeStatus, GuestException, ScriptError } from './runtimeErrors';
import { Scope } from './scope';
import { didYouMean } from './suggest';
import { readIndex, readMember } from './access';
import { CALLS_STEPPING, CALLS_USER, DECLARES, NodeTable } from './nodeTable';
import { asInteger, formatHex, formatValue, toU32, truthy, typeName, type Value } from './values';
import { maxArgs, minArgs, signature, type Builtin, type BuiltinRegistry, type CallContext } from './builtins/types';

/** Statements without a body, run without a generator of their own when possible. */
type SimpleStmt = Extract<Stmt, { kind: 'Let' | 'Assign' | 'ExprStmt' | 'Break' | 'Continue' | 'Return' | 'Assert' | 'Print' }>;
const SIMPLE_KINDS: ReadonlySet<string> = new Set(['Let', 'Assign', 'ExprStmt', 'Break', 'Continue', 'Return', 'Assert', 'Print']);

const enum Completion {
  Normal = 0,
  Break = 1,
  Continue = 2,
  Return = 3,
}

export type FrameKind = 'script' | 'function' | 'in';

/** One frame of the script's call stack (kernel frames are added by the driver during a fault). */
export interface Frame {
  kind: FrameKind;
  /** The file's name for the script frame, the function's name, or `in <process>`. */
  name: string;
  /** The statement this frame is at (null before its first statement). */
  node: Stmt | null;
  /** The innermost scope at that statement. */
  scope: Scope;
  /** The process this frame runs in. */
  process: Process;
  /** The call or `in` statement that entered this frame (null for the script frame). */
  entry: Call | In | null;
}

export interface InterpreterOptions {
  file: string;
  /** The scenario's text (for `assertion failed: <source>` messages); rebuilt from the tree when absent. */
  source?: string;
  stepBudget: number;
  maxCallDepth: number;
  output: (text: string) => void;
  builtins: BuiltinRegistry;
}

export function budgetMessage(n: number): string {
  return `step budget of ${n} statements exhausted — endless loop?`;
}

export class Interpreter {
  /** Set by the debugger: memory built-ins yield a FaultEvent before each fault-handler step. */
  faultStepping = false;
  /** Statements executed so far (what the step budget limits). */
  statements = 0;
  budget: number;
  readonly frames: Frame[] = [];
  readonly globals = new Scope(null, 'global', 'Globals');
  /** The statement that started last (for errors raised outside any statement's own checks). */
  lastStatement: Stmt | null = null;
  /** Frames as they were where the last error was raised (the stack has unwound since). */
  errorFrames: Frame[] | null = null;
  /** Value of the last expression statement (the debug console shows it). */
  lastValue: Value = null;

  private readonly fns = new Map<string, Fn>();
  private readonly nodes: NodeTable;
  /** nodes.flags, read on the hot path. */
  private readonly flags: number[];
  private readonly topLets = new Map<string, Range>();
  private retVal: Value = null;
  private callDepth = 0;
  /** Side-effect-free evaluation (watches, hovers): only inspection built-ins and quiet reads. */
  private quiet = false;
  /** The process calls act on during a quiet evaluation in another frame. */
  private processOverride: Process | null = null;

  constructor(readonly program: Program, readonly machine: Machine, private readonly options: InterpreterOptions) {
    this.budget = options.stepBudget;
    this.nodes = new NodeTable(program, options.source);
    this.flags = this.nodes.flags;
    for (const s of program.body) {
      if (s.kind === 'Fn' && s.name !== '' && !this.fns.has(s.name)) this.fns.set(s.name, s);
      if (s.kind === 'Let' && s.name !== '' && !this.topLets.has(s.name)) this.topLets.set(s.name, s.nameRange);
    }
    this.markNodes(program);
  }

  get builtins(): BuiltinRegistry {
    return this.options.builtins;
  }

  get file(): string {
    return this.options.file;
  }

  /** Names of the user functions (for completions in the debug console). */
  functionNames(): string[] {
    return [...this.fns.keys()];
  }

  // ---- node bookkeeping -------------------------------------------------------------------------

  private markNodes(root: Node): void {
    this.nodes.mark(root, (name) => this.fns.has(name), (name) => this.options.builtins.get(name)?.steps !== undefined);
  }

  /**
   * Takes in a program parsed separately (debug console, watch expressions): gives its nodes ids
   * that do not collide with the scenario's, registers its functions (the console may declare
   * some) and its source text.
   */
  adopt(snippet: Program, text: string): void {
    this.nodes.renumber(snippet, text);
    for (const s of snippet.body) {
      if (s.kind === 'Fn' && s.name !== '' && !this.options.builtins.has(s.name)) this.fns.set(s.name, s);
    }
    this.markNodes(snippet);
  }

  /** The source text of an expression as written, or its rebuilt form. */
  sourceOf(e: Expr): string {
    return this.nodes.sourceOf(e);
  }

  /** Whether evaluating a node's expressions may yield (for a simple statement: its own expressions). */
  private needsGen(n: Expr | Stmt): boolean {
    const f = this.flags[n.id] & (CALLS_USER | CALLS_STEPPING);
    return f !== 0 && !this.quiet && ((f & CALLS_USER) !== 0 || this.faultStepping);
  }

  // ---- running ------------------------------------------------------------------------------------

  /** Runs the whole scenario; yields before every statement (and fault step while fault stepping). */
  *run(): Generator<ExecEvent, void, void> {
    const name = this.options.file.split(/[\\/]/).pop() || 'scenario';
    this.frames.push({ kind: 'script', name, node: null, scope: this.globals, process: this.machine.current, entry: null });
    yield* this.execStatements(this.program.body, this.globals);
    this.frames.pop();
  }

  get top(): Frame {
    return this.frames[this.frames.length - 1];
  }

  /** Bookkeeping before a statement: frame position, budget; returns the event to yield. */
  private mark(s: Stmt, scope: Scope): StatementEvent {
    const f = this.frames[this.frames.length - 1];
    f.node = s;
    f.scope = scope;
    this.lastStatement = s;
    if (++this.statements > this.budget) throw new ScriptError(budgetMessage(this.budget), s.range, 'budget');
    return { kind: 'statement', node: s, depth: this.frames.length - 1 };
  }

  *execStatements(list: readonly Stmt[], scope: Scope): Generator<ExecEvent, Completion, void> {
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      let c: Completion;
      if (SIMPLE_KINDS.has(s.kind) && !this.needsGen(s)) {
        // the common case: no generator for the statement itself
        try {
          yield this.mark(s, scope);
          // fault stepping may have been turned on while stopped at this statement
          c = this.needsGen(s) ? yield* this.execMarked(s, scope) : this.simple(s as SimpleStmt, scope);
        } catch (e) {
          this.noteError();
          throw e;
        }
      } else {
        c = yield* this.exec(s, scope);
      }
      if (c !== Completion.Normal) return c;
    }
    return Completion.Normal;
  }

  /** The scope a block runs in: a new one when it declares variables, else its parent's. */
  private blockScope(b: Block, parent: Scope, kind: 'block' | 'loop' = 'block'): Scope {
    if ((this.flags[b.id] & DECLARES) === 0) return parent;
    return new Scope(parent, kind, `${kind === 'loop' ? 'Loop' : 'Block'} at ${b.range.start.line}:${b.range.start.col}`);
  }

  private *block(b: Block, parent: Scope): Generator<ExecEvent, Completion, void> {
    return yield* this.execStatements(b.statements, this.blockScope(b, parent));
  }

  private noteError(): void {
    if (this.errorFrames === null) this.errorFrames = this.frames.map((f) => ({ ...f }));
  }

  /** A simple statement whose expressions need no yielding (after its event). */
  private simple(s: SimpleStmt, scope: Scope): Completion {
    switch (s.kind) {
      case 'Let':
        scope.declare(s.name, this.eval(s.init, scope));
        return Completion.Normal;
      case 'Assign':
        this.assign(s, this.eval(s.value, scope), scope);
        return Completion.Normal;
      case 'ExprStmt':
        this.lastValue = this.eval(s.expr, scope);
        return Completion.Normal;
      case 'Break':
        return Completion.Break;
      case 'Continue':
        return Completion.Continue;
      case 'Return':
        this.retVal = s.value === null ? null : this.eval(s.value, scope);
        return Completion.Return;
      case 'Assert':
        if (!truthy(this.eval(s.cond, scope))) this.assertFailed(s, s.message === null ? null : this.eval(s.message, scope));
        return Completion.Normal;
      case 'Print': {
        const parts: string[] = [];
        for (const a of s.args) parts.push(formatValue(this.eval(a, scope)));
        this.options.output(parts.join(' '));
        return Completion.Normal;
      }
    }
  }

  private assign(s: Extract<Stmt, { kind: 'Assign' }>, v: Value, scope: Scope): void {
    let nv = v;
    if (s.op !== '=') {
      const cur = scope.lookup(s.target);
      if (cur === undefined) throw this.unknownVariable(s.target, s.targetRange);
      nv = binaryOp(s.op.slice(0, -1) as BinaryOp, cur, v, s.range);
    }
    if (!scope.assign(s.target, nv)) throw this.unknownVariable(s.target, s.targetRange);
  }

  private assertFailed(s: Extract<Stmt, { kind: 'Assert' }>, message: Value | null): never {
    const text = s.message === null ? `assertion failed: ${this.sourceOf(s.cond)}` : `assertion failed: ${formatValue(message)}`;
    throw new ScriptError(text, s.range, 'assertion');
  }

  private *value(e: Expr, scope: Scope): Generator<ExecEvent, Value, void> {
    return this.needsGen(e) ? yield* this.evalGen(e, scope) : this.eval(e, scope);
  }

  private *exec(s: Stmt, scope: Scope): Generator<ExecEvent, Completion, void> {
    switch (s.kind) {
      case 'Block':
        return yield* this.block(s, scope);
      case 'Fn':
      case 'Machine':
        return Completion.Normal;
      default:
        break;
    }
    try {
      yield this.mark(s, scope);
      return yield* this.execMarked(s, scope);
    } catch (e) {
      this.noteError();
      throw e;
    }
  }

  /** A statement after its event was yielded (the debugger may have turned fault stepping on meanwhile). */
  private *execMarked(s: Stmt, scope: Scope): Generator<ExecEvent, Completion, void> {
    {
      switch (s.kind) {
        case 'Let':
          scope.declare(s.name, yield* this.value(s.init, scope));
          return Completion.Normal;
        case 'Assign':
          this.assign(s, yield* this.value(s.value, scope), scope);
          return Completion.Normal;
        case 'ExprStmt':
          this.lastValue = yield* this.value(s.expr, scope);
          return Completion.Normal;
        case 'Break':
          return Completion.Break;
        case 'Continue':
          return Completion.Continue;
        case 'Return':
          this.retVal = s.value === null ? null : yield* this.value(s.value, scope);
          return Completion.Return;
        case 'Assert':
          if (!truthy(yield* this.value(s.cond, scope))) this.assertFailed(s, s.message === null ? null : yield* this.value(s.message, scope));
          return Completion.Normal;
        case 'Print': {
          const parts: string[] = [];
          for (const a of s.args) parts.push(formatValue(yield* this.value(a, scope)));
          this.options.output(parts.join(' '));
          return Completion.Normal;
        }
        case 'If': {
          const c = this.needsGen(s.cond) ? yield* this.evalGen(s.cond, scope) : this.eval(s.cond, scope);
          if (truthy(c)) return yield* this.block(s.then, scope);
          if (s.else === null) return Completion.Normal;
          return s.else.kind === 'If' ? yield* this.exec(s.else, scope) : yield* this.block(s.else, scope);
        }
        case 'While':
          for (let first = true; ; first = false) {
            if (!first) yield this.mark(s, scope);
            const c = this.needsGen(s.cond) ? yield* this.evalGen(s.cond, scope) : this.eval(s.cond, scope);
            if (!truthy(c)) return Completion.Normal;
            const r = yield* this.execStatements(s.body.statements, this.blockScope(s.body, scope));
            if (r === Completion.Break) return Completion.Normal;
            if (r === Completion.Return) return r;
          }
        case 'For': {
          const from = this.loopBound(yield* this.value(s.from, scope), 'start', s.from);
          const to = this.loopBound(yield* this.value(s.to, scope), 'end', s.to);
          let step = 1n;
          if (s.step !== null) {
            step = this.loopBound(yield* this.value(s.step, scope), 'step', s.step);
            if (step === 0n) throw new ScriptError('the step of a for loop must not be 0', s.step.range);
          }
          const label = `Loop at ${s.range.start.line}:${s.range.start.col}`;
          // a body without its own `let`s can keep one scope for the whole loop
          const fresh = (this.flags[s.body.id] & DECLARES) !== 0;
          let body = new Scope(scope, 'loop', label);
          for (let i = from, first = true; ; i += step, first = false) {
            if (!first) yield this.mark(s, scope);
            if (step > 0n ? i >= to : i <= to) return Completion.Normal;
            if (fresh && !first) body = new Scope(scope, 'loop', label);
            body.declare(s.variable, i);
            const r = yield* this.execStatements(s.body.statements, body);
            if (r === Completion.Break) return Completion.Normal;
            if (r === Completion.Return) return r;
          }
        }
        case 'Expect':
          return yield* this.expect(s, scope);
        case 'In':
          return yield* this.inProcess(s, scope);
        default:
          return Completion.Normal;
      }
    }
  }

  private loopBound(v: Value, what: string, e: Expr): bigint {
    const n = asInteger(v);
    if (n === undefined) throw new ScriptError(`the ${what} of a for loop must be an integer, got ${typeName(v)}`, e.range);
    return n;
  }

  private *expect(s: Extract<Stmt, { kind: 'Expect' }>, scope: Scope): Generator<ExecEvent, Completion, void> {
    const sv = this.needsGen(s.status) ? yield* this.evalGen(s.status, scope) : this.eval(s.status, scope);
    const expected = asInteger(sv);
    if (expected === undefined) throw new ScriptError(`expect needs an NTSTATUS (an integer such as STATUS_ACCESS_VIOLATION), got ${typeName(sv)}`, s.status.range);
    const want = Number(toU32(expected));
    let raised: GuestException | undefined;
    try {
      yield* this.block(s.body, scope);
    } catch (e) {
      if (!(e instanceof GuestException)) throw e;
      raised = e;
      this.errorFrames = null;
    }
    if (raised === undefined) {
      throw new ScriptError(`expect failed: expected ${describeStatus(want)}, but the block raised no exception`, s.range, 'assertion');
    }
    if (raised.status >>> 0 !== want) {
      throw new ScriptError(`expect failed: expected ${describeStatus(want)}, but the block raised ${raised.message}`, s.range, 'assertion');
    }
    return Completion.Normal;
  }

  private *inProcess(s: In, scope: Scope): Generator<ExecEvent, Completion, void> {
    const hv = this.needsGen(s.process) ? yield* this.evalGen(s.process, scope) : this.eval(s.process, scope);
    const proc = this.processOf(hv, s.process.range);
    const m = this.machine;
    const prev = m.current;
    this.frames.push({ kind: 'in', name: `in ${proc.name}`, node: null, scope, process: proc, entry: s });
    m.switchTo(proc);
    try {
      return yield* this.block(s.body, scope);
    } finally {
      this.frames.pop();
      m.switchTo(prev);
    }
  }

  /** The process a handle value names (for `in`). */
  processOf(hv: Value, range: Range): Process {
    const h = asInteger(hv);
    if (h === undefined || hv === null) {
      throw new ScriptError(`'in' needs a process handle (from CreateProcess or GetCurrentProcess), got ${typeName(hv)}`, range);
    }
    const r = referenceProcess(this.machine, h, 0);
    if (r.object === undefined) {
      throw new ScriptError(`${formatHex(h)} is not a process handle (${statusName(r.status)})`, range);
    }
    if (r.object.terminated || r.object.terminating) {
      throw new ScriptError(`process '${r.object.name}' has been terminated`, range);
    }
    return r.object;
  }

  // ---- expressions --------------------------------------------------------------------------------

  private unknownVariable(name: string, range: Range): ScriptError {
    const top = this.topLets.get(name);
    if (top !== undefined && !this.globals.vars.has(name)) {
      return new ScriptError(`'${name}' is used before its 'let' at ${top.start.line}:${top.start.col} has run`, range);
    }
    return new ScriptError(`unknown variable '${name}'`, range);
  }

  private ident(name: string, scope: Scope, range: Range): Value {
    const v = scope.lookup(name);
    if (v !== undefined) return v;
    const c = PREDEFINED_CONSTANTS.get(name);
    if (c !== undefined) return c;
    throw this.unknownVariable(name, range);
  }

  /** Evaluates an expression that needs no yielding (see needsGen). */
  eval(e: Expr, scope: Scope): Value {
    switch (e.kind) {
      case 'IntLit':
      case 'StrLit':
      case 'Bool':
        return e.value;
      case 'Null':
        return null;
      case 'Ident':
        return this.ident(e.name, scope, e.range);
      case 'Paren':
        return this.eval(e.expr, scope);
      case 'Unary':
        return unaryOp(e.op, this.eval(e.operand, scope), e.range);
      case 'Binary': {
        const l = this.eval(e.left, scope);
        if (e.op === '&&') return truthy(l) && truthy(this.eval(e.right, scope));
        if (e.op === '||') return truthy(l) || truthy(this.eval(e.right, scope));
        return binaryOp(e.op, l, this.eval(e.right, scope), e.opRange);
      }
      case 'Member':
        return readMember(this.eval(e.object, scope), e);
      case 'Index':
        return readIndex(this.eval(e.object, scope), this.eval(e.index, scope), e);
      case 'Call': {
        const fn = this.fns.get(e.callee);
        if (fn !== undefined) {
          if (this.quiet) {
            throw new ScriptError(`calling the function '${e.callee}' is not allowed here (it could change the machine); use the debug console`, e.calleeRange);
          }
          const args = e.args.map((a) => this.eval(a, scope));
          return drain(this.callUser(fn, args, e));
        }
        const b = this.builtinOf(e);
        const args = e.args.map((a) => this.eval(a, scope));
        return this.callBuiltin(b, args, e);
      }
      case 'Error':
        throw new ScriptError('this expression could not be parsed', e.range);
    }
  }

  /** Evaluates an expression that may yield (user calls, fault stepping). */
  *evalGen(e: Expr, scope: Scope): Generator<ExecEvent, Value, void> {
    switch (e.kind) {
      case 'Paren':
        return this.needsGen(e.expr) ? yield* this.evalGen(e.expr, scope) : this.eval(e.expr, scope);
      case 'Unary': {
        const v = this.needsGen(e.operand) ? yield* this.evalGen(e.operand, scope) : this.eval(e.operand, scope);
        return unaryOp(e.op, v, e.range);
      }
      case 'Binary': {
        const l = this.needsGen(e.left) ? yield* this.evalGen(e.left, scope) : this.eval(e.left, scope);
        if (e.op === '&&' && !truthy(l)) return false;
        if (e.op === '||' && truthy(l)) return true;
        const r = this.needsGen(e.right) ? yield* this.evalGen(e.right, scope) : this.eval(e.right, scope);
        if (e.op === '&&' || e.op === '||') return truthy(r);
        return binaryOp(e.op, l, r, e.opRange);
      }
      case 'Member': {
        const o = this.needsGen(e.object) ? yield* this.evalGen(e.object, scope) : this.eval(e.object, scope);
        return readMember(o, e);
      }
      case 'Index': {
        const o = this.needsGen(e.object) ? yield* this.evalGen(e.object, scope) : this.eval(e.object, scope);
        const i = this.needsGen(e.index) ? yield* this.evalGen(e.index, scope) : this.eval(e.index, scope);
        return readIndex(o, i, e);
      }
      case 'Call': {
        const args: Value[] = [];
        const fn = this.fns.get(e.callee);
        const b = fn === undefined ? this.builtinOf(e) : undefined;
        for (const a of e.args) args.push(this.needsGen(a) ? yield* this.evalGen(a, scope) : this.eval(a, scope));
        if (fn !== undefined) return yield* this.callUser(fn, args, e);
        if (this.faultStepping && b!.steps !== undefined) return yield* this.callBuiltinSteps(b!, args, e);
        return this.callBuiltin(b!, args, e);
      }
      default:
        return this.eval(e, scope);
    }
  }

  private builtinOf(e: Call): Builtin {
    const b = this.options.builtins.get(e.callee);
    if (b === undefined) {
      throw new ScriptError(`unknown function '${e.callee}'${didYouMean(e.callee, [...this.fns.keys(), ...this.options.builtins.keys()])}`, e.calleeRange);
    }
    return b;
  }

  private context(b: Builtin, args: Value[], e: Call): CallContext {
    if (args.length < minArgs(b) || args.length > maxArgs(b)) {
      const n = b.params.length;
      const takes = minArgs(b) === maxArgs(b) ? `${n} argument${n === 1 ? '' : 's'}` : `${minArgs(b)} to ${maxArgs(b)} arguments`;
      throw new ScriptError(`${b.name} takes ${n === 0 ? 'no arguments' : takes} — ${signature(b)} — but is given ${args.length}`, e.calleeRange);
    }
    return {
      machine: this.machine,
      process: this.processOverride ?? this.machine.current,
      builtin: b,
      range: e.range,
      statement: this.lastStatement,
      depth: this.frames.length,
      host: this,
    };
  }

  private callBuiltin(b: Builtin, args: Value[], e: Call): Value {
    const ctx = this.context(b, args, e);
    if (this.quiet) {
      if (b.quiet !== undefined) return b.quiet(args, ctx);
      if (b.sideEffects) {
        throw new ScriptError(`'${b.name}' cannot be evaluated here: it could change the machine (use the debug console)`, e.calleeRange);
      }
    }
    return b.call(args, ctx) ?? null;
  }

  private *callBuiltinSteps(b: Builtin, args: Value[], e: Call): Generator<ExecEvent, Value, void> {
    const ctx = this.context(b, args, e);
    return (yield* b.steps!(args, ctx)) ?? null;
  }

  private *callUser(fn: Fn, args: Value[], e: Call): Generator<ExecEvent, Value, void> {
    if (args.length !== fn.params.length) {
      const n = fn.params.length;
      throw new ScriptError(`function '${fn.name}' takes ${n} argument${n === 1 ? '' : 's'} but is given ${args.length}`, e.calleeRange);
    }
    if (this.callDepth >= this.options.maxCallDepth) {
      throw new ScriptError(`too many nested function calls (more than ${this.options.maxCallDepth}): does '${fn.name}' recurse without end?`, e.range);
    }
    const scope = new Scope(this.globals, 'function', `Locals of ${fn.name}`);
    for (let i = 0; i < args.length; i++) scope.declare(fn.params[i].name, args[i]);
    this.frames.push({ kind: 'function', name: fn.name, node: null, scope, process: this.machine.current, entry: e });
    this.callDepth++;
    try {
      const c = yield* this.execStatements(fn.body.statements, scope);
      const v = c === Completion.Return ? this.retVal : null;
      this.retVal = null;
      return v;
    } finally {
      this.callDepth--;
      this.frames.pop();
    }
  }

  // ---- evaluation for the debugger ------------------------------------------------------------------

  /** Evaluates an expression without side effects on the machine (watches, hovers). */
  evalQuiet(e: Expr, scope: Scope, process: Process): Value {
    const prevQuiet = this.quiet;
    const prevProc = this.processOverride;
    this.quiet = true;
    this.processOverride = process;
    try {
      return this.eval(e, scope);
    } finally {
      this.quiet = prevQuiet;
      this.processOverride = prevProc;
    }
  }

  /**
   * Runs statements to completion in `scope` (the debug console): no stopping, fault stepping off,
   * at most `budget` statements; the frames' positions are restored afterwards. Returns the value of
   * the last statement when it is an expression, else null.
   */
  runConsole(stmts: readonly Stmt[], scope: Scope, budget: number): Value {
    const saved = this.frames.map((f) => [f.node, f.scope] as const);
    const depth = this.frames.length;
    const state = { statements: this.statements, budget: this.budget, stepping: this.faultStepping, last: this.lastStatement, errorFrames: this.errorFrames };
    this.statements = 0;
    this.budget = budget;
    this.faultStepping = false;
    this.lastValue = null;
    if (depth === 0) {
      this.frames.push({ kind: 'script', name: 'console', node: null, scope, process: this.machine.current, entry: null });
    }
    try {
      const g = this.execStatements(stmts, scope);
      drain(g);
      const last = stmts[stmts.length - 1];
      return last !== undefined && last.kind === 'ExprStmt' ? this.lastValue : null;
    } finally {
      this.frames.length = depth;
      saved.forEach(([node, sc], i) => {
        this.frames[i].node = node;
        this.frames[i].scope = sc;
      });
      this.statements = state.statements;
      this.budget = state.budget;
      this.faultStepping = state.stepping;
      this.lastStatement = state.last;
      this.errorFrames = state.errorFrames;
    }
  }
}

