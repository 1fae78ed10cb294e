/**
 * NtLockVirtualMemory / NtUnlockVirtualMemory (api-spec §6.14, §6.15) and the working-set limits
 * behind them (SetProcessWorkingSetSize's native half). Locking touches every page through the
 * MMU in the target's address space, so a reserved or no-access page fails with an access
 * violation and a guard page fails with STATUS_GUARD_PAGE_VIOLATION after losing its guard bit,
 * exactly as an instruction touching it would; only when every page was touched are they marked
 * locked. A process may lock at most its working-set minimum minus 8 pages.
 */
import { Access } from '../faultHandler';
import { Actor } from '../journal';
import type { Machine } from '../machine';
import type { Process } from '../process';
import { P, ptePfn } from '../pte';
import {
  STATUS_ACCESS_VIOLATION, STATUS_INCOMPATIBLE_FILE_MAP, STATUS_INVALID_PARAMETER, STATUS_NOT_LOCKED, STATUS_PRIVILEGE_NOT_HELD,
  STATUS_PROCESS_IS_TERMINATING, STATUS_SUCCESS, STATUS_WAS_LOCKED, STATUS_WORKING_SET_QUOTA,
} from '../status';
import { MAP_PROCESS, MAP_SYSTEM, PROCESS_VM_OPERATION } from '../winconst';
import { setWorkingSetLimits, STATUS_BAD_WORKING_SET_LIMIT } from '../workingSetManager';
import { trimWorkingSetEntry } from '../workingSetOps';
import {
  callerHasPrivilege, HIGHEST_USER_ADDRESS, isTerminating, PAGE, pageDown, SE_LOCK_MEMORY_PRIVILEGE, systemLocksOf, u32, u64,
  type U64Arg, vadExtra, vpnOf,
} from './common';
import { type HandleValue, referenceProcess } from './handles';

export interface NtLockResult {
  status: number;
  /** Out *BaseAddress (page aligned); the input on failure. */
  base: number;
  /** Out *RegionSize (whole pages); the input on failure. */
  size: number;
}

/** Pages of the working-set minimum a process may not lock (api-spec §6.14 step 4). */
export const LOCK_RESERVE_PAGES = 8;

interface LockArgs {
  proc: Process;
  first: number;
  last: number;
  mapType: number;
}

/** Checks shared by lock and unlock: MapType, range, handle, MAP_SYSTEM privilege. */
function lockArgs(
  m: Machine, processHandle: HandleValue, baseAddress: U64Arg, regionSize: U64Arg, mapTypeArg: U64Arg,
): { status: number; args?: LockArgs } {
  const base = u64(baseAddress);
  const size = u64(regionSize);
  const mapType = u32(mapTypeArg);
  if ((mapType & ~(MAP_PROCESS | MAP_SYSTEM)) !== 0 || (mapType & (MAP_PROCESS | MAP_SYSTEM)) === 0) return { status: STATUS_INVALID_PARAMETER };
  if (base > BigInt(HIGHEST_USER_ADDRESS) || BigInt(HIGHEST_USER_ADDRESS) - base < size || size === 0n) return { status: STATUS_INVALID_PARAMETER };
  const ref = referenceProcess(m, processHandle, PROCESS_VM_OPERATION);
  if (ref.object === undefined) return { status: ref.status };
  if ((mapType & MAP_SYSTEM) !== 0 && !callerHasPrivilege(m, SE_LOCK_MEMORY_PRIVILEGE)) return { status: STATUS_PRIVILEGE_NOT_HELD };
  const b = Number(base);
  const first = vpnOf(pageDown(b));
  const last = vpnOf(pageDown(b + Number(size) - 1));
  return { status: STATUS_SUCCESS, args: { proc: ref.object, first, last, mapType } };
}

/** NtLockVirtualMemory(ProcessHandle, *BaseAddress, *RegionSize, MapType). */
export function NtLockVirtualMemory(m: Machine, processHandle: HandleValue, baseAddress: U64Arg, regionSize: U64Arg, mapType: U64Arg): NtLockResult {
  return m.journal.as(Actor.Api, () => {
    const fail = (status: number): NtLockResult => ({ status, base: Number(u64(baseAddress)), size: Number(u64(regionSize)) });
    const { status, args } = lockArgs(m, processHandle, baseAddress, regionSize, mapType);
    if (args === undefined) return fail(status);
    const { proc, first, last } = args;
    const sys = systemLocksOf(m, proc);
    if (isTerminating(proc)) return fail(STATUS_PROCESS_IS_TERMINATING);
    if ((args.mapType & MAP_PROCESS) !== 0) {
      let newly = 0;
      for (let v = first; v <= last; v++) if (!proc.lockedVpns.has(v)) newly++;
      if (proc.lockedVpns.size + newly > proc.wsl.minimum - LOCK_RESERVE_PAGES) return fail(STATUS_WORKING_SET_QUOTA);
    }
    // every page needs an allocation that can be locked
    for (let v = first; v <= last;) {
      const vad = proc.vads.findContaining(v);
      if (vad === undefined) return fail(STATUS_ACCESS_VIOLATION);
      const extra = vadExtra(m, vad);
      if (extra.physical === true || extra.largePages === true) return fail(STATUS_INCOMPATIBLE_FILE_MAP);
      v = vad.endVpn + 1;
    }
    // touch every page as a read would (faults resolved, guard pages fire)
    const touchStatus = m.attached(proc, () => {
      for (let v = first; v <= last; v++) {
        if (m.mmu.translate(v * PAGE, Access.Read) < 0) return m.mmu.lastFault.status;
      }
      return STATUS_SUCCESS;
    });
    if (touchStatus !== STATUS_SUCCESS) return fail(touchStatus);
    let wasLocked = false;
    for (let v = first; v <= last; v++) {
      if ((args.mapType & MAP_PROCESS) !== 0) {
        if (proc.lockedVpns.has(v)) wasLocked = true;
        proc.lockedVpns.add(v);
      }
      if ((args.mapType & MAP_SYSTEM) !== 0) {
        if (sys.has(v)) wasLocked = true;
        sys.add(v);
      }
    }
    return { status: wasLocked ? STATUS_WAS_LOCKED : STATUS_SUCCESS, base: first * PAGE, size: (last - first + 1) * PAGE };
  });
}

