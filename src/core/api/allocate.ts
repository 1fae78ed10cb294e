/**
 * NtAllocateVirtualMemory (api-spec §6.1): argument validation in Windows' order, then either
 * the reserve path (NULL base or MEM_RESERVE: a new private VAD, optionally committed as a whole
 * with MemCommit = 1 and its PTEs left zero) or the commit / reset path (an existing allocation:
 * reserved pages get demand-zero PTEs `protection << 5`, already-committed pages keep their data
 * and charge but take the new protection). All commitment is charged before any state changes.
 */
import { allocateTopAddress, findFreeRange, translateZeroBits } from '../addressSelection';
import { Actor } from '../journal';
import type { Machine } from '../machine';
import { setPageProtection } from '../memoryOps';
import { E1_MODIFIED, E1_READ_IN_PROGRESS, E1_WRITE_IN_PROGRESS } from '../pfnDatabase';
import type { Process } from '../process';
import { isValidWin32Protection, isWriteCopy, win32ToMmProtection } from '../protection';
import { classify, demandZeroLo, protectionOf, ptePfn } from '../pte';
import {
  STATUS_COMMITMENT_LIMIT, STATUS_CONFLICTING_ADDRESSES, STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_PAGE_PROTECTION,
  STATUS_INVALID_PARAMETER_2, STATUS_INVALID_PARAMETER_3, STATUS_INVALID_PARAMETER_4, STATUS_INVALID_PARAMETER_5,
  STATUS_INVALID_PARAMETER_6, STATUS_NO_MEMORY, STATUS_NOT_SUPPORTED, STATUS_PRIVILEGE_NOT_HELD,
  STATUS_PROCESS_IS_TERMINATING, STATUS_SUCCESS,
} from '../status';
import { makeVad, type Vad } from '../vad';
import {
  MEM_COMMIT, MEM_LARGE_PAGES, MEM_PHYSICAL, MEM_RESERVE, MEM_RESET, MEM_TOP_DOWN, MEM_WRITE_WATCH, PAGE_READWRITE,
  PROCESS_VM_OPERATION,
} from '../winconst';
import {
  apiState, callerHasPrivilege, GRAN, granDown, HIGHEST_VAD_ADDRESS, isTerminating, LARGE_PAGE, lastByte, pageDown,
  pageUp, SE_LOCK_MEMORY_PRIVILEGE, u32, u64, type U64Arg, VAD_LIMIT, vadExtra, vpnOf,
} from './common';
import { chargeTogether, pageTablePagesOwnedBy } from './commitCharge';
import { type HandleValue, referenceProcess } from './handles';
import { absentPageCode, insertVad, NOT_COMMITTED, privatePageCode, scanPtes, setVadCommit } from './vadOps';
import { viewProvider } from './views';

export interface NtAllocateResult {
  status: number;
  /** Out *BaseAddress: the start of the range (page or 64 KB aligned); the input on failure. */
  base: number;
  /** Out *RegionSize: bytes of the range; the input on failure. */
  size: number;
}

const ACCEPTED_TYPES = MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_TOP_DOWN | MEM_WRITE_WATCH | MEM_PHYSICAL | MEM_LARGE_PAGES;

/**
 * NtAllocateVirtualMemory(ProcessHandle, *BaseAddress, ZeroBits, *RegionSize, AllocationType,
 * Protect). 64-bit arguments are taken modulo 2^64, ULONG ones modulo 2^32.
 */
export function NtAllocateVirtualMemory(
  m: Machine, processHandle: HandleValue, baseAddress: U64Arg, zeroBits: U64Arg, regionSize: U64Arg,
  allocationType: U64Arg, protect: U64Arg,
): NtAllocateResult {
  return m.journal.as(Actor.Api, () => allocate(m, processHandle, baseAddress, zeroBits, regionSize, allocationType, protect));
}

