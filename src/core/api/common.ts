/**
 * Shared plumbing of the API layer: reading 64-bit and 32-bit arguments the way the Windows ABI
 * does (modulo 2^64 / 2^32), address rounding done with exact arithmetic (never JavaScript's
 * 32-bit bitwise operators), the per-machine state the services keep beside the core
 * (privileges, system-lock sets, AWE/write-watch flags of allocations, extension hooks), the "last
 * error" bookkeeping of the Win32 wrappers.
 */
import type { Machine } from '../machine';
import type { Process } from '../process';
import type { Vad } from '../vad';
import { ntStatusToWin32Error, STATUS_INVALID_PARAMETER } from '../status';
import {
  ALLOCATION_GRANULARITY, LARGE_PAGE_SIZE, MM_HIGHEST_USER_ADDRESS, MM_HIGHEST_VAD_ADDRESS, MM_USER_PROBE_ADDRESS, PAGE_SIZE,
} from '../winconst';
import type { ViewProvider } from './views';

/** A pointer-sized or SIZE_T argument: taken modulo 2^64, as the x64 ABI would. */
export type U64Arg = number | bigint;

export const PAGE = PAGE_SIZE;
export const GRAN = ALLOCATION_GRANULARITY;
export const LARGE_PAGE = LARGE_PAGE_SIZE;
/** MM_HIGHEST_USER_ADDRESS (0x7FFFFFEFFFF): last byte of user space a caller may name. */
export const HIGHEST_USER_ADDRESS = MM_HIGHEST_USER_ADDRESS;
/** MM_HIGHEST_VAD_ADDRESS (0x7FFFFFDFFFF): no allocation may end above this byte. */
export const HIGHEST_VAD_ADDRESS = MM_HIGHEST_VAD_ADDRESS;
/** First byte above the highest possible allocation (0x7FFFFFE0000). */
export const VAD_LIMIT = MM_HIGHEST_VAD_ADDRESS + 1;
/** MM_USER_PROBE_ADDRESS (0x7FFFFFF0000): start of the 64 KB no-access band. */
export const USER_PROBE_ADDRESS = MM_USER_PROBE_ADDRESS;

const U64_MASK = (1n << 64n) - 1n;

/** Reads an argument as an unsigned 64-bit value (negative or huge values wrap). */
export function u64(x: U64Arg): bigint {
  if (typeof x === 'number') {
    if (!Number.isInteger(x)) throw new RangeError(`argument ${x} is not an integer`);
    return BigInt(x) & U64_MASK;
  }
  return x & U64_MASK;
}

/** Reads an argument as an unsigned 32-bit value (a ULONG / DWORD parameter). */
export function u32(x: U64Arg): number {
  return Number(u64(x) & 0xffffffffn);
}

export const pageDown = (x: number): number => x - (x % PAGE);
export const pageUp = (x: number): number => pageDown(x + PAGE - 1);
export const granDown = (x: number): number => x - (x % GRAN);
/** Last byte of the last page touched by [base, base + size) (size >= 1). */
export const lastByte = (base: number, size: number): number => pageDown(base + size - 1) + PAGE - 1;
export const vpnOf = (va: number): number => Math.floor(va / PAGE);
export const vaOfVpn = (vpn: number): number => vpn * PAGE;

/** Extra attributes of an allocation that the core VAD does not carry. */
export interface VadExtra {
  /** MEM_PHYSICAL (AWE) reservation. */
  physical?: boolean;
  /** MEM_WRITE_WATCH reservation. */
  writeWatch?: boolean;
  /** MEM_LARGE_PAGES allocation. */
  largePages?: boolean;
}

export const SE_LOCK_MEMORY_PRIVILEGE = 'SeLockMemoryPrivilege';

/** What the services keep per machine beside the core structures. */
export class ApiState {
  /** Privileges held by each process's token (none by default, like a standard user). */
  readonly privileges = new WeakMap<Process, Set<string>>();
  /** Pages locked with MAP_SYSTEM, by process (MAP_PROCESS locks live in Process.lockedVpns). */
  readonly systemLocks = new WeakMap<Process, Set<number>>();
  readonly vadExtra = new WeakMap<Vad, VadExtra>();
  /** Installed by the section layer: how mapped and image views behave in these services. */
  viewProvider: ViewProvider | undefined = undefined;
  /** Installed by the working-set manager: SetProcessWorkingSetSize(h, -1, -1). */
  emptyWorkingSet: ((proc: Process) => void) | undefined = undefined;
}

const states = new WeakMap<Machine, ApiState>();

/** The API state of a machine, created on first use. */
export function apiState(m: Machine): ApiState {
  let s = states.get(m);
  if (s === undefined) {
    s = new ApiState();
    states.set(m, s);
  }
  return s;
}

export function vadExtra(m: Machine, vad: Vad): VadExtra {
  return apiState(m).vadExtra.get(vad) ?? {};
}

/** Gives a process's token a privilege (e.g. SeLockMemoryPrivilege). */
export function grantPrivilege(m: Machine, proc: Process, privilege: string): void {
  const st = apiState(m);
  let set = st.privileges.get(proc);
  if (set === undefined) {
    set = new Set();
    st.privileges.set(proc, set);
  }
  set.add(privilege);
}

export function revokePrivilege(m: Machine, proc: Process, privilege: string): void {
  apiState(m).privileges.get(proc)?.delete(privilege);
}

/** Whether the calling thread's process holds a privilege. */
export function callerHasPrivilege(m: Machine, privilege: string): boolean {
  if (!m.hasCurrent) return false;
  return apiState(m).privileges.get(m.current)?.has(privilege) ?? false;
}

export function systemLocksOf(m: Machine, proc: Process): Set<number> {
  const st = apiState(m);
  let set = st.systemLocks.get(proc);
  if (set === undefined) {
    set = new Set();
    st.systemLocks.set(proc, set);
  }
  return set;
}

/** True when the target address space is being (or has been) deleted. */
export function isTerminating(proc: Process): boolean {
  return proc.terminating || proc.terminated;
}

/**
 * BaseSetLastNTError: the failing wrapper stores the Win32 error and the status on the calling
 * thread (the current process's single thread).
 */
export function setLastNtError(m: Machine, status: number): void {
  if (!m.hasCurrent) return;
  const p = m.current;
  p.lastStatus = status >>> 0;
  p.lastError = ntStatusToWin32Error(status);
}

/**
 * SetLastError(error) from a kernel32 pre-check that never reached the kernel. The simulator also
 * records STATUS_INVALID_PARAMETER as the status behind it (Windows leaves LastStatusValue alone).
 */
export function setLastError(m: Machine, error: number, status = STATUS_INVALID_PARAMETER): void {
  if (!m.hasCurrent) return;
  const p = m.current;
  p.lastError = error >>> 0;
  p.lastStatus = status >>> 0;
}