/**
 * NtUnlockVirtualMemory(ProcessHandle, *BaseAddress, *RegionSize, MapType). When a page of the
 * range is not locked the call fails with STATUS_NOT_LOCKED, unlocks nothing, and the resident
 * pages that were not locked leave the working set (the documented side effect Windows has).
 */
export function NtUnlockVirtualMemory(m: Machine, processHandle: HandleValue, baseAddress: U64Arg, regionSize: U64Arg, mapType: U64Arg): NtLockResult {
  return m.journal.as(Actor.Api, () => {
    const fail = (status: number): NtLockResult => ({ status, base: Number(u64(baseAddress)), size: Number(u64(regionSize)) });
    const { status, args } = lockArgs(m, processHandle, baseAddress, regionSize, mapType);
    if (args === undefined) return fail(status);
    const { proc, first, last } = args;
    if (isTerminating(proc)) return fail(STATUS_PROCESS_IS_TERMINATING);
    const sys = systemLocksOf(m, proc);
    const isLocked = (v: number): boolean =>
      ((args.mapType & MAP_PROCESS) === 0 || proc.lockedVpns.has(v)) && ((args.mapType & MAP_SYSTEM) === 0 || sys.has(v));
    const notLocked: number[] = [];
    for (let v = first; v <= last; v++) if (!isLocked(v)) notLocked.push(v);
    if (notLocked.length > 0) {
      for (const v of notLocked) {
        if (proc.lockedVpns.has(v) || sys.has(v)) continue;
        const table = m.paging.tableOf(proc, v, 1);
        if (table < 0) continue;
        const lo = m.paging.readLo(table, v % 512);
        if ((lo & P) === 0) continue;
        trimWorkingSetEntry(m, proc, m.pfn.u1[ptePfn(lo, m.paging.readHi(table, v % 512))], Actor.Api);
      }
      return fail(STATUS_NOT_LOCKED);
    }
    for (let v = first; v <= last; v++) {
      if ((args.mapType & MAP_PROCESS) !== 0) proc.lockedVpns.delete(v);
      if ((args.mapType & MAP_SYSTEM) !== 0) sys.delete(v);
    }
    return { status: STATUS_SUCCESS, base: first * PAGE, size: (last - first + 1) * PAGE };
  });
}

// ---- working-set limits ------------------------------------------------------------------------

/** STATUS_BAD_WORKING_SET_LIMIT (0xC000004C); RtlNtStatusToDosError gives ERROR_INVALID_PARAMETER. */
export { STATUS_BAD_WORKING_SET_LIMIT };
/** MmMinimumWorkingSetSize: a minimum below this is raised to it (pages). */
export const MINIMUM_WORKING_SET_PAGES = 20;

/**
 * MmAdjustWorkingSetSize for explicit limits in bytes (kernel32 already rejected zeros and
 * handled (-1, -1)): a minimum above the maximum is STATUS_BAD_WORKING_SET_LIMIT; a minimum
 * below 20 pages is raised to 20; a maximum above the machine's usable pages is lowered to it; a
 * minimum that leaves no room for the pages already locked is refused. The working-set manager
 * then stores the limits and trims a working set above its new maximum.
 */
export function adjustWorkingSetSize(m: Machine, proc: Process, minimumBytes: number, maximumBytes: number): number {
  let min = Math.floor(minimumBytes / PAGE);
  let max = Math.floor(maximumBytes / PAGE);
  const ceiling = Math.max(MINIMUM_WORKING_SET_PAGES, m.pfn.count - m.bootPages - 512);
  if (min > max) return STATUS_BAD_WORKING_SET_LIMIT;
  if (min < MINIMUM_WORKING_SET_PAGES) min = MINIMUM_WORKING_SET_PAGES;
  if (max > ceiling) max = ceiling;
  if (min > ceiling) return STATUS_BAD_WORKING_SET_LIMIT;
  if (max < min) max = min;
  if (proc.lockedVpns.size > min - LOCK_RESERVE_PAGES) return STATUS_BAD_WORKING_SET_LIMIT;
  return setWorkingSetLimits(m, proc, min, max);
}
