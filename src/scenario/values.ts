// Run-time values of the scenario language and how they print. It exists so that the
// interpreter, the built-ins and the debugger (variables view, hover, debug console) agree on one
// value model:
//  - integers are `bigint`, exact, in the range [-2^63, 2^64 - 1] (every signed and every unsigned
//    64-bit value; an operation whose result leaves that range is a run-time error). Where Windows
//    takes an unsigned 64-bit value the integer is taken modulo 2^64 (`toU64`), so `-1` works as
//    `0xffffffffffffffff`;
//  - NTSTATUS values are stored as UNSIGNED 32-bit integers (STATUS_ACCESS_VIOLATION is
//    0xC0000005, never negative), exactly like the predefined STATUS_* constants, so `==` between a
//    `status` field and a constant just works; `expect` compares modulo 2^32;
//  - handles (process, section, file) are plain integers; null is its own value and equals 0;
//  - booleans are `true`/`false`; in arithmetic and comparisons they count as 1/0 (Win32 BOOL);
//  - strings are JS strings; `+` concatenates when either side is a string;
//  - records (results of built-ins) are `RecordValue`s: named fields in a fixed order, read with `.`;
//  - lists (e.g. `lists().standbyByPriority`) are read-only arrays, indexed with `[i]`.

export class RecordValue {
  readonly fields: ReadonlyMap<string, Value>;
  constructor(fields: Iterable<readonly [string, Value]> | Record<string, Value>) {
    this.fields = new Map(Symbol.iterator in fields ? (fields as Iterable<readonly [string, Value]>) : Object.entries(fields));
  }
  get(name: string): Value | undefined {
    return this.fields.get(name);
  }
  has(name: string): boolean {
    return this.fields.has(name);
  }
}

export type ListValue = readonly Value[];

export type Value = bigint | boolean | string | null | RecordValue | ListValue;

export const U64_MASK = (1n << 64n) - 1n;
export const INT_MIN = -(1n << 63n);
export const INT_MAX = (1n << 64n) - 1n;
/** Integers >= this print in hex (contract §3). */
export const HEX_THRESHOLD = 0x10000n;

/** The value modulo 2^64, as Windows sees an unsigned 64-bit argument (`-1` → 0xffff...ffff). */
export function toU64(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}

/** The value modulo 2^32 (NTSTATUS, DWORD arguments). */
export function toU32(v: bigint): bigint {
  return BigInt.asUintN(32, v);
}

/** Whether an integer lies in the language's range [-2^63, 2^64 - 1]. */
export function inIntRange(v: bigint): boolean {
  return v >= INT_MIN && v <= INT_MAX;
}

export function isRecord(v: Value): v is RecordValue {
  return v instanceof RecordValue;
}

export function isList(v: Value): v is ListValue {
  return Array.isArray(v);
}

/** A newcomer-friendly name of a value's type, for error messages ("got a string"). */
export function typeName(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'bigint':
      return 'an integer';
    case 'boolean':
      return 'a boolean';
    case 'string':
      return 'a string';
    default:
      return isList(v) ? 'a list' : 'a record';
  }
}

/** Truthiness for `if`, `while`, `assert`, `!`, `&&`, `||`: false, 0, null and "" are false. */
export function truthy(v: Value): boolean {
  if (v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'bigint':
      return v !== 0n;
    case 'string':
      return v.length > 0;
    default:
      return true;
  }
}

/** Integer formatting of `print`: decimal below 0x10000, `0x...` (lower-case hex) from there on. */
export function formatInt(v: bigint): string {
  if (v >= HEX_THRESHOLD) return '0x' + v.toString(16);
  if (v <= -HEX_THRESHOLD) return '-0x' + (-v).toString(16);
  return v.toString();
}

/** Always hex (`0x1f0000`), for addresses in messages. */
export function formatHex(v: bigint | number): string {
  const b = typeof v === 'number' ? BigInt(v) : v;
  return b < 0n ? '-0x' + (-b).toString(16) : '0x' + b.toString(16);
}

/** An NTSTATUS as `0xC0000005` (8 upper-case hex digits, the way Windows documents them). */
export function formatStatusHex(v: bigint | number): string {
  const b = toU32(typeof v === 'number' ? BigInt(v) : v);
  return '0x' + b.toString(16).toUpperCase().padStart(8, '0');
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/**
 * How `print` shows a value: integers per `formatInt`, strings as they are at the top level and
 * quoted inside records and lists, `{ a: 1, b: 0x10000 }`, `[1, 2]`, `true`, `null`.
 */
export function formatValue(v: Value, nested = false): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'bigint':
      return formatInt(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return nested ? quote(v) : v;
    default:
      break;
  }
  if (isList(v)) return '[' + v.map((x) => formatValue(x, true)).join(', ') + ']';
  const rec = v as RecordValue;
  if (rec.fields.size === 0) return '{}';
  const parts: string[] = [];
  for (const [k, x] of rec.fields) parts.push(`${k}: ${formatValue(x, true)}`);
  return '{ ' + parts.join(', ') + ' }';
}

/** The integer a value stands for in arithmetic and comparisons (booleans 1/0, null 0), or undefined. */
export function asInteger(v: Value): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (v === null) return 0n;
  return undefined;
}

/**
 * `==`: integers, booleans and null compare as integers (null == 0, true == 1); strings by
 * content; records and lists structurally; values of different kinds are not equal.
 */
export function valuesEqual(a: Value, b: Value): boolean {
  const ia = asInteger(a);
  const ib = asInteger(b);
  if (ia !== undefined || ib !== undefined) return ia !== undefined && ib !== undefined && ia === ib;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (isList(a) || isList(b)) {
    if (!isList(a) || !isList(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
    return true;
  }
  const ra = a as RecordValue;
  const rb = b as RecordValue;
  if (ra.fields.size !== rb.fields.size) return false;
  for (const [k, x] of ra.fields) {
    const y = rb.fields.get(k);
    if (y === undefined || !valuesEqual(x, y)) return false;
  }
  return true;
}

/** Converts a host value (number, bigint, boolean, string, array, plain object) to a script value. */
export function fromHost(x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case 'bigint':
    case 'boolean':
    case 'string':
      return x;
    case 'number':
      return Number.isFinite(x) ? BigInt(Math.trunc(x)) : null;
    default:
      break;
  }
  if (x instanceof RecordValue) return x;
  if (Array.isArray(x)) return x.map(fromHost);
  if (typeof x === 'object') {
    return new RecordValue(Object.entries(x as Record<string, unknown>).map(([k, v]) => [k, fromHost(v)] as const));
  }
  return null;
}

/** Converts a script value to a plain host value (bigints stay bigints), e.g. for JSON-ish views. */
export function toHost(v: Value): unknown {
  if (v instanceof RecordValue) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v.fields) o[k] = toHost(x);
    return o;
  }
  if (isList(v)) return v.map(toHost);
  return v;
}
