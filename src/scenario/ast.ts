// Syntax tree of the `.vmm` scenario language (docs: /work/shared/docs/scenario-language.md).
// It exists so that the parser, the checker, the (stepwise) interpreter and the debugger all agree
// on one shape of a scenario. Design rules:
//  - every node is a discriminated union member with a `kind`;
//  - every node carries a `range` (1-based line/col, 0-based offset; `end` is EXCLUSIVE, i.e. the
//    position just after the node's last character; columns count UTF-16 code units, a tab is 1)
//    and an `id` that is unique within one parsed program (Program is 0, the others 1..n-1 in
//    pre-order, i.e. in order of their start in the source), so a debugger can key breakpoints,
//    stack frames and "current statement" highlights on it;
//  - integers are `bigint` (exact, the interpreter decides about 64-bit wrapping);
//  - a program with syntax errors is still a complete tree: expressions the parser could not read
//    become `Error` nodes, and names it could not read become '' (empty string). Such programs are
//    for editors and the checker only; an interpreter must refuse a program that has errors.

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column in UTF-16 code units. */
  col: number;
  /** 0-based offset into the source text. */
  offset: number;
}

export interface Range {
  start: Position;
  /** Exclusive: the position just after the last character. */
  end: Position;
}

interface NodeBase {
  id: number;
  range: Range;
}

// ------------------------------------------------------------------------------------------------
// Expressions
// ------------------------------------------------------------------------------------------------

export type BinaryOp =
  | '*' | '/' | '%'
  | '+' | '-'
  | '<<' | '>>'
  | '<' | '<=' | '>' | '>='
  | '==' | '!='
  | '&'
  | '^'
  | '|'
  | '&&'
  | '||';

export type UnaryOp = '-' | '~' | '!';

/** `=` or a compound assignment (an extension: `x += 1` means `x = x + 1`). */
export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '%=' | '&=' | '|=' | '^=' | '<<=' | '>>=';

/** Integer literal. `text` is the source spelling (`0xfffff680`00000000`, `64K`, `0b101`). */
export interface IntLit extends NodeBase {
  kind: 'IntLit';
  value: bigint;
  text: string;
}

/** String literal; `value` has the escapes decoded, `text` is the source spelling with quotes. */
export interface StrLit extends NodeBase {
  kind: 'StrLit';
  value: string;
  text: string;
}

export interface BoolLit extends NodeBase {
  kind: 'Bool';
  value: boolean;
}

export interface NullLit extends NodeBase {
  kind: 'Null';
}

/** A variable or a constant (`MEM_COMMIT`). Function names only appear as `Call.callee`. */
export interface Ident extends NodeBase {
  kind: 'Ident';
  name: string;
}

/** `-x`, `~x`, `!x`. `-1` is Unary('-', IntLit 1). */
export interface Unary extends NodeBase {
  kind: 'Unary';
  op: UnaryOp;
  operand: Expr;
}

export interface Binary extends NodeBase {
  kind: 'Binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
  /** Range of the operator token (for runtime errors such as division by zero). */
  opRange: Range;
}

/** `name(args)`: only a name can be called (no first-class functions). */
export interface Call extends NodeBase {
  kind: 'Call';
  callee: string;
  calleeRange: Range;
  args: Expr[];
}

/** `object.field` — reads a field of a record (`VirtualQuery(p).State`). */
export interface Member extends NodeBase {
  kind: 'Member';
  object: Expr;
  field: string;
  fieldRange: Range;
}

/**
 * `object[index]` — an extension: reads element `index` (0-based) of a list value, e.g.
 * `lists().standbyByPriority[7]`, or byte `index` of a string. Read-only (not assignable).
 */
export interface Index extends NodeBase {
  kind: 'Index';
  object: Expr;
  index: Expr;
}

/** `( expr )` — kept so that tools can show the source faithfully and warn about precedence. */
export interface Paren extends NodeBase {
  kind: 'Paren';
  expr: Expr;
}

/** Placeholder for an expression that could not be parsed (only in programs with errors). */
export interface ErrorExpr extends NodeBase {
  kind: 'Error';
}

export type Expr =
  | IntLit
  | StrLit
  | BoolLit
  | NullLit
  | Ident
  | Unary
  | Binary
  | Call
  | Member
  | Index
  | Paren
  | ErrorExpr;

// ------------------------------------------------------------------------------------------------
// Statements
// ------------------------------------------------------------------------------------------------

/** `let name = init` — declares `name` in the enclosing block. */
export interface Let extends NodeBase {
  kind: 'Let';
  name: string;
  nameRange: Range;
  init: Expr;
}

/** `target = value` or `target op= value`. Only a variable can be assigned. */
export interface Assign extends NodeBase {
  kind: 'Assign';
  target: string;
  targetRange: Range;
  op: AssignOp;
  value: Expr;
}

/** An expression evaluated for its effect (normally a call). */
export interface ExprStmt extends NodeBase {
  kind: 'ExprStmt';
  expr: Expr;
}

/** `if cond { then } else ...`; `else if` is an `If` in `else`. */
export interface If extends NodeBase {
  kind: 'If';
  cond: Expr;
  then: Block;
  else: Block | If | null;
}

export interface While extends NodeBase {
  kind: 'While';
  cond: Expr;
  body: Block;
}

/**
 * `for variable in from..to [step step] { body }` — `from <= variable < to` by `step` (default 1).
 * The variable is declared in the body's scope. (Negative steps and what happens when the body
 * assigns the variable are the interpreter's to define and document.)
 */
