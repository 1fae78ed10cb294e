/**
 * The kernel32 side of the virtual-memory services (api-spec §6.1–§6.4, §6.11–§6.15, §6.19):
 * pre-checks kernel32 makes before calling the kernel, the native call with NtCurrentProcess() or
 * the given handle, and on failure the thread's last error (RtlNtStatusToDosError) and last
 * status on the calling process. Success leaves the last error alone, as Windows does.
 *
 * Return conventions follow the scenario contract: VirtualAlloc(Ex) -> address or 0;
 * VirtualFree / Lock / Unlock / SetProcessWorkingSetSize / CloseHandle -> boolean;
 * VirtualProtect(Ex) -> old protection or 0; VirtualQuery(Ex) -> record or 0;
 * ReadProcessMemory -> { ok, bytesRead, data, value }; WriteProcessMemory -> { ok, bytesWritten }.
 */
import type { Machine } from '../machine';
import { ntSuccess, ERROR_INVALID_PARAMETER, ERROR_NOACCESS, STATUS_ACCESS_VIOLATION } from '../status';
import {
  MAP_PROCESS, MEM_RELEASE, MemoryBasicInformation, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY, PAGE_NOACCESS,
  PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY, PROCESS_QUERY_INFORMATION, PROCESSOR_ARCHITECTURE_AMD64,
  SIZEOF_MEMORY_BASIC_INFORMATION,
} from '../winconst';
import { apiState, GRAN, HIGHEST_USER_ADDRESS, LARGE_PAGE, PAGE, setLastError, setLastNtError, u64, type U64Arg } from './common';
import { NtAllocateVirtualMemory } from './allocate';
import { NtFreeVirtualMemory } from './free';
import {
  CURRENT_PROCESS_HANDLE, type HandleValue, NtClose, PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_SET_QUOTA, referenceProcess,
} from './handles';
import { adjustWorkingSetSize, NtLockVirtualMemory, NtUnlockVirtualMemory, STATUS_BAD_WORKING_SET_LIMIT } from './lock';
import { NtProtectVirtualMemory } from './protect';
import { type MemoryBasicInformationRecord, NtQueryVirtualMemory } from './query';
import { NtFlushInstructionCache, NtReadVirtualMemory, NtWriteVirtualMemory } from './readWrite';

const SELF: HandleValue = CURRENT_PROCESS_HANDLE;

/** Records a failing status on the calling thread and returns `value`. */
function failWith<T>(m: Machine, status: number, value: T): T {
  setLastNtError(m, status);
  return value;
}

// ---- VirtualAlloc / VirtualFree --------------------------------------------------------------

export function VirtualAllocEx(m: Machine, hProcess: HandleValue, lpAddress: U64Arg, dwSize: U64Arg, flAllocationType: U64Arg, flProtect: U64Arg): number {
  const addr = u64(lpAddress);
  // kernel32: an address below the allocation granularity never reaches the kernel
  if (addr !== 0n && addr < BigInt(GRAN)) {
    setLastError(m, ERROR_INVALID_PARAMETER);
    return 0;
  }
  const r = NtAllocateVirtualMemory(m, hProcess, addr, 0, dwSize, flAllocationType, flProtect);
  return ntSuccess(r.status) ? r.base : failWith(m, r.status, 0);
}

export function VirtualAlloc(m: Machine, lpAddress: U64Arg, dwSize: U64Arg, flAllocationType: U64Arg, flProtect: U64Arg): number {
  return VirtualAllocEx(m, SELF, lpAddress, dwSize, flAllocationType, flProtect);
}

export function VirtualFreeEx(m: Machine, hProcess: HandleValue, lpAddress: U64Arg, dwSize: U64Arg, dwFreeType: U64Arg): boolean {
  // kernel32: a release must name the whole allocation (size 0)
  if ((Number(u64(dwFreeType) & 0xffffffffn) & MEM_RELEASE) !== 0 && u64(dwSize) !== 0n) {
    setLastError(m, ERROR_INVALID_PARAMETER);
    return false;
  }
  const r = NtFreeVirtualMemory(m, hProcess, lpAddress, dwSize, dwFreeType);
  return ntSuccess(r.status) ? true : failWith(m, r.status, false);
}

