// Tests of the scenario checker (name resolution, scoping rules, arity, loops/functions context,
// the machine block), of the "did you mean" helper and of the diagnostic text format.

import { strict as assert } from 'node:assert';
import { check, isConstantName, type CheckEnv } from '../../src/scenario/checker';
import { formatDiagnostic, hasErrors, type Diagnostic } from '../../src/scenario/diagnostics';
import { parseScenario } from '../../src/scenario/index';
import { didYouMean, editDistance, maxSuggestionDistance, suggest } from '../../src/scenario/suggest';

const ENV: CheckEnv = {
  functions: new Set([
    'VirtualAlloc', 'VirtualAllocEx', 'VirtualFree', 'VirtualProtect', 'VirtualQuery', 'CreateProcess', 'GetCurrentProcess',
    'read8', 'write8', 'read64', 'write64', 'touch', 'pte', 'pfn', 'vad', 'lists', 'NT_SUCCESS', 'Sleep', 'createFile',
  ]),
  constants: new Set([
    'MEM_COMMIT', 'MEM_RESERVE', 'MEM_RELEASE', 'PAGE_READWRITE', 'PAGE_READONLY', 'PAGE_NOACCESS', 'PAGE_GUARD',
    'STATUS_ACCESS_VIOLATION', 'STATUS_GUARD_PAGE_VIOLATION', 'INVALID_HANDLE_VALUE',
  ]),
  machineKeys: new Set(['ram', 'pagefile']),
};

/** Parse diagnostics must be empty; returns the checker's diagnostics as `t.vmm:l:c: message`. */
function checkText(src: string, env: CheckEnv = ENV): string[] {
  const r = parseScenario(src);
  assert.deepEqual(r.diagnostics.map((d) => formatDiagnostic('t.vmm', d)), [], `parse errors in:\n${src}`);
  return check(r.program, env).map((d) => formatDiagnostic('t.vmm', d));
}

function ok(src: string, env: CheckEnv = ENV): void {
  assert.deepEqual(checkText(src, env), []);
}

