/**
 * The paging resolvers of the fault handler, as named steps (faultSteps.ts): the dirty-bit fault
 * (book-C §5), soft faults from Standby and Modified including pages whose paging-file write is
 * in progress (MiResolveTransitionFault, book-C §3-4), collided faults on a page whose in-page
 * read is in progress (book-C §7.4, handled synchronously), hard faults with clustering and the
 * dummy page (MiResolvePageFileFault → MiIssueHardFault → MiWaitForInPageComplete, book-C §6),
 * and waiting for free pages (MiEnsureAvailablePageOrWait). The same steps restore paged-out
 * paging structures at the upper levels of the walk (book-C §8.4): `c.target` > 1.
 *
 * Clean and dirty (book-C §5.3): a page mapped clean has R/W (Dirty1) and Dirty clear and Write
 * set; the _MMPFN Modified bit says the page differs from its paging-file copy; OriginalPte's
 * PageFileHigh says a copy exists. A restored paging structure is always treated as dirty: the
 * fault that needed it is about to change one of its entries.
 */
import { Access, allocateWsle, FaultContext, Resolver, validEntry } from './faultHandler';
import { Step } from './faultSteps';
import type { Machine } from './machine';
import { DUMMY_PAGE, InPageBlock } from './pager';
import {
  E1_CACHE_SHIFT, E1_MODIFIED, E1_PRIORITY_SHIFT, E1_READ_IN_PROGRESS, E1_WRITE_IN_PROGRESS, LIST_END, PageLocation, U4_DISCARD,
} from './pfnDatabase';
import { cacheAttributeOf } from './protection';
import { ACCESSED, DIRTY, P, RW, TRANSITION, classify, pfnHi, pfnLo, protectionOf, ptePfn, withWsIndex } from './pte';
import { STATUS_NO_MEMORY, STATUS_PAGE_FAULT_PAGING_FILE, STATUS_PAGE_FAULT_TRANSITION, STATUS_SUCCESS } from './status';
import { waitForPages } from './workingSetManager';

const NO_LIST = 0xffff;
/**
 * The end of an in-page read, done by the first fault that gets there (the master, or a collided
 * fault when the master is held up): pages whose memory was released during the read go to the
 * Free list (their PTEs were already rewritten), prefetched pages go to the tail of their Standby
 * list with their PTEs left in transition. The master's faulting page is left for it to map when
 * its PTE is still the transition PTE it wrote (MiIsFaultPteIntact); otherwise it goes to Standby
 * too. Returns whether the master's page was left for it.
 */
export function finishInPage(m: Machine, block: InPageBlock, hasMaster: boolean, expectLo = 0, expectHi = 0): boolean {
  const db = m.pfn;
  block.finished = true;
  let intact = false;
  const firstIndex = block.firstSlot % 512;
  for (let i = 0; i < block.mdl.length; i++) {
    if (!block.included[i]) continue;
    const pfn = block.mdl[i];
    db.setFlag(pfn, E1_READ_IN_PROGRESS, false);
    if (db.discardPending(pfn)) {
      db.setU4Flag(pfn, U4_DISCARD, false);
      m.pager.releasePageFileCopy(pfn);
      db.setU2(pfn, 0);
      m.allocator.freePage(pfn);
      continue;
    }
    if (hasMaster && i === block.faultPosition) {
      const lo = m.paging.readLo(block.table, firstIndex + i);
      const hi = m.paging.readHi(block.table, firstIndex + i);
      if (lo === expectLo && hi === expectHi) {
        intact = true;
        db.setU1(pfn, 0);
        continue;
      }
    }
    const rc = db.referenceCount[pfn] - 1;
    db.setReferenceCount(pfn, rc);
    if (rc === 0) db.insertTail(pfn, db.listIdStandby(db.priority(pfn)));
  }
  return intact;
}

/**
 * A paging structure read back from the paging file: its UsedPageTableEntries (the count of
 * non-zero entries) is recomputed from the contents that came back.
 */
export function recountUsedEntries(m: Machine, pfn: number): void {
  let used = 0;
  for (let i = 0; i < 512; i++) if ((m.phys.readWord(pfn, i * 2) | m.phys.readWord(pfn, i * 2 + 1)) !== 0) used++;
  m.pfn.setUsedPageTableEntries(pfn, used);
}