function allocate(
  m: Machine, processHandle: HandleValue, baseAddress: U64Arg, zeroBits: U64Arg, regionSize: U64Arg,
  allocationType: U64Arg, protect: U64Arg,
): NtAllocateResult {
  const base = u64(baseAddress);
  const size = u64(regionSize);
  const type = u32(allocationType);
  const prot = u32(protect);
  const fail = (status: number): NtAllocateResult => ({ status, base: Number(base), size: Number(size) });

  // 1. ZeroBits
  const zb = translateZeroBits(u64(zeroBits));
  if (!zb.ok) return fail(STATUS_INVALID_PARAMETER_3);
  // 2-5. AllocationType
  if ((type & ~ACCEPTED_TYPES) !== 0) return fail(STATUS_INVALID_PARAMETER_5);
  if ((type & (MEM_COMMIT | MEM_RESERVE | MEM_RESET)) === 0) return fail(STATUS_INVALID_PARAMETER_5);
  if ((type & MEM_RESET) !== 0 && type !== MEM_RESET) return fail(STATUS_INVALID_PARAMETER_5);
  if ((type & MEM_LARGE_PAGES) !== 0 && ((type & MEM_COMMIT) === 0 || (type & (MEM_PHYSICAL | MEM_RESET | MEM_WRITE_WATCH)) !== 0)) {
    return fail(STATUS_INVALID_PARAMETER_5);
  }
  if ((type & MEM_WRITE_WATCH) !== 0 && ((type & MEM_PHYSICAL) !== 0 || (type & MEM_RESERVE) === 0)) return fail(STATUS_INVALID_PARAMETER_5);
  if ((type & MEM_PHYSICAL) !== 0) {
    if ((type & MEM_RESERVE) === 0 || (type & ~(MEM_RESERVE | MEM_PHYSICAL | MEM_TOP_DOWN)) !== 0) return fail(STATUS_INVALID_PARAMETER_5);
    if (prot !== PAGE_READWRITE) return fail(STATUS_INVALID_PARAMETER_6);
  }
  // 6. Protect (checked even for MEM_RESET)
  if (!isValidWin32Protection(prot)) return fail(STATUS_INVALID_PAGE_PROTECTION);
  // 8-10. base and size
  if (base > BigInt(HIGHEST_VAD_ADDRESS)) return fail(STATUS_INVALID_PARAMETER_2);
  if (BigInt(VAD_LIMIT) - base < size) return fail(STATUS_INVALID_PARAMETER_4);
  if (size === 0n) return fail(STATUS_INVALID_PARAMETER_4);
  // 11. the process
  const ref = referenceProcess(m, processHandle, PROCESS_VM_OPERATION);
  if (ref.object === undefined) return fail(ref.status);
  const proc = ref.object;
  // 12. large pages need SeLockMemoryPrivilege
  if ((type & MEM_LARGE_PAGES) !== 0 && !callerHasPrivilege(m, SE_LOCK_MEMORY_PRIVILEGE)) return fail(STATUS_PRIVILEGE_NOT_HELD);

  const b = Number(base);
  const s = Number(size);
  if (b === 0 || (type & MEM_RESERVE) !== 0) return reservePath(m, proc, b, s, zb.zeroBits, type, prot, fail);
  return commitPath(m, proc, b, s, type, prot, fail);
}

