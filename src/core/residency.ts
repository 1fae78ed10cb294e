/**
 * Paging structures that may be out of memory (book-C §8), for the code paths that are not page
 * faults:
 *  - `makeTablesResident`: what an API call does before it edits PTEs (Windows'
 *    MiMakePdeExistAndMakeValid): every paged-out level above the PTE is brought back, top down,
 *    from its transition list (soft) or from the paging file (a read: the caller waits on the
 *    simulated clock). Restored tables are dirty (they are about to be edited).
 *  - `peekPte`: reads a PTE without changing anything, following transition entries to the page
 *    still in RAM and paging-file entries to the copy in the paging file.
 *  - `releaseNonResidentTables`: process teardown of the paged-out subtrees: every paging-file
 *    page they reference (their own and their entries') is freed, and so are their physical pages.
 */
import type { Machine } from './machine';
import { entryIndex, entrySlot } from './pagingStructures';
import { E1_CACHE_SHIFT, E1_MODIFIED, E1_PRIORITY_SHIFT, E1_READ_IN_PROGRESS, E1_WRITE_IN_PROGRESS, LIST_END, PageLocation } from './pfnDatabase';
import { validEntry } from './faultHandler';
import { finishInPage, recountUsedEntries } from './pagingFaults';
import type { Process } from './process';
import { P, PROTOTYPE, TRANSITION, classify, pfnHi, pfnLo, ptePfn, withWsIndex } from './pte';
import { WSLE_DIRECT } from './workingSet';
import { waitForPages } from './workingSetManager';

const NO_LIST = 0xffff;

/**
 * Makes every paging structure above the PTE of `slot` resident. Returns the page table's PFN,
 * or -1 when a level does not exist at all (its entry is zero: nothing was ever mapped there).
 */
export function makeTablesResident(m: Machine, proc: Process, slot: number): number {
  const t = m.paging.tableOf(proc, slot, 1);
  if (t >= 0) return t;
  return m.pager.holdTables(() => {
    for (let iter = 0; iter < 64; iter++) {
      let table = proc.pml4Pfn;
      let level = 4;
      for (; level >= 2; level--) {
        const i = entryIndex(slot, level);
        const lo = m.paging.readLo(table, i);
        const hi = m.paging.readHi(table, i);
        if ((lo & P) !== 0) {
          table = ptePfn(lo, hi);
          continue;
        }
        const kind = classify(lo, hi);
        if (kind === 'transition') restoreFromTransition(m, proc, table, i, entrySlot(slot, level));
        else if (kind === 'pagefile') restoreFromFile(m, proc, table, i, entrySlot(slot, level));
        else if (kind === 'zero') return -1;
        else throw new Error(`internal: a ${kind} entry above slot 0x${slot.toString(16)}`);
        break; // walk again from the top: the restore may have waited
      }
      if (level < 2) return table;
    }
    throw new Error('internal: cannot make the page tables resident');
  });
}

/** Brings back a paging structure from a transition list (a soft restore). */
function restoreFromTransition(m: Machine, proc: Process, table: number, i: number, eSlot: number): void {
  const db = m.pfn;
  m.ensureWsleAvailable(proc);
  const lo = m.paging.readLo(table, i);
  const hi = m.paging.readHi(table, i);
  if (classify(lo, hi) !== 'transition') return; // changed while the WSL grew: walk again
  const pfn = ptePfn(lo, hi);
  if ((db.e1[pfn] & E1_READ_IN_PROGRESS) !== 0) {
    // a fault is reading this table in: wait for it, then walk again
    const block = m.pager.blockOf(pfn);
    if (block !== undefined) {
      block.colliders++;
      m.pager.waitForRead(block);
      if (!block.finished) finishInPage(m, block, false);
      block.colliders--;
      m.pager.forgetBlock(block);
    }
    return;
  }
  if (db.listIdOf(pfn) !== NO_LIST) db.unlink(pfn);
  if ((db.e1[pfn] & E1_WRITE_IN_PROGRESS) === 0) m.pager.releasePageFileCopy(pfn);
  db.setFlag(pfn, E1_MODIFIED, true);
  db.setU2(pfn, 1);
  db.setReferenceCount(pfn, db.referenceCount[pfn] + 1);
  db.setLocation(pfn, PageLocation.Active);
  mapTable(m, proc, table, i, eSlot, pfn);
  m.counters.transitionFaults++;
}

/** Reads a paging structure back from the paging file (the caller waits for the disk). */
function restoreFromFile(m: Machine, proc: Process, table: number, i: number, eSlot: number): void {
  const db = m.pfn;
  m.ensureWsleAvailable(proc);
  const lo = m.paging.readLo(table, i);
  const hi = m.paging.readHi(table, i);
  if (classify(lo, hi) !== 'pagefile') return;
  proc.nextPageColor = (proc.nextPageColor + 1) & 0xffff;
  const pfn = m.allocator.allocateForRead(proc.nextPageColor & db.colorMask);
  if (pfn === LIST_END) {
    if (!waitForPages(m, 1)) throw new OutOfPagesError();
    return;
  }
  const file = (lo >>> 1) & 0xf;
  const block = m.pager.newInPageBlock(proc.index, file, hi, [pfn], [true], 0, table, eSlot);
  db.setOriginalPte(pfn, lo, hi);
  db.setPteFrame(pfn, table);
  db.setPteSlot(pfn, eSlot);
  db.setUsedPageTableEntries(pfn, 0);
  db.setU1(pfn, block.id);
  db.setU2(pfn, 0);
  db.setReferenceCount(pfn, 1);
  db.setE1(pfn, PageLocation.Standby | E1_READ_IN_PROGRESS | (1 << E1_CACHE_SHIFT) | ((proc.pagePriority & 7) << E1_PRIORITY_SHIFT));
  const tlo = ((lo & 0x3e0) | TRANSITION | pfnLo(pfn)) >>> 0;
  const thi = pfnHi(pfn);
  m.paging.writeEntry(proc, table, i, eSlot, tlo, thi);
  m.pager.issueRead(block);
  m.counters.pageReads++;
  m.counters.pagesRead++;
  m.pager.waitForRead(block);
  const intact = block.finished ? false : finishInPage(m, block, true, tlo, thi);
  m.pager.forgetBlock(block);
  if (!intact) return;
  recountUsedEntries(m, pfn);
  m.pager.releasePageFileCopy(pfn);
  db.setFlag(pfn, E1_MODIFIED, true);
  db.setU2(pfn, 1);
  db.setLocation(pfn, PageLocation.Active);
  mapTable(m, proc, table, i, eSlot, pfn);
}

