// Guest memory access from a scenario (contract §7): read8/16/32/64, write8/16/32/64, exec,
// touch, fill, writeString, readString. Every access runs through the simulated MMU as a
// user-mode instruction would; an access the memory manager cannot resolve raises a
// GuestException (status, address, access).
//
// Each function has three variants:
//  - `call`: full speed, through Mmu.translate / readBytes / writeBytes / touch;
//  - `steps`: while the debugger steps through faults, every page is first translated with
//    Mmu.translateSteps, whose fault-handler steps surface as FaultEvents; the data is then moved
//    by the fast path (which hits the TLB);
//  - `quiet` (reads only): for watches and hovers, through the page tables without faulting or
//    setting accessed bits (inspection.translateQuiet); a page that is not resident is an error.
//
// Values are little-endian. A multi-byte access may span two pages: for a write both pages are
// checked (and faulted in) before any byte is written, as the CPU does for a split store; reads,
// `fill`, `writeString` and `readString` proceed page by page and raise at the first faulting byte
// (so `fill` may have written the pages before it). Written values are taken modulo 2^(8*size).
// `writeString` writes the UTF-8 bytes of the text plus a terminating 0 byte; `readString` reads up
// to maxLength bytes (default 4096), stopping before the first 0 byte, and decodes UTF-8.

import { Access, ACCESS_NAMES } from '../../core/faultHandler';
import type { Machine } from '../../core/machine';
import { translateQuiet } from '../../core/inspection';
import { USER_LIMIT } from '../../core/addresses';
import { drain, type ExecEvent } from '../events';
import { GuestException, ScriptError, type AccessName } from '../runtimeErrors';
import { formatHex, type Value } from '../values';
import { argError, countArg, intArg, strArg, u64Arg } from './args';
import type { Builtin, CallContext } from './types';

const PAGE = 4096;
const TWO53 = 2n ** 53n;
const scratch = new Uint8Array(8);
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** A 64-bit address as the number the MMU takes (anything >= 2^53 is far beyond user space). */
function vaNumber(va: bigint): number {
  return va < TWO53 ? Number(va) : Number.MAX_SAFE_INTEGER;
}

function accessName(a: Access): AccessName {
  return (ACCESS_NAMES[a] ?? 'read') as AccessName;
}

/** Raises the guest exception of the MMU's last failed access; `address` is the exact faulting VA. */
function raise(m: Machine, address: bigint, ctx: CallContext): never {
  const f = m.mmu.lastFault;
  throw new GuestException(f.status >>> 0, BigInt.asUintN(64, address), accessName(f.access), ctx.range);
}

/** Number of pages spanned by [va, va + size), size >= 1. */
function pagesSpanned(v: number, size: number): number {
  return Math.floor((v + size - 1) / PAGE) - Math.floor(v / PAGE) + 1;
}

/** One translation through the fault-stepping path, yielding a FaultEvent before each handler step. */
function* stepTranslate(ctx: CallContext, v: number, access: Access): Generator<ExecEvent, number, void> {
  const gen = ctx.machine.mmu.translateSteps(v, access);
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
    const fc = r.value;
    if (ctx.host?.faultStepping ?? true) yield { kind: 'fault', ctx: fc, step: fc.step, statement: ctx.statement!, depth: ctx.depth };
  }
}

/** Translates every page of [va, va + size) with the stepping path; raises at the first failure. */
function* stepPages(ctx: CallContext, va: bigint, size: number, access: Access): Generator<ExecEvent, void, void> {
  const v = vaNumber(va);
  const n = v >= USER_LIMIT ? 1 : pagesSpanned(v, size);
  for (let k = 0; k < n; k++) {
    const a = k === 0 ? v : (Math.floor(v / PAGE) + k) * PAGE;
    if ((yield* stepTranslate(ctx, a, access)) < 0) raise(ctx.machine, k === 0 ? va : va + BigInt(a - v), ctx);
  }
}