function reservePath(
  m: Machine, proc: Process, base: number, size: number, zeroBits: number, type: number, prot: number,
  fail: (status: number) => NtAllocateResult,
): NtAllocateResult {
  if (isWriteCopy(prot)) return fail(STATUS_INVALID_PAGE_PROTECTION);
  const large = (type & MEM_LARGE_PAGES) !== 0;
  let start: number;
  let end: number;
  if (base === 0) {
    const top = allocateTopAddress(zeroBits);
    if (!top.ok) return fail(STATUS_INVALID_PARAMETER_3);
    if (large && size % LARGE_PAGE !== 0) return fail(STATUS_INVALID_PARAMETER_4);
    const rounded = large ? size : pageUp(size);
    if (isTerminating(proc)) return fail(STATUS_PROCESS_IS_TERMINATING);
    const found = findFreeRange(proc.vads, rounded, {
      topDown: (type & MEM_TOP_DOWN) !== 0,
      topAddress: top.topAddress,
      alignment: large ? LARGE_PAGE : GRAN,
      bitmap: proc.umab,
    });
    if (found === undefined || found + rounded - 1 > top.topAddress) return fail(STATUS_NO_MEMORY);
    start = found;
    end = found + rounded - 1;
  } else {
    if (large) {
      if (size % LARGE_PAGE !== 0) return fail(STATUS_INVALID_PARAMETER_4);
      start = base - (base % LARGE_PAGE);
      end = start + size - 1;
    } else {
      start = granDown(base);
      end = lastByte(base, size);
    }
    if (isTerminating(proc)) return fail(STATUS_PROCESS_IS_TERMINATING);
    if (end > HIGHEST_VAD_ADDRESS || proc.vads.findOverlapping(vpnOf(start), vpnOf(end)) !== undefined) {
      return fail(STATUS_CONFLICTING_ADDRESSES);
    }
  }
  // Large pages are not modelled: answer as Windows does when no contiguous 2 MB run is free.
  if (large) return fail(STATUS_INSUFFICIENT_RESOURCES);

  const startVpn = vpnOf(start);
  const endVpn = vpnOf(end);
  const commit = (type & MEM_COMMIT) !== 0;
  const dataPages = commit ? endVpn - startVpn + 1 : 0;
  const tablePages = pageTablePagesOwnedBy(proc.vads, startVpn, endVpn);
  if (!chargeTogether(m, proc, tablePages, dataPages)) return fail(STATUS_COMMITMENT_LIMIT);

  const vad = makeVad({
    startVpn,
    endVpn,
    protection: win32ToMmProtection(prot),
    allocationProtect: prot,
    commitCharge: dataPages,
    memCommit: commit,
    kind: 'private',
    allocationBase: startVpn,
  });
  insertVad(m, proc, vad);
  if ((type & (MEM_PHYSICAL | MEM_WRITE_WATCH)) !== 0) {
    apiState(m).vadExtra.set(vad, { physical: (type & MEM_PHYSICAL) !== 0, writeWatch: (type & MEM_WRITE_WATCH) !== 0 });
  }
  return { status: STATUS_SUCCESS, base: start, size: end - start + 1 };
}

function commitPath(
  m: Machine, proc: Process, base: number, size: number, type: number, prot: number,
  fail: (status: number) => NtAllocateResult,
): NtAllocateResult {
  const reset = (type & MEM_RESET) !== 0;
  let start: number;
  let end: number;
  if (reset) {
    start = pageUp(base);
    end = pageDown(base + size) - 1;
    if (start > end) return fail(STATUS_CONFLICTING_ADDRESSES);
  } else {
    start = pageDown(base);
    end = lastByte(base, size);
  }
  if (isTerminating(proc)) return fail(STATUS_PROCESS_IS_TERMINATING);
  const startVpn = vpnOf(start);
  const endVpn = vpnOf(end);
  // the range must lie inside one allocation (committing into free space fails)
  const vad = proc.vads.findContaining(startVpn);
  if (vad === undefined || vad.endVpn < endVpn) return fail(STATUS_CONFLICTING_ADDRESSES);
  const extra = vadExtra(m, vad);
  if (extra.physical === true || extra.largePages === true) return fail(STATUS_CONFLICTING_ADDRESSES);
  if ((type & MEM_LARGE_PAGES) !== 0) return fail(STATUS_INSUFFICIENT_RESOURCES);
  const ok: NtAllocateResult = { status: STATUS_SUCCESS, base: start, size: end - start + 1 };

  if (reset) {
    if (vad.kind === 'private') resetPrivatePages(m, proc, startVpn, endVpn);
    return ok;
  }
  if (vad.kind !== 'private') {
    const provider = viewProvider(m);
    if (provider === undefined) return fail(STATUS_NOT_SUPPORTED);
    const status = provider.commit(m, proc, vad, startVpn, endVpn, prot);
    return status === STATUS_SUCCESS ? ok : fail(status);
  }
  if (isWriteCopy(prot)) return fail(STATUS_INVALID_PAGE_PROTECTION);
  const code = win32ToMmProtection(prot);
  const newPages = countUncommitted(m, proc, vad, startVpn, endVpn);
  if (!chargeTogether(m, proc, 0, newPages)) return fail(STATUS_COMMITMENT_LIMIT);
  commitPrivateRange(m, proc, vad, startVpn, endVpn, code);
  setVadCommit(m, proc, vad, vad.commitCharge + newPages);
  return ok;
}

