/**
 * NtFreeVirtualMemory (api-spec §6.2): decommit (pages back to reserved, PTE 0x200 whether or not
 * the VAD was committed as a whole) or release (PTEs 0, the VAD removed, trimmed or split in two;
 * the part above a split is a new allocation whose AllocationBase is its own first page).
 * Commitment of committed pages, and page-table charges of spans no allocation occupies any
 * more, are returned. Every check happens before anything changes.
 */
import { Actor } from '../journal';
import type { Machine } from '../machine';
import { deleteEmptyTables, freePte } from '../memoryOps';
import type { Process } from '../process';
import { DECOMMITTED_LO, classify } from '../pte';
import {
  STATUS_FREE_VM_NOT_AT_BASE, STATUS_INVALID_PARAMETER_2, STATUS_INVALID_PARAMETER_3, STATUS_INVALID_PARAMETER_4,
  STATUS_MEMORY_NOT_ALLOCATED, STATUS_PROCESS_IS_TERMINATING, STATUS_SUCCESS, STATUS_UNABLE_TO_DELETE_SECTION,
  STATUS_UNABLE_TO_FREE_VM,
} from '../status';
import { makeVad, type Vad } from '../vad';
import { MEM_DECOMMIT, MEM_RELEASE, PROCESS_VM_OPERATION } from '../winconst';
import {
  apiState, HIGHEST_USER_ADDRESS, isTerminating, lastByte, PAGE, pageDown, systemLocksOf, u32, u64, type U64Arg, vadExtra, vpnOf,
} from './common';
import { pageTablePagesOwnedBy, returnTogether } from './commitCharge';
import { type HandleValue, referenceProcess } from './handles';
import { countCommitted, insertVad, removeVad, scanPtes, setVadCommit, shrinkVad } from './vadOps';

export interface NtFreeResult {
  status: number;
  /** Out *BaseAddress (page aligned); the input on failure. */
  base: number;
  /** Out *RegionSize; the input on failure. */
  size: number;
}

/** NtFreeVirtualMemory(ProcessHandle, *BaseAddress, *RegionSize, FreeType). */
export function NtFreeVirtualMemory(m: Machine, processHandle: HandleValue, baseAddress: U64Arg, regionSize: U64Arg, freeType: U64Arg): NtFreeResult {
  return m.journal.as(Actor.Api, () => free(m, processHandle, baseAddress, regionSize, freeType));
}

function free(m: Machine, processHandle: HandleValue, baseAddress: U64Arg, regionSize: U64Arg, freeType: U64Arg): NtFreeResult {
  const base = u64(baseAddress);
  const size = u64(regionSize);
  const type = u32(freeType);
  const fail = (status: number): NtFreeResult => ({ status, base: Number(base), size: Number(size) });

  if ((type & ~(MEM_DECOMMIT | MEM_RELEASE)) !== 0) return fail(STATUS_INVALID_PARAMETER_4);
  if (type !== MEM_DECOMMIT && type !== MEM_RELEASE) return fail(STATUS_INVALID_PARAMETER_4);
  if (base > BigInt(HIGHEST_USER_ADDRESS)) return fail(STATUS_INVALID_PARAMETER_2);
  if (BigInt(HIGHEST_USER_ADDRESS) - base < size) return fail(STATUS_INVALID_PARAMETER_3);
  const b = Number(base);
  const s = Number(size);
  const start = pageDown(b);
  const ref = referenceProcess(m, processHandle, PROCESS_VM_OPERATION);
  if (ref.object === undefined) return fail(ref.status);
  const proc = ref.object;
  if (isTerminating(proc)) return fail(STATUS_PROCESS_IS_TERMINATING);

  const vad = proc.vads.findContaining(vpnOf(start));
  if (vad === undefined) return fail(STATUS_MEMORY_NOT_ALLOCATED);
  let first = vpnOf(start);
  let last: number;
  if (s !== 0) {
    last = vpnOf(lastByte(b, s));
    if (last > vad.endVpn) return fail(STATUS_UNABLE_TO_FREE_VM);
  } else last = vad.endVpn;
  if (vad.kind !== 'private') return fail(STATUS_UNABLE_TO_DELETE_SECTION);
  const extra = vadExtra(m, vad);

  if (type === MEM_RELEASE) {
    if (s === 0) {
      if (first !== vad.startVpn) return fail(STATUS_FREE_VM_NOT_AT_BASE);
    } else if ((extra.physical === true || extra.writeWatch === true || extra.largePages === true) && (first !== vad.startVpn || last !== vad.endVpn)) {
      return fail(STATUS_FREE_VM_NOT_AT_BASE);
    }
    releaseRange(m, proc, vad, first, last);
  } else {
    if (extra.physical === true || extra.largePages === true) return fail(STATUS_MEMORY_NOT_ALLOCATED);
    if (s === 0) {
      if (first !== vad.startVpn) return fail(STATUS_FREE_VM_NOT_AT_BASE);
      first = vad.startVpn;
    }
    decommitRange(m, proc, vad, first, last);
  }
  return { status: STATUS_SUCCESS, base: first * PAGE, size: (last - first + 1) * PAGE };
}