// ---- fast paths -----------------------------------------------------------------------------------

function readLe(ctx: CallContext, va: bigint, size: number): bigint {
  const m = ctx.machine;
  const got = m.mmu.readBytes(vaNumber(va), scratch, size);
  if (got < size) raise(m, va + BigInt(got), ctx);
  let r = 0n;
  for (let i = size - 1; i >= 0; i--) r = (r << 8n) | BigInt(scratch[i]);
  return r;
}

function writeLe(ctx: CallContext, va: bigint, size: number, value: bigint): void {
  const m = ctx.machine;
  const v = vaNumber(va);
  let x = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    scratch[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  if (v < USER_LIMIT && pagesSpanned(v, size) > 1) {
    // a split store: both pages must be writable before any byte is stored
    if (m.mmu.translate(v, Access.Write) < 0) raise(m, va, ctx);
    const second = (Math.floor(v / PAGE) + 1) * PAGE;
    if (m.mmu.translate(second, Access.Write) < 0) raise(m, va + BigInt(second - v), ctx);
  }
  const done = m.mmu.writeBytes(v, scratch, size);
  if (done < size) raise(m, va + BigInt(done), ctx);
}

function quietRead(ctx: CallContext, va: bigint, size: number): Uint8Array {
  const m = ctx.machine;
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const a = BigInt.asUintN(64, va + BigInt(i));
    const pa = a < BigInt(USER_LIMIT) ? translateQuiet(m, ctx.process, Number(a)) : -1;
    if (pa < 0) {
      throw new ScriptError(`cannot read ${formatHex(a)} here without a page fault (the page is not resident and valid); ` +
        'step to the access, or use the debug console', ctx.range);
    }
    out[i] = m.phys.readByte(Math.floor(pa / PAGE), pa % PAGE);
  }
  return out;
}

function le(bytes: Uint8Array): bigint {
  let r = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) r = (r << 8n) | BigInt(bytes[i]);
  return r;
}

// ---- the built-ins ----------------------------------------------------------------------------

function readN(size: number): Builtin {
  return {
    name: `read${size * 8}`,
    params: ['va'],
    doc: `Reads ${size === 1 ? 'one byte' : `a ${size * 8}-bit little-endian value`} of guest memory in the current process, as a user-mode instruction would (faults included).`,
    category: 'memory',
    sideEffects: true,
    call(args, ctx) {
      return readLe(ctx, u64Arg(args, 0, ctx), size);
    },
    *steps(args, ctx) {
      const va = u64Arg(args, 0, ctx);
      yield* stepPages(ctx, va, size, Access.Read);
      return readLe(ctx, va, size);
    },
    quiet(args, ctx) {
      return le(quietRead(ctx, u64Arg(args, 0, ctx), size));
    },
  };
}

function writeN(size: number): Builtin {
  return {
    name: `write${size * 8}`,
    params: ['va', 'value'],
    doc: `Writes ${size === 1 ? 'one byte' : `a ${size * 8}-bit little-endian value`} (modulo 2^${size * 8}) to guest memory in the current process, as a user-mode instruction would (faults included).`,
    category: 'memory',
    sideEffects: true,
    call(args, ctx) {
      writeLe(ctx, u64Arg(args, 0, ctx), size, intArg(args, 1, ctx));
      return null;
    },
    *steps(args, ctx) {
      const va = u64Arg(args, 0, ctx);
      const value = intArg(args, 1, ctx);
      yield* stepPages(ctx, va, size, Access.Write);
      writeLe(ctx, va, size, value);
      return null;
    },
  };
}

const execBuiltin: Builtin = {
  name: 'exec',
  params: ['va'],
  doc: 'Fetches an instruction at va in the current process (an execute access: NX and protection are checked).',
  category: 'memory',
  sideEffects: true,
  call(args, ctx) {
    const va = u64Arg(args, 0, ctx);
    if (ctx.machine.mmu.translate(vaNumber(va), Access.Execute) < 0) raise(ctx.machine, va, ctx);
    return null;
  },
  *steps(args, ctx) {
    yield* stepPages(ctx, u64Arg(args, 0, ctx), 1, Access.Execute);
    return null;
  },
};

