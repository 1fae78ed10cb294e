// The Windows API as scenario built-ins (contract §6), wired to the simulated kernel's services in
// src/core/api. Win32 calls return what Windows returns (an address, true/false, a handle, or 0
// on failure) and set the thread's last error; native calls return a record whose `status` is the
// NTSTATUS (unsigned 32-bit) and whose other fields are the OUT parameters. Calls without a
// handle act on the scenario's current process. The section, file-mapping and paging-file calls
// whose machinery does not exist yet raise "not supported yet".

import { TerminateProcess as TerminateProcessCore } from '../../core/api/terminate';
import {
  CloseHandle, GetLastError, GetLargePageMinimum, GetProcessWorkingSetSize, GetSystemInfo, LastStatus, NtAllocateVirtualMemory,
  NtClose, NtFreeVirtualMemory, NtLockVirtualMemory, NtProtectVirtualMemory, NtQueryVirtualMemory, NtReadVirtualMemory,
  NtUnlockVirtualMemory, NtWriteVirtualMemory, ReadProcessMemory, SetLastError, SetProcessWorkingSetSize, VirtualAlloc,
  VirtualAllocEx, VirtualFree, VirtualFreeEx, VirtualLock, VirtualProtect, VirtualProtectEx, VirtualQuery, VirtualQueryEx,
  VirtualUnlock, WriteProcessMemory, apiState, basicInformation, FlushInstructionCache, openProcessHandle, referenceProcess,
  PROCESS_TERMINATE,
} from '../../core/api/virtualMemory';
import { MM_HIGHEST_USER_ADDRESS, MAP_PROCESS, SIZEOF_MEMORY_BASIC_INFORMATION } from '../../core/winconst';
import { ntSuccess } from '../../core/status';
import { createPagingFile } from '../../core/paging';
import { ScriptError } from '../runtimeErrors';
import { fromHost, RecordValue, toU32, type Value } from '../values';
import { intArg, strArg, u64Arg } from './args';
import { notSupported, unsupported } from './knobs';
import type { Builtin, BuiltinCategory, CallContext } from './types';

/**
 * Largest copy (in bytes) Read/WriteProcessMemory and NtRead/NtWriteVirtualMemory may do from a
 * scenario: the result is one integer, and 64 KB of it is already a very long number.
 */
const MAX_COPY = 0x10000;

type Impl = (args: Value[], ctx: CallContext) => Value;

function api(name: string, params: string[], doc: string, call: Impl, opts: { category?: BuiltinCategory; sideEffects?: boolean; quiet?: Impl } = {}): Builtin {
  const b: Builtin = { name, params, doc, category: opts.category ?? 'win32', sideEffects: opts.sideEffects ?? true, call };
  if (opts.quiet !== undefined) b.quiet = opts.quiet;
  return b;
}

const big = (n: number): bigint => BigInt(n);
const status = (s: number): bigint => BigInt(s >>> 0);

function mbiRecord(r: { BaseAddress: number; AllocationBase: number; AllocationProtect: number; RegionSize: number; State: number; Protect: number; Type: number }): RecordValue {
  return new RecordValue([
    ['BaseAddress', big(r.BaseAddress)],
    ['AllocationBase', big(r.AllocationBase)],
    ['AllocationProtect', big(r.AllocationProtect)],
    ['RegionSize', big(r.RegionSize)],
    ['State', big(r.State)],
    ['Protect', big(r.Protect)],
    ['Type', big(r.Type)],
  ]);
}

/** A record { status, ...fields } from a native call's result. */
function nativeRecord(r: { status: number } & object): RecordValue {
  const fields: Array<[string, Value]> = [['status', status(r.status)]];
  for (const [k, v] of Object.entries(r)) {
    if (k === 'status' || v === undefined || (v as unknown) instanceof Uint8Array) continue;
    fields.push([k, fromHost(v)]);
  }
  return new RecordValue(fields);
}

function copySize(args: Value[], i: number, ctx: CallContext): bigint {
  const n = u64Arg(args, i, ctx);
  if (n > BigInt(MAX_COPY)) throw new ScriptError(`${ctx.builtin.name} of more than ${MAX_COPY} bytes is not supported by the lab`, ctx.range);
  return n;
}

const h = (args: Value[], i: number, ctx: CallContext): bigint => intArg(args, i, ctx);

// ---- Win32 -------------------------------------------------------------------------------------------

