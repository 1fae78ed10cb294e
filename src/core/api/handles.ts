/**
 * The object handle table of the simulated machine. A handle names a kernel object of some type
 * (processes now; sections and files register their own types later) together with the access
 * rights granted when the handle was opened. Referencing a handle checks, in Windows' order, that
 * it exists (STATUS_INVALID_HANDLE), that it names the expected object type
 * (STATUS_OBJECT_TYPE_MISMATCH) and that it grants the desired access (STATUS_ACCESS_DENIED).
 *
 * Handle values are multiples of 4 starting at 0x40; the two low bits of a value are tag bits
 * that Windows ignores when it looks a handle up. Closed values are reused last-in first-out, as
 * the executive's handle table free list does. The pseudo handles NtCurrentProcess() (-1) and
 * NtCurrentThread() (-2) are not in the table; `referenceProcess` resolves the first to the
 * calling process with full access.
 */
import type { Machine } from '../machine';
import type { Process } from '../process';
import {
  STATUS_ACCESS_DENIED, STATUS_HANDLE_NOT_CLOSABLE, STATUS_INVALID_HANDLE, STATUS_OBJECT_TYPE_MISMATCH, STATUS_SUCCESS,
} from '../status';

export type HandleValue = number | bigint;

/** Object type names. Other layers may use their own strings (e.g. 'File'). */
export const OBJECT_TYPE_PROCESS = 'Process';
export const OBJECT_TYPE_THREAD = 'Thread';
export const OBJECT_TYPE_SECTION = 'Section';

/** Process access rights beyond those in winconst (winnt.h values). */
export const PROCESS_TERMINATE = 0x0001;
export const PROCESS_CREATE_THREAD = 0x0002;
export const PROCESS_DUP_HANDLE = 0x0040;
export const PROCESS_SET_QUOTA = 0x0100;
export const PROCESS_SET_INFORMATION = 0x0200;
export const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
export const SYNCHRONIZE = 0x00100000;
/** Windows 7 PROCESS_ALL_ACCESS (STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF). */
export const PROCESS_ALL_ACCESS = 0x001fffff;

/** NtCurrentProcess() / GetCurrentProcess() and NtCurrentThread() as 64-bit handle values. */
export const CURRENT_PROCESS_HANDLE = 0xffffffffffffffffn;
export const CURRENT_THREAD_HANDLE = 0xfffffffffffffffen;

const FIRST_HANDLE = 0x40;
const HANDLE_STEP = 4;

export interface HandleEntry {
  readonly handle: number;
  readonly type: string;
  readonly object: object;
  /** Granted access mask. */
  readonly access: number;
  readonly inherit: boolean;
  /** OBJ_PROTECT_CLOSE / HANDLE_FLAG_PROTECT_FROM_CLOSE: NtClose fails with STATUS_HANDLE_NOT_CLOSABLE. */
  protectFromClose: boolean;
}

export interface ObjectTypeHooks {
  /** Called after the last handle to an object of this type is closed. */
  onLastHandleClosed?(object: object): void;
}

export interface OpenOptions {
  inherit?: boolean;
  protectFromClose?: boolean;
}

export type ReferenceResult<T> = { status: number; object: T; entry: HandleEntry | undefined } | { status: number; object: undefined; entry: undefined };

/** Reduces a handle argument to the value Windows looks up (unsigned 64-bit). */
export function handleBits(h: HandleValue): bigint {
  if (typeof h === 'number') {
    if (!Number.isInteger(h)) throw new RangeError(`handle ${h} is not an integer`);
    return BigInt.asUintN(64, BigInt(h));
  }
  return BigInt.asUintN(64, h);
}

export class HandleTable {
  private readonly entries = new Map<number, HandleEntry>();
  private readonly freeValues: number[] = [];
  private nextValue = FIRST_HANDLE;
  private readonly counts = new Map<object, number>();
  private readonly hooks = new Map<string, ObjectTypeHooks>();

  /** Registers callbacks for an object type (e.g. a section's lifetime). */
  registerType(type: string, hooks: ObjectTypeHooks): void {
    this.hooks.set(type, hooks);
  }

  /** Opens a new handle to an object and returns its value. */
  open(type: string, object: object, access: number, opts: OpenOptions = {}): number {
    const handle = this.freeValues.length > 0 ? this.freeValues.pop()! : this.takeNewValue();
    this.entries.set(handle, {
      handle,
      type,
      object,
      access: access >>> 0,
      inherit: opts.inherit ?? false,
      protectFromClose: opts.protectFromClose ?? false,
    });
    this.counts.set(object, (this.counts.get(object) ?? 0) + 1);
    return handle;
  }

