/**
 * The modified page writer (book-B §12, book-C §4): takes the page at the head of a Modified
 * list, finds its address space through the PteFrame chain, and gathers a cluster of pages whose
 * PTEs are contiguous in that page table — Modified pages, and dirty Active pages lying between
 * them — to write them with one request to contiguous pages of one paging file.
 *
 * Per page, in VA order (MiBuildPageFileCluster / MiReferencePageForCluster /
 * MiUpdatePfnBackingStore): an Active page's PTE is made clean first (R/W and Dirty cleared, so a
 * write during the I/O faults); a Modified page is unlinked from its list (its PageLocation stays
 * 3); ReferenceCount + 1; OriginalPte gets PageFileLow/PageFileHigh; Modified = 0,
 * WriteInProgress = 1. The page's contents are copied to the paging file when the request is
 * issued. The request completes on the simulated clock (IopCompletePageWrite → MiWriteComplete →
 * MiWriteCompletePfn): WriteInProgress = 0; a page written to meanwhile (Modified set again)
 * loses the copy just written; ReferenceCount − 1, and at 0 the page joins the tail of the
 * Standby list of its priority (or the Modified list when it was re-dirtied). A page released
 * during the write goes to the Free list.
 */
import { Actor } from './journal';
import type { Machine } from './machine';
import { isSelfMapSlot } from './pagingStructures';
import type { PagingFile } from './pagingFile';
import { E1_MODIFIED, E1_WRITE_IN_PROGRESS, PageLocation, U4_DISCARD, U4_PROTOTYPE_PTE } from './pfnDatabase';
import { DIRTY, P, PROTOTYPE, RW, SW_WRITE, TRANSITION, ptePfn } from './pte';

const NO_LIST = 0xffff;

/**
 * One pass of the modified page writer: writes clusters until the Modified lists are empty or
 * the paging files are full (or `maxRequests` requests were issued). Returns the pages written.
 */
export function runModifiedPageWriter(m: Machine, maxRequests = Infinity): number {
  const db = m.pfn;
  const pager = m.pager;
  pager.stats.mpwRuns++;
  let pages = 0;
  let requests = 0;
  m.journal.as(Actor.ModifiedPageWriter, () => {
    for (const listId of [db.listIdModifiedProcess, db.listIdModifiedSystem]) {
      while (db.listTotal(listId) > 0 && requests < maxRequests) {
        const n = writeCluster(m, db.listHead(listId), listId);
        if (n === 0) return;
        pages += n;
        requests++;
      }
    }
  });
  return pages;
}

/** 0 = stop, 1 = a Modified page to write, 2 = a dirty Active page that may ride along. */
function candidate(m: Machine, table: number, k: number, slot: number, listId: number, tables: boolean): number {
  const db = m.pfn;
  const lo = m.paging.readLo(table, k);
  const hi = m.paging.readHi(table, k);
  if ((lo & P) === 0) {
    if ((lo & TRANSITION) === 0 || (lo & PROTOTYPE) !== 0) return 0;
    const pfn = ptePfn(lo, hi);
    if (db.listIdOf(pfn) !== listId || db.referenceCount[pfn] !== 0 || db.pteSlot[pfn] !== slot) return 0;
    return 1;
  }
  if (tables) return 0; // active paging structures are never written
  const pfn = ptePfn(lo, hi);
  if (db.location(pfn) !== PageLocation.Active || db.referenceCount[pfn] !== 1 || db.pteSlot[pfn] !== slot) return 0;
  if ((db.e1[pfn] & E1_WRITE_IN_PROGRESS) !== 0 || (db.u4Flags[pfn] & U4_PROTOTYPE_PTE) !== 0) return 0;
  if ((lo & SW_WRITE) === 0 || ((lo & DIRTY) === 0 && !db.isModified(pfn))) return 0;
  return 2;
}

