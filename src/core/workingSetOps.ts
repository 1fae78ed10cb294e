/**
 * Taking pages out of a working set (book-B §10.8, §11): the WSLE is freed, the PTE becomes a
 * transition PTE that still names the page, the share count drops to zero and the page goes to
 * the Modified list when it is dirty or to the Standby list of its priority when its paging-file
 * copy is current. Locked pages stay. Used by protection changes to NOACCESS/GUARD now and by the
 * working-set manager's trimming.
 */
import { Actor } from './journal';
import type { Machine } from './machine';
import { E1_MODIFIED, PageLocation } from './pfnDatabase';
import type { Process } from './process';
import { DIRTY, P, PCD, PWT, RW, TRANSITION, US, ptePfn } from './pte';
import { isSelfMapSlot } from './pagingStructures';

/** Transition PTE for a page leaving the working set (book-B §8.3). */
export function transitionPteLo(validLo: number, protection: number, pfnLoBits: number): number {
  return ((validLo & (RW | US | PWT | PCD)) | ((protection & 0x1f) << 5) | TRANSITION | pfnLoBits) >>> 0;
}

/**
 * Removes the page mapped by WSLE `wsIndex` from `proc`'s working set. Returns false (and does
 * nothing) when the entry does not map a page this function can trim.
 */
export function trimWorkingSetEntry(m: Machine, proc: Process, wsIndex: number, actor: Actor = Actor.Trim): boolean {
  const wsl = proc.wsl;
  if (!wsl.isValid(wsIndex) || wsIndex < wsl.firstDynamic) return false;
  const slot = wsl.slotAt(wsIndex);
  if (isSelfMapSlot(slot)) return false; // paging structures leave with their own rules (book-C §8.3)
  if (proc.lockedVpns.has(slot)) return false;
  const table = m.paging.tableOf(proc, slot, 1);
  if (table < 0) return false;
  const index = slot & 511;
  const lo = m.paging.readLo(table, index);
  const hi = m.paging.readHi(table, index);
  if ((lo & P) === 0) return false;
  const pfn = ptePfn(lo, hi);
  const db = m.pfn;
  const prev = m.journal.actor;
  m.journal.actor = actor;
  try {
    if ((lo & DIRTY) !== 0) db.setFlag(pfn, E1_MODIFIED, true);
    wsl.release(wsIndex);
    const protection = (db.originalPteLo[pfn] >>> 5) & 0x1f;
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
    // still locked by someone: it takes its list's state but is not linked (book-B §10.9)
    db.setLocation(pfn, dirty ? PageLocation.Modified : PageLocation.Standby);
    return;
  }
  const system = db.pteSlot[pfn] >= 0x800000000; // PTE maps a system-range address
  if (dirty) db.insertTail(pfn, system ? db.listIdModifiedSystem : db.listIdModifiedProcess);
  else db.insertTail(pfn, db.listIdStandby(db.priority(pfn)));
}
