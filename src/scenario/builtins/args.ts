// Reading the arguments of a built-in call: type checks with messages that name the function and
// the parameter ("argument 2 (size) of VirtualAlloc must be an integer, got a string"), and the
// conversions Windows applies (unsigned 64-bit, 32-bit).

import { ScriptError } from '../runtimeErrors';
import { asInteger, toU64, typeName, type Value } from '../values';
import type { CallContext } from './types';

function paramName(ctx: CallContext, i: number): string {
  const p = ctx.builtin.params[Math.min(i, ctx.builtin.params.length - 1)] ?? `#${i + 1}`;
  return p.replace(/\?$/, '').replace(/^\.\.\./, '');
}

export function argError(ctx: CallContext, i: number, what: string): ScriptError {
  return new ScriptError(`argument ${i + 1} (${paramName(ctx, i)}) of ${ctx.builtin.name} ${what}`, ctx.range);
}

/** An integer argument (booleans count as 1/0, null as 0). */
export function intArg(args: Value[], i: number, ctx: CallContext): bigint {
  const v = args[i];
  const n = v === undefined ? undefined : asInteger(v);
  if (n === undefined) throw argError(ctx, i, `must be an integer, got ${v === undefined ? 'nothing' : typeName(v)}`);
  return n;
}

/** An unsigned 64-bit argument (taken modulo 2^64, as Windows does: -1 is 0xffffffffffffffff). */
export function u64Arg(args: Value[], i: number, ctx: CallContext): bigint {
  return toU64(intArg(args, i, ctx));
}

/** A non-negative count that must fit a JS number exactly (sizes of lab operations, milliseconds). */
export function countArg(args: Value[], i: number, ctx: CallContext, max = Number.MAX_SAFE_INTEGER): number {
  const n = intArg(args, i, ctx);
  if (n < 0n) throw argError(ctx, i, `must not be negative, got ${n}`);
  if (n > BigInt(max)) throw argError(ctx, i, `is too large (at most ${max})`);
  return Number(n);
}

export function strArg(args: Value[], i: number, ctx: CallContext): string {
  const v = args[i];
  if (typeof v !== 'string') throw argError(ctx, i, `must be a string, got ${v === undefined ? 'nothing' : typeName(v)}`);
  return v;
}