const WIN32: Builtin[] = [
  api('VirtualAlloc', ['addr', 'size', 'type', 'protect'], 'Reserves and/or commits a range of the current process; returns its address or 0 (GetLastError tells why).',
    (a, c) => big(VirtualAlloc(c.machine, u64Arg(a, 0, c), u64Arg(a, 1, c), u64Arg(a, 2, c), u64Arg(a, 3, c)))),
  api('VirtualAllocEx', ['h', 'addr', 'size', 'type', 'protect'], 'VirtualAlloc in the process h.',
    (a, c) => big(VirtualAllocEx(c.machine, h(a, 0, c), u64Arg(a, 1, c), u64Arg(a, 2, c), u64Arg(a, 3, c), u64Arg(a, 4, c)))),
  api('VirtualFree', ['addr', 'size', 'freeType'], 'Decommits (MEM_DECOMMIT) or releases (MEM_RELEASE, size 0) a range; true or false.',
    (a, c) => VirtualFree(c.machine, u64Arg(a, 0, c), u64Arg(a, 1, c), u64Arg(a, 2, c))),
  api('VirtualFreeEx', ['h', 'addr', 'size', 'freeType'], 'VirtualFree in the process h.',
    (a, c) => VirtualFreeEx(c.machine, h(a, 0, c), u64Arg(a, 1, c), u64Arg(a, 2, c), u64Arg(a, 3, c))),
  api('VirtualProtect', ['addr', 'size', 'newProtect'], 'Changes the protection of committed pages; returns the old protection of the first page, or 0 on failure.',
    (a, c) => big(VirtualProtect(c.machine, u64Arg(a, 0, c), u64Arg(a, 1, c), u64Arg(a, 2, c)))),
  api('VirtualProtectEx', ['h', 'addr', 'size', 'newProtect'], 'VirtualProtect in the process h.',
    (a, c) => big(VirtualProtectEx(c.machine, h(a, 0, c), u64Arg(a, 1, c), u64Arg(a, 2, c), u64Arg(a, 3, c)))),
  api('VirtualQuery', ['addr'], 'The region around addr: { BaseAddress, AllocationBase, AllocationProtect, RegionSize, State, Protect, Type }, or 0 on failure.',
    (a, c) => {
      const r = VirtualQuery(c.machine, u64Arg(a, 0, c));
      return r === 0 ? 0n : mbiRecord(r);
    },
    {
      quiet: (a, c) => {
        const va = u64Arg(a, 0, c);
        if (va > BigInt(MM_HIGHEST_USER_ADDRESS)) return 0n;
        return mbiRecord(basicInformation(c.machine, c.process, Number(va)));
      },
    }),
  api('VirtualQueryEx', ['h', 'addr'], 'VirtualQuery in the process h.',
    (a, c) => {
      const r = VirtualQueryEx(c.machine, h(a, 0, c), u64Arg(a, 1, c), SIZEOF_MEMORY_BASIC_INFORMATION);
      return r === 0 ? 0n : mbiRecord(r);
    }),
  api('VirtualLock', ['addr', 'size'], 'Locks pages in the working set of the current process (faulting them in); true or false.',
    (a, c) => VirtualLock(c.machine, u64Arg(a, 0, c), u64Arg(a, 1, c))),
  api('VirtualUnlock', ['addr', 'size'], 'Unlocks pages locked with VirtualLock; true or false.',
    (a, c) => VirtualUnlock(c.machine, u64Arg(a, 0, c), u64Arg(a, 1, c))),
  api('ReadProcessMemory', ['h', 'addr', 'size'], 'Reads size bytes of the process h: { ok, bytesRead, value } (value: the bytes as a little-endian integer).',
    (a, c) => {
      const r = ReadProcessMemory(c.machine, h(a, 0, c), u64Arg(a, 1, c), copySize(a, 2, c));
      return new RecordValue([['ok', r.ok], ['bytesRead', big(r.bytesRead)], ['value', r.value]]);
    }),
  api('WriteProcessMemory', ['h', 'addr', 'value', 'size'], 'Writes value as size little-endian bytes into the process h; true or false (a Win32 BOOL, as in Windows).',
    (a, c) => {
      const value = a[2];
      const data = typeof value === 'string' ? new TextEncoder().encode(value) : intArg(a, 2, c);
      return WriteProcessMemory(c.machine, h(a, 0, c), u64Arg(a, 1, c), data, copySize(a, 3, c)).ok;
    }),
  api('FlushInstructionCache', ['h', 'addr?', 'size?'], 'Flushes the instruction cache of the process h (checks the handle); true or false.',
    (a, c) => FlushInstructionCache(c.machine, h(a, 0, c), a.length > 1 ? u64Arg(a, 1, c) : 0n, a.length > 2 ? u64Arg(a, 2, c) : 0n)),
  api('SetProcessWorkingSetSize', ['h', 'min', 'max'], 'Sets the working-set limits of the process h in bytes ((-1, -1) empties it); true or false.',
    (a, c) => SetProcessWorkingSetSize(c.machine, h(a, 0, c), u64Arg(a, 1, c), u64Arg(a, 2, c))),
  api('GetProcessWorkingSetSize', ['h'], 'The working-set limits of the process h in bytes: { min, max }, or 0 on failure.',
    (a, c) => {
      const r = GetProcessWorkingSetSize(c.machine, h(a, 0, c));
      return r === 0 ? 0n : new RecordValue([['min', big(r.min)], ['max', big(r.max)]]);
    }),
  api('EmptyWorkingSet', ['h'], 'Removes every page it can from the working set of the process h; true or false.',
    (a, c) => {
      if (apiState(c.machine).emptyWorkingSet === undefined) throw new ScriptError(notSupported('EmptyWorkingSet'), c.range);
      return SetProcessWorkingSetSize(c.machine, h(a, 0, c), -1n, -1n);
    }),
  api('GetSystemInfo', [], 'The system information: { dwPageSize, dwAllocationGranularity, lpMinimumApplicationAddress, lpMaximumApplicationAddress, ... }.',
    () => fromHost(GetSystemInfo()), { sideEffects: false }),
  api('GetLargePageMinimum', [], 'The size of a large page (2 MB).', () => big(GetLargePageMinimum()), { sideEffects: false }),
  api('GetCurrentProcess', [], 'The pseudo handle of the current process (-1).', () => -1n, { sideEffects: false }),
  api('CreateProcess', ['name'], 'Creates a process (its own address space, working set and VAD tree) and returns a handle to it.',
    (a, c) => {
      const name = strArg(a, 0, c);
      const proc = c.machine.createProcess(name);
      return big(openProcessHandle(c.machine, proc));
    }, { category: 'misc' }),
  api('TerminateProcess', ['h', 'exitCode?'], 'Tears a process down (all its memory released); true or false.',
    (a, c) => {
      const ref = referenceProcess(c.machine, h(a, 0, c), PROCESS_TERMINATE);
      if (ref.object !== undefined && ref.object === c.machine.current) {
        throw new ScriptError('a scenario cannot terminate the process it is running in', c.range);
      }
      const r = TerminateProcessCore(c.machine, h(a, 0, c));
      return r;
    }),
  api('CloseHandle', ['h'], 'Closes a handle; true or false.', (a, c) => CloseHandle(c.machine, h(a, 0, c))),
  api('GetLastError', [], "The calling thread's last Win32 error.", (_a, c) => big(GetLastError(c.machine)), { sideEffects: false }),
  api('SetLastError', ['error'], "Sets the calling thread's last Win32 error.", (a, c) => {
    SetLastError(c.machine, u64Arg(a, 0, c));
    return null;
  }),
  api('LastStatus', [], 'The NTSTATUS behind the last error (unsigned 32-bit, e.g. 0xC0000005).', (_a, c) => status(LastStatus(c.machine)), { sideEffects: false }),
  api('NT_SUCCESS', ['status'], 'Whether an NTSTATUS is a success or informational code (its 32-bit value is >= 0 as a signed number).',
    (a, c) => ntSuccess(Number(toU32(intArg(a, 0, c)))), { sideEffects: false, category: 'misc' }),
];