export function VirtualFree(m: Machine, lpAddress: U64Arg, dwSize: U64Arg, dwFreeType: U64Arg): boolean {
  return VirtualFreeEx(m, SELF, lpAddress, dwSize, dwFreeType);
}

// ---- VirtualProtect / VirtualQuery -------------------------------------------------------------

export interface VirtualProtectOptions {
  /** lpflOldProtect == NULL: FALSE with ERROR_NOACCESS. */
  nullOldProtect?: boolean;
}

/** VirtualProtectEx: the old protection of the first page, or 0 on failure. */
export function VirtualProtectEx(m: Machine, hProcess: HandleValue, lpAddress: U64Arg, dwSize: U64Arg, flNewProtect: U64Arg, opts: VirtualProtectOptions = {}): number {
  const r = NtProtectVirtualMemory(m, hProcess, lpAddress, dwSize, flNewProtect, { nullOldProtect: opts.nullOldProtect });
  return ntSuccess(r.status) ? r.oldProtect : failWith(m, r.status, 0);
}

export function VirtualProtect(m: Machine, lpAddress: U64Arg, dwSize: U64Arg, flNewProtect: U64Arg, opts: VirtualProtectOptions = {}): number {
  return VirtualProtectEx(m, SELF, lpAddress, dwSize, flNewProtect, opts);
}

/** VirtualQueryEx: the MEMORY_BASIC_INFORMATION record, or 0 on failure. */
export function VirtualQueryEx(m: Machine, hProcess: HandleValue, lpAddress: U64Arg, dwLength: U64Arg = SIZEOF_MEMORY_BASIC_INFORMATION): MemoryBasicInformationRecord | 0 {
  const r = NtQueryVirtualMemory(m, hProcess, lpAddress, MemoryBasicInformation, dwLength);
  if (!ntSuccess(r.status)) return failWith(m, r.status, 0);
  return {
    BaseAddress: r.BaseAddress!,
    AllocationBase: r.AllocationBase!,
    AllocationProtect: r.AllocationProtect!,
    RegionSize: r.RegionSize!,
    State: r.State!,
    Protect: r.Protect!,
    Type: r.Type!,
  };
}

export function VirtualQuery(m: Machine, lpAddress: U64Arg, dwLength: U64Arg = SIZEOF_MEMORY_BASIC_INFORMATION): MemoryBasicInformationRecord | 0 {
  return VirtualQueryEx(m, SELF, lpAddress, dwLength);
}

// ---- VirtualLock / VirtualUnlock ------------------------------------------------------------------

export function VirtualLock(m: Machine, lpAddress: U64Arg, dwSize: U64Arg): boolean {
  const r = NtLockVirtualMemory(m, SELF, lpAddress, dwSize, MAP_PROCESS);
  return ntSuccess(r.status) ? true : failWith(m, r.status, false);
}

export function VirtualUnlock(m: Machine, lpAddress: U64Arg, dwSize: U64Arg): boolean {
  const r = NtUnlockVirtualMemory(m, SELF, lpAddress, dwSize, MAP_PROCESS);
  return ntSuccess(r.status) ? true : failWith(m, r.status, false);
}

// ---- ReadProcessMemory / WriteProcessMemory ------------------------------------------------------

export interface ReadProcessMemoryResult {
  ok: boolean;
  /** *lpNumberOfBytesRead (kernel32 always stores it). */
  bytesRead: number;
  data: Uint8Array;
  /** The bytes read as a little-endian unsigned integer. */
  value: bigint;
}