/** Builds and issues the write of the cluster around `seed`; returns its pages (0 = no room). */
function writeCluster(m: Machine, seed: number, listId: number): number {
  const db = m.pfn;
  const pager = m.pager;
  const owner = m.ownerOf(seed);
  const table = db.pteFrame[seed];
  const seedSlot = db.pteSlot[seed];
  const F = seedSlot % 512;
  const base = seedSlot - F;
  const tables = isSelfMapSlot(seedSlot);
  const max = Math.max(1, pager.config.writeClusterPages);
  let last = F;
  if (owner !== undefined) {
    for (let k = F + 1; k <= Math.min(511, F + max - 1); k++) {
      const t = candidate(m, table, k, base + k, listId, tables);
      if (t === 0) break;
      if (t === 1) last = k; // the run ends with a Modified page
    }
  }
  let first = F;
  if (owner !== undefined) {
    for (let k = F - 1; k >= Math.max(0, F - (max - 1 - (last - F))); k--) {
      const t = candidate(m, table, k, base + k, listId, tables);
      if (t === 0) break;
      if (t === 1) first = k;
    }
  }
  let run = pager.allocateRun(last - first + 1);
  if (run === undefined && last > first) {
    first = last = F;
    run = pager.allocateRun(1);
  }
  if (run === undefined) return 0;
  const [file, offset] = run;
  const pages: number[] = [];
  for (let k = first; k <= last; k++) {
    const lo = m.paging.readLo(table, k);
    const hi = m.paging.readHi(table, k);
    const pfn = ptePfn(lo, hi);
    if ((lo & P) !== 0) {
      // an Active page in the run: made clean before the write (book-B §12.7)
      m.paging.writeEntry(owner!, table, k, base + k, (lo & ~(RW | DIRTY)) >>> 0, hi);
    } else if (db.listIdOf(pfn) !== NO_LIST) db.unlink(pfn); // MiUnlinkPageFromLockedList
    db.setReferenceCount(pfn, db.referenceCount[pfn] + 1);
    // MiUpdatePfnBackingStore
    const olo = db.originalPteLo[pfn];
    db.setOriginalPte(pfn, ((olo & ~0x1e) | (file.number << 1)) >>> 0, offset + (k - first));
    db.setE1(pfn, (db.e1[pfn] & ~E1_MODIFIED) | E1_WRITE_IN_PROGRESS);
    file.store.writeFrom(offset + (k - first), m.phys, pfn);
    pages.push(pfn);
  }
  m.counters.pageWrites++;
  m.counters.pagesWritten += pages.length;
  pager.writesInFlight++;
  pager.pagesBeingWritten += pages.length;
  const at = pager.queueIo(file, pages.length, true);
  pager.scheduleIo(at, () => completeWrite(m, pages, file));
  return pages.length;
}

/** IopCompletePageWrite → MiWriteComplete → MiWriteCompletePfn for every page of a request. */
function completeWrite(m: Machine, pages: number[], file: PagingFile): void {
  const db = m.pfn;
  const pager = m.pager;
  m.journal.as(Actor.ModifiedPageWriter, () => {
    for (const pfn of pages) {
      db.setFlag(pfn, E1_WRITE_IN_PROGRESS, false);
      if (db.discardPending(pfn)) {
        // released while it was being written: nobody needs it any more
        db.setU4Flag(pfn, U4_DISCARD, false);
        pager.releasePageFileCopy(pfn);
        db.setU2(pfn, 0);
        m.allocator.freePage(pfn);
        continue;
      }
      // written to during the I/O: the copy is stale (MiWriteCompletePfn with 2)
      if (db.isModified(pfn)) pager.releasePageFileCopy(pfn);
      const rc = db.referenceCount[pfn] - 1;
      db.setReferenceCount(pfn, rc);
      if (rc === 0) {
        // MiPfnReferenceCountIsZero
        const system = db.pteSlot[pfn] >= 0x800000000;
        if (db.isModified(pfn)) db.insertTail(pfn, system ? db.listIdModifiedSystem : db.listIdModifiedProcess);
        else db.insertTail(pfn, db.listIdStandby(db.priority(pfn)));
      }
    }
    pager.writesInFlight--;
    pager.pagesBeingWritten -= pages.length;
  });
  void file;
}