/**
 * Releases [first, last] of a private VAD (a sub-range, or all of it): the VAD is removed,
 * trimmed or split; every page's backing is freed and its PTE zeroed (book-A O-21, O-37), empty
 * page tables are deleted, and the commitment is returned.
 */
export function releaseRange(m: Machine, proc: Process, vad: Vad, first: number, last: number): void {
  // all counts before any change
  const released = countCommitted(m, proc, vad, first, last);
  const tablePages = pageTablePagesOwnedBy(proc.vads, first, last);
  const upperCharge = last < vad.endVpn ? countCommitted(m, proc, vad, last + 1, vad.endVpn) : 0;
  const total = vad.commitCharge;

  // the VAD first (as MiRemoveVad / the split do), then the pages
  if (first === vad.startVpn && last === vad.endVpn) {
    removeVad(m, proc, vad);
  } else if (first === vad.startVpn) {
    shrinkVad(m, proc, vad, last + 1, vad.endVpn);
    setVadCommit(m, proc, vad, total - released);
  } else if (last === vad.endVpn) {
    shrinkVad(m, proc, vad, vad.startVpn, first - 1);
    setVadCommit(m, proc, vad, total - released);
  } else {
    const oldEnd = vad.endVpn;
    shrinkVad(m, proc, vad, vad.startVpn, first - 1);
    setVadCommit(m, proc, vad, total - released - upperCharge);
    const upper = makeVad({
      startVpn: last + 1,
      endVpn: oldEnd,
      protection: vad.protection,
      allocationProtect: vad.allocationProtect,
      commitCharge: upperCharge,
      memCommit: vad.memCommit,
      privateMemory: vad.privateMemory,
      kind: vad.kind,
      preferredNode: vad.preferredNode,
      allocationBase: last + 1,
    });
    insertVad(m, proc, upper);
    const extra = apiState(m).vadExtra.get(vad);
    if (extra !== undefined) apiState(m).vadExtra.set(upper, { ...extra });
  }

  const sys = systemLocksOf(m, proc);
  m.pager.holdTables(() => {
    const tables: number[] = [];
    scanPtes(m, proc, first, last, {
      absent() {},
      pte(vpn, lo, hi) {
        if (vpn === first || vpn % 512 === 0) tables.push(vpn);
        sys.delete(vpn);
        if (lo !== 0 || hi !== 0) freePte(m, proc, vpn, 0);
      },
    }, 'resident');
    for (const vpn of tables) deleteEmptyTables(m, proc, vpn);
  });
  returnTogether(m, proc, tablePages, released);
}

/**
 * Decommits [first, last] of a private VAD: committed pages lose their backing and get the
 * decommit marker 0x200 (also the zero PTEs of a MemCommit VAD, which the VAD alone would still
 * call committed); pages never committed are left alone. Returns the pages decommitted.
 */
export function decommitRange(m: Machine, proc: Process, vad: Vad, first: number, last: number): number {
  let returned = 0;
  const sys = systemLocksOf(m, proc);
  const writeMarker = (vpn: number): void => {
    const table = m.ensurePageTable(proc, vpn);
    m.paging.writeEntry(proc, table, vpn % 512, vpn, DECOMMITTED_LO, 0);
  };
  scanPtes(m, proc, first, last, {
    absent(a, b) {
      if (!vad.memCommit) return;
      for (let v = a; v <= b; v++) writeMarker(v);
      returned += b - a + 1;
    },
    pte(vpn, lo, hi) {
      sys.delete(vpn);
      if (lo === 0 && hi === 0) {
        if (!vad.memCommit) return;
        writeMarker(vpn);
        proc.lockedVpns.delete(vpn);
        returned++;
        return;
      }
      if (classify(lo, hi) === 'decommitted') return;
      freePte(m, proc, vpn, DECOMMITTED_LO);
      returned++;
    },
  }, 'resident');
  if (returned !== 0) {
    setVadCommit(m, proc, vad, vad.commitCharge - returned);
    returnTogether(m, proc, 0, returned);
  }
  return returned;
}

/**
 * Process teardown of private memory: every private allocation is released as
 * NtFreeVirtualMemory(MEM_RELEASE) would, so commitment and page-table charges go back to the
 * system. Views are left to the section layer (unmap them first or afterwards).
 */
export function releaseAllPrivateMemory(m: Machine, proc: Process): void {
  m.journal.as(Actor.Api, () => {
    for (const vad of [...proc.vads.inOrder()]) {
      if (vad.kind === 'private') releaseRange(m, proc, vad, vad.startVpn, vad.endVpn);
    }
  });
}