/** Little-endian unsigned value of some bytes. */
export function littleEndian(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

/** `size` little-endian bytes of a value (taken modulo 2^(8 * size)). */
export function bytesOf(value: U64Arg, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = BigInt(value);
  for (let i = 0; i < size; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function ReadProcessMemory(m: Machine, hProcess: HandleValue, lpBaseAddress: U64Arg, nSize: U64Arg): ReadProcessMemoryResult {
  const r = NtReadVirtualMemory(m, hProcess, lpBaseAddress, undefined, nSize);
  const res = { ok: ntSuccess(r.status), bytesRead: r.bytesRead, data: r.data, value: littleEndian(r.data) };
  if (!res.ok) setLastNtError(m, r.status);
  return res;
}

export interface WriteProcessMemoryResult {
  ok: boolean;
  /** *lpNumberOfBytesWritten, or undefined when kernel32 does not store it. */
  bytesWritten: number | undefined;
}

const WRITABLE_PROTECTIONS = PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY;

/**
 * WriteProcessMemory: makes the range PAGE_EXECUTE_READWRITE, looks at the first page's old
 * protection, and either restores it and writes (writable pages), restores it and fails with
 * ERROR_NOACCESS (no-access / read-only pages), or writes under the temporary protection and
 * restores it afterwards (execute / execute-read pages). `value` is the bytes, or an integer
 * written as `nSize` little-endian bytes.
 */
export function WriteProcessMemory(m: Machine, hProcess: HandleValue, lpBaseAddress: U64Arg, value: Uint8Array | U64Arg, nSize: U64Arg): WriteProcessMemoryResult {
  const size = Number(u64(nSize) > BigInt(HIGHEST_USER_ADDRESS) ? BigInt(HIGHEST_USER_ADDRESS) : u64(nSize));
  const data = value instanceof Uint8Array ? value : bytesOf(value, Math.min(size, 0x100000));
  const p = NtProtectVirtualMemory(m, hProcess, lpBaseAddress, nSize, PAGE_EXECUTE_READWRITE);
  if (!ntSuccess(p.status)) return { ok: failWith(m, p.status, false), bytesWritten: undefined };
  const old = p.oldProtect;
  const restore = (): void => {
    NtProtectVirtualMemory(m, hProcess, p.base, p.size, old);
  };
  if ((old & WRITABLE_PROTECTIONS) !== 0) {
    restore();
    const w = NtWriteVirtualMemory(m, hProcess, lpBaseAddress, data, nSize);
    if (!ntSuccess(w.status)) return { ok: failWith(m, w.status, false), bytesWritten: w.bytesWritten };
    NtFlushInstructionCache(m, hProcess, lpBaseAddress, nSize);
    return { ok: true, bytesWritten: w.bytesWritten };
  }
  if ((old & 0xff) === PAGE_NOACCESS || (old & 0xff) === PAGE_READONLY) {
    restore();
    setLastError(m, ERROR_NOACCESS, STATUS_ACCESS_VIOLATION);
    return { ok: false, bytesWritten: undefined };
  }
  const w = NtWriteVirtualMemory(m, hProcess, lpBaseAddress, data, nSize);
  restore();
  NtFlushInstructionCache(m, hProcess, lpBaseAddress, nSize);
  if (!ntSuccess(w.status)) {
    setLastError(m, ERROR_NOACCESS, w.status);
    return { ok: false, bytesWritten: w.bytesWritten };
  }
  return { ok: true, bytesWritten: w.bytesWritten };
}

export function FlushInstructionCache(m: Machine, hProcess: HandleValue, lpBaseAddress: U64Arg = 0, dwSize: U64Arg = 0): boolean {
  const status = NtFlushInstructionCache(m, hProcess, lpBaseAddress, dwSize);
  return ntSuccess(status) ? true : failWith(m, status, false);
}

// ---- working-set size ----------------------------------------------------------------------------

const SIZE_T_MINUS_ONE = (1n << 64n) - 1n;

/**
 * SetProcessWorkingSetSize: (-1, -1) empties the working set (through the working-set manager's
 * hook when installed); a zero limit is ERROR_INVALID_PARAMETER (kernel32); otherwise the limits
 * are adjusted as MmAdjustWorkingSetSize does (needs PROCESS_SET_QUOTA).
 */
export function SetProcessWorkingSetSize(m: Machine, hProcess: HandleValue, dwMinimumWorkingSetSize: U64Arg, dwMaximumWorkingSetSize: U64Arg): boolean {
  const min = u64(dwMinimumWorkingSetSize);
  const max = u64(dwMaximumWorkingSetSize);
  if (min === 0n || max === 0n) {
    setLastError(m, ERROR_INVALID_PARAMETER);
    return false;
  }
  const ref = referenceProcess(m, hProcess, PROCESS_SET_QUOTA);
  if (ref.object === undefined) return failWith(m, ref.status, false);
  const proc = ref.object;
  if (min === SIZE_T_MINUS_ONE && max === SIZE_T_MINUS_ONE) {
    apiState(m).emptyWorkingSet?.(proc);
    return true;
  }
  const clamp = (x: bigint): number => Number(x > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : x);
  const status = adjustWorkingSetSize(m, proc, clamp(min), clamp(max));
  if (status === STATUS_BAD_WORKING_SET_LIMIT) {
    // not in the core's status table: RtlNtStatusToDosError gives ERROR_INVALID_PARAMETER
    setLastError(m, ERROR_INVALID_PARAMETER, status);
    return false;
  }
  return ntSuccess(status) ? true : failWith(m, status, false);
}

/** GetProcessWorkingSetSize: { min, max } in bytes, or 0 on failure. */
export function GetProcessWorkingSetSize(m: Machine, hProcess: HandleValue): { min: number; max: number } | 0 {
  let ref = referenceProcess(m, hProcess, PROCESS_QUERY_INFORMATION);
  if (ref.object === undefined) ref = referenceProcess(m, hProcess, PROCESS_QUERY_LIMITED_INFORMATION);
  if (ref.object === undefined) return failWith(m, ref.status, 0);
  return { min: ref.object.wsl.minimum * PAGE, max: ref.object.wsl.maximum * PAGE };
}

// ---- system information, handles, last error ------------------------------------------------------

export interface SystemInfo {
  wProcessorArchitecture: number;
  dwPageSize: number;
  lpMinimumApplicationAddress: number;
  lpMaximumApplicationAddress: number;
  dwActiveProcessorMask: number;
  dwNumberOfProcessors: number;
  dwProcessorType: number;
  dwAllocationGranularity: number;
  wProcessorLevel: number;
  wProcessorRevision: number;
}

/** GetSystemInfo (the simulated machine has one processor). */
export function GetSystemInfo(): SystemInfo {
  return {
    wProcessorArchitecture: PROCESSOR_ARCHITECTURE_AMD64,
    dwPageSize: PAGE,
    lpMinimumApplicationAddress: GRAN,
    lpMaximumApplicationAddress: HIGHEST_USER_ADDRESS,
    dwActiveProcessorMask: 1,
    dwNumberOfProcessors: 1,
    dwProcessorType: 8664,
    dwAllocationGranularity: GRAN,
    wProcessorLevel: 6,
    wProcessorRevision: 0x0f0b,
  };
}

export function GetLargePageMinimum(): number {
  return LARGE_PAGE;
}

/** GetCurrentProcess(): the pseudo handle -1. */
export function GetCurrentProcess(): number {
  return -1;
}

export function CloseHandle(m: Machine, hObject: HandleValue): boolean {
  const status = NtClose(m, hObject);
  return ntSuccess(status) ? true : failWith(m, status, false);
}

export function GetLastError(m: Machine): number {
  return m.hasCurrent ? m.current.lastError : 0;
}

export function SetLastError(m: Machine, error: U64Arg): void {
  if (m.hasCurrent) m.current.lastError = Number(u64(error) & 0xffffffffn);
}

/** The NTSTATUS behind the last failing call (the TEB's LastStatusValue). */
export function LastStatus(m: Machine): number {
  return m.hasCurrent ? m.current.lastStatus : 0;
}