/** Whether the PTE at `k` of the faulting table can join the cluster (book-C §6.1 rules). */
function includable(m: Machine, c: FaultContext, k: number): boolean {
  const lo = m.paging.readLo(c.table, k);
  const hi = m.paging.readHi(c.table, k);
  // valid, transition, zero, demand-zero, decommitted (not committed) and prototype PTEs are out
  if (classify(lo, hi) !== 'pagefile') return false;
  if (((lo >>> 1) & 0xf) !== ((c.pteLo >>> 1) & 0xf)) return false; // another paging file
  if (protectionOf(lo) !== protectionOf(c.pteLo)) return false;
  return hi === c.pteHi + (k - c.index); // contiguous offsets
}

/** MiResolvePageFileFault's cluster: up to 15 PTEs above, then below, never past the table. */
function computeCluster(m: Machine, c: FaultContext): void {
  const F = c.index;
  const inc = c.clusterIncluded;
  let first = F;
  let last = F;
  inc[F] = 1;
  const max = c.target === 1 ? Math.max(1, Math.min(16, m.pager.config.readClusterPages)) : 1;
  if (max > 1) {
    const upLimit = Math.min(F + max - 1, 511);
    for (let k = F + 1; k <= upLimit; k++) {
      inc[k] = includable(m, c, k) ? 1 : 0;
      if (inc[k] === 1) last = k;
    }
    const lowLimit = Math.max(F - (max - 1 - (last - F)), 0);
    for (let k = F - 1; k >= lowLimit; k--) {
      inc[k] = includable(m, c, k) ? 1 : 0;
      if (inc[k] === 1) first = k;
    }
  }
  c.clusterFirst = first;
  c.clusterLast = last;
}

function nextColor(m: Machine, c: FaultContext): number {
  c.proc.nextPageColor = (c.proc.nextPageColor + 1) & 0xffff;
  return c.proc.nextPageColor & m.pfn.colorMask;
}

/** Continues the walk below a paging structure just made valid. */
function continueWalk(c: FaultContext): Step {
  c.walkTable = c.pfn;
  c.level = c.target - 1;
  c.block = null;
  return c.level === 1 ? Step.ReadPte : Step.CheckLevel;
}