  private takeNewValue(): number {
    const v = this.nextValue;
    this.nextValue += HANDLE_STEP;
    return v;
  }

  /** The entry a handle value names, or undefined (pseudo handles are never in the table). */
  lookup(h: HandleValue): HandleEntry | undefined {
    const bits = handleBits(h);
    if (bits >= 1n << 32n) return undefined;
    return this.entries.get(Number(bits & ~3n));
  }

  /** ObReferenceObjectByHandle for a table handle. */
  reference<T extends object>(h: HandleValue, type: string, desiredAccess: number): ReferenceResult<T> {
    const e = this.lookup(h);
    if (e === undefined) return { status: STATUS_INVALID_HANDLE, object: undefined, entry: undefined };
    if (e.type !== type) return { status: STATUS_OBJECT_TYPE_MISMATCH, object: undefined, entry: undefined };
    if ((e.access & desiredAccess) >>> 0 !== desiredAccess >>> 0) return { status: STATUS_ACCESS_DENIED, object: undefined, entry: undefined };
    return { status: STATUS_SUCCESS, object: e.object as T, entry: e };
  }

  /** NtClose. */
  close(h: HandleValue): number {
    const e = this.lookup(h);
    if (e === undefined) return STATUS_INVALID_HANDLE;
    if (e.protectFromClose) return STATUS_HANDLE_NOT_CLOSABLE;
    this.entries.delete(e.handle);
    this.freeValues.push(e.handle);
    const left = (this.counts.get(e.object) ?? 1) - 1;
    if (left === 0) {
      this.counts.delete(e.object);
      this.hooks.get(e.type)?.onLastHandleClosed?.(e.object);
    } else this.counts.set(e.object, left);
    return STATUS_SUCCESS;
  }

  /**
   * DuplicateHandle within the table: a new handle to the same object with `access` (or the same
   * access when omitted; a duplicate may ask for any subset or, as the object manager allows the
   * owner, any access of the object type).
   */
  duplicate(h: HandleValue, access?: number, opts: OpenOptions = {}): { status: number; handle: number } {
    const e = this.lookup(h);
    if (e === undefined) return { status: STATUS_INVALID_HANDLE, handle: 0 };
    return { status: STATUS_SUCCESS, handle: this.open(e.type, e.object, access ?? e.access, opts) };
  }

  /** Number of open handles to an object. */
  handleCount(object: object): number {
    return this.counts.get(object) ?? 0;
  }

  /** Every open handle, in handle-value order (for views). */
  list(): HandleEntry[] {
    return [...this.entries.values()].sort((a, b) => a.handle - b.handle);
  }
}

/** The handle table of a machine. */
export function handleTable(m: Machine): HandleTable {
  let t = tables.get(m);
  if (t === undefined) {
    t = new HandleTable();
    tables.set(m, t);
  }
  return t;
}

const tables = new WeakMap<Machine, HandleTable>();

/** Opens a process handle (what CreateProcess / OpenProcess hand back). */
export function openProcessHandle(m: Machine, proc: Process, access: number = PROCESS_ALL_ACCESS, opts: OpenOptions = {}): number {
  return handleTable(m).open(OBJECT_TYPE_PROCESS, proc, access, opts);
}

/**
 * References a process handle for `desiredAccess`. NtCurrentProcess() (-1) is the calling
 * process with every right; NtCurrentThread() (-2) is a thread, hence a type mismatch.
 */
export function referenceProcess(m: Machine, h: HandleValue, desiredAccess: number): ReferenceResult<Process> {
  const bits = handleBits(h);
  if (bits === CURRENT_PROCESS_HANDLE) {
    if (!m.hasCurrent) return { status: STATUS_INVALID_HANDLE, object: undefined, entry: undefined };
    return { status: STATUS_SUCCESS, object: m.current, entry: undefined };
  }
  if (bits === CURRENT_THREAD_HANDLE) return { status: STATUS_OBJECT_TYPE_MISMATCH, object: undefined, entry: undefined };
  return handleTable(m).reference<Process>(h, OBJECT_TYPE_PROCESS, desiredAccess);
}

/** NtClose. */
export function NtClose(m: Machine, h: HandleValue): number {
  const bits = handleBits(h);
  // closing a pseudo handle is a no-op that succeeds
  if (bits === CURRENT_PROCESS_HANDLE || bits === CURRENT_THREAD_HANDLE) return STATUS_SUCCESS;
  return handleTable(m).close(h);
}