function touchAccess(args: Value[], ctx: CallContext): Access {
  if (args.length < 3) return Access.Read;
  const mode = strArg(args, 2, ctx);
  switch (mode) {
    case 'r': return Access.Read;
    case 'w': return Access.Write;
    case 'x': return Access.Execute;
    default: throw argError(ctx, 2, `must be "r" (read), "w" (write) or "x" (execute), got "${mode}"`);
  }
}

const touchBuiltin: Builtin = {
  name: 'touch',
  params: ['va', 'size', 'mode?'],
  doc: 'Touches one byte in every page of [va, va+size): a read (default, or "r"), a read-modify-write that leaves the contents unchanged ("w"), or an instruction fetch ("x"). Returns the number of pages touched.',
  category: 'memory',
  sideEffects: true,
  call(args, ctx) {
    const va = u64Arg(args, 0, ctx);
    const size = countArg(args, 1, ctx);
    const access = touchAccess(args, ctx);
    if (size === 0) return 0n;
    const m = ctx.machine;
    const v = vaNumber(va);
    const total = v >= USER_LIMIT ? 1 : pagesSpanned(v, size);
    const done = m.mmu.touch(v, size, access);
    if (done < total) raise(m, done === 0 ? va : va + BigInt((Math.floor(v / PAGE) + done) * PAGE - v), ctx);
    return BigInt(done);
  },
  *steps(args, ctx) {
    const va = u64Arg(args, 0, ctx);
    const size = countArg(args, 1, ctx);
    const access = touchAccess(args, ctx);
    if (size === 0) return 0n;
    const m = ctx.machine;
    const v = vaNumber(va);
    const total = v >= USER_LIMIT ? 1 : pagesSpanned(v, size);
    for (let k = 0; k < total; k++) {
      const a = k === 0 ? v : (Math.floor(v / PAGE) + k) * PAGE;
      const address = k === 0 ? va : va + BigInt(a - v);
      if (access === Access.Write) {
        if ((yield* stepTranslate(ctx, a, Access.Read)) < 0) raise(m, address, ctx);
        if ((yield* stepTranslate(ctx, a, Access.Write)) < 0) raise(m, address, ctx);
      } else if ((yield* stepTranslate(ctx, a, access)) < 0) raise(m, address, ctx);
      // the access itself (TLB hit now): accessed/dirty bits and data-breakpoint hooks
      if (m.mmu.touch(a, 1, access) < 1) raise(m, address, ctx);
    }
    return BigInt(total);
  },
};

/** Writes `size` bytes produced by `byteAt` page by page; `stepping` faults pages in step by step first. */
function* writeStream(ctx: CallContext, va: bigint, size: number, byteAt: (i: number) => number, stepping: boolean): Generator<ExecEvent, void, void> {
  const m = ctx.machine;
  const v = vaNumber(va);
  const buf = new Uint8Array(PAGE);
  let done = 0;
  while (done < size) {
    const cur = v + done;
    const n = Math.min(size - done, PAGE - (cur % PAGE));
    for (let k = 0; k < n; k++) buf[k] = byteAt(done + k);
    if (stepping && (yield* stepTranslate(ctx, cur, Access.Write)) < 0) raise(m, va + BigInt(done), ctx);
    const w = m.mmu.writeBytes(cur, buf, n);
    if (w < n) raise(m, va + BigInt(done + w), ctx);
    done += n;
  }
}