describe('scenario checker', () => {
  describe('a correct scenario', () => {
    it('has no diagnostics', () => {
      ok([
        'machine {',
        '  ram = 256M',
        '  pagefile = 0',
        '}',
        'let p = VirtualAlloc(null, 64K, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE)',
        'fn fill(base, n) {',
        '  for i in 0..n step 4K { write8(base + i, i & 0xff) }',
        '  return n',
        '}',
        'fill(p, 64K)',
        'expect STATUS_ACCESS_VIOLATION { read8(0) }',
        'let h = CreateProcess("other")',
        'in h { let q = VirtualAlloc(0, 4K, MEM_COMMIT, PAGE_READONLY); print q }',
        'let i = 0',
        'while true { i += 1; if i > 3 { break } else { continue } }',
        'assert NT_SUCCESS(0), "ok"',
        'print VirtualQuery(p).State, INVALID_HANDLE_VALUE',
      ].join('\n'));
    });
  });

  describe('functions', () => {
    it('reports an unknown function with a suggestion', () => {
      assert.deepEqual(checkText('let p = VirtualAloc(0, 4K, MEM_COMMIT, PAGE_READWRITE)'), [
        "t.vmm:1:9: unknown function 'VirtualAloc' (did you mean 'VirtualAlloc'?)",
      ]);
    });

    it('suggests regardless of case, and user functions too', () => {
      assert.deepEqual(checkText('virtualalloc(0, 1, 2, 3)'), ["t.vmm:1:1: unknown function 'virtualalloc' (did you mean 'VirtualAlloc'?)"]);
      assert.deepEqual(checkText('fn touchPages(a) { }\ntuochPages(1)'), ["t.vmm:2:1: unknown function 'tuochPages' (did you mean 'touchPages'?)"]);
    });

    it('reports an unknown function without a suggestion when nothing is close', () => {
      assert.deepEqual(checkText('frobnicate()'), ["t.vmm:1:1: unknown function 'frobnicate'"]);
    });

    it('functions are hoisted and may recurse', () => {
      ok('print twice(2)\nfn twice(x) { return x * 2 }\nfn fact(n) { if n <= 1 { return 1 } return n * fact(n - 1) }');
    });

    it('checks the arity of user functions', () => {
      assert.deepEqual(checkText('fn f(a, b) { }\nf(1)\nf(1, 2)\nf(1, 2, 3)'), [
        "t.vmm:2:1: function 'f' takes 2 arguments (a, b) but is given 1",
        "t.vmm:4:1: function 'f' takes 2 arguments (a, b) but is given 3",
      ]);
      assert.deepEqual(checkText('fn g() { }\ng(1)'), ["t.vmm:2:1: function 'g' takes no arguments but is given 1"]);
      assert.deepEqual(checkText('fn h(x) { }\nh()'), ["t.vmm:2:1: function 'h' takes 1 argument (x) but is given 0"]);
    });

    it('does not check the arity of built-ins (the environment does not give it)', () => {
      ok('VirtualAlloc(1)');
    });

    it('reports duplicate functions and functions named like built-ins', () => {
      assert.deepEqual(checkText('fn f() { }\nfn f(a) { }'), ["t.vmm:2:4: function 'f' is already declared at 1:4"]);
      assert.deepEqual(checkText('fn Sleep(ms) { }'), ["t.vmm:1:4: 'Sleep' is a built-in function; give your function another name"]);
    });

    it('reports calling a variable and using a function as a value', () => {
      assert.deepEqual(checkText('let x = 1\nx(2)'), ["t.vmm:2:1: 'x' is a variable, not a function"]);
      assert.deepEqual(checkText('fn f() { }\nlet g = f'), ["t.vmm:2:9: 'f' is a function; call it with parentheses: f(...)"]);
      assert.deepEqual(checkText('let g = lists'), ["t.vmm:1:9: 'lists' is a function; call it with parentheses: lists(...)"]);
    });

    it('checks the arguments of calls', () => {
      assert.deepEqual(checkText('write8(address, 1)\nlet address = 0'), ["t.vmm:1:8: 'address' is used before its 'let' at 2:5"]);
      assert.deepEqual(checkText('let address = 0\nwrite8(adress, 1)'), ["t.vmm:2:8: unknown variable 'adress' (did you mean 'address'?)"]);
    });
  });

  describe('variables and scopes', () => {
    it('reports an unknown variable, with a suggestion', () => {
      assert.deepEqual(checkText('let count = 1\nprint cuont'), ["t.vmm:2:7: unknown variable 'cuont' (did you mean 'count'?)"]);
      assert.deepEqual(checkText('print nothing'), ["t.vmm:1:7: unknown variable 'nothing'"]);
    });

    it('does not suggest a name that has nothing in common (x -> a)', () => {
      assert.deepEqual(checkText('let a = 1\nprint x'), ["t.vmm:2:7: unknown variable 'x'"]);
    });

    it('suggests a constant for a lower-case spelling of it', () => {
      assert.deepEqual(checkText('print page_readwrite'), ["t.vmm:1:7: unknown variable 'page_readwrite' (did you mean 'PAGE_READWRITE'?)"]);
    });

    it('let is block-scoped', () => {
      assert.deepEqual(checkText('if true { let a = 1 }\nprint a'), ["t.vmm:2:7: unknown variable 'a'"]);
      assert.deepEqual(checkText('{ let a = 1 }\nprint a'), ["t.vmm:2:7: unknown variable 'a'"]);
      assert.deepEqual(checkText('expect STATUS_ACCESS_VIOLATION { let a = read8(0) }\nprint a'), ["t.vmm:2:7: unknown variable 'a'"]);
      assert.deepEqual(checkText('in GetCurrentProcess() { let a = 1 }\nprint a'), ["t.vmm:2:7: unknown variable 'a'"]);
      ok('let a = 1\nif true { print a; a = 2 }\nprint a');
    });

    it('an inner block may shadow an outer name', () => {
      ok('let a = 1\nif true { let a = "inner"; print a }\nprint a');
    });

    it('reports a duplicate let in the same block', () => {
      assert.deepEqual(checkText('let a = 1\nlet a = 2'), ["t.vmm:2:5: 'a' is already declared in this block (variable at 1:5)"]);
      assert.deepEqual(checkText('while true {\n  let b = 1\n  let b = 2\n  break\n}'), ["t.vmm:3:7: 'b' is already declared in this block (variable at 2:7)"]);
    });

    it('the initialiser of a let is checked before the name exists', () => {
      assert.deepEqual(checkText('let a = a + 1'), ["t.vmm:1:9: 'a' is used before its 'let' at 1:5"]);
      ok('let a = 1\n{ let a = a + 1 }');
    });

    it('reports a use before the let (in the same or an enclosing block)', () => {
      assert.deepEqual(checkText('print later\nlet later = 3'), ["t.vmm:1:7: 'later' is used before its 'let' at 2:5"]);
      assert.deepEqual(checkText('if true { print later }\nlet later = 3'), ["t.vmm:1:17: 'later' is used before its 'let' at 2:5"]);
      assert.deepEqual(checkText('later = 1\nlet later = 3'), ["t.vmm:1:1: 'later' is used before its 'let' at 2:5"]);
    });

    it('before an inner let, the outer variable of the same name is meant', () => {
      ok('let a = 1\nif true {\n  print a\n  let a = 2\n}');
    });

    it('reports an assignment to an undeclared variable', () => {
      assert.deepEqual(checkText('total = 5'), ["t.vmm:1:1: unknown variable 'total' (declare it first: let total = ...)"]);
      assert.deepEqual(checkText('let total = 0\ntotl += 5'), ["t.vmm:2:1: unknown variable 'totl' (did you mean 'total'?)"]);
    });

    it('the for variable is declared in the loop body only', () => {
      ok('for i in 0..3 { print i }');
      assert.deepEqual(checkText('for i in 0..3 { }\nprint i'), ["t.vmm:2:7: unknown variable 'i'"]);
      assert.deepEqual(checkText('for i in 0..i { }'), ["t.vmm:1:13: unknown variable 'i'"]);
      assert.deepEqual(checkText('for i in 0..3 { let i = 2 }'), ["t.vmm:1:21: 'i' is already declared in this block (loop variable at 1:5)"]);
      ok('for i in 0..3 { { let i = 2 } }');
    });

    it('parameters are declared in the function body', () => {
      ok('fn f(a, b) { return a + b }');
      assert.deepEqual(checkText('fn f(a, a) { }'), ["t.vmm:1:9: parameter 'a' is declared twice (first at 1:6)"]);
      assert.deepEqual(checkText('fn f(a) { let a = 2 }'), ["t.vmm:1:15: 'a' is already declared in this block (parameter at 1:6)"]);
      assert.deepEqual(checkText('fn f(a) { }\nprint a'), ["t.vmm:2:7: unknown variable 'a'"]);
    });

    it('a function sees the top-level globals, wherever they are declared', () => {
      ok('let base = 0\nfn f() { return base + limit }\nlet limit = 4K\nprint f()');
      ok('fn bump() { counter += 1 }\nlet counter = 0\nbump()');
    });

    it('a function does not see variables of top-level blocks nor of its callers', () => {
      assert.deepEqual(checkText('if true { let inner = 1 }\nfn f() { return inner }'), [
        "t.vmm:2:17: unknown variable 'inner' (the 'inner' at 1:15 is not visible in a function: pass it as a parameter or declare it at the top level)",
      ]);
      assert.deepEqual(checkText('for k in 0..2 { }\nfn f() { return k }'), [
        "t.vmm:2:17: unknown variable 'k' (the 'k' at 1:5 is not visible in a function: pass it as a parameter or declare it at the top level)",
      ]);
      assert.deepEqual(checkText('fn g() { let local = 1; f() }\nfn f() { return local }'), ["t.vmm:2:17: unknown variable 'local'"]);
    });
  });

  describe('constants', () => {
    it('knows the predefined constants', () => {
      ok('print MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE, STATUS_ACCESS_VIOLATION, INVALID_HANDLE_VALUE');
    });

    it('reports an unknown constant (an ALL_CAPS name) with a suggestion', () => {
      assert.deepEqual(checkText('print PAGE_READWRIT'), ["t.vmm:1:7: unknown constant 'PAGE_READWRIT' (did you mean 'PAGE_READWRITE'?)"]);
      assert.deepEqual(checkText('print MEM_COMIT'), ["t.vmm:1:7: unknown constant 'MEM_COMIT' (did you mean 'MEM_COMMIT'?)"]);
      assert.deepEqual(checkText('print PAGE_EXECUTE_READWRITE_X'), ["t.vmm:1:7: unknown constant 'PAGE_EXECUTE_READWRITE_X'"]);
      assert.deepEqual(checkText('print PFN'), ["t.vmm:1:7: unknown constant 'PFN'"]);
    });

    it('a single capital letter is a variable name, not a constant', () => {
      assert.deepEqual(checkText('print N'), ["t.vmm:1:7: unknown variable 'N'"]);
      ok('let N = 3\nprint N');
      assert.equal(isConstantName('N'), false);
      assert.equal(isConstantName('PAGE_SIZE'), true);
      assert.equal(isConstantName('X2'), true);
      assert.equal(isConstantName('Page'), false);
    });

    it('a let may define an ALL_CAPS variable; hiding a predefined one is a warning', () => {
      ok('let PAGE_SIZE = 4K\nprint PAGE_SIZE');
      assert.deepEqual(checkText('let MEM_COMMIT = 1\nprint MEM_COMMIT'), ["t.vmm:1:5: warning: 'MEM_COMMIT' is a predefined constant; this variable hides it"]);
    });

    it('reports an assignment to a constant', () => {
      assert.deepEqual(checkText('MEM_COMMIT = 5'), ["t.vmm:1:1: cannot assign to the constant 'MEM_COMMIT'"]);
      assert.deepEqual(checkText('PAGE_GUARD |= 1'), ["t.vmm:1:1: cannot assign to the constant 'PAGE_GUARD'"]);
    });

    it('resolves a constant that is not spelled in capitals if the environment has it', () => {
      ok('print pageSize', { ...ENV, constants: new Set(['pageSize']) });
    });
  });

  describe('loops and functions context', () => {
    it('break and continue only inside loops', () => {
      assert.deepEqual(checkText('break'), ["t.vmm:1:1: 'break' can only be used inside a 'while' or 'for' loop"]);
      assert.deepEqual(checkText('if true { continue }'), ["t.vmm:1:11: 'continue' can only be used inside a 'while' or 'for' loop"]);
      ok('while true { if true { break } }\nfor i in 0..2 { { continue } }');
      ok('while true { expect STATUS_ACCESS_VIOLATION { read8(0); break } }');
    });

    it('a loop outside a function does not count inside it', () => {
      assert.deepEqual(checkText('fn f() { break }'), ["t.vmm:1:10: 'break' can only be used inside a 'while' or 'for' loop"]);
      ok('fn f() { while true { break } }');
    });

    it('return only inside a function', () => {
      assert.deepEqual(checkText('return 5'), ["t.vmm:1:1: 'return' can only be used inside a function (fn)"]);
      assert.deepEqual(checkText('while true { return }'), ["t.vmm:1:14: 'return' can only be used inside a function (fn)"]);
      ok('fn f() { while true { return 1 } }');
    });
  });

  describe('machine block', () => {
    it('accepts known keys with literal and constant values', () => {
      ok('machine {\n  ram = 512M\n  pagefile = 1G + 0x1000 * 2\n}');
      ok('machine { ram = PAGE_READWRITE }');
    });

    it('must be the first statement', () => {
      assert.deepEqual(checkText('print 1\nmachine { ram = 1G }'), ["t.vmm:2:1: the 'machine' block must be the first statement of the scenario"]);
      assert.deepEqual(checkText('if true {\n  machine { ram = 1G }\n}'), ["t.vmm:2:3: the 'machine' block must be the first statement of the scenario"]);
      assert.deepEqual(checkText('machine { }\nmachine { }'), ["t.vmm:2:1: the 'machine' block must be the first statement of the scenario"]);
      ok('// a comment first is fine\n\nmachine { ram = 1G }');
    });

    it('reports unknown keys with a suggestion or the list of known keys', () => {
      assert.deepEqual(checkText('machine { rma = 1G }'), ["t.vmm:1:11: unknown machine setting 'rma' (did you mean 'ram'?)"]);
      assert.deepEqual(checkText('machine { swap = 1G }'), ["t.vmm:1:11: unknown machine setting 'swap' (known settings: pagefile, ram)"]);
      assert.deepEqual(checkText('machine { swap = 1G }', { ...ENV, machineKeys: new Set() }), ["t.vmm:1:11: unknown machine setting 'swap'"]);
    });

    it('reports a key set twice', () => {
      assert.deepEqual(checkText('machine {\n  ram = 1G\n  ram = 2G\n}'), ["t.vmm:3:3: machine setting 'ram' is set twice (first at 2:3)"]);
    });

    it('values may use only literals, operators and constants', () => {
      assert.deepEqual(checkText('machine { ram = lists() }'), [
        "t.vmm:1:17: the 'machine' block can only use numbers, strings and constants, not function calls",
      ]);
      assert.deepEqual(checkText('machine { ram = size }'), [
        "t.vmm:1:17: unknown constant 'size' (the 'machine' block can only use numbers and constants)",
      ]);
      assert.deepEqual(checkText('machine { ram = MEM_COMIT }'), [
        "t.vmm:1:17: unknown constant 'MEM_COMIT' (did you mean 'MEM_COMMIT'?) (the 'machine' block can only use numbers and constants)",
      ]);
      assert.deepEqual(checkText('let size = 1\nmachine { ram = size }'), [
        "t.vmm:2:1: the 'machine' block must be the first statement of the scenario",
        "t.vmm:2:17: unknown constant 'size' (the 'machine' block can only use numbers and constants)",
      ]);
    });
  });

  describe('warnings', () => {
    it('an expression statement whose value is thrown away', () => {
      assert.deepEqual(checkText('let x = 1\nx == 2'), ["t.vmm:2:3: warning: this '==' comparison does nothing; did you mean '=' to assign?"]);
      assert.deepEqual(checkText('let x = 1\nx + 2'), ["t.vmm:2:1: warning: this expression's value is not used (did you mean to 'print' it?)"]);
      assert.deepEqual(checkText('5'), ["t.vmm:1:1: warning: this expression's value is not used (did you mean to 'print' it?)"]);
      ok('lists()');
    });

    it('warnings are not errors', () => {
      const r = parseScenario('5');
      const d = check(r.program, ENV);
      assert.equal(d.length, 1);
      assert.equal(d[0].severity, 'warning');
      assert.equal(d[0].code, 'unused-value');
      assert.equal(hasErrors(d), false);
    });
  });

  describe('several errors at once', () => {
    it('reports all of them, in source order, with codes', () => {
      const src = [
        'let base = VirtualAloc(0, 4K, MEM_COMMIT, PAGE_READWRTE)',
        'fn f(a) { return a + b }',
        'f(1, 2)',
        'break',
        'print undefinedThing',
        'machine { ram = 1G }',
      ].join('\n');
      const r = parseScenario(src);
      const d = check(r.program, ENV);
      assert.deepEqual(d.map((x) => formatDiagnostic('scenario.vmm', x)), [
        "scenario.vmm:1:12: unknown function 'VirtualAloc' (did you mean 'VirtualAlloc'?)",
        "scenario.vmm:1:43: unknown constant 'PAGE_READWRTE' (did you mean 'PAGE_READWRITE'?)",
        "scenario.vmm:2:22: unknown variable 'b'",
        "scenario.vmm:3:1: function 'f' takes 1 argument (a) but is given 2",
        "scenario.vmm:4:1: 'break' can only be used inside a 'while' or 'for' loop",
        "scenario.vmm:5:7: unknown variable 'undefinedThing'",
        "scenario.vmm:6:1: the 'machine' block must be the first statement of the scenario",
      ]);
      assert.deepEqual(d.map((x) => x.code), [
        'unknown-function', 'unknown-constant', 'unknown-variable', 'wrong-arity', 'outside-loop', 'unknown-variable', 'machine-not-first',
      ]);
      assert.ok(hasErrors(d));
    });

    it('does not report follow-up errors for statements the parser recovered', () => {
      const r = parseScenario('let a = (1 +\nprint a\nfn f(x y) { return x }\nf(1)');
      assert.equal(r.diagnostics.length, 2);
      assert.deepEqual(check(r.program, ENV), []);
    });
  });

  describe('diagnostic text', () => {
    it('formats file:line:col: message', () => {
      const d: Diagnostic = {
        severity: 'error',
        message: "unknown function 'VirtualAloc' (did you mean 'VirtualAlloc'?)",
        range: { start: { line: 12, col: 9, offset: 200 }, end: { line: 12, col: 20, offset: 211 } },
      };
      assert.equal(formatDiagnostic('scenario.vmm', d), "scenario.vmm:12:9: unknown function 'VirtualAloc' (did you mean 'VirtualAlloc'?)");
      assert.equal(formatDiagnostic('a/b.vmm', { ...d, severity: 'warning', message: 'w' }), 'a/b.vmm:12:9: warning: w');
    });
  });

  describe('did you mean', () => {
    it('Damerau-Levenshtein distance, case-insensitive', () => {
      assert.equal(editDistance('', ''), 0);
      assert.equal(editDistance('abc', ''), 3);
      assert.equal(editDistance('', 'ab'), 2);
      assert.equal(editDistance('kitten', 'sitting'), 3);
      assert.equal(editDistance('VirtualAloc', 'VirtualAlloc'), 1);
      assert.equal(editDistance('tuoch', 'touch'), 1); // adjacent swap counts 1
      assert.equal(editDistance('ab', 'ba'), 1);
      assert.equal(editDistance('READ8', 'read8'), 0);
      assert.equal(editDistance('ca', 'abc'), 3); // optimal string alignment
    });

    it('threshold max(1, floor(len/3))', () => {
      assert.equal(maxSuggestionDistance('ab'), 1);
      assert.equal(maxSuggestionDistance('abcdef'), 2);
      assert.equal(maxSuggestionDistance('VirtualAloc'), 3);
      assert.equal(suggest('ram', ['rma', 'pagefile']), 'rma');
      assert.equal(suggest('abcdef', ['abXYef']), 'abXYef');
      assert.equal(suggest('abcdef', ['aXYZef']), undefined);
      assert.equal(suggest('x', ['a', 'y']), undefined);
      assert.equal(suggest('x', ['X']), 'X');
      assert.equal(suggest('same', ['same']), undefined);
    });

    it('prefers the closest, then the closest length, then alphabetical', () => {
      assert.equal(suggest('read9', ['read16', 'read8']), 'read8');
      assert.equal(suggest('writ8', ['write8', 'wait8']), 'wait8');
      assert.equal(suggest('abcd', ['abce', 'abcf']), 'abce');
    });

    it('formats the hint', () => {
      assert.equal(didYouMean('VirtualAloc', ['VirtualAlloc', 'VirtualFree']), " (did you mean 'VirtualAlloc'?)");
      assert.equal(didYouMean('zzz', ['VirtualAlloc']), '');
    });
  });
});
