import { strict as assert } from 'node:assert';
import { failure, output, runText, start } from './runHelpers';
import type { ExecEvent } from '../../src/scenario/events';

describe('scenario interpreter', () => {
  describe('statements', () => {
    it('let, assignment, compound assignment and print', () => {
      assert.deepEqual(output(`
let a = 1
a = a + 41
let b = 0x10000
b += 0x10
a <<= 1
print a, b, "text", true, null`), ['84 0x10010 text true null']);
    });

    it('print with no arguments prints an empty line; print(a, b) works too', () => {
      assert.deepEqual(output('print\nprint(1, 2)'), ['', '1 2']);
    });

    it('if / else if / else', () => {
      const prog = (x: number) => `
let x = ${x}
if x < 0 { print "neg" } else if x == 0 { print "zero" } else { print "pos" }`;
      assert.deepEqual(output(prog(-5)), ['neg']);
      assert.deepEqual(output(prog(0)), ['zero']);
      assert.deepEqual(output(prog(3)), ['pos']);
    });

    it('while with break and continue', () => {
      assert.deepEqual(output(`
let i = 0
let s = 0
while true {
  i += 1
  if i > 10 { break }
  if i % 2 == 0 { continue }
  s += i
}
print s`), ['25']);
    });

    it('for a..b, with step, counting down, empty ranges', () => {
      assert.deepEqual(output(`
for i in 0..3 { print i }
for i in 0..10 step 4 { print "s", i }
for i in 3..0 step -1 { print "d", i }
for i in 5..5 { print "never" }
for i in 0..3 { i = 100 }`), ['0', '1', '2', 's 0', 's 4', 's 8', 'd 3', 'd 2', 'd 1']);
    });

    it('the for range and step are evaluated once; assigning the variable does not change the iteration', () => {
      assert.deepEqual(output(`
let n = 3
for i in 0..n { n = 100
  print i }
for i in 0..3 { i = i + 10
  print i }`), ['0', '1', '2', '10', '11', '12']);
    });

    it('break and continue in for loops, nested loops', () => {
      assert.deepEqual(output(`
for i in 0..3 {
  for j in 0..10 {
    if j == 2 { break }
    if j == 0 { continue }
    print i, j
  }
}`), ['0 1', '1 1', '2 1']);
    });

    it('block scoping: inner lets shadow and vanish; outer assignments persist', () => {
      assert.deepEqual(output(`
let x = 1
{
  let x = 2
  print x
}
print x
if true { x = 5 }
print x
let y = 10
{
  print y
  let y = 20
  print y
}`), ['2', '1', '5', '10', '20']);
    });

    it('loop bodies get fresh variables each iteration', () => {
      assert.deepEqual(output(`
let total = 0
for i in 0..3 {
  let k = i * 10
  total += k
}
print total`), ['30']);
    });

    it('functions: hoisting, parameters, return values, bare return, recursion', () => {
      assert.deepEqual(output(`
print fib(15), fact(20), nothing(), early(5)
fn fib(n) { if n < 2 { return n } return fib(n - 1) + fib(n - 2) }
fn fact(n) { if n <= 1 { return 1 } return n * fact(n - 1) }
fn nothing() { }
fn early(x) {
  for i in 0..100 { if i == x { return i * 2 } }
  return -1
}`), ['610 0x21c3677c82b40000 null 10']);
    });

    it('functions see globals, not the caller\'s variables', () => {
      assert.deepEqual(output(`
let g = 7
fn f() { return g * 2 }
fn setG(v) { g = v }
print f()
setG(1)
print f(), g`), ['14', '2 1']);
    });

    it('&& and || short-circuit and give booleans', () => {
      assert.deepEqual(output(`
fn boom() { assert false, "must not run" }
print false && boom(), true || boom(), 1 && 2, 0 || 0`), ['false true true false']);
    });

    it('integer arithmetic is exact 64-bit, with -1 and full unsigned values', () => {
      assert.deepEqual(output(`
print 0xfffff680\`00000000 >> 39, -1, -1 & 0xffffffffffffffff, 7 / 2, -7 / 2, -7 % 2, 1 << 63, 64K, 0b101, 1_000
print 2 + 3 * 4, (2 + 3) * 4, 1 + 2 << 3, 5 & 3 | 8, 6 ^ 3, ~0, !0, !5, 3 > 2 == true`),
      ['0x1ffffed -1 0xffffffffffffffff 3 -3 -1 0x8000000000000000 0x10000 5 1000',
        '14 20 24 9 5 -1 true false true']);
    });

    it('strings concatenate with +, index and length', () => {
      assert.deepEqual(output(`
let s = "ab" + 1 + true
print s, s.length, "A"[0], lists().standbyByPriority[7], lists().standbyByPriority.length`), ['ab1true 7 65 0 8']);
    });

    it('records: fields with ., structural ==', () => {
      assert.deepEqual(output(`
let c = commit()
print c.limit > 0, commit() == commit(), GetSystemInfo().dwPageSize`), ['true true 4096']);
    });

    it('assert passes silently; expect catches the named exception', () => {
      assert.deepEqual(output(`
assert 1 + 1 == 2
assert(true, "fine")
expect STATUS_ACCESS_VIOLATION { write8(0x1000, 1) }
expect 0xC0000005 { read8(0) }
expect -1073741819 { exec(0x2000) }
print "ok"`), ['ok']);
    });

    it('expect stops the block at the exception; code after the expect runs', () => {
      assert.deepEqual(output(`
let x = 0
expect STATUS_ACCESS_VIOLATION {
  x = 1
  write8(0x1000, 1)
  x = 2
}
print x`), ['1']);
    });

    it('expect catches an exception raised inside a function called from it, and the stack unwinds', () => {
      const r = runText(`
fn bad(p) { write8(p, 1) }
expect STATUS_ACCESS_VIOLATION { bad(0x1000) }
print "after"`);
      assert.equal(r.result.reason, 'end');
      assert.deepEqual(r.out, ['after']);
    });

    it('in switches the current process and restores it, also after an exception', () => {
      const r = runText(`
let h = CreateProcess("other")
let p = VirtualAlloc(0, 64K, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)
write8(p, 0x11)
in h {
  let q = VirtualAlloc(p, 64K, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)
  assert q == p, "the same address is free in the other process"
  write8(q, 0x22)
  print read8(q)
}
print read8(p)
expect STATUS_ACCESS_VIOLATION {
  in h { write8(0x1000, 1) }
}
print read8(p)
in GetCurrentProcess() { print read8(p) }`);
      assert.equal(r.result.reason, 'end', r.result.error?.text);
      assert.deepEqual(r.out, ['34', '17', '17', '17']);
      assert.equal(r.run.currentProcess.name, 'main');
    });
  });

  describe('run-time errors (exact messages)', () => {
    it('division by zero', () => {
      assert.equal(failure('let z = 0\nlet a = 1 / z'), 't.vmm:2:11: division by zero');
      assert.equal(failure('let z = 0\nlet a = 1 % z'), 't.vmm:2:11: division by zero (in %)');
    });

    it('integer overflow and shifts', () => {
      assert.equal(failure('let a = 0xffffffffffffffff + 1'),
        "t.vmm:1:28: integer overflow: the result of '+' does not fit in 64 bits (integers range from -2^63 to 2^64-1)");
      assert.equal(failure('let n = 70\nlet a = 1 << n'), "t.vmm:2:11: shift count of '<<' must be between 0 and 63, got 70");
    });

    it('wrong operand types', () => {
      assert.equal(failure('let a = "x" - 1'), "t.vmm:1:13: operator '-' needs integers, but the left side is a string");
      assert.equal(failure('let a = -commit()'), "t.vmm:1:9: operator '-' needs integers, but its operand is a record");
    });

    it('reading a global in a function before its let has run', () => {
      assert.equal(failure('fn f() { return g }\nprint f()\nlet g = 1'), "t.vmm:1:17: 'g' is used before its 'let' at 3:5 has run");
    });

    it('record fields, null, indexes', () => {
      assert.equal(failure('let v = commit().limt'), "t.vmm:1:18: the record has no field 'limt' (did you mean 'limit'?)");
      assert.equal(failure('let v = commit().zzzzzz'), "t.vmm:1:18: the record has no field 'zzzzzz' (its fields: charge, limit, peak, processCharge)");
      assert.equal(failure('let v = VirtualQuery(0xffffffffffffffff).State'), "t.vmm:1:42: cannot read field 'State' of 0 (did the call that produced it fail?)");
      assert.equal(failure('let v = 5\nlet w = v.x'), "t.vmm:2:11: cannot read field 'x' of an integer");
      assert.equal(failure('let n = null\nlet v = n.x'), "t.vmm:2:11: cannot read field 'x' of null (did the call that produced it fail?)");
      assert.equal(failure('let v = lists().standbyByPriority[8]'), 't.vmm:1:35: index 8 is out of range (the list has 8 elements)');
      assert.equal(failure('let v = 5[0]'), 't.vmm:1:9: cannot index an integer (only lists and strings can be indexed)');
    });

    it('built-in calls: number and types of arguments', () => {
      assert.equal(failure('let p = VirtualAlloc(0, 4096, MEM_COMMIT)'),
        't.vmm:1:9: VirtualAlloc takes 4 arguments — VirtualAlloc(addr, size, type, protect) — but is given 3');
      assert.equal(failure('touch(0x10000, "big")'), 't.vmm:1:1: argument 2 (size) of touch must be an integer, got a string');
      assert.equal(failure('touch(0x10000, 4096, "q")'), 't.vmm:1:1: argument 3 (mode) of touch must be "r" (read), "w" (write) or "x" (execute), got "q"');
      assert.equal(failure('touch(0x10000, -1)'), 't.vmm:1:1: argument 2 (size) of touch must not be negative, got -1');
      assert.equal(failure('let x = pfn(-1)'), 't.vmm:1:9: argument 1 (n) of pfn must be a page frame number between 0 and 0xfff, got -1');
    });

    it('assert: the expression source, or the given message', () => {
      assert.equal(failure('let x = 1\nassert x == 2'), 't.vmm:2:1: assertion failed: x == 2');
      assert.equal(failure('let x = 1\nassert x  >  2 , "x is " + x'), 't.vmm:2:1: assertion failed: x is 1');
    });

    it('expect: no exception, or another one', () => {
      assert.equal(failure('expect STATUS_ACCESS_VIOLATION {\n  let a = 1\n}'),
        't.vmm:1:1: expect failed: expected STATUS_ACCESS_VIOLATION (0xC0000005), but the block raised no exception');
      assert.equal(failure(`let p = VirtualAlloc(0, 4096, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE | PAGE_GUARD)
expect STATUS_ACCESS_VIOLATION { read8(p) }`),
      't.vmm:2:1: expect failed: expected STATUS_ACCESS_VIOLATION (0xC0000005), but the block raised STATUS_GUARD_PAGE_VIOLATION (0x80000001): read at 0x10000');
      assert.equal(failure('expect "x" { }'), 't.vmm:1:8: expect needs an NTSTATUS (an integer such as STATUS_ACCESS_VIOLATION), got a string');
    });

    it('an unhandled guest exception stops the run with its status, access and address', () => {
      const r = runText('let a = 1\nwrite8(0x1f0000, 1)\nprint "never"');
      assert.equal(r.result.reason, 'exception');
      const e = r.result.error!;
      assert.equal(e.message, 'unhandled exception STATUS_ACCESS_VIOLATION (0xC0000005): write at 0x1f0000');
      assert.equal(e.text, 't.vmm:2:1: unhandled exception STATUS_ACCESS_VIOLATION (0xC0000005): write at 0x1f0000');
      assert.equal(e.status, 0xc0000005);
      assert.equal(e.address, 0x1f0000n);
      assert.equal(e.access, 'write');
      assert.deepEqual(r.out, []);
      assert.equal(failure('exec(0xfffff68000000000)'), 't.vmm:1:1: unhandled exception STATUS_ACCESS_VIOLATION (0xC0000005): execute at 0xfffff68000000000');
    });

    it('for loops: step 0 and non-integer bounds', () => {
      assert.equal(failure('for i in 0..10 step 0 { }'), 't.vmm:1:21: the step of a for loop must not be 0');
      assert.equal(failure('for i in 0.."x" { }'), 't.vmm:1:13: the end of a for loop must be an integer, got a string');
    });

    it('in with something that is not a process handle', () => {
      assert.equal(failure('in 0x1234 { }'), 't.vmm:1:4: 0x1234 is not a process handle (STATUS_INVALID_HANDLE)');
      assert.equal(failure('in "main" { }'), "t.vmm:1:4: 'in' needs a process handle (from CreateProcess or GetCurrentProcess), got a string");
    });

    it('the step budget', () => {
      assert.equal(failure('let i = 0\nwhile true { i += 1 }', { stepBudget: 1000 }), 't.vmm:2:14: step budget of 1000 statements exhausted — endless loop?');
    });

    it('the call depth limit', () => {
      assert.equal(failure('fn r(n) { return r(n + 1) }\nr(0)'),
        "t.vmm:1:18: too many nested function calls (more than 200): does 'r' recurse without end?");
      assert.equal(failure('fn r(n) { if n == 0 { return 0 } return r(n - 1) }\nprint r(50)', { maxCallDepth: 10 }),
        "t.vmm:1:41: too many nested function calls (more than 10): does 'r' recurse without end?");
    });

    it('not supported yet', () => {
      assert.equal(failure('createFile("x", 4096)'), "t.vmm:1:1: 'createFile' is not supported yet (paging/sections land in a later version)");
      assert.equal(failure('let h = CreateFileMapping(INVALID_HANDLE_VALUE, 0, PAGE_READWRITE, 0, 4096, "x")'),
        "t.vmm:1:9: 'CreateFileMapping' is not supported yet (paging/sections land in a later version)");
    });

    it('an error stops the scenario: later statements do not run, the result stays', () => {
      const r = runText('print 1\nlet a = 1 / 0\nprint 2');
      assert.deepEqual(r.out, ['1']);
      assert.equal(r.result.reason, 'error');
      assert.equal(r.result.error!.kind, 'runtime');
      assert.deepEqual(r.run.resume(), r.result);
      assert.ok(r.run.finished);
    });
  });

  describe('stepping', () => {
    const PROGRAM = [
      'let p = VirtualAlloc(0, 64K, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)', // 1
      'fn f(x) {', // 2
      '  let y = x + 1', // 3
      '  return y * 2', // 4
      '}', // 5
      'let h = CreateProcess("other")', // 6
      'let a = f(1)', // 7
      'in h {', // 8
      '  let b = 1', // 9
      '  let c = f(b)', // 10
      '}', // 11
      'write8(p, 5)', // 12
      'print a', // 13
    ].join('\n');

    const lineOf = (ev: ExecEvent | undefined): number => (ev?.kind === 'statement' ? ev.node.range.start.line : -1);

    it('stops before every statement with stepIn; depth counts function and in frames', () => {
      const { run } = start(PROGRAM);
      const seen: string[] = [];
      let r = run.resume(run.stepIn());
      while (r.reason === 'stopped') {
        seen.push(`${lineOf(r.event)}@${r.event!.depth}`);
        r = run.resume(run.stepIn());
      }
      assert.equal(r.reason, 'end');
      assert.deepEqual(seen, ['1@0', '6@0', '7@0', '3@1', '4@1', '8@0', '9@1', '10@1', '3@2', '4@2', '12@0', '13@0']);
    });

    it('stepOver runs calls and in blocks; stepIn enters; stepOut leaves', () => {
      const { run } = start(PROGRAM);
      let r = run.resume(run.stepIn());
      assert.equal(lineOf(r.event), 1);
      r = run.resume(run.stepOver());
      r = run.resume(run.stepOver());
      assert.equal(lineOf(r.event), 7);
      r = run.resume(run.stepOver()); // over the call of f
      assert.equal(lineOf(r.event), 8);
      r = run.resume(run.stepIn()); // into the in block
      assert.equal(lineOf(r.event), 9);
      assert.deepEqual(run.callStack().map((f) => `${f.kind}:${f.name}:${f.line}`), ['in:in other:9', 'script:t.vmm:8']);
      assert.equal(run.currentProcess.name, 'other');
      r = run.resume(run.stepOver());
      assert.equal(lineOf(r.event), 10);
      r = run.resume(run.stepIn()); // into f, inside the in block
      assert.equal(lineOf(r.event), 3);
      assert.deepEqual(run.callStack().map((f) => `${f.kind}:${f.name}:${f.line}:${f.process.name}`),
        ['function:f:3:other', 'in:in other:10:other', 'script:t.vmm:8:main']);
      r = run.resume(run.stepOut()); // out of f: the rest of line 10 (its let) is done
      assert.equal(lineOf(r.event), 12);
      assert.equal(run.currentProcess.name, 'main');
      r = run.resume(run.stepOut()); // out of the script: to the end
      assert.equal(r.reason, 'end');
    });

    it('stepOut from an in block returns after it', () => {
      const { run } = start(PROGRAM);
      const r0 = run.resume((ev) => lineOf(ev) === 9);
      assert.equal(lineOf(r0.event), 9);
      const r = run.resume(run.stepOut());
      assert.equal(lineOf(r.event), 12);
    });

    it('a while loop header is revisited before every test of its condition', () => {
      const { run } = start('let i = 0\nwhile i < 2 {\n  i += 1\n}\nprint i');
      const lines: number[] = [];
      let r = run.resume(run.stepIn());
      while (r.reason === 'stopped') {
        lines.push(lineOf(r.event));
        r = run.resume(run.stepOver());
      }
      assert.deepEqual(lines, [1, 2, 3, 2, 3, 2, 5]);
    });

    it('stepIn into a faulting write8 stops at KiPageFault, with kernel frames above the script frame', () => {
      const { run } = start(PROGRAM);
      run.faultStepping = true;
      let r = run.resume((ev) => lineOf(ev) === 12);
      assert.equal(r.reason, 'stopped');
      r = run.resume(run.stepIn());
      assert.equal(r.event!.kind, 'fault');
      const stack = run.callStack();
      assert.equal(stack[0].kind, 'kernel');
      assert.equal(stack[0].name, 'KiPageFault');
      assert.equal(stack[1].kind, 'script');
      assert.equal(stack[1].line, 12);
      assert.ok(run.inFault);
      // the fault context as variables of the kernel frame
      const vars = run.scopes(0)[0].variables;
      assert.equal(vars.get('va'), 0x10000n);
      assert.equal(vars.get('access'), 'write');
      // step through every fault step: the kernel frames change, then the script comes back
      const routines = new Set<string>();
      let steps = 1;
      for (;;) {
        r = run.resume(run.stepOver());
        assert.equal(r.reason, 'stopped');
        const ev: ExecEvent = r.event!;
        if (ev.kind === 'statement') break;
        steps++;
        const s = run.callStack();
        routines.add(s[0].name);
        assert.equal(s[s.length - 1].kind, 'script');
        assert.ok(s.findIndex((f) => f.kind === 'script') === s.length - 1);
      }
      assert.ok(steps > 10, `only ${steps} fault steps`);
      for (const name of ['KiPageFault', 'MmAccessFault', 'MiDispatchFault', 'MiResolveDemandZeroFault', 'MiInitializePfn', 'MiAllocateWsle']) {
        assert.ok(routines.has(name), `${name} not seen in ${[...routines].join(', ')}`);
      }
      assert.equal(lineOf(r.event), 13);
      assert.ok(!run.inFault);
      r = run.resume();
      assert.equal(r.reason, 'end');
      assert.deepEqual(run.machine.mmu.lastFault.status, run.machine.mmu.lastFault.status);
    });

    it('stepOut from inside a fault finishes it and returns to the script; stepOver does not enter faults', () => {
      const { run } = start(PROGRAM);
      run.faultStepping = true;
      run.resume((ev) => lineOf(ev) === 12);
      let r = run.resume(run.stepIn());
      r = run.resume(run.stepIn());
      assert.equal(r.event!.kind, 'fault');
      r = run.resume(run.stepOut());
      assert.equal(lineOf(r.event), 13);
      // a second run: step over the faulting statement
      const second = start(PROGRAM).run;
      second.faultStepping = true;
      second.resume((ev) => lineOf(ev) === 12);
      r = second.resume(second.stepOver());
      assert.equal(lineOf(r.event), 13);
    });

    it('a fault inside a called function is stepped with the function frame below the kernel frames', () => {
      const { run } = start('let p = VirtualAlloc(0, 64K, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)\nfn w(a) {\n  touch(a, 8K, "w")\n}\nw(p)');
      run.faultStepping = true;
      const r = run.resume((ev) => ev.kind === 'fault');
      assert.equal(r.event!.depth, 2);
      const names = run.callStack().map((f) => f.name);
      assert.deepEqual(names.slice(-3), ['KiPageFault', 'w', 't.vmm']);
      // evaluate in the function frame while inside the fault
      const wIndex = names.indexOf('w');
      assert.deepEqual(run.evaluate('a + 1', wIndex), { ok: true, value: 0x10001n, text: '0x10001' });
      // side effects are refused inside a fault
      const c = run.evaluate('write8(a, 1)', wIndex, { sideEffects: true });
      assert.equal(c.ok, false);
      // the rest of the touch runs, two pages, faults stepped one by one
      let faults = 0;
      let res = run.resume(run.stepIn());
      while (res.reason === 'stopped') {
        if (res.event!.kind === 'fault' && res.event!.step === 0) faults++;
        res = run.resume(run.stepIn());
      }
      assert.equal(res.reason, 'end');
      assert.ok(faults >= 1, `${faults} faults`);
    });

    it('turning fault stepping off inside a fault finishes it without more fault events', () => {
      const { run } = start(PROGRAM);
      run.faultStepping = true;
      run.resume((ev) => lineOf(ev) === 12);
      let r = run.resume(run.stepIn());
      assert.equal(r.event!.kind, 'fault');
      run.faultStepping = false;
      r = run.resume(run.stepIn());
      assert.equal(lineOf(r.event), 13);
      assert.ok(!run.inFault);
    });

    it('with fault stepping off, no fault events are produced', () => {
      const { run } = start(PROGRAM);
      let faults = 0;
      const r = run.resume((ev) => {
        if (ev.kind === 'fault') faults++;
        return false;
      });
      assert.equal(r.reason, 'end');
      assert.equal(faults, 0);
    });

    it('an unhandled exception keeps the frames where it happened for the call stack', () => {
      const r = runText('fn bad(p) {\n  write8(p, 1)\n}\nbad(0x1000)');
      assert.equal(r.result.reason, 'exception');
      assert.deepEqual(r.run.callStack().map((f) => `${f.name}:${f.line}`), ['bad:2', 't.vmm:4']);
      assert.equal(r.result.error!.line, 2);
    });
  });

  describe('pausing', () => {
    it('requestPause stops a long loop (from the stop predicate)', () => {
      const { run } = start('let i = 0\nwhile true { i += 1 }');
      let n = 0;
      const r = run.resume(() => {
        if (++n === 50_000) run.requestPause();
        return false;
      });
      assert.equal(r.reason, 'paused');
      const i = run.variables(0).get('i') as bigint;
      assert.ok(i > 20_000n && i < 30_000n, `i = ${i}`);
      // resuming continues where it stopped
      n = 0;
      const r2 = run.resume(() => ++n === 10);
      assert.equal(r2.reason, 'stopped');
      assert.ok((run.variables(0).get('i') as bigint) > i);
    });

    it('requestPause from another task stops resumeAsync in an endless loop', async () => {
      const { run } = start('let i = 0\nwhile true { i += 1 }');
      setTimeout(() => run.requestPause(), 30);
      const r = await run.resumeAsync(() => false, 5);
      assert.equal(r.reason, 'paused');
      assert.ok((run.variables(0).get('i') as bigint) > 0n);
      assert.ok(!run.finished);
    });

    it('resumeAsync ends normally too', async () => {
      const { run, out } = start('for i in 0..3 { print i }');
      const r = await run.resumeAsync();
      assert.equal(r.reason, 'end');
      assert.deepEqual(out, ['0', '1', '2']);
    });
  });

  describe('frames, scopes and evaluation', () => {
    const PROGRAM = [
      'let p = VirtualAlloc(0, 64K, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)', // 1
      'write32(p, 0x12345678)', // 2
      'let g = 5', // 3
      'fn f(x) {', // 4
      '  let y = x * 2', // 5
      '  for i in 0..2 {', // 6
      '    let z = i', // 7
      '    print z', // 8
      '  }', // 9
      '  return y', // 10
      '}', // 11
      'print f(g)', // 12
    ].join('\n');

    it('scopes and variables of each frame (block scoping, innermost first)', () => {
      const { run } = start(PROGRAM);
      const r = run.resume((ev) => ev.kind === 'statement' && ev.node.range.start.line === 8);
      assert.equal(r.reason, 'stopped');
      const stack = run.callStack();
      assert.deepEqual(stack.map((f) => f.name), ['f', 't.vmm']);
      const scopes = run.scopes(0);
      assert.deepEqual(scopes.map((s) => s.name), ['Loop at 6:3', 'Locals of f', 'Globals']);
      assert.deepEqual([...scopes[0].variables.entries()], [['i', 0n], ['z', 0n]]);
      assert.deepEqual([...scopes[1].variables.entries()], [['x', 5n], ['y', 10n]]);
      const v = run.variables(0);
      assert.equal(v.get('g'), 5n);
      assert.equal(v.get('z'), 0n);
      assert.deepEqual([...run.variables(1).keys()].sort(), ['g', 'p']);
      assert.deepEqual(run.scopes(7), []);
    });

    it('evaluate without side effects: values, inspection and quiet reads leave the journal untouched', () => {
      const { run } = start(PROGRAM);
      run.resume((ev) => ev.kind === 'statement' && ev.node.range.start.line === 8);
      const m = run.machine;
      const before = m.journal.nextSeq;
      const ok = (text: string, frame = 0) => {
        const r = run.evaluate(text, frame);
        assert.ok(r.ok, `${text}: ${r.ok ? '' : r.error}`);
        return r.ok ? r.value : null;
      };
      assert.equal(ok('y + z + g'), 15n);
      assert.equal(ok('read32(p)'), 0x12345678n);
      assert.equal(ok('read8(p + 1)'), 0x56n);
      assert.equal(ok('pte(p).valid'), true);
      assert.equal(ok('VirtualQuery(p).RegionSize'), 0x10000n);
      assert.equal(ok('translate(p) >= 0'), true);
      assert.equal(ok('wsContains(p)'), true);
      assert.equal(ok('lists().available > 0'), true);
      assert.equal(ok('GetLastError()'), 0n);
      assert.equal(ok('g', 1), 5n);
      const refused = (text: string, re: RegExp) => {
        const r = run.evaluate(text, 0);
        assert.ok(!r.ok, text);
        if (!r.ok) assert.match(r.error, re);
      };
      refused('write8(p, 1)', /'write8' cannot be evaluated here: it could change the machine/);
      refused('read8(p + 0x1000)', /cannot read 0x11000 here without a page fault/);
      refused('VirtualAlloc(0, 4096, MEM_COMMIT, PAGE_READWRITE)', /'VirtualAlloc' cannot be evaluated here/);
      refused('f(1)', /calling the function 'f' is not allowed here/);
      refused('let q = 1', /only an expression can be evaluated here/);
      refused('1 +', /<input>:1:/);
      refused('nope', /unknown variable 'nope'/);
      assert.equal(m.journal.nextSeq, before, 'the journal changed');
      assert.deepEqual(run.evaluate('1', 9), { ok: false, error: 'there is no frame 9' });
    });

    it('the debug console may run statements and change the machine', () => {
      const { run, out } = start(PROGRAM);
      run.resume((ev) => ev.kind === 'statement' && ev.node.range.start.line === 8);
      const c = (text: string, frame = 0) => run.evaluate(text, frame, { sideEffects: true });
      assert.deepEqual(c('let w = y + 1'), { ok: true, value: null, text: 'null' });
      assert.deepEqual(c('w * 2'), { ok: true, value: 22n, text: '22' });
      assert.equal(run.variables(0).get('w'), 11n);
      const before = run.machine.journal.nextSeq;
      assert.deepEqual(c('write8(p + 0x2000, 7)\nread8(p + 0x2000)'), { ok: true, value: 7n, text: '7' });
      assert.ok(run.machine.journal.nextSeq > before);
      assert.deepEqual(c('f(1)'), { ok: true, value: 2n, text: '2' });
      assert.deepEqual(c('print "hi"'), { ok: true, value: null, text: 'null' });
      const bad = c('write8(0x1000, 1)');
      assert.deepEqual(bad, { ok: false, error: 'unhandled exception STATUS_ACCESS_VIOLATION (0xC0000005): write at 0x1000' });
      assert.deepEqual(c('while true { }'), { ok: false, error: '<input>:1:1: step budget of 1000000 statements exhausted — endless loop?' });
      // the run goes on where it was, unaffected
      assert.deepEqual(run.callStack().map((f) => `${f.name}:${f.line}`), ['f:8', 't.vmm:12']);
      const r = run.resume();
      assert.equal(r.reason, 'end');
      assert.deepEqual(out, ['0', '1', 'hi', '0', '1', '10']);
    });

    it('evaluates against the frame\'s process', () => {
      const { run } = start(`let p = VirtualAlloc(0, 64K, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)
write8(p, 1)
let h = CreateProcess("other")
in h {
  let here = 1
}`);
      run.resume((ev) => ev.kind === 'statement' && ev.node.range.start.line === 5);
      assert.deepEqual(run.callStack().map((f) => f.process.name), ['other', 'main']);
      const inOther = run.evaluate('translate(p)', 0);
      const inMain = run.evaluate('translate(p)', 1);
      assert.ok(inOther.ok && inMain.ok);
      if (inOther.ok && inMain.ok) {
        assert.equal(inOther.value, -1n);
        assert.notEqual(inMain.value, -1n);
      }
    });
  });
});
