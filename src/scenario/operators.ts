// The operators of the scenario language on run-time values (contract §2): C precedence is the
// parser's business; this file defines what each operator does. Rules:
//  - arithmetic, bitwise and shift operators work on integers (booleans count as 1/0, null as 0);
//    results must stay in [-2^63, 2^64 - 1], otherwise "integer overflow" (a run-time error);
//  - `/` and `%` are integer operations truncating toward zero (C); dividing by zero is an error;
//  - shift counts must be 0..63; `>>` is arithmetic (the sign is kept for negative values);
//  - `+` with a string on either side concatenates (the other side printed as `print` would);
//  - `< <= > >=` compare integers, or two strings;
//  - `==`/`!=` never fail: see `valuesEqual`;
//  - `!` gives a boolean; `&&`/`||` (evaluated by the interpreter, short-circuit) give booleans.

import type { BinaryOp, Range, UnaryOp } from './ast';
import { ScriptError } from './runtimeErrors';
import { asInteger, formatValue, inIntRange, truthy, typeName, valuesEqual, type Value } from './values';

/** Longest string a scenario may build (16M characters). */
export const MAX_STRING = 1 << 24;

function needInt(op: string, v: Value, side: 'left' | 'right' | 'operand', range: Range): bigint {
  const i = asInteger(v);
  if (i === undefined) {
    const where = side === 'operand' ? 'its operand' : `the ${side} side`;
    throw new ScriptError(`operator '${op}' needs integers, but ${where} is ${typeName(v)}`, range);
  }
  return i;
}

function checked(op: string, v: bigint, range: Range): bigint {
  if (!inIntRange(v)) {
    throw new ScriptError(`integer overflow: the result of '${op}' does not fit in 64 bits (integers range from -2^63 to 2^64-1)`, range);
  }
  return v;
}

function shiftCount(op: string, n: bigint, range: Range): bigint {
  if (n < 0n || n > 63n) throw new ScriptError(`shift count of '${op}' must be between 0 and 63, got ${n}`, range);
  return n;
}

/** A binary operator other than `&&` / `||`. `range` is the operator's, for error messages. */
export function binaryOp(op: BinaryOp, a: Value, b: Value, range: Range): Value {
  switch (op) {
    case '==':
      return valuesEqual(a, b);
    case '!=':
      return !valuesEqual(a, b);
    case '&&':
      return truthy(a) && truthy(b);
    case '||':
      return truthy(a) || truthy(b);
    default:
      break;
  }
  if (op === '+' && (typeof a === 'string' || typeof b === 'string')) {
    const s = (typeof a === 'string' ? a : formatValue(a)) + (typeof b === 'string' ? b : formatValue(b));
    if (s.length > MAX_STRING) throw new ScriptError(`string too long: more than ${MAX_STRING} characters`, range);
    return s;
  }
  if (typeof a === 'string' && typeof b === 'string' && (op === '<' || op === '<=' || op === '>' || op === '>=')) {
    switch (op) {
      case '<': return a < b;
      case '<=': return a <= b;
      case '>': return a > b;
      default: return a >= b;
    }
  }
  const x = needInt(op, a, 'left', range);
  const y = needInt(op, b, 'right', range);
  switch (op) {
    case '+': return checked(op, x + y, range);
    case '-': return checked(op, x - y, range);
    case '*': return checked(op, x * y, range);
    case '/':
      if (y === 0n) throw new ScriptError('division by zero', range);
      return checked(op, x / y, range);
    case '%':
      if (y === 0n) throw new ScriptError('division by zero (in %)', range);
      return x % y;
    case '<<': return checked(op, x << shiftCount(op, y, range), range);
    case '>>': return x >> shiftCount(op, y, range);
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    case '>=': return x >= y;
    case '&': return checked(op, x & y, range);
    case '|': return checked(op, x | y, range);
    case '^': return checked(op, x ^ y, range);
  }
}

export function unaryOp(op: UnaryOp, v: Value, range: Range): Value {
  if (op === '!') return !truthy(v);
  const x = needInt(op, v, 'operand', range);
  return checked(op, op === '-' ? -x : ~x, range);
}