function countUncommitted(m: Machine, proc: Process, vad: Vad, first: number, last: number): number {
  let n = 0;
  scanPtes(m, proc, first, last, {
    absent(a, b) {
      if (!vad.memCommit) n += b - a + 1;
    },
    pte(_vpn, lo, hi) {
      if (privatePageCode(m, vad, lo, hi) === NOT_COMMITTED) n++;
    },
  });
  return n;
}

function writeDemandZero(m: Machine, proc: Process, vpn: number, code: number): void {
  const table = m.ensurePageTable(proc, vpn);
  m.paging.writeEntry(proc, table, vpn % 512, vpn, demandZeroLo(code), 0);
}

/**
 * Commits [first, last] of a private VAD with protection `code`: reserved or decommitted pages
 * get demand-zero PTEs (book-A §10.5 R3/R4), committed pages whose protection differs are
 * re-protected, committed pages that already match are left alone (a MemCommit VAD's zero PTEs
 * stay zero).
 */
export function commitPrivateRange(m: Machine, proc: Process, vad: Vad, first: number, last: number, code: number): void {
  scanPtes(m, proc, first, last, {
    absent(a, b) {
      const cur = absentPageCode(vad);
      if (cur === code) return;
      for (let v = a; v <= b; v++) writeDemandZero(m, proc, v, code);
    },
    pte(vpn, lo, hi) {
      const cur = privatePageCode(m, vad, lo, hi);
      if (cur === NOT_COMMITTED) writeDemandZero(m, proc, vpn, code);
      else if (cur !== code) setPageProtection(m, proc, vpn, code);
    },
  }, 'resident');
}

/**
 * MEM_RESET on private pages: contents become discardable, state and protection stay. A page
 * in the paging file loses its copy and reads as zeros later; a modified page out of the working
 * set moves to the Standby list without being written, so it keeps its data until repurposed.
 * Resident pages are left as they are (cleaning them would need the dirty-bit fault path).
 */
function resetPrivatePages(m: Machine, proc: Process, first: number, last: number): void {
  const db = m.pfn;
  scanPtes(m, proc, first, last, {
    absent() {},
    pte(vpn, lo, hi) {
      const kind = classify(lo, hi);
      if (kind === 'pagefile') {
        m.releasePageFileSlot?.(lo, hi);
        m.paging.writeSlot(proc, vpn, demandZeroLo(protectionOf(lo)), 0);
      } else if (kind === 'transition') {
        const pfn = ptePfn(lo, hi);
        const busy = (db.e1[pfn] & (E1_WRITE_IN_PROGRESS | E1_READ_IN_PROGRESS)) !== 0;
        if (!busy && db.listIdOf(pfn) === db.listIdModifiedProcess) {
          db.unlink(pfn);
          db.setFlag(pfn, E1_MODIFIED, false);
          db.insertTail(pfn, db.listIdStandby(db.priority(pfn)));
        }
      }
    },
  }, 'resident');
}