/** Gives a restored table its working-set entry and makes its entry valid. */
function mapTable(m: Machine, proc: Process, table: number, i: number, eSlot: number, pfn: number): void {
  m.ensureWsleAvailable(proc);
  const ws = proc.wsl.allocate(eSlot, WSLE_DIRECT);
  m.pfn.setU1(pfn, ws);
  const [lo, hi] = validEntry(pfn, 4, 2, true);
  m.paging.writeEntry(proc, table, i, eSlot, lo, withWsIndex(hi, ws));
}

/** No physical page could be found to read a page table into. */
export class OutOfPagesError extends Error {
  constructor() {
    super('physical memory exhausted while bringing a page table back');
  }
}

// ---- reading without side effects ---------------------------------------------------------------

/** Where a (possibly non-resident) table's contents are: a physical page, or a paging-file page. */
interface TableSource {
  pfn: number;
  file: number;
  offset: number;
}

function sourceOf(m: Machine, lo: number, hi: number): TableSource | undefined {
  if ((lo & P) !== 0) return { pfn: ptePfn(lo, hi), file: -1, offset: 0 };
  if ((lo & TRANSITION) !== 0 && (lo & PROTOTYPE) === 0) {
    const pfn = ptePfn(lo, hi);
    // a table still being read in has no contents in RAM yet: its paging-file copy has them
    if ((m.pfn.e1[pfn] & E1_READ_IN_PROGRESS) !== 0) {
      const olo = m.pfn.originalPteLo[pfn];
      return { pfn: -1, file: (olo >>> 1) & 0xf, offset: m.pfn.originalPteHi[pfn] };
    }
    return { pfn, file: -1, offset: 0 };
  }
  if (classify(lo, hi) === 'pagefile') return { pfn: -1, file: (lo >>> 1) & 0xf, offset: hi };
  return undefined;
}

function readFrom(m: Machine, src: TableSource, index: number): [number, number] {
  if (src.pfn >= 0) return [m.paging.readLo(src.pfn, index), m.paging.readHi(src.pfn, index)];
  const f = m.pager.files[src.file];
  if (f === undefined) return [0, 0];
  return [f.store.readWord(src.offset, index * 2), f.store.readWord(src.offset, index * 2 + 1)];
}

/**
 * The PTE of `slot` as the memory manager would find it after bringing the tables back, read
 * without bringing them back; undefined when a level above is zero.
 */
export function peekPte(m: Machine, proc: Process, slot: number): [number, number] | undefined {
  let src: TableSource | undefined = { pfn: proc.pml4Pfn, file: -1, offset: 0 };
  for (let level = 4; level >= 2; level--) {
    const [lo, hi] = readFrom(m, src, entryIndex(slot, level));
    src = sourceOf(m, lo, hi);
    if (src === undefined) return undefined;
  }
  return readFrom(m, src, slot & 511);
}

// ---- teardown -------------------------------------------------------------------------------------

/** Frees everything a non-resident table (entry `lo`/`hi` at `level`) holds, and the table itself. */
function releaseSubtree(m: Machine, lo: number, hi: number, level: number): void {
  const src = sourceOf(m, lo, hi);
  if (src === undefined) return;
  for (let i = 0; i < 512; i++) {
    const [clo, chi] = readFrom(m, src, i);
    if ((clo | chi) === 0) continue;
    if (level > 2) releaseSubtree(m, clo, chi, level - 1);
    else if (classify(clo, chi) === 'pagefile') m.pager.releaseSlotOfPte(clo, chi);
    else if (classify(clo, chi) === 'transition') m.pager.freeOrDiscard(ptePfn(clo, chi));
  }
  if ((lo & TRANSITION) !== 0) m.pager.freeOrDiscard(ptePfn(lo, hi));
  else m.pager.releaseSlotOfPte(lo, hi);
}

/**
 * Process teardown, first part: every paged-out paging structure of the user range (and all it
 * references) is released and its entry in the resident table above cleared, so the rest of the
 * teardown only meets resident tables.
 */
export function releaseNonResidentTables(m: Machine, proc: Process): void {
  const visit = (table: number, level: number, baseSlot: number): void => {
    const count = level === 4 ? 256 : 512;
    for (let i = 0; i < count; i++) {
      const lo = m.paging.readLo(table, i);
      const hi = m.paging.readHi(table, i);
      if ((lo | hi) === 0) continue;
      const slot = baseSlot + i * 512 ** (level - 1);
      if ((lo & P) !== 0) {
        if (level > 2) visit(ptePfn(lo, hi), level - 1, slot);
        continue;
      }
      const kind = classify(lo, hi);
      if (kind !== 'transition' && kind !== 'pagefile') continue;
      releaseSubtree(m, lo, hi, level);
      m.paging.writeEntry(proc, table, i, entrySlot(slot, level), 0, 0);
    }
  };
  visit(proc.pml4Pfn, 4, 0);
}