const fillBuiltin: Builtin = {
  name: 'fill',
  params: ['va', 'size', 'byte'],
  doc: 'Writes size copies of byte (modulo 256) from va on (memset), page by page.',
  category: 'memory',
  sideEffects: true,
  call(args, ctx) {
    const va = u64Arg(args, 0, ctx);
    const size = countArg(args, 1, ctx);
    const b = Number(BigInt.asUintN(8, intArg(args, 2, ctx)));
    drain(writeStream(ctx, va, size, () => b, false));
    return null;
  },
  *steps(args, ctx) {
    const va = u64Arg(args, 0, ctx);
    const size = countArg(args, 1, ctx);
    const b = Number(BigInt.asUintN(8, intArg(args, 2, ctx)));
    yield* writeStream(ctx, va, size, () => b, true);
    return null;
  },
};

function stringBytes(args: Value[], ctx: CallContext): Uint8Array {
  const text = strArg(args, 1, ctx);
  const enc = encoder.encode(text);
  const out = new Uint8Array(enc.length + 1);
  out.set(enc);
  return out;
}

const writeStringBuiltin: Builtin = {
  name: 'writeString',
  params: ['va', 'text'],
  doc: 'Writes the UTF-8 bytes of text and a terminating 0 byte at va.',
  category: 'memory',
  sideEffects: true,
  call(args, ctx) {
    const va = u64Arg(args, 0, ctx);
    const bytes = stringBytes(args, ctx);
    drain(writeStream(ctx, va, bytes.length, (i) => bytes[i], false));
    return null;
  },
  *steps(args, ctx) {
    const va = u64Arg(args, 0, ctx);
    const bytes = stringBytes(args, ctx);
    yield* writeStream(ctx, va, bytes.length, (i) => bytes[i], true);
    return null;
  },
};

const DEFAULT_MAX_STRING = 4096;

function* readStream(ctx: CallContext, va: bigint, max: number, stepping: boolean): Generator<ExecEvent, string, void> {
  const m = ctx.machine;
  const v = vaNumber(va);
  const out: number[] = [];
  const buf = new Uint8Array(PAGE);
  let done = 0;
  while (done < max) {
    const cur = v + done;
    const n = Math.min(max - done, PAGE - (cur % PAGE));
    if (stepping && (yield* stepTranslate(ctx, cur, Access.Read)) < 0) raise(m, va + BigInt(done), ctx);
    const got = m.mmu.readBytes(cur, buf, n);
    for (let k = 0; k < got; k++) {
      if (buf[k] === 0) return decoder.decode(Uint8Array.from(out));
      out.push(buf[k]);
    }
    if (got < n) raise(m, va + BigInt(done + got), ctx);
    done += n;
  }
  return decoder.decode(Uint8Array.from(out));
}

function maxLengthArg(args: Value[], ctx: CallContext): number {
  return args.length > 1 ? countArg(args, 1, ctx, 1 << 24) : DEFAULT_MAX_STRING;
}

const readStringBuiltin: Builtin = {
  name: 'readString',
  params: ['va', 'maxLength?'],
  doc: 'Reads a 0-terminated UTF-8 string at va (at most maxLength bytes, default 4096).',
  category: 'memory',
  sideEffects: true,
  call(args, ctx) {
    return drain(readStream(ctx, u64Arg(args, 0, ctx), maxLengthArg(args, ctx), false));
  },
  *steps(args, ctx) {
    return yield* readStream(ctx, u64Arg(args, 0, ctx), maxLengthArg(args, ctx), true);
  },
  quiet(args, ctx) {
    const va = u64Arg(args, 0, ctx);
    const max = maxLengthArg(args, ctx);
    const out: number[] = [];
    for (let i = 0; i < max; i++) {
      const b = quietRead(ctx, va + BigInt(i), 1)[0];
      if (b === 0) break;
      out.push(b);
    }
    return decoder.decode(Uint8Array.from(out));
  },
};

export const MEMORY_BUILTINS: readonly Builtin[] = [
  readN(1), readN(2), readN(4), readN(8),
  writeN(1), writeN(2), writeN(4), writeN(8),
  execBuiltin, touchBuiltin, fillBuiltin, writeStringBuiltin, readStringBuiltin,
];
