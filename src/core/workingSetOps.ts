/**
 * Taking pages out of a working set (book-B §10.8, §11): the WSLE is freed, the PTE becomes a
 * transition PTE that still names the page, the share count drops to zero and the page goes to
 * the Modified list when it is dirty or to the Standby list of its priority when its paging-file
 * copy is current. Locked pages stay. Used by protection changes to NOACCESS/GUARD and by the
 * working-set manager's trimming (workingSetManager.ts).
 *
 * Paging structures (book-C §8.3) leave the same way, from their own working-set entries, but
 * only when their ShareCount is 1 — every entry unused or naming the paging file, so no page on a
 * list still points back into them — and only when the caller allows it. Hyperspace pages (the
 * working-set list, the address-space bitmaps) never leave.
 *
 * The all-zero page quirk (book-B §7.13) is applied when the caller asks for it: a dirty page
 * whose contents are all zero and that has no paging-file copy is freed and its PTE reset to
 * demand-zero (protection << 5), instead of going to the Modified list.
 */
import { apiState } from './api/common';
import { Actor } from './journal';
import type { Machine } from './machine';
import { E1_MODIFIED, E1_READ_IN_PROGRESS, E1_WRITE_IN_PROGRESS, PageLocation } from './pfnDatabase';
import type { Process } from './process';
import { DIRTY, P, PCD, PWT, RW, TRANSITION, US, demandZeroLo, ptePfn } from './pte';
import { SELFMAP_INDEX, USER_LIMIT } from './addresses';

/** Transition PTE for a page leaving the working set (book-B §8.3). */
export function transitionPteLo(validLo: number, protection: number, pfnLoBits: number): number {
  return ((validLo & (RW | US | PWT | PCD)) | ((protection & 0x1f) << 5) | TRANSITION | pfnLoBits) >>> 0;
}

const USER_SLOTS = USER_LIMIT / 4096; // 2^31
const PT_BASE = SELFMAP_INDEX * 2 ** 27;
const PD_BASE = PT_BASE + SELFMAP_INDEX * 2 ** 18;
const PDPT_BASE = PD_BASE + SELFMAP_INDEX * 2 ** 9;

/**
 * For a working-set slot (the VPN of the page): 1 for a user page, 2 for a page table of the user
 * range, 3 for a page directory, 4 for a PDPT — the level of the entry that maps it — and 0 for
 * anything else (hyperspace, the PML4).
 */
export function userPageLevel(slot: number): number {
  if (slot < USER_SLOTS) return 1;
  if (slot >= PT_BASE && slot < PT_BASE + USER_SLOTS / 512) return 2;
  if (slot >= PD_BASE && slot < PD_BASE + USER_SLOTS / 512 ** 2) return 3;
  if (slot >= PDPT_BASE && slot < PDPT_BASE + USER_SLOTS / 512 ** 3) return 4;
  return 0;
}

export interface TrimEntryOptions {
  /** Paging structures whose ShareCount is 1 may leave too. */
  tables?: boolean;
  /** Apply the all-zero page quirk to this page. */
  discardZero?: boolean;
  /** Only clean pages may leave (dirty ones could not be written anywhere). */
  cleanOnly?: boolean;
}

/** Whether a page is locked in the working set (VirtualLock) or in memory (MAP_SYSTEM). */
export function isLockedPage(m: Machine, proc: Process, slot: number): boolean {
  return proc.lockedVpns.has(slot) || apiState(m).systemLocks.get(proc)?.has(slot) === true;
}

/**
 * Removes the page mapped by WSLE `wsIndex` from `proc`'s working set. Returns false (and does
 * nothing) when the entry does not map a page that may leave.
 */
export function trimWorkingSetEntry(m: Machine, proc: Process, wsIndex: number, actor: Actor = Actor.Trim, opts?: TrimEntryOptions): boolean {
  const wsl = proc.wsl;
  if (!wsl.isValid(wsIndex) || wsIndex < wsl.firstDynamic) return false;
  const slot = wsl.slotAt(wsIndex);
  const level = userPageLevel(slot);
  if (level === 0) return false;
  if (level > 1 && (opts?.tables !== true || !m.pager.tablesTrimmable)) return false;
  if (level === 1 && proc.lockedVpns.has(slot)) return false;
  const table = m.paging.tableOf(proc, slot, 1);
  if (table < 0) return false;
  const index = slot & 511;
  const lo = m.paging.readLo(table, index);
  const hi = m.paging.readHi(table, index);
  if ((lo & P) === 0) return false;
  const pfn = ptePfn(lo, hi);
  const db = m.pfn;
  // a paging structure leaves only when nothing below it is linked and no fault is using it
  if (level > 1 && (db.u2[pfn] !== 1 || db.referenceCount[pfn] !== 1 || m.isOnFaultWalk(pfn))) return false;
  const dirty = (lo & DIRTY) !== 0 || db.isModified(pfn);
  if (dirty && opts?.cleanOnly === true) return false;
  const prev = m.journal.actor;
  m.journal.actor = actor;
  try {
    const protection = (db.originalPteLo[pfn] >>> 5) & 0x1f;
    if (
      opts?.discardZero === true && level === 1 && dirty && db.originalPteHi[pfn] === 0 && db.referenceCount[pfn] === 1 &&
      (db.e1[pfn] & (E1_WRITE_IN_PROGRESS | E1_READ_IN_PROGRESS)) === 0 && m.phys.isZeroPage(pfn)
    ) {
      // book-B §7.13: an all-zero page is not worth writing; the PTE goes back to demand-zero
      wsl.release(wsIndex);
      m.paging.writeEntry(proc, table, index, slot, demandZeroLo(protection), 0);
      db.setU2(pfn, 0);
      m.allocator.freePage(pfn);
      m.pager.stats.zeroDiscards++;
      return true;
    }
    if (dirty) db.setFlag(pfn, E1_MODIFIED, true);
    if (level > 1) m.pager.stats.tablesTrimmed++;
    wsl.release(wsIndex);
    m.paging.writeEntry(proc, table, index, slot, transitionPteLo(lo, protection, lo & 0xfffff000), hi);
    releaseShare(m, pfn);
  } finally {
    m.journal.actor = prev;
  }
  return true;
}

/** ShareCount −1; at zero, ReferenceCount −1; at zero the page joins Modified or Standby. */
export function releaseShare(m: Machine, pfn: number): void {
  const db = m.pfn;
  const share = db.u2[pfn] - 1;
  db.setU2(pfn, share);
  if (share > 0) return;
  const ref = db.referenceCount[pfn] - 1;
  db.setReferenceCount(pfn, ref);
  const dirty = db.isModified(pfn);
  if (ref > 0) {
    // still referenced (locked, or under a paging-file write): it takes its list's state but is
    // not linked (book-B §10.9); the last reference links it
    db.setLocation(pfn, dirty ? PageLocation.Modified : PageLocation.Standby);
    return;
  }
  const system = db.pteSlot[pfn] >= 0x800000000; // PTE maps a system-range address
  if (dirty) db.insertTail(pfn, system ? db.listIdModifiedSystem : db.listIdModifiedProcess);
  else db.insertTail(pfn, db.listIdStandby(db.priority(pfn)));
}
