// The two ways a running scenario can stop abnormally, and how they are reported. It exists so
// that the interpreter, the built-ins, the debugger and the command-line runner format them alike:
//  - a run-time error of the script (`ScriptError`): unknown variable, wrong argument type,
//    division by zero, a failed `assert` or `expect`, the step budget... reported as
//    `file:line:col: message`;
//  - a guest exception (`GuestException`): a memory access the memory manager could not resolve,
//    reported as `unhandled exception STATUS_ACCESS_VIOLATION (0xC0000005): write at 0x1f0000`
//    unless an `expect` catches it.

import type { Range } from './ast';
import { OutOfMemoryError } from '../core/machine';
import { statusName } from '../core/status';
import { formatHex, formatStatusHex } from './values';

export type ScriptErrorKind = 'runtime' | 'assertion' | 'budget' | 'internal';

/** A run-time error of the scenario (never a bug of the simulator unless kind is 'internal'). */
export class ScriptError extends Error {
  constructor(message: string, public range: Range | undefined, readonly kind: ScriptErrorKind = 'runtime') {
    super(message);
    this.name = 'ScriptError';
  }
}

/** Access kinds of a guest exception, as shown in its message. */
export type AccessName = 'read' | 'write' | 'execute';

/** A guest exception (EXCEPTION_RECORD): status, faulting address and the kind of access. */
export class GuestException extends Error {
  constructor(
    /** NTSTATUS, unsigned 32-bit (0xC0000005). */
    readonly status: number,
    /** The faulting virtual address (exact, also for kernel addresses). */
    readonly address: bigint,
    readonly access: AccessName,
    public range: Range | undefined = undefined,
  ) {
    super(describeException(status, address, access));
    this.name = 'GuestException';
  }
}

/** `STATUS_ACCESS_VIOLATION (0xC0000005): write at 0x1f0000`. */
export function describeException(status: number, address: bigint, access: AccessName): string {
  return `${statusName(status)} (${formatStatusHex(status)}): ${access} at ${formatHex(address)}`;
}

/** `STATUS_ACCESS_VIOLATION (0xC0000005)` (or just the hex form for an unnamed status). */
export function describeStatus(status: bigint | number): string {
  const n = Number(BigInt.asUintN(32, BigInt(status)));
  const name = statusName(n);
  const hex = formatStatusHex(n);
  return name === hex ? hex : `${name} (${hex})`;
}

/** What a run reports when it ended with an error or an unhandled exception. */
export interface RunError {
  kind: ScriptErrorKind | 'exception';
  /** The message without the location. */
  message: string;
  /** `file:line:col: message` (or just the message when there is no location). */
  text: string;
  file: string;
  /** 1-based; 0 when unknown. */
  line: number;
  col: number;
  range?: Range;
  /** For guest exceptions. */
  status?: number;
  address?: bigint;
  access?: AccessName;
}

export function formatLocation(file: string, range: Range | undefined): string {
  return range ? `${file}:${range.start.line}:${range.start.col}` : file;
}

export function toRunError(e: ScriptError | GuestException, file: string): RunError {
  const range = e.range;
  const message = e instanceof GuestException ? `unhandled exception ${e.message}` : e.message;
  const base: RunError = {
    kind: e instanceof GuestException ? 'exception' : e.kind,
    message,
    text: range ? `${formatLocation(file, range)}: ${message}` : message,
    file,
    line: range?.start.line ?? 0,
    col: range?.start.col ?? 0,
  };
  if (range) base.range = range;
  if (e instanceof GuestException) {
    base.status = e.status;
    base.address = e.address;
    base.access = e.access;
  }
  return base;
}

/** Turns anything thrown by the host (a simulator bug, a stack overflow) into a script error. */
export function internalError(e: unknown, range: Range | undefined): ScriptError {
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return new ScriptError('the scenario nests too deeply (expressions or calls); simplify it', range, 'runtime');
  }
  if (e instanceof OutOfMemoryError) return new ScriptError(e.message, range, 'runtime');
  const msg = e instanceof Error ? e.message : String(e);
  return new ScriptError(`internal error of the simulator: ${msg}`, range, 'internal');
}