export interface For extends NodeBase {
  kind: 'For';
  variable: string;
  variableRange: Range;
  from: Expr;
  to: Expr;
  step: Expr | null;
  body: Block;
}

export interface Break extends NodeBase {
  kind: 'Break';
}

export interface Continue extends NodeBase {
  kind: 'Continue';
}

export interface Param {
  name: string;
  range: Range;
}

/** `fn name(params) { body }` — hoisted: callable from anywhere in the scenario. */
export interface Fn extends NodeBase {
  kind: 'Fn';
  name: string;
  nameRange: Range;
  params: Param[];
  body: Block;
}

/** `return` or `return value` (a bare `return` returns null). */
export interface Return extends NodeBase {
  kind: 'Return';
  value: Expr | null;
}

/** `assert cond` or `assert cond, message`. */
export interface Assert extends NodeBase {
  kind: 'Assert';
  cond: Expr;
  message: Expr | null;
}

/** `expect status { body }` — the body must raise the guest exception `status`. */
export interface Expect extends NodeBase {
  kind: 'Expect';
  status: Expr;
  body: Block;
}

/** `print a, b, ...` (also `print(a, b)`; `print` alone prints an empty line). */
export interface Print extends NodeBase {
  kind: 'Print';
  args: Expr[];
}

/** `in process { body }` — run `body` with `process` as the current process. */
export interface In extends NodeBase {
  kind: 'In';
  process: Expr;
  body: Block;
}

/** `{ statements }` — a body, or a statement on its own (a nested scope). */
export interface Block extends NodeBase {
  kind: 'Block';
  statements: Stmt[];
}

export interface MachineEntry {
  key: string;
  keyRange: Range;
  value: Expr;
  /** From the key to the end of the value. */
  range: Range;
}

/**
 * `machine { key = value ... }`. When it is the first statement it is `Program.machine`; anywhere
 * else it stays in the statement list (the checker reports it) and an interpreter ignores it.
 */
export interface Machine extends NodeBase {
  kind: 'Machine';
  entries: MachineEntry[];
}

export type Stmt =
  | Let
  | Assign
  | ExprStmt
  | If
  | While
  | For
  | Break
  | Continue
  | Fn
  | Return
  | Assert
  | Expect
  | Print
  | In
  | Block
  | Machine;

export interface Program {
  kind: 'Program';
  id: 0;
  range: Range;
  /** The leading `machine { ... }` block, if the scenario starts with one (not repeated in body). */
  machine: Machine | null;
  /** Top-level statements in source order (`fn` declarations included, in place). */
  body: Stmt[];
  /** Number of nodes including the Program (ids are 0 .. nodeCount-1, in pre-order). */
  nodeCount: number;
}

export type Node = Program | Stmt | Expr;

// ------------------------------------------------------------------------------------------------
// Traversal helpers
// ------------------------------------------------------------------------------------------------

/** The statements directly contained in a statement (bodies, else branches), in source order. */
export function childStatements(s: Stmt): Stmt[] {
  switch (s.kind) {
    case 'If':
      return s.else ? [s.then, s.else] : [s.then];
    case 'While':
    case 'For':
    case 'Fn':
    case 'Expect':
    case 'In':
      return [s.body];
    case 'Block':
      return s.statements;
    default:
      return [];
  }
}

/**
 * Visits every statement of the program (including blocks and the machine block) in source
 * order, depth first. Useful for a debugger to map lines to statement starts for breakpoints.
 */
export function forEachStatement(program: Program, visit: (s: Stmt) => void): void {
  const stack: Stmt[] = [];
  const roots = program.machine ? [program.machine, ...program.body] : program.body;
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i]);
  while (stack.length > 0) {
    const s = stack.pop()!;
    visit(s);
    const kids = childStatements(s);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
}

/** The direct children of a node (statements, expressions), in source order. */
export function childNodes(n: Node): Array<Stmt | Expr> {
  switch (n.kind) {
    case 'Program':
      return n.machine ? [n.machine, ...n.body] : n.body;
    case 'Let':
      return [n.init];
    case 'Assign':
      return [n.value];
    case 'ExprStmt':
      return [n.expr];
    case 'If':
      return n.else ? [n.cond, n.then, n.else] : [n.cond, n.then];
    case 'While':
      return [n.cond, n.body];
    case 'For':
      return n.step ? [n.from, n.to, n.step, n.body] : [n.from, n.to, n.body];
    case 'Fn':
      return [n.body];
    case 'Return':
      return n.value ? [n.value] : [];
    case 'Assert':
      return n.message ? [n.cond, n.message] : [n.cond];
    case 'Expect':
      return [n.status, n.body];
    case 'Print':
      return n.args;
    case 'In':
      return [n.process, n.body];
    case 'Block':
      return n.statements;
    case 'Machine':
      return n.entries.map((e) => e.value);
    case 'Unary':
      return [n.operand];
    case 'Binary':
      return [n.left, n.right];
    case 'Call':
      return n.args;
    case 'Member':
      return [n.object];
    case 'Index':
      return [n.object, n.index];
    case 'Paren':
      return [n.expr];
    case 'Break':
    case 'Continue':
    case 'IntLit':
    case 'StrLit':
    case 'Bool':
    case 'Null':
    case 'Ident':
    case 'Error':
      return [];
  }
}

/** Pre-order walk of every node (iterative: safe on very long expressions). */
export function forEachNode(root: Node, visit: (n: Node) => void): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    visit(n);
    const kids = childNodes(n);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
}
