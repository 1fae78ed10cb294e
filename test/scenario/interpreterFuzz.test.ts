/**
 * Robustness of the whole pipeline (parse → check → machine → run): seeded random mutations of
 * valid scenarios must each end in diagnostics or a run result — never an uncaught exception or a
 * hang — and the debugger's questions (call stack, scopes, evaluation) must be answerable at any
 * stop.
 */
import { strict as assert } from 'node:assert';
import { createScenario } from '../../src/scenario/setup';
import type { StopResult } from '../../src/scenario/events';

const SEEDS = [
  `machine { ram = 64M }
let p = VirtualAlloc(0, 64K, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)
assert p != 0, "allocation failed"
write32(p + 0x10, 0xdeadbeef)
print read32(p + 0x10), pte(p).kind
for i in 0..16 step 2 { touch(p + i * 4096, 4096, "w") }
print ws().size, lists().zeroed, commit().charge`,
  `fn fib(n) {
  if n < 2 { return n }
  return fib(n - 1) + fib(n - 2)
}
let total = 0
for i in 0..12 { total += fib(i) }
assert total == 232
print total, 64K, 0xfffff680\`00000000, -1, 1 << 40`,
  `let h = CreateProcess("other")
let p = VirtualAllocEx(h, 0, 8K, MEM_COMMIT | MEM_RESERVE, PAGE_READONLY)
in h {
  print read8(p)
  expect STATUS_ACCESS_VIOLATION { write8(p, 1) }
}
let r = ReadProcessMemory(h, p, 8)
print r.ok, r.value, GetLastError(), LastStatus()`,
  `let p = VirtualAlloc(0, 1M, MEM_RESERVE, PAGE_READWRITE)
let q = VirtualAlloc(p, 4096, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD)
expect STATUS_GUARD_PAGE_VIOLATION { read8(q) }
let i = 0
while i < 20 {
  i = i + 1
  if i % 3 == 0 { continue }
  if i > 15 { break }
  write8(q + i, i)
}
let m = VirtualQuery(q)
print m.BaseAddress, m.RegionSize, m.State, m.Protect, vad(q).commitCharge
VirtualFree(p, 0, MEM_RELEASE)
print VirtualQuery(p).State == MEM_FREE`,
  `let s = NtAllocateVirtualMemory(GetCurrentProcess(), 0, 0, 5000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)
assert NT_SUCCESS(s.status)
writeString(s.base, "hello")
print readString(s.base, 16), s.size
fill(s.base, 100, 0x41)
let pr = NtProtectVirtualMemory(GetCurrentProcess(), s.base, 4096, PAGE_NOACCESS)
print pr.status, pr.oldProtect
expect STATUS_ACCESS_VIOLATION { read8(s.base) }
tick(100)
print counters().demandZeroFaults, faults().total, pfn(1).location`,
];

const TOKENS = [
  '(', ')', '{', '}', '[', ']', ',', '.', '..', '+', '-', '*', '/', '%', '<<', '>>', '<', '<=', '==', '!=', '&&', '||', '!', '~',
  '=', '+=', 'let ', 'if ', 'else ', 'while ', 'for ', ' in ', 'step ', 'break', 'continue', 'fn ', 'return ', 'assert ', 'expect ',
  'print ', 'machine ', 'true', 'false', 'null', '"s"', '0', '1', '-1', '0xffffffffffffffff', '4096', '64K', '1G', 'p', 'i', 'q', 'h',
  'read8(p)', 'write8(p, 1)', 'touch(p, 1M)', 'VirtualAlloc(0, 4096, MEM_COMMIT, PAGE_READWRITE)', 'fib(', 'STATUS_ACCESS_VIOLATION',
  '\n', ';', ' ', 'in h { }', 'while true { }', 'fn f() { return f() }', 'f()', 'x', 'pte(', ').', 'lists()', 'commit().',
];

/** Mulberry32: a small seeded PRNG, so failures are reproducible. */
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

const IDENT = /\b[A-Za-z_][A-Za-z0-9_]*\b/g;

