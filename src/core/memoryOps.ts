/**
 * Memory-manager operations on ranges of PTEs that the virtual-memory services are built from:
 * writing demand-zero PTEs when part of a reservation is committed, decommitting and releasing
 * pages (freeing their frames, their working-set entries and, when empty, their page tables),
 * changing the protection of committed pages, and tearing a process down.
 */
import { Actor } from './journal';
import type { Machine } from './machine';
import { entryIndex, entrySlot } from './pagingStructures';
import { PageLocation } from './pfnDatabase';
import type { Process } from './process';
import { MASK_HI, MASK_LO } from './faultHandler';
import { isGuard, MM_NOACCESS } from './protection';
import {
  ACCESSED, DIRTY, P, RW, SW_WRITE, TRANSITION, US, classify, demandZeroLo, protectionOf, ptePfn, softwareWsIndex,
} from './pte';
import { trimWorkingSetEntry } from './workingSetOps';
import { makeTablesResident, peekPte, releaseNonResidentTables } from './residency';

/**
 * Reads the PTE of a user slot: [lo, hi], or undefined when its page table does not exist. A
 * page table that was paged out is read where it is (its page on a list, or its paging-file copy),
 * without bringing it back.
 */
export function readPte(m: Machine, proc: Process, slot: number): [number, number] | undefined {
  const table = m.paging.tableOf(proc, slot, 1);
  if (table < 0) return peekPte(m, proc, slot);
  return [m.paging.readLo(table, slot & 511), m.paging.readHi(table, slot & 511)];
}

/** Writes demand-zero PTEs (`protection << 5`) over [startSlot, endSlot] (book-A §10.5 R3/R4). */
export function writeDemandZeroPtes(m: Machine, proc: Process, startSlot: number, endSlot: number, protection: number): void {
  for (let s = startSlot; s <= endSlot; s++) {
    const table = m.ensurePageTable(proc, s);
    const lo = m.paging.readLo(table, s & 511);
    const hi = m.paging.readHi(table, s & 511);
    const kind = classify(lo, hi);
    if (kind === 'zero' || kind === 'decommitted' || kind === 'demandZero') {
      m.paging.writeEntry(proc, table, s & 511, s, demandZeroLo(protection), 0);
    } else setPageProtection(m, proc, s, protection);
  }
}

/**
 * Frees whatever backs the PTE of `slot` and writes `newLo` into it: 0x200 for a decommit,
 * 0 for a release. A paged-out page table is brought back first. A valid page leaves the working
 * set (its WSLE is invalidated and pushed on the free list first, book-A O-37) and goes to the
 * Free list; a transition page is unlinked from its list and freed; a page in the paging file
 * gives its paging-file page back. A page under paging I/O is freed when the I/O completes
 * (the discard flag, book-C §7.3).
 */
export function freePte(m: Machine, proc: Process, slot: number, newLo: number): void {
  const table = makeTablesResident(m, proc, slot);
  if (table < 0) return;
  const index = slot & 511;
  const lo = m.paging.readLo(table, index);
  const hi = m.paging.readHi(table, index);
  proc.lockedVpns.delete(slot);
  const db = m.pfn;
  if (lo & P) {
    const pfn = ptePfn(lo, hi);
    const ws = db.u1[pfn];
    if (proc.wsl.isValid(ws) && proc.wsl.slotAt(ws) === slot) proc.wsl.release(ws);
    m.paging.writeEntry(proc, table, index, slot, newLo, 0);
    db.setU2(pfn, 0);
    if (m.pager.inIo(pfn)) {
      // the paging-file write still holds it: it leaves the working set now, memory later
      db.setReferenceCount(pfn, db.referenceCount[pfn] - 1);
      db.setLocation(pfn, db.isModified(pfn) ? PageLocation.Modified : PageLocation.Standby);
    }
    m.pager.freeOrDiscard(pfn);
    return;
  }
  if ((lo & TRANSITION) !== 0 && classify(lo, hi) === 'transition') {
    const pfn = ptePfn(lo, hi);
    m.paging.writeEntry(proc, table, index, slot, newLo, 0);
    m.pager.freeOrDiscard(pfn);
    return;
  }
  if (classify(lo, hi) === 'pagefile') m.pager.releaseSlotOfPte(lo, hi);
  m.paging.writeEntry(proc, table, index, slot, newLo, 0);
}

/**
 * After a release: deletes page tables (and then directories) that no longer hold a used entry,
 * returning their pages and working-set entries, as MiDeleteVirtualAddresses does.
 */
export function deleteEmptyTables(m: Machine, proc: Process, slot: number): void {
  for (let level = 2; level <= 4; level++) {
    const child = m.paging.tableOf(proc, slot, level - 1);
    if (child < 0 || m.pfn.usedPageTableEntries[child] !== 0) return;
    const table = m.paging.tableOf(proc, slot, level);
    const i = entryIndex(slot, level);
    const eSlot = entrySlot(slot, level);
    const ws = m.pfn.u1[child];
    if (proc.wsl.isValid(ws) && proc.wsl.slotAt(ws) === eSlot) proc.wsl.release(ws);
    m.paging.writeEntry(proc, table, i, eSlot, 0, 0);
    m.pfn.setU2(child, 0);
    m.pager.releasePageFileCopy(child);
    m.allocator.freePage(child);
    if (level === 2) m.notePageTableDeleted(proc, slot);
  }
}

