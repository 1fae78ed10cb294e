// Tests of the scenario parser: the tree of every construct of the language contract (§3, §4),
// operator precedence, source ranges and ids, line continuation as the parser sees it, every
// syntax error message (exact text and line:col), error recovery, robustness (seeded fuzzing) and
// linear behaviour on a large script.

import { strict as assert } from 'node:assert';
import type { Block, Expr, Program, Stmt } from '../../src/scenario/ast';
import { childNodes, forEachNode, forEachStatement } from '../../src/scenario/ast';
import { check } from '../../src/scenario/checker';
import { formatDiagnostic } from '../../src/scenario/diagnostics';
import { parseScenario } from '../../src/scenario/index';
import { lexRaw } from '../../src/scenario/lexer';

/** A valid scenario that uses every construct of the language (also the fuzzing seed). */
export const SAMPLE = `// sample: every construct of the scenario language
machine {
  ram = 512M
  pagefile = 1G; zeroPageThread = true
}

let size = 64K
let base = VirtualAlloc(null, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE)
assert base != 0, "VirtualAlloc failed"
let kernel = 0xfffff680\`00000000
let mask = 0x7ff_0000 + 0b101 - -1
let s = "tab\\there\\n\\"quoted\\" \\\\ \\x41"
/* a block
   comment */
fn fact(n) {
  if n <= 1 { return 1 }
  return n * fact(n - 1)
}
fn touchAll(p, count) {
  for i in 0..count step 4K {
    write8(p + i, i & 0xff)
    if i == 8K { continue } else if i > 1G { break } else { }
  }
  return
}
touchAll(base, size)
let total = 0
while total < 10 && !false || total == -1 {
  total += 1
  if (total % 2) == 0 { print "even", total } else {
    print("odd", total)
  }
}
expect STATUS_ACCESS_VIOLATION {
  read8(0)
}
let child = CreateProcess("child")
in child {
  let q = VirtualAlloc(0, 4K, MEM_COMMIT,
                       PAGE_READONLY)
  expect STATUS_ACCESS_VIOLATION { write8(q, 1) }
}
let info = VirtualQuery(base)
print info.State, info.RegionSize >> 12, ~info.Protect, lists().standbyByPriority[7]
print
{
  let scoped = pte(base).raw
  assert((scoped & 1) == 1, "not valid")
}
if base == null && kernel != 0 || mask << 2 >= 3 { print fact(5) }
total = total * 2 / 3 % 5 ^ 1
`;

function parse(src: string): { program: Program; errors: string[] } {
  const r = parseScenario(src);
  return { program: r.program, errors: r.diagnostics.map((d) => formatDiagnostic('t.vmm', d)) };
}

function parseOk(src: string): Program {
  const r = parse(src);
  assert.deepEqual(r.errors, [], `unexpected diagnostics for:\n${src}`);
  return r.program;
}

function errorsOf(src: string): string[] {
  return parse(src).errors;
}

/** Fully parenthesised rendering of an expression. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'IntLit':
      return e.text;
    case 'StrLit':
      return e.text;
    case 'Bool':
      return String(e.value);
    case 'Null':
      return 'null';
    case 'Ident':
      return e.name;
    case 'Unary':
      return `(${e.op}${show(e.operand)})`;
    case 'Binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'Call':
      return `${e.callee}(${e.args.map(show).join(', ')})`;
    case 'Member':
      return `${show(e.object)}.${e.field}`;
    case 'Index':
      return `${show(e.object)}[${show(e.index)}]`;
    case 'Paren':
      return `[${show(e.expr)}]`;
    case 'Error':
      return '<error>';
  }
}

function exprOf(src: string): Expr {
  const r = parse(`let _ = ${src}`);
  assert.deepEqual(r.errors.filter((e) => !e.includes(': warning: ')), [], `unexpected errors for: ${src}`);
  const p = r.program;
  const s = p.body[0];
  assert.equal(s.kind, 'Let');
  return s.init;
}

function first(src: string): Stmt {
  const p = parseOk(src);
  return p.body[0];
}

function pos(r: { start: { line: number; col: number }; end: { line: number; col: number } }): string {
  return `${r.start.line}:${r.start.col}-${r.end.line}:${r.end.col}`;
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Ids are 0..n-1 in pre-order, and every child's range lies inside its parent's. */
function assertWellFormed(p: Program): void {
  let next = 0;
  forEachNode(p, (n) => {
    assert.equal(n.id, next++, 'ids are consecutive in pre-order');
    assert.ok(n.range.start.offset <= n.range.end.offset, `${n.kind} range is ordered`);
    for (const c of childNodes(n)) {
      assert.ok(c.range.start.offset >= n.range.start.offset && c.range.end.offset <= n.range.end.offset,
        `${c.kind} ${pos(c.range)} is outside ${n.kind} ${pos(n.range)}`);
    }
  });
  assert.equal(p.nodeCount, next);
}