/** Executes one paging step of the fault handler and returns the next step. */
export function pagingStep(m: Machine, c: FaultContext): Step {
  const db = m.pfn;
  switch (c.step) {
    // ---- dirty-bit fault ------------------------------------------------------------------------
    case Step.DbClearPageFile: {
      const pfn = ptePfn(c.pteLo, c.pteHi);
      c.pfn = pfn;
      if ((db.e1[pfn] & E1_WRITE_IN_PROGRESS) !== 0) {
        // the copy being written is stale: the write completion releases it (book-C §4.3)
        db.setFlag(pfn, E1_MODIFIED, true);
        return Step.DbWritePte;
      }
      const hi = db.originalPteHi[pfn];
      if (hi === 0) return Step.DbWritePte;
      c.oldLo = db.originalPteLo[pfn];
      c.oldHi = hi;
      db.setOriginalPte(pfn, (c.oldLo & ~0x1e) >>> 0, 0);
      return Step.DbRelease;
    }
    case Step.DbRelease:
      m.pager.releaseSlotOfPte(c.oldLo, c.oldHi);
      return Step.DbWritePte;
    case Step.DbWritePte:
      m.paging.writeEntry(c.proc, c.table, c.index, c.eSlot, (c.pteLo | RW | DIRTY | ACCESSED) >>> 0, c.pteHi);
      m.counters.dirtyBitFaults++;
      c.status = STATUS_SUCCESS;
      c.kind = 'dirtyBit';
      return Step.ReleaseWs;

    // ---- soft fault --------------------------------------------------------------------------
    case Step.TfReadPfn: {
      c.pfn = ptePfn(c.pteLo, c.pteHi);
      return (db.e1[c.pfn] & E1_READ_IN_PROGRESS) !== 0 ? Step.TfCollidedWait : Step.TfUnlink;
    }
    case Step.TfCollidedWait: {
      // synchronous collision: wait for the read, then retry (the page is valid or on Standby)
      m.pager.stats.collidedFaults++;
      const block = m.pager.blockOf(c.pfn);
      if (block !== undefined) {
        block.colliders++;
        m.pager.waitForRead(block);
        if (!block.finished) finishInPage(m, block, false);
        block.colliders--;
        m.pager.forgetBlock(block);
      }
      m.counters.transitionFaults++;
      c.status = STATUS_SUCCESS;
      c.kind = 'transition';
      return Step.ReleaseWs;
    }
    case Step.TfUnlink: {
      const pfn = c.pfn;
      if (db.listIdOf(pfn) !== NO_LIST) db.unlink(pfn);
      const write = c.access === Access.Write || c.target > 1;
      if (write && (db.e1[pfn] & E1_WRITE_IN_PROGRESS) === 0 && db.originalPteHi[pfn] !== 0) return Step.TfReleasePageFile;
      return Step.TfActivate;
    }
    case Step.TfReleasePageFile:
      m.pager.releasePageFileCopy(c.pfn);
      db.setFlag(c.pfn, E1_MODIFIED, true);
      return Step.TfActivate;
    case Step.TfActivate: {
      const pfn = c.pfn;
      // a write while the page is being written, or a restored paging structure: dirty
      if (c.access === Access.Write || c.target > 1) db.setFlag(pfn, E1_MODIFIED, true);
      db.setU2(pfn, 1);
      db.setReferenceCount(pfn, db.referenceCount[pfn] + 1);
      db.setLocation(pfn, PageLocation.Active);
      c.dirty = db.isModified(pfn);
      return Step.TfBuildPte;
    }
    case Step.TfBuildPte: {
      if (c.target === 1) {
        c.protection = protectionOf(c.pteLo);
        const olo = db.originalPteLo[c.pfn];
        if (protectionOf(olo) !== c.protection) db.setOriginalPte(c.pfn, ((olo & ~0x3e0) | (c.protection << 5)) >>> 0, db.originalPteHi[c.pfn]);
      }
      [c.workLo, c.workHi] = validEntry(c.pfn, c.protection, c.target, c.dirty);
      return Step.TfWsleTake;
    }
    case Step.TfWsleTake:
    case Step.HfWsleTake:
      allocateWsle(m, c);
      return c.step === Step.TfWsleTake ? Step.TfWsleStore : Step.HfWsleStore;
    case Step.TfWsleStore:
    case Step.HfWsleStore:
      db.setU1(c.pfn, c.wsIndex);
      c.workHi = withWsIndex(c.workHi, c.wsIndex);
      return c.step === Step.TfWsleStore ? Step.TfWritePte : Step.HfWritePte;
    case Step.TfWritePte:
      m.paging.writeEntry(c.proc, c.table, c.index, c.eSlot, c.workLo, c.workHi);
      if (c.block !== null) {
        // the master of a read another fault finished: still a hard fault
        c.status = STATUS_PAGE_FAULT_PAGING_FILE;
        c.kind = 'hard';
      } else {
        m.counters.transitionFaults++;
        c.status = STATUS_PAGE_FAULT_TRANSITION;
        c.kind = 'transition';
      }
      return c.target === 1 ? Step.ReleaseWs : continueWalk(c);

    // ---- hard fault ---------------------------------------------------------------------------
    case Step.PfCluster:
      computeCluster(m, c);
      return Step.PfAllocate;
    case Step.PfAllocate: {
      const F = c.index;
      const pfns = c.clusterPfn;
      const inc = c.clusterIncluded;
      const first = m.allocator.allocateForRead(nextColor(m, c));
      if (first === LIST_END) return Step.WaitForPages;
      pfns[F] = first;
      let short = false;
      let lo = F;
      let hi = F;
      for (let k = c.clusterFirst; k <= c.clusterLast; k++) {
        if (k === F || inc[k] === 0) continue;
        if (short) {
          inc[k] = 0;
          continue;
        }
        const pfn = m.allocator.allocateForRead(nextColor(m, c));
        if (pfn === LIST_END) {
          short = true; // no more pages: the rest of the cluster is left out
          inc[k] = 0;
          continue;
        }
        pfns[k] = pfn;
        if (k < lo) lo = k;
        if (k > hi) hi = k;
      }
      c.clusterFirst = lo;
      c.clusterLast = hi;
      return Step.PfPrepare;
    }
    case Step.PfPrepare: {
      const F = c.index;
      const mdl: number[] = [];
      const included: boolean[] = [];
      for (let k = c.clusterFirst; k <= c.clusterLast; k++) {
        const inc = c.clusterIncluded[k] === 1;
        included.push(inc);
        mdl.push(inc ? c.clusterPfn[k] : DUMMY_PAGE);
      }
      const file = (c.pteLo >>> 1) & 0xf;
      const base = c.pteHi - (F - c.clusterFirst);
      const block = m.pager.newInPageBlock(c.proc.index, file, base, mdl, included, F - c.clusterFirst, c.table, c.eSlot - F + c.clusterFirst);
      for (let k = c.clusterFirst; k <= c.clusterLast; k++) {
        if (c.clusterIncluded[k] === 0) continue;
        const pfn = c.clusterPfn[k];
        const lo = m.paging.readLo(c.table, k);
        const hi = m.paging.readHi(c.table, k);
        const cache = cacheAttributeOf(protectionOf(lo));
        // MiInitializePfn: a page whose caching type changes needs the TLBs flushed (book-B §7.9)
        if (cache !== db.cacheAttribute(pfn)) m.tlb.flushAll();
        db.setOriginalPte(pfn, lo, hi);
        db.setPteFrame(pfn, c.table);
        db.setPteSlot(pfn, c.eSlot - F + k);
        db.setUsedPageTableEntries(pfn, 0);
        db.setU1(pfn, block.id); // u1.Event: the same for every page of the read
        db.setU2(pfn, 0);
        db.setReferenceCount(pfn, 1);
        db.setE1(pfn, PageLocation.Standby | E1_READ_IN_PROGRESS | (cache << E1_CACHE_SHIFT) | ((c.proc.pagePriority & 7) << E1_PRIORITY_SHIFT));
        const tlo = ((lo & 0x3e0) | TRANSITION | pfnLo(pfn)) >>> 0;
        const thi = pfnHi(pfn);
        m.paging.writeEntry(c.proc, c.table, k, c.eSlot - F + k, tlo, thi);
        if (k === F) {
          c.ioPteLo = tlo;
          c.ioPteHi = thi;
        }
      }
      c.block = block;
      return Step.HfIssue;
    }
    case Step.HfIssue: {
      const block = c.block!;
      m.pager.issueRead(block);
      let n = 0;
      for (const inc of block.included) if (inc) n++;
      m.counters.pageReads++;
      m.counters.pagesRead += n;
      if (c.target === 1) c.proc.hardFaultCount++;
      return Step.HfWait;
    }
    case Step.HfWait:
      m.pager.waitForRead(c.block!);
      return Step.HfComplete;
    case Step.HfComplete: {
      const block = c.block!;
      c.kind = c.target === 1 ? 'hard' : c.kind;
      if (block.finished) {
        // a collided fault finished the read first: look at the PTE again
        m.pager.forgetBlock(block);
        const lo = m.paging.readLo(c.table, c.index);
        const hi = m.paging.readHi(c.table, c.index);
        if ((lo & P) === 0 && classify(lo, hi) === 'transition' && ptePfn(lo, hi) === block.faultPfn && (db.e1[block.faultPfn] & E1_READ_IN_PROGRESS) === 0) {
          c.pteLo = lo;
          c.pteHi = hi;
          c.resolver = Resolver.Transition;
          return Step.TfReadPfn;
        }
        c.status = STATUS_SUCCESS;
        c.block = null;
        return Step.ReleaseWs;
      }
      const intact = finishInPage(m, block, true, c.ioPteLo, c.ioPteHi);
      m.pager.forgetBlock(block);
      if (!intact) {
        // STATUS_PTE_CHANGED (protection changed, memory released): MmAccessFault returns
        // success and the access is retried against the new PTE
        c.status = STATUS_SUCCESS;
        c.block = null;
        return Step.ReleaseWs;
      }
      const pfn = block.faultPfn;
      c.pfn = pfn;
      if (c.target > 1) recountUsedEntries(m, pfn);
      const write = c.access === Access.Write || c.target > 1;
      if (write) {
        m.pager.releasePageFileCopy(pfn);
        db.setFlag(pfn, E1_MODIFIED, true);
      }
      db.setU2(pfn, 1);
      db.setLocation(pfn, PageLocation.Active);
      c.dirty = write;
      c.protection = c.target === 1 ? protectionOf(c.ioPteLo) : 4;
      [c.workLo, c.workHi] = validEntry(pfn, c.protection, c.target, c.dirty);
      return Step.HfWsleTake;
    }
    case Step.HfWritePte:
      m.paging.writeEntry(c.proc, c.table, c.index, c.eSlot, c.workLo, c.workHi);
      c.status = STATUS_PAGE_FAULT_PAGING_FILE;
      c.kind = 'hard';
      if (c.target === 1) {
        c.block = null;
        return Step.ReleaseWs;
      }
      return continueWalk(c);

    // ---- no free page --------------------------------------------------------------------------
    case Step.WaitForPages:
      c.status = waitForPages(m, 1) ? STATUS_SUCCESS : STATUS_NO_MEMORY;
      c.retry = c.status === STATUS_SUCCESS;
      return Step.ReleaseWs;
    default:
      throw new Error(`internal: unknown fault step ${c.step}`);
  }
}