/** Sets the protection of one committed page, whatever state its PTE is in. */
export function setPageProtection(m: Machine, proc: Process, slot: number, protection: number): void {
  const table = m.ensurePageTable(proc, slot);
  const index = slot & 511;
  const lo = m.paging.readLo(table, index);
  const hi = m.paging.readHi(table, index);
  const db = m.pfn;
  switch (classify(lo, hi)) {
    case 'zero':
    case 'demandZero':
      m.paging.writeEntry(proc, table, index, slot, demandZeroLo(protection), 0);
      return;
    case 'valid': {
      const pfn = ptePfn(lo, hi);
      db.setOriginalPte(pfn, ((db.originalPteLo[pfn] & ~0x3e0) | ((protection & 0x1f) << 5)) >>> 0, db.originalPteHi[pfn]);
      if ((protection & 7) === 0 || protection === MM_NOACCESS || isGuard(protection)) {
        // an inaccessible page cannot stay valid: it leaves the working set in transition
        const ws = db.u1[pfn];
        proc.lockedVpns.delete(slot);
        if (!trimWorkingSetEntry(m, proc, ws, Actor.Api)) throw new Error('internal: cannot take the page out of the working set');
        return;
      }
      let nlo = (MASK_LO[protection] | (lo & 0xfffff000) | P | US | (lo & ACCESSED)) >>> 0;
      const nhi = (MASK_HI[protection] | (hi & 0x7ff0ffff)) >>> 0;
      if ((nlo & SW_WRITE) !== 0 && (lo & DIRTY) !== 0) nlo |= RW | DIRTY;
      else if ((lo & DIRTY) !== 0) nlo |= DIRTY;
      m.paging.writeEntry(proc, table, index, slot, nlo >>> 0, ((nhi & ~0x7ff00000) | (softwareWsIndex(hi) << 20)) >>> 0);
      return;
    }
    default: {
      // transition or paging-file: the protection field is bits 5-9 in both formats
      m.paging.writeEntry(proc, table, index, slot, ((lo & ~0x3e0) | ((protection & 0x1f) << 5)) >>> 0, hi);
      if (classify(lo, hi) === 'transition') {
        const pfn = ptePfn(lo, hi);
        db.setOriginalPte(pfn, ((db.originalPteLo[pfn] & ~0x3e0) | ((protection & 0x1f) << 5)) >>> 0, db.originalPteHi[pfn]);
      }
    }
  }
}

/** Protection of a committed page as its PTE (or, when the PTE is zero, its VAD) says. */
export function pageProtection(m: Machine, proc: Process, slot: number, vadProtection: number): number {
  const pte = readPte(m, proc, slot);
  if (pte === undefined) return vadProtection;
  const [lo, hi] = pte;
  if (lo === 0 && hi === 0) return vadProtection;
  if (lo & P) return (m.pfn.originalPteLo[ptePfn(lo, hi)] >>> 5) & 0x1f;
  return protectionOf(lo);
}

/** Whether a page of a VAD is committed: its PTE holds something other than the decommit marker. */
export function isPageCommitted(m: Machine, proc: Process, slot: number, memCommit: boolean): boolean {
  const pte = readPte(m, proc, slot);
  if (pte === undefined) return memCommit;
  const [lo, hi] = pte;
  if (lo === 0 && hi === 0) return memCommit;
  return classify(lo, hi) !== 'decommitted';
}

/** Tears down a process: every VAD released, every table and hyperspace page freed. */
export function destroyAddressSpace(m: Machine, proc: Process): void {
  // paged-out tables first: their paging-file pages and physical pages are released as they are
  releaseNonResidentTables(m, proc);
  for (const vad of [...proc.vads.inOrder()]) {
    for (let s = vad.startVpn; s <= vad.endVpn; s++) freePte(m, proc, s, 0);
    for (let s = vad.startVpn; s <= vad.endVpn; s += 512) deleteEmptyTables(m, proc, s);
    deleteEmptyTables(m, proc, vad.endVpn);
    proc.vads.remove(vad);
  }
  // free every remaining page that belongs to this address space (hyperspace and the PML4)
  const db = m.pfn;
  const pages: number[] = [];
  for (let pfn = 0; pfn < db.count; pfn++) {
    if (db.location(pfn) === PageLocation.Active && pfn !== 0 && !isSystemTable(m, pfn) && m.ownerOf(pfn) === proc) pages.push(pfn);
  }
  for (const pfn of pages) {
    db.setU2(pfn, 0);
    m.pager.freeOrDiscard(pfn);
  }
}

function isSystemTable(m: Machine, pfn: number): boolean {
  for (const p of m.systemTables.values()) if (p === pfn) return true;
  return false;
}