function mutate(src: string, rand: () => number): string {
  let s = src;
  const n = rand() < 0.6 ? 1 : 1 + Math.floor(rand() * 3);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(rand() * (s.length + 1));
    const choice = rand();
    const lines = s.split('\n');
    if (choice < 0.15) {
      s = s.slice(0, pos) + s.slice(pos + 1 + Math.floor(rand() * 12));
    } else if (choice < 0.35) {
      s = s.slice(0, pos) + pick(TOKENS) + s.slice(pos);
    } else if (choice < 0.5) {
      const i = Math.floor(rand() * lines.length);
      const j = Math.floor(rand() * lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      s = lines.join('\n');
    } else if (choice < 0.65) {
      lines.splice(Math.floor(rand() * lines.length), 0, pick(lines));
      s = lines.join('\n');
    } else if (choice < 0.85) {
      // another number (anything from 0 to beyond 2^64) in place of one of the numbers
      const nums = [...s.matchAll(/\b\d+\b/g)];
      if (nums.length > 0) {
        const m = pick(nums);
        const v = BigInt(Math.floor(rand() * 2 ** 53)) << BigInt(Math.floor(rand() * 20));
        s = s.slice(0, m.index) + String(v % 10n ** BigInt(1 + Math.floor(rand() * 22))) + s.slice(m.index! + m[0].length);
      }
    } else {
      // one name in place of another of the same script
      const ids = [...s.matchAll(IDENT)];
      if (ids.length > 1) {
        const m = pick(ids);
        s = s.slice(0, m.index) + pick(ids)[0] + s.slice(m.index! + m[0].length);
      }
    }
  }
  return s;
}

const ENDINGS = new Set<StopResult['reason']>(['end', 'error', 'exception']);

describe('scenario interpreter fuzz', function () {
  this.timeout(120_000);

  it('2000 seeded mutated scripts end in diagnostics or a result, never an uncaught exception or a hang', () => {
    const rand = rng(0x5eed);
    const counts = { diagnostics: 0, end: 0, error: 0, exception: 0 };
    for (let iter = 0; iter < 2000; iter++) {
      const text = mutate(SEEDS[iter % SEEDS.length], rand);
      const t0 = Date.now();
      let setup;
      try {
        setup = createScenario(text, 'fuzz.vmm', { ram: 4 << 20, pagefile: 4 << 20 }, { stepBudget: 3000, output: () => {} });
      } catch (e) {
        assert.fail(`createScenario threw on case ${iter}: ${String(e)}\n---\n${text}`);
      }
      if (setup.run === undefined) {
        assert.ok(setup.diagnostics.some((d) => d.severity === 'error'), `no run and no error on case ${iter}`);
        counts.diagnostics++;
        continue;
      }
      const run = setup.run;
      run.faultStepping = iter % 3 === 0;
      let result: StopResult;
      try {
        // stop now and then to ask what a debugger asks
        let stops = 0;
        result = run.resume(() => (stops++ % 97) === 50);
        let guard = 0;
        while (!ENDINGS.has(result.reason)) {
          assert.ok(++guard < 10_000, `case ${iter} does not end`);
          const stack = run.callStack();
          for (let f = 0; f < stack.length; f++) {
            run.scopes(f);
            run.variables(f);
          }
          run.evaluate('p', 0);
          run.evaluate('lists().available + 1', stack.length - 1);
          result = run.resume(iter % 2 === 0 ? run.stepOver() : () => (stops++ % 97) === 50);
        }
      } catch (e) {
        assert.fail(`run threw on case ${iter}: ${e instanceof Error ? e.stack : String(e)}\n---\n${text}`);
      }
      assert.ok(ENDINGS.has(result.reason));
      if (result.reason !== 'end') {
        assert.match(result.error!.text, /^fuzz\.vmm:\d+:\d+: /, `case ${iter}: ${result.error!.text}`);
        assert.notEqual(result.error!.kind, 'internal', `case ${iter}: ${result.error!.text}\n---\n${text}`);
      }
      counts[result.reason as 'end' | 'error' | 'exception']++;
      assert.ok(Date.now() - t0 < 10_000, `case ${iter} took ${Date.now() - t0} ms\n---\n${text}`);
    }
    if (process.env.FUZZ_VERBOSE) console.log(counts);
    // the mutations exercise every outcome
    assert.ok(counts.diagnostics > 200 && counts.end > 200 && counts.error > 50 && counts.exception > 20, JSON.stringify(counts));
  });
});