describe('scenario parser', () => {
  describe('the sample scenario', () => {
    it('parses without diagnostics', () => {
      parseOk(SAMPLE);
    });

    it('has a machine block and the statements in order', () => {
      const p = parseOk(SAMPLE);
      assert.ok(p.machine);
      assert.deepEqual(p.machine.entries.map((e) => e.key), ['ram', 'pagefile', 'zeroPageThread']);
      assert.equal(p.body[0].kind, 'Let');
      assert.deepEqual(p.body.map((s) => s.kind), [
        'Let', 'Let', 'Assert', 'Let', 'Let', 'Let', 'Fn', 'Fn', 'ExprStmt', 'Let', 'While', 'Expect', 'Let', 'In',
        'Let', 'Print', 'Print', 'Block', 'If', 'Assign',
      ]);
    });

    it('gives every node a unique id, in pre-order (source order)', () => {
      const p = parseOk(SAMPLE);
      const ids: number[] = [];
      const starts: number[] = [];
      forEachNode(p, (n) => {
        ids.push(n.id);
        starts.push(n.range.start.offset);
      });
      assert.deepEqual(ids, ids.map((_, i) => i));
      assert.equal(p.nodeCount, ids.length);
      for (let i = 1; i < starts.length; i++) assert.ok(starts[i] >= starts[i - 1] || i === 0, `node ${i} starts before its predecessor`);
    });

    it('forEachStatement visits statements in source order', () => {
      const p = parseOk(SAMPLE);
      const lines: number[] = [];
      forEachStatement(p, (s) => lines.push(s.range.start.line));
      const sorted = [...lines].sort((a, b) => a - b);
      assert.deepEqual(lines, sorted);
      assert.equal(lines[0], 2);
    });

    it('every child range lies inside its parent range', () => {
      assertWellFormed(parseOk(SAMPLE));
    });
  });

  describe('statements', () => {
    it('let', () => {
      const s = first('let x = 42');
      assert.equal(s.kind, 'Let');
      if (s.kind !== 'Let') return;
      assert.equal(s.name, 'x');
      assert.equal(pos(s.nameRange), '1:5-1:6');
      assert.equal(pos(s.range), '1:1-1:11');
      assert.equal(s.init.kind, 'IntLit');
    });

    it('assignment and compound assignment', () => {
      const s = first('x = 1 + 2');
      assert.equal(s.kind, 'Assign');
      if (s.kind !== 'Assign') return;
      assert.equal(s.target, 'x');
      assert.equal(s.op, '=');
      assert.equal(show(s.value), '(1 + 2)');
      for (const op of ['+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=']) {
        const c = first(`x ${op} 3`);
        assert.equal(c.kind === 'Assign' && c.op, op);
      }
    });

    it('expression statement', () => {
      const s = first('VirtualFree(p, 0, MEM_RELEASE)');
      assert.equal(s.kind, 'ExprStmt');
      if (s.kind !== 'ExprStmt' || s.expr.kind !== 'Call') return assert.fail();
      assert.equal(s.expr.callee, 'VirtualFree');
      assert.equal(pos(s.expr.calleeRange), '1:1-1:12');
      assert.equal(s.expr.args.length, 3);
    });

    it('if / else if / else', () => {
      const s = first('if a { x } else if b { y } else { z }');
      if (s.kind !== 'If') return assert.fail();
      assert.equal(show(s.cond), 'a');
      assert.equal(s.then.statements.length, 1);
      const e = s.else;
      if (e?.kind !== 'If') return assert.fail();
      assert.equal(pos(e.range), '1:17-1:38');
      assert.equal(e.else?.kind, 'Block');
      assert.equal(pos(s.range), '1:1-1:38');
    });

    it('else and { may be on the next line', () => {
      const s = first('if a\n{\n  x\n}\nelse\n{\n  y\n}\nz');
      if (s.kind !== 'If') return assert.fail();
      assert.equal(s.else?.kind, 'Block');
      const p = parseOk('if a {\n} else if b\n{\n}\nelse { }\nprint 1');
      const q = parseOk('if a {\n}\nelse\nif b {\n}\nelse\n{\n}');
      const chain = q.body[0];
      assert.ok(chain.kind === 'If' && chain.else?.kind === 'If' && chain.else.else?.kind === 'Block');
      assert.deepEqual(p.body.map((x) => x.kind), ['If', 'Print']);
    });

    it("a statement ending with '}' needs no separator before the next one", () => {
      const p = parseOk('if a { return 1 } return 2\nwhile b { } print 1; { } x = 2');
      assert.deepEqual(p.body.map((x) => x.kind), ['If', 'Return', 'While', 'Print', 'Block', 'Assign']);
    });

    it('if without else does not swallow the next statement', () => {
      const p = parseOk('if a { x }\nprint 1');
      assert.deepEqual(p.body.map((x) => x.kind), ['If', 'Print']);
      const s = p.body[0];
      assert.ok(s.kind === 'If' && s.else === null);
    });

    it('while', () => {
      const s = first('while i < 10 { i += 1 }');
      if (s.kind !== 'While') return assert.fail();
      assert.equal(show(s.cond), '(i < 10)');
      assert.equal(s.body.statements[0].kind, 'Assign');
    });

    it('for with and without step', () => {
      const s = first('for i in 0..n { }');
      if (s.kind !== 'For') return assert.fail();
      assert.equal(s.variable, 'i');
      assert.equal(pos(s.variableRange), '1:5-1:6');
      assert.equal(show(s.from), '0');
      assert.equal(show(s.to), 'n');
      assert.equal(s.step, null);
      const t = first('for va in base..base + 16 * 4K step 4K { touch(va, 1) }');
      if (t.kind !== 'For') return assert.fail();
      assert.equal(show(t.to), '(base + (16 * 4K))');
      assert.equal(t.step && show(t.step), '4K');
      const u = first('for i in 10..0 step -1 { }');
      assert.ok(u.kind === 'For' && u.step && show(u.step) === '(-1)');
    });

    it('break and continue', () => {
      const s = first('while true { break; continue }');
      if (s.kind !== 'While') return assert.fail();
      assert.deepEqual(s.body.statements.map((x) => x.kind), ['Break', 'Continue']);
      assert.equal(pos(s.body.statements[0].range), '1:14-1:19');
    });

    it('fn and return', () => {
      const s = first('fn add(a, b) { return a + b }');
      if (s.kind !== 'Fn') return assert.fail();
      assert.equal(s.name, 'add');
      assert.equal(pos(s.nameRange), '1:4-1:7');
      assert.deepEqual(s.params.map((p) => p.name), ['a', 'b']);
      assert.equal(pos(s.params[1].range), '1:11-1:12');
      const r = s.body.statements[0];
      assert.ok(r.kind === 'Return' && r.value !== null && show(r.value) === '(a + b)');
      const none = first('fn f() { return }');
      assert.ok(none.kind === 'Fn' && none.params.length === 0);
      const ret = (none as { body: Block }).body.statements[0];
      assert.ok(ret.kind === 'Return' && ret.value === null);
      const trailing = first('fn g(a, b,) { }');
      assert.ok(trailing.kind === 'Fn' && trailing.params.length === 2);
    });

    it('return without value before } or ;', () => {
      const s = first('fn f() { if x { return } ; return; }');
      assert.equal(s.kind, 'Fn');
    });

    it('assert with and without message, with parentheses', () => {
      const a = first('assert x == 1');
      assert.ok(a.kind === 'Assert' && a.message === null && show(a.cond) === '(x == 1)');
      const b = first('assert x == 1, "bad x"');
      assert.ok(b.kind === 'Assert' && b.message?.kind === 'StrLit' && b.message.value === 'bad x');
      const c = first('assert(x == 1, "bad")');
      assert.ok(c.kind === 'Assert' && show(c.cond) === '(x == 1)' && c.message !== null);
      const d = first('assert (x == 1)');
      assert.ok(d.kind === 'Assert' && show(d.cond) === '[(x == 1)]' && d.message === null);
      const e = first('assert (a) && b');
      assert.ok(e.kind === 'Assert' && show(e.cond) === '([a] && b)');
    });

    it('expect', () => {
      const s = first('expect STATUS_ACCESS_VIOLATION {\n  read8(0)\n}');
      if (s.kind !== 'Expect') return assert.fail();
      assert.equal(show(s.status), 'STATUS_ACCESS_VIOLATION');
      assert.equal(s.body.statements.length, 1);
      assert.equal(pos(s.range), '1:1-3:2');
      assert.equal(pos(s.body.range), '1:32-3:2');
    });

    it('print with a list, parentheses, or nothing', () => {
      const a = first('print a, b + 1, "x"');
      assert.ok(a.kind === 'Print' && a.args.map(show).join(' ') === 'a (b + 1) "x"');
      const b = first('print(a, b)');
      assert.ok(b.kind === 'Print' && b.args.map(show).join(' ') === 'a b');
      const c = first('print (a + b) * 2');
      assert.ok(c.kind === 'Print' && c.args.map(show).join(' ') === '([(a + b)] * 2)');
      const d = first('print');
      assert.ok(d.kind === 'Print' && d.args.length === 0);
      const e = first('print()');
      assert.ok(e.kind === 'Print' && e.args.length === 0);
      const f = first('print (a), b');
      assert.ok(f.kind === 'Print' && f.args.map(show).join(' ') === '[a] b');
    });

    it('in', () => {
      const s = first('in CreateProcess("p") { VirtualAlloc(0, 4K, MEM_COMMIT, PAGE_READWRITE) }');
      if (s.kind !== 'In') return assert.fail();
      assert.equal(show(s.process), 'CreateProcess("p")');
      assert.equal(s.body.statements.length, 1);
    });

    it('bare block', () => {
      const s = first('{\n  let a = 1\n}');
      assert.ok(s.kind === 'Block' && s.statements.length === 1);
    });

    it('machine block first is Program.machine', () => {
      const p = parseOk('machine {\n  ram = 256M\n  pagefile = 0\n}\nprint 1');
      assert.ok(p.machine);
      assert.equal(pos(p.machine.range), '1:1-4:2');
      assert.deepEqual(p.machine.entries.map((e) => `${e.key}=${show(e.value)}`), ['ram=256M', 'pagefile=0']);
      assert.equal(pos(p.machine.entries[0].keyRange), '2:3-2:6');
      assert.equal(pos(p.machine.entries[0].range), '2:3-2:13');
      assert.deepEqual(p.body.map((s) => s.kind), ['Print']);
      const empty = parseOk('machine { }');
      assert.ok(empty.machine && empty.machine.entries.length === 0);
    });

    it('a machine block after the first statement stays in the body', () => {
      const p = parseOk('print 1\nmachine { ram = 1G }');
      assert.equal(p.machine, null);
      assert.deepEqual(p.body.map((s) => s.kind), ['Print', 'Machine']);
    });

    it('semicolons separate statements; empty statements are fine', () => {
      const p = parseOk(';;let a = 1; a = 2;; print a;');
      assert.deepEqual(p.body.map((s) => s.kind), ['Let', 'Assign', 'Print']);
    });

    it('an empty or comment-only file is an empty program', () => {
      assert.equal(parseOk('').body.length, 0);
      assert.equal(parseOk('// nothing\n/* at all */\n').body.length, 0);
      assert.deepEqual(parseOk('').range, { start: { line: 1, col: 1, offset: 0 }, end: { line: 1, col: 1, offset: 0 } });
    });
  });

  describe('expressions', () => {
    const precedence: Array<[string, string]> = [
      ['1 + 2 * 3', '(1 + (2 * 3))'],
      ['1 * 2 + 3', '((1 * 2) + 3)'],
      ['a - b - c', '((a - b) - c)'],
      ['a / b % c * d', '(((a / b) % c) * d)'],
      ['1 << 2 + 3', '(1 << (2 + 3))'],
      ['a >> 1 < b << 2', '((a >> 1) < (b << 2))'],
      ['a < b == c > d', '((a < b) == (c > d))'],
      ['a <= b != c >= d', '((a <= b) != (c >= d))'],
      ['a == b & c', '((a == b) & c)'],
      ['a & b ^ c & d', '((a & b) ^ (c & d))'],
      ['a ^ b | c ^ d', '((a ^ b) | (c ^ d))'],
      ['a | b && c | d', '((a | b) && (c | d))'],
      ['a && b || c && d', '((a && b) || (c && d))'],
      ['a || b || c', '((a || b) || c)'],
      ['-a * b', '((-a) * b)'],
      ['-1', '(-1)'],
      ['- -1', '(-(-1))'],
      ['!a && ~b', '((!a) && (~b))'],
      ['!a == b', '((!a) == b)'],
      ['~x & 0xfff', '((~x) & 0xfff)'],
      ['-f(x).y[2]', '(-f(x).y[2])'],
      ['(1 + 2) * 3', '([(1 + 2)] * 3)'],
      ['a.b.c', 'a.b.c'],
      ['r.in', 'r.in'],
      ['f(a, g(b), (c))', 'f(a, g(b), [c])'],
      ['f()', 'f()'],
      ['f(a,)', 'f(a)'],
      ['x[i + 1][0]', 'x[(i + 1)][0]'],
      ['true || false && null', '(true || (false && null))'],
      ['"s" + "t"', '("s" + "t")'],
      ['a +\n b *\n c', '(a + (b * c))'],
      ['f(a,\n  b)', 'f(a, b)'],
      ['a\n  && b\n  || c', '((a && b) || c)'],
      ['VirtualQuery(p)\n  .State', 'VirtualQuery(p).State'],
    ];
    for (const [src, expected] of precedence) {
      it(`${JSON.stringify(src)} -> ${expected}`, () => {
        assert.equal(show(exprOf(src)), expected);
      });
    }

    it('keeps the literal values and source text', () => {
      const e = exprOf('0xfffff680`00000000');
      assert.ok(e.kind === 'IntLit' && e.value === 0xfffff68000000000n && e.text === '0xfffff680`00000000');
      const k = exprOf('64K');
      assert.ok(k.kind === 'IntLit' && k.value === 0x10000n);
      const s = exprOf('"a\\x41"');
      assert.ok(s.kind === 'StrLit' && s.value === 'aA' && s.text === '"a\\x41"');
      const b = exprOf('false');
      assert.ok(b.kind === 'Bool' && b.value === false);
    });

    it('ranges of binary, call, member, index and paren nodes', () => {
      const e = exprOf('f(1, 2).x[3] + (4)');
      if (e.kind !== 'Binary') return assert.fail();
      assert.equal(pos(e.range), '1:9-1:27');
      assert.equal(pos(e.opRange), '1:22-1:23');
      const idx = e.left;
      if (idx.kind !== 'Index') return assert.fail();
      assert.equal(pos(idx.range), '1:9-1:21');
      const mem = idx.object;
      if (mem.kind !== 'Member') return assert.fail();
      assert.equal(pos(mem.range), '1:9-1:18');
      assert.equal(pos(mem.fieldRange), '1:17-1:18');
      assert.equal(pos(mem.object.range), '1:9-1:16');
      assert.equal(pos(e.right.range), '1:24-1:27');
    });

    it('warns when & | ^ meet an unparenthesised comparison (C precedence)', () => {
      const r = parse('let a = x & 1 == 1');
      assert.deepEqual(r.errors, ["t.vmm:1:11: warning: '&' is evaluated after '==' (C precedence); add parentheses, e.g. '(a & b) == c'"]);
      assert.deepEqual(parse('let a = x == 1 | y').errors, ["t.vmm:1:16: warning: '|' is evaluated after '==' (C precedence); add parentheses, e.g. '(a | b) == c'"]);
      assert.deepEqual(parse('let a = (x & 1) == 1').errors, []);
      assert.deepEqual(parse('let a = x & (1 == 1)').errors, []);
    });

    it('handles a long operator chain and deep nesting without recursion trouble', () => {
      const terms = Array.from({ length: 900 }, (_, i) => `a${i}`).join(' + ');
      const e = exprOf(terms);
      assert.equal(e.kind, 'Binary');
      parseOk(`let x = ${'('.repeat(150)}1${')'.repeat(150)}`);
      parseOk(`${'{'.repeat(150)}\n${'}'.repeat(150)}`);
    });
  });

  describe('syntax errors (exact messages)', () => {
    const cases: Array<[string, string[]]> = [
      ['}', ["t.vmm:1:1: unexpected '}': there is no open block to close here"]],
      ['if a {\n  print 1\n', ["t.vmm:2:10: expected '}' to close the block opened at 1:6"]],
      ['machine {\n  ram = 1G', ["t.vmm:2:11: expected '}' to close the block opened at 1:9"]],
      ['machine {\n  ram = 1G\nlet a = 1', ["t.vmm:3:1: expected '}' to close the 'machine' block opened at 1:9"]],
      ['machine ram = 1', ["t.vmm:1:9: expected '{' after 'machine' (machine { ram = 512M }), found 'ram'"]],
      ['machine { 5 = 1 }', ["t.vmm:1:11: expected a setting name in the 'machine' block (like 'ram = 512M'), found '5'"]],
      ['machine { ram 1 }', ["t.vmm:1:15: expected '=' after the setting 'ram' (ram = ...), found '1'"]],
      ['machine { ram = 1 pagefile = 2 }', ["t.vmm:1:19: unexpected 'pagefile' after the setting 'ram' (put each setting on its own line)"]],
      ['let s = 0..3', ["t.vmm:1:10: a range 'a..b' can only be used in a 'for' loop (for i in a..b { ... })"]],
      ['f(x) = 3', ["t.vmm:1:1: only a variable can be assigned: the left side of '=' must be a name"]],
      ['a.b += 3', ["t.vmm:1:1: only a variable can be assigned: the left side of '+=' must be a name"]],
      ['let a = b = 3', ["t.vmm:1:11: only a variable can be assigned: the left side of '=' must be a name"]],
      ['print 1\nelse { }', ["t.vmm:2:1: 'else' without an 'if': it must follow the '}' of an 'if' block"]],
      ['while a { } else { }', ["t.vmm:1:13: 'else' without an 'if': it must follow the '}' of an 'if' block"]],
      ['print 1 2', ["t.vmm:1:9: unexpected '2' after the statement (put each statement on its own line, or separate them with ';')"]],
      ['step 2', ["t.vmm:1:1: 'step' can only be used in a 'for' loop (for i in 0..10 step 2 { ... })"]],
      ['let if = 1', ["t.vmm:1:5: 'if' is a keyword and cannot be used as a name"]],
      ['let 5 = 1', ["t.vmm:1:5: expected a variable name after 'let', found '5'"]],
      ['let', ["t.vmm:1:4: expected a variable name after 'let', found the end of the file"]],
      ['let a == 1', ["t.vmm:1:7: use '=' to give 'a' its value ('==' compares)"]],
      ['let a', ["t.vmm:1:6: expected '=' after 'let a' (a variable needs a value: let a = 0), found the end of the file"]],
      ['let a 5\nprint a', ["t.vmm:1:7: expected '=' after 'let a' (a variable needs a value: let a = 0), found '5'"]],
      ['if a = 1 { }', ["t.vmm:1:6: '=' is assignment; did you mean '=='?"]],
      ['while x = y { }', ["t.vmm:1:9: '=' is assignment; did you mean '=='?"]],
      ['if (a = 1) { }', ["t.vmm:1:7: '=' is assignment; did you mean '=='?"]],
      ['if a { } else if b = c { }', ["t.vmm:1:20: '=' is assignment; did you mean '=='?"]],
      ['assert a = 1', ["t.vmm:1:10: '=' is assignment; did you mean '=='?"]],
      ['if a then { }', ["t.vmm:1:6: expected '{' after the 'if' condition, found 'then'"]],
      ['if a:\n  print 1', ["t.vmm:1:5: unexpected character ':'", "t.vmm:1:5: expected '{' after the 'if' condition, found the end of the line"]],
      ['if a { } else print 1', ["t.vmm:1:15: expected '{' or 'if' after 'else', found keyword 'print'"]],
      ['while a', ["t.vmm:1:8: expected '{' after the 'while' condition, found the end of the file"]],
      ['for i in 0..3 print i', ["t.vmm:1:15: expected '{' after the range of the 'for' loop, found keyword 'print'"]],
      ['fn f() print 1', ["t.vmm:1:8: expected '{' to start the body of function 'f', found keyword 'print'"]],
      ['expect STATUS_X read8(0)', ["t.vmm:1:17: expected '{' after the status of 'expect' (expect STATUS_ACCESS_VIOLATION { ... }), found 'read8'"]],
      ['in p print 1', ["t.vmm:1:6: expected '{' after the process of 'in' (in proc { ... }), found keyword 'print'"]],
      ['for 1 in 0..3 { }', ["t.vmm:1:5: expected a loop variable name after 'for' (for i in 0..10 { ... }), found '1'"]],
      ['for step in 0..3 { }', ["t.vmm:1:5: 'step' is a keyword and cannot be used as a name"]],
      ['for i = 0..3 { }', ["t.vmm:1:7: expected 'in' after 'for i' (for i in 0..10 { ... }), found '='"]],
      ['for i in 0, 3 { }', ["t.vmm:1:11: expected '..' in the range of the 'for' loop (for i in 0..10 { ... }), found ','"]],
      ['for i in 0..3 step { }', ["t.vmm:1:20: expected an expression, found '{'"]],
      ['fn (a) { }', ["t.vmm:1:4: expected a function name after 'fn' (fn name(a, b) { ... }), found '('"]],
      ['fn f { }', ["t.vmm:1:6: expected '(' after 'fn f' (write 'fn f() { ... }' for no parameters), found '{'"]],
      ['fn f(a, 1) { }', ["t.vmm:1:9: expected a parameter name, found '1'"]],
      ['fn f(a b) { }', ["t.vmm:1:8: expected ',' or ')' after parameter 'a', found 'b'"]],
      ['fn f(a { }', ["t.vmm:1:8: expected ')' to close the '(' opened at 1:5"]],
      ['fn f(a,', ["t.vmm:1:8: expected ')' to close the '(' opened at 1:5", "t.vmm:1:8: expected '{' to start the body of function 'f', found the end of the file"]],
      ['fn f(in) { }', ["t.vmm:1:6: 'in' is a keyword and cannot be used as a name"]],
      ['if a {\n  fn g() { }\n}', ["t.vmm:2:3: functions can only be declared at the top level of the scenario (is a '}' missing to close the block opened at 1:6?)"]],
      ['assert', [`t.vmm:1:7: 'assert' needs a condition (assert x == 1, "message")`]],
      ['assert()', [`t.vmm:1:7: 'assert' needs a condition (assert x == 1, "message")`]],
      ['assert(a, "m", 3)', ["t.vmm:1:16: 'assert' takes a condition and an optional message, not 3 values"]],
      ['print(a, b', ["t.vmm:1:8: expected ')' to close the '(' opened at 1:6, found ','"]],
      ['print(a, b\nprint 1', ["t.vmm:1:8: expected ')' to close the '(' opened at 1:6, found ','"]],
      ['f(a, b', ["t.vmm:1:7: expected ')' to close the '(' opened at 1:2"]],
      ['f(a b)', ["t.vmm:1:5: expected ',' or ')' after the argument, found 'b'"]],
      ['f(size = 4)', ["t.vmm:1:8: '=' cannot be used inside an argument list; did you mean '=='?"]],
      ['let a = (1 + 2', ["t.vmm:1:15: expected ')' to close the '(' opened at 1:9, found the end of the file"]],
      ['let a = (1 + 2 3)', ["t.vmm:1:16: expected ')' to close the '(' opened at 1:9, found '3'"]],
      ['let a = x[1', ["t.vmm:1:12: expected ']' to close the '[' opened at 1:10, found the end of the file"]],
      ['let a = (x)(1)', ["t.vmm:1:9: only a function name can be called (this is not a name)"]],
      ['let a = x.', ["t.vmm:1:11: expected a field name after '.', found the end of the file"]],
      ['let a = x.5', ["t.vmm:1:11: expected a field name after '.', found '5'"]],
      ['let a = ', ["t.vmm:1:8: expected an expression, found the end of the file"]],
      ['let a = * 2', ["t.vmm:1:9: expected an expression, found '*'"]],
      ['let a = 1 +\n', ["t.vmm:1:12: expected an expression, found the end of the file"]],
      ['let a = 1 +;', ["t.vmm:1:12: expected an expression, found ';'"]],
      ['let a = if', ["t.vmm:1:9: expected an expression, found keyword 'if'"]],
      ['print "a", )', ["t.vmm:1:12: expected an expression, found ')'"]],
      ['let a = -', ["t.vmm:1:10: expected an expression, found the end of the file"]],
      [`let a = ${'('.repeat(300)}1${')'.repeat(300)}`, ['t.vmm:1:209: expression is nested too deeply']],
      [`let a = ${'-'.repeat(300)}1`, ['t.vmm:1:209: expression is nested too deeply']],
      [`${'{'.repeat(300)}${'}'.repeat(300)}`, ['t.vmm:1:201: blocks are nested too deeply']],
      [`let a = ${Array.from({ length: 1002 }, () => 'x').join('+')}`, ["t.vmm:1:2010: expression is too long (more than 1000 operators); split it using 'let'"]],
    ];
    for (const [src, expected] of cases) {
      it(JSON.stringify(src.length > 60 ? src.slice(0, 57) + '...' : src), () => {
        assert.deepEqual(errorsOf(src), expected);
      });
    }

    it('names the likely culprit when a } is missing (indentation hint)', () => {
      const src = [
        'fn f(n) {',
        '  if n < 2 {',
        '    return 1',
        '',
        '  return n * f(n - 1)',
        '}',
        'print f(3)',
      ].join('\n');
      assert.deepEqual(errorsOf(src), ["t.vmm:7:11: expected '}' to close the block opened at 1:9 (perhaps the block opened at 2:12 is the one missing its '}')"]);
    });

    it('a fn at the start of a line inside an open block closes it (missing })', () => {
      const src = [
        'fn f(n) {',
        '  while n > 0 {',
        '    n -= 1',
        '',
        '  return n',
        '}',
        'fn g() {',
        '  return f(2)',
        '}',
        'print g()',
      ].join('\n');
      const r = parse(src);
      assert.deepEqual(r.errors, ["t.vmm:7:1: expected '}' before this 'fn': the block opened at 2:15 is not closed (functions can only be declared at the top level)"]);
      assert.deepEqual(r.program.body.map((s) => s.kind), ['Fn', 'Fn', 'Print']);
    });
  });

  describe('error recovery', () => {
    it('reports every error of a file in one run', () => {
      const src = [
        'let a = 1 +',            // 1: expected expression (continues to line 2 "let"? no: keyword closes)
        'let b = 2',              // 2
        'if b = 2 {',             // 3: = in condition
        '  print (b',             // 4: missing )
        '  let c = 0b12',         // 5: bad binary
        '}',                      // 6
        'while { }',              // 7: expected expression
        'fn f(a b) { return a }', // 8: params
        'print "abc',             // 9: unterminated
        'let d = f(1, 2',         // 10: missing )
        'print d @',              // 11: unexpected char
        'for i 0..3 { }',         // 12: expected in
        'machine { ram = 1G }',   // 13: parses (checker reports it)
        '}',                      // 14: unexpected }
      ].join('\n');
      assert.deepEqual(errorsOf(src), [
        "t.vmm:1:12: expected an expression, found the end of the line",
        "t.vmm:3:6: '=' is assignment; did you mean '=='?",
        "t.vmm:4:11: expected ')' to close the '(' opened at 4:9, found the end of the line",
        "t.vmm:5:11: invalid digit '2' in binary number '0b12'",
        "t.vmm:7:7: expected an expression, found '{'",
        "t.vmm:8:8: expected ',' or ')' after parameter 'a', found 'b'",
        `t.vmm:9:7: unterminated string: add a closing '"' before the end of the line`,
        "t.vmm:10:15: expected ')' to close the '(' opened at 10:10",
        "t.vmm:11:9: unexpected character '@'",
        "t.vmm:12:7: expected 'in' after 'for i' (for i in 0..10 { ... }), found '0'",
        "t.vmm:14:1: unexpected '}': there is no open block to close here",
      ]);
    });

    it('keeps the statements around the errors (and their shapes)', () => {
      const r = parse('let a = 1 +\nprint a\nif x = 1 {\n  print 2\n}\nlet b = ) 3\nlet c = 3');
      assert.deepEqual(r.program.body.map((s) => s.kind), ['Let', 'Print', 'If', 'Let', 'Let']);
      const bad = r.program.body[3];
      assert.ok(bad.kind === 'Let' && bad.name === 'b' && bad.init.kind === 'Error');
      const cond = r.program.body[2];
      assert.ok(cond.kind === 'If' && show(cond.cond) === '(x == 1)' && cond.then.statements.length === 1);
    });

    it('still parses the body of a statement whose header is broken', () => {
      const r = parse('while ) {\n  let x = (\n}\nfor 3 in x {\n  print y +\n}');
      assert.deepEqual(r.errors, [
        "t.vmm:1:7: expected an expression, found ')'",
        "t.vmm:3:1: expected an expression, found '}'",
        "t.vmm:4:5: expected a loop variable name after 'for' (for i in 0..10 { ... }), found '3'",
        "t.vmm:6:1: expected an expression, found '}'",
      ]);
      assert.deepEqual(r.program.body.map((s) => s.kind), ['While', 'For']);
    });

    it('an unclosed ( does not swallow the following statements', () => {
      const r = parse('let a = f(1,\nlet b = 2\nprint b');
      assert.deepEqual(r.errors, ["t.vmm:1:13: expected ')' to close the '(' opened at 1:10"]);
      assert.deepEqual(r.program.body.map((s) => s.kind), ['Let', 'Let', 'Print']);
    });

    it('the parse of a broken program can still be checked without throwing', () => {
      const r = parseScenario('fn (a) { return x }\nfor in 0.. { break }\nlet = 3\nf(');
      assert.ok(r.diagnostics.length > 0);
      check(r.program, { functions: new Set(), constants: new Set(), machineKeys: new Set() });
    });
  });

  describe('robustness', () => {
    const env = {
      functions: new Set(['VirtualAlloc', 'VirtualQuery', 'CreateProcess', 'write8', 'read8', 'pte', 'lists', 'print']),
      constants: new Set(['MEM_COMMIT', 'MEM_RESERVE', 'PAGE_READWRITE', 'PAGE_READONLY', 'STATUS_ACCESS_VIOLATION']),
      machineKeys: new Set(['ram', 'pagefile', 'zeroPageThread']),
    };

    it('survives 3000 seeded random mutations of the sample (no exception)', function () {
      this.timeout(120000);
      // VMM_FUZZ_SEED / VMM_FUZZ_COUNT explore further locally; the suite always runs the default.
      const random = rng(Number(process.env.VMM_FUZZ_SEED ?? 0x5eed));
      const count = Number(process.env.VMM_FUZZ_COUNT ?? 3000);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
      const base = SAMPLE;
      const raw = lexRaw(base).tokens.filter((t) => t.kind !== 'eof');
      const fragments = [...new Set(raw.map((t) => (t.kind === 'newline' ? '\n' : t.text)))].concat(
        ['{', '}', '(', ')', '[', ']', '"', '/*', '*/', '//', '`', '0x', '..', '\\', '\n', ';', ' ', 'fn', 'else', 'machine {']);
      let slowest = 0;
      let slowestInput = '';
      let withDiagnostics = 0;
      for (let n = 0; n < count; n++) {
        let text = base;
        const edits = 1 + Math.floor(random() * 4);
        for (let k = 0; k < edits; k++) {
          const at = Math.floor(random() * (text.length + 1));
          const len = 1 + Math.floor(random() * 8);
          switch (Math.floor(random() * 8)) {
            case 0: // delete characters
              text = text.slice(0, at) + text.slice(at + len);
              break;
            case 1: // insert a random character
              text = text.slice(0, at) + String.fromCharCode(32 + Math.floor(random() * 95)) + text.slice(at);
              break;
            case 2: // duplicate characters
              text = text.slice(0, at) + text.slice(at, at + len) + text.slice(at);
              break;
            case 3: { // swap two characters
              const b = Math.floor(random() * text.length);
              const chars = [...text];
              [chars[at], chars[b]] = [chars[b] ?? '', chars[at] ?? ''];
              text = chars.join('');
              break;
            }
            case 4: // insert a token
              text = text.slice(0, at) + pick(fragments) + text.slice(at);
              break;
            case 5: { // delete a token
              const t = pick(raw);
              text = text.slice(0, t.range.start.offset) + text.slice(t.range.end.offset);
              break;
            }
            case 6: { // duplicate a token
              const t = pick(raw);
              text = text.slice(0, t.range.end.offset) + base.slice(t.range.start.offset, t.range.end.offset) + text.slice(t.range.end.offset);
              break;
            }
            default: { // swap two tokens
              const [a, b] = [pick(raw), pick(raw)].sort((x, y) => x.range.start.offset - y.range.start.offset);
              if (a.range.end.offset <= b.range.start.offset && b.range.end.offset <= text.length) {
                const ta = text.slice(a.range.start.offset, a.range.end.offset);
                const tb = text.slice(b.range.start.offset, b.range.end.offset);
                text = text.slice(0, a.range.start.offset) + tb + text.slice(a.range.end.offset, b.range.start.offset) + ta + text.slice(b.range.end.offset);
              }
              break;
            }
          }
        }
        const t0 = performance.now();
        let result: ReturnType<typeof parseScenario>;
        try {
          result = parseScenario(text);
          const more = check(result.program, env);
          if (result.diagnostics.length + more.length > 0) withDiagnostics++;
          assertWellFormed(result.program);
          for (const d of [...result.diagnostics, ...more]) {
            assert.ok(d.range.start.line >= 1 && d.range.start.col >= 1, 'positions are 1-based');
            assert.ok(d.range.start.offset <= d.range.end.offset, 'ranges are ordered');
            assert.ok(d.message.length > 0);
          }
        } catch (e) {
          assert.fail(`mutation ${n} threw ${(e as Error).stack}\n--- input ---\n${text}`);
        }
        const dt = performance.now() - t0;
        if (dt > slowest) {
          slowest = dt;
          slowestInput = text;
        }
      }
      assert.ok(withDiagnostics > count / 3, `most mutations should be reported (${withDiagnostics})`);
      // Informational only (no timing assertion): the slowest single input.
      if (process.env.VMM_FUZZ_VERBOSE) console.log(`slowest input: ${slowest.toFixed(1)} ms, ${slowestInput.length} chars`);
    });

    it('parses a 10,000-line script in one pass', function () {
      this.timeout(60000);
      const lines: string[] = ['let total = 0', 'fn add(a, b) { return a + b }'];
      while (lines.length < 10000) {
        const i = lines.length;
        lines.push(`let v${i} = VirtualAlloc(0, 64K, MEM_COMMIT, PAGE_READWRITE)`);
        lines.push(`if v${i} != 0 && (v${i} & 0xfff) == 0 { total = add(total, v${i}) } else { print "fail", v${i} }`);
        lines.push(`for i in 0..4 step 1 { write8(v${i} + i * 4K, i) }`);
      }
      const r = parseScenario(lines.join('\n'));
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.program.body.length, lines.length);
      assert.deepEqual(check(r.program, { ...env, functions: new Set([...env.functions]) }), []);
    });
  });
});