// ---- native -----------------------------------------------------------------------------------------

const NATIVE: Builtin[] = [
  api('NtAllocateVirtualMemory', ['h', 'base', 'zeroBits', 'size', 'type', 'protect'], 'Reserves and/or commits memory: { status, base, size }.',
    (a, c) => nativeRecord(NtAllocateVirtualMemory(c.machine, h(a, 0, c), u64Arg(a, 1, c), u64Arg(a, 2, c), u64Arg(a, 3, c), u64Arg(a, 4, c), u64Arg(a, 5, c))),
    { category: 'native' }),
  api('NtFreeVirtualMemory', ['h', 'base', 'size', 'freeType'], 'Decommits or releases memory: { status, base, size }.',
    (a, c) => nativeRecord(NtFreeVirtualMemory(c.machine, h(a, 0, c), u64Arg(a, 1, c), u64Arg(a, 2, c), u64Arg(a, 3, c))), { category: 'native' }),
  api('NtProtectVirtualMemory', ['h', 'base', 'size', 'protect'], 'Changes protection: { status, base, size, oldProtect }.',
    (a, c) => nativeRecord(NtProtectVirtualMemory(c.machine, h(a, 0, c), u64Arg(a, 1, c), u64Arg(a, 2, c), u64Arg(a, 3, c))), { category: 'native' }),
  api('NtQueryVirtualMemory', ['h', 'base', 'infoClass', 'length?'], 'Queries memory: { status, returnLength, ...the fields of the information class }.',
    (a, c) => nativeRecord(NtQueryVirtualMemory(c.machine, h(a, 0, c), u64Arg(a, 1, c), u64Arg(a, 2, c), a.length > 3 ? u64Arg(a, 3, c) : undefined)),
    { category: 'native' }),
  api('NtLockVirtualMemory', ['h', 'base', 'size', 'mapType?'], 'Locks pages (MAP_PROCESS by default): { status, base, size }.',
    (a, c) => nativeRecord(NtLockVirtualMemory(c.machine, h(a, 0, c), u64Arg(a, 1, c), u64Arg(a, 2, c), a.length > 3 ? u64Arg(a, 3, c) : BigInt(MAP_PROCESS))),
    { category: 'native' }),
  api('NtUnlockVirtualMemory', ['h', 'base', 'size', 'mapType?'], 'Unlocks pages (MAP_PROCESS by default): { status, base, size }.',
    (a, c) => nativeRecord(NtUnlockVirtualMemory(c.machine, h(a, 0, c), u64Arg(a, 1, c), u64Arg(a, 2, c), a.length > 3 ? u64Arg(a, 3, c) : BigInt(MAP_PROCESS))),
    { category: 'native' }),
  api('NtReadVirtualMemory', ['h', 'base', 'size'], 'Reads memory of a process: { status, bytesRead, value } (value: little-endian).',
    (a, c) => {
      const r = NtReadVirtualMemory(c.machine, h(a, 0, c), u64Arg(a, 1, c), undefined, copySize(a, 2, c));
      let v = 0n;
      for (let i = r.data.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(r.data[i]);
      return new RecordValue([['status', status(r.status)], ['bytesRead', big(r.bytesRead)], ['value', v]]);
    }, { category: 'native' }),
  api('NtWriteVirtualMemory', ['h', 'base', 'value', 'size'], 'Writes value as size little-endian bytes into a process: { status, bytesWritten }.',
    (a, c) => {
      const size = Number(copySize(a, 3, c));
      const value = a[2];
      let data: Uint8Array;
      if (typeof value === 'string') data = new TextEncoder().encode(value);
      else {
        data = new Uint8Array(size);
        let x = BigInt.asUintN(Math.max(size, 1) * 8, intArg(a, 2, c));
        for (let i = 0; i < size; i++) {
          data[i] = Number(x & 0xffn);
          x >>= 8n;
        }
      }
      return nativeRecord(NtWriteVirtualMemory(c.machine, h(a, 0, c), u64Arg(a, 1, c), data, BigInt(size)));
    }, { category: 'native' }),
  api('NtCreatePagingFile', ['name', 'minSize', 'maxSize'], 'Creates a paging file (sizes in bytes; it adds its minimum size to the commit limit): { status }.',
    (a, c) => {
      const clamp = (x: bigint): number => Number(x > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : x);
      return nativeRecord({ status: createPagingFile(c.machine, strArg(a, 0, c), clamp(u64Arg(a, 1, c)), clamp(u64Arg(a, 2, c))) });
    }, { category: 'native' }),
  api('NtClose', ['h'], 'Closes a handle: { status }.', (a, c) => nativeRecord({ status: NtClose(c.machine, h(a, 0, c)) }), { category: 'native' }),
];

// ---- not there yet ------------------------------------------------------------------------------------

const LATER: Builtin[] = [
  unsupported('CreateFileMapping', ['file', 'attributes', 'protect', 'sizeHigh', 'sizeLow', 'name'], 'Creates a section (file-backed, or paging-file backed with INVALID_HANDLE_VALUE)', 'win32'),
  unsupported('OpenFileMapping', ['access', 'inherit', 'name'], 'Opens a named section', 'win32'),
  unsupported('MapViewOfFile', ['h', 'access', 'offHigh', 'offLow', 'size'], 'Maps a view of a section', 'win32'),
  unsupported('MapViewOfFileEx', ['h', 'access', 'offHigh', 'offLow', 'size', 'base'], 'Maps a view of a section at a chosen address', 'win32'),
  unsupported('UnmapViewOfFile', ['base'], 'Unmaps a view', 'win32'),
  unsupported('FlushViewOfFile', ['base', 'size'], 'Writes the dirty pages of a view to its file', 'win32'),
  unsupported('NtCreateSection', ['access', 'name', 'maxSize', 'pageProtect', 'attributes', 'file'], 'Creates a section: { status, handle }', 'native'),
  unsupported('NtOpenSection', ['access', 'name'], 'Opens a named section: { status, handle }', 'native'),
  unsupported('NtMapViewOfSection', ['section', 'h', 'base', 'zeroBits', 'commitSize', 'offset', 'viewSize', 'inherit', 'type', 'protect'],
    'Maps a view of a section: { status, base, viewSize, offset }', 'native'),
  unsupported('NtUnmapViewOfSection', ['h', 'base'], 'Unmaps a view: { status }', 'native'),
  unsupported('NtFlushVirtualMemory', ['h', 'base', 'size'], 'Flushes a mapped view to its file: { status, base, size }', 'native'),
];

export const WINAPI_BUILTINS: readonly Builtin[] = [...WIN32, ...NATIVE, ...LATER];
