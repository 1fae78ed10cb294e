import { strict as assert } from 'node:assert';
import { Access, FaultContext } from '../../../src/core/faultHandler';
import { Step } from '../../../src/core/faultSteps';
import { EventKind } from '../../../src/core/journal';
import { freePte, setPageProtection } from '../../../src/core/memoryOps';
import { createPagingFile, runModifiedPageWriter } from '../../../src/core/paging';
import { DUMMY_PAGE, type InPageBlock } from '../../../src/core/pager';
import { PageLocation } from '../../../src/core/pfnDatabase';
import { PageSource } from '../../../src/core/pageAllocator';
import { STATUS_PAGE_FAULT_PAGING_FILE, STATUS_SUCCESS } from '../../../src/core/status';
import type { Machine } from '../../../src/core/machine';
import type { Process } from '../../../src/core/process';
import {
  assertClean, commit, info, makeStandby, pfnOf, pte, pteLo, read, repurposeAllStandby, setup, swapOut, trimPage, validPte, write, wsIndexOf,
} from './helpers';

/** Steps a fault until it is waiting for its read; returns the context and its in-page block. */
function untilWait(m: Machine, p: Process, va: number, access = Access.Read): { ctx: FaultContext; block: InPageBlock } {
  m.switchTo(p);
  const ctx = m.faults.begin(p, va, access, true);
  while (ctx.step !== Step.HfWait) {
    assert.ok(m.faults.active, 'the fault ended before waiting for a read');
    m.faults.step();
  }
  return { ctx, block: ctx.block! };
}

function finish(m: Machine): void {
  while (m.faults.active) m.faults.step();
}

const PT_BASE = 0x200000; // PTE index 0 of its page table

describe('paging: hard faults and clustering (book-C §6)', () => {
  it('O4 Setup C / T3 / P17 repurposing for a demand-zero fault: lowest priority first, old PTE := OriginalPte, counter + 1, PT ShareCount - 1', () => {
    const { m, p } = setup();
    commit(m, p, 0x100000, 2);
    p.pagePriority = 2;
    const low = makeStandby(m, p, 0x100000, 1);
    p.pagePriority = 5;
    const high = makeStandby(m, p, 0x101000, 2);
    const lowOpte = info(m, low).originalPte;
    const pt = m.paging.tableOf(p, 0x100, 1);
    const sc = m.pfn.u2[pt];
    const used = m.pfn.usedPageTableEntries[pt];
    // B takes every Zeroed and Free page, then one Standby page
    const q = m.createProcess('B');
    commit(m, q, 0x10000000, m.pfn.availablePages + 8);
    m.switchTo(q);
    let k = 0;
    while (m.pfn.zeroedTotal + m.pfn.freeTotal > 0) assert.ok(m.mmu.write8(0x10000000 + k++ * 4096, 1));
    const counter = m.allocator.repurposedByPriority[2];
    assert.ok(m.mmu.write8(0x10000000 + k * 4096, 1));
    assert.equal(m.allocator.lastSource, PageSource.Standby);
    assert.equal(pfnOf(m, q, 0x10000000 + k * 4096), low); // priority 2 before priority 5
    assert.equal(m.allocator.repurposedByPriority[2], counter + 1);
    assert.equal(pte(m, p, 0x100000), lowOpte); // software PTE with the paging-file location
    assert.equal(info(m, high).location, 'Standby');
    assert.equal(m.pfn.u2[pt], sc - 1);
    assert.equal(m.pfn.usedPageTableEntries[pt], used);
    assert.equal(read(m, q, 0x10000000 + k * 4096), 1);
    // A's next access is a hard fault
    m.switchTo(p);
    const hard = p.hardFaultCount;
    assert.equal(read(m, p, 0x100000), 1);
    assert.equal(p.hardFaultCount, hard + 1);
    assertClean(m);
  });

  it('O-11 hard-fault PTE decode: PTE 0x00005E3E00000082 reads paging file 1 at page 0x5E3E; OriginalPte is that PTE during the read', () => {
    const { m, p } = setup();
    assert.equal(createPagingFile(m, '\\??\\E:\\pagefile.sys', 200 * 1024 * 1024, 200 * 1024 * 1024), STATUS_SUCCESS);
    m.pager.nextWriteFile = 1;
    m.pager.files[1]!.hint = 0x5e3e;
    commit(m, p, 0x570000, 1);
    swapOut(m, p, 0x570000, 1, 0x33);
    assert.equal(pte(m, p, 0x570000), 0x00005e3e00000082n);
    const { ctx, block } = untilWait(m, p, 0x570000);
    assert.deepEqual([block.file, block.baseOffset], [1, 0x5e3e]);
    const pfn = block.faultPfn;
    assert.equal(info(m, pfn).originalPte, 0x00005e3e00000082n);
    finish(m);
    assert.equal(ctx.status, STATUS_PAGE_FAULT_PAGING_FILE);
    assert.equal(read(m, p, 0x570000), 0x33);
    assertClean(m);
  });

  it('O-16 / P18 / P19 / T4 in-read state: included PTEs in transition to their new pages; each page ReadInProgress, Standby, RC 1, SC 0, the same Event', () => {
    const { m, p } = setup();
    commit(m, p, PT_BASE, 8);
    swapOut(m, p, PT_BASE, 8);
    const before = Array.from({ length: 8 }, (_, k) => pte(m, p, PT_BASE + k * 4096)!);
    const { block } = untilWait(m, p, PT_BASE + 3 * 4096);
    assert.equal(block.mdl.length, 8);
    for (let k = 0; k < 8; k++) {
      const pfn = block.mdl[k];
      const v = pte(m, p, PT_BASE + k * 4096)!;
      assert.equal(v, (BigInt(pfn) << 12n) | 0x880n); // Valid 0, Protection 4, Transition 1, PFN
      const i = info(m, pfn);
      assert.deepEqual([m.pfn.location(pfn), i.readInProgress, i.referenceCount, i.shareCount, i.inPageEvent], [PageLocation.Standby, true, 1, 0, block.id]);
      assert.equal(i.originalPte, before[k]);
      assert.equal(i.location, 'Transition');
    }
    finish(m);
    assertClean(m);
  });

  it('O-17 / P21 / P23 / T7 post-read: the faulting page valid and clean after a read; prefetched PTEs still transition, pages on Standby', () => {
    const { m, p } = setup();
    commit(m, p, PT_BASE, 8);
    swapOut(m, p, PT_BASE, 8, 10);
    const opte = pte(m, p, PT_BASE + 3 * 4096)!;
    const reads = m.counters.pageReads;
    assert.equal(read(m, p, PT_BASE + 3 * 4096), 13);
    assert.equal(m.counters.pageReads, reads + 1);
    assert.equal(m.counters.pagesRead, 8);
    const pfn = pfnOf(m, p, PT_BASE + 3 * 4096);
    assert.equal(pte(m, p, PT_BASE + 3 * 4096), validPte(pfn, wsIndexOf(m, p, PT_BASE + 3 * 4096), 0x825));
    const i = info(m, pfn);
    assert.deepEqual([i.location, i.shareCount, i.referenceCount, i.readInProgress, i.modified, i.originalPte], ['Active', 1, 1, false, false, opte]);
    for (const k of [0, 1, 2, 4, 5, 6, 7]) {
      assert.equal(pteLo(m, p, PT_BASE + k * 4096) & 0xc01, 0x800); // transition
      const pk = pfnOf(m, p, PT_BASE + k * 4096);
      const ik = info(m, pk);
      assert.deepEqual([ik.location, ik.readInProgress, ik.referenceCount], ['Standby', false, 0]);
      assert.notEqual(Number(ik.originalPte >> 32n), 0);
    }
    // the prefetched pages are soft faults now, with their data
    const soft = m.counters.transitionFaults;
    for (let k = 0; k < 8; k++) assert.equal(read(m, p, PT_BASE + k * 4096), 10 + k);
    assert.equal(m.counters.transitionFaults, soft + 7);
    assertClean(m);
  });

  it('P22 a hard fault for a write: dirty PTE, Modified 1, paging-file location released', () => {
    const { m, p } = setup();
    commit(m, p, PT_BASE, 1);
    swapOut(m, p, PT_BASE, 1, 10);
    const slot = Number(pte(m, p, PT_BASE)! >> 32n);
    write(m, p, PT_BASE + 5, 99);
    const pfn = pfnOf(m, p, PT_BASE);
    assert.equal(pte(m, p, PT_BASE)! & 0xfffn, 0x867n);
    const i = info(m, pfn);
    assert.deepEqual([i.modified, i.originalPte], [true, 0x80n]);
    assert.equal(m.pager.files[0]!.isAllocated(slot), false);
    assert.equal(read(m, p, PT_BASE), 10);
    assertClean(m);
  });

  it('the hard-fault steps: MiResolvePageFileFault, then MiIssueHardFault / IoPageRead / MiWaitForInPageComplete; the wait advances the clock by the read latency', () => {
    const { m, p } = setup();
    commit(m, p, PT_BASE, 1);
    swapOut(m, p, PT_BASE, 1);
    const t0 = m.clockMs;
    const ctx = m.faults.begin(p, PT_BASE, Access.Read, true);
    const steps: Step[] = [];
    while (m.faults.active) {
      steps.push(ctx.step);
      m.faults.step();
    }
    const want = [Step.PfCluster, Step.PfAllocate, Step.PfPrepare, Step.HfIssue, Step.HfWait, Step.HfComplete, Step.HfWsleTake, Step.HfWsleStore, Step.HfWritePte];
    assert.deepEqual(steps.filter((s) => want.includes(s)), want);
    assert.equal(m.clockMs - t0, m.pager.config.readLatencyMs + 1);
    assert.equal(ctx.kind, 'hard');
    assert.equal(p.hardFaultCount, 1);
    assertClean(m);
  });

  it('O-12 cluster near the end of a page table: faulting PTE 509 takes 510, 511 above and 496-508 below (16 PTEs)', () => {
    const { m, p } = setup();
    const base = PT_BASE + 496 * 4096;
    commit(m, p, base, 16);
    swapOut(m, p, base, 16);
    const { block } = untilWait(m, p, PT_BASE + 509 * 4096);
    assert.equal(block.mdl.length, 16);
    assert.equal(block.firstSlot, base / 4096);
    assert.equal(block.faultPosition, 13);
    assert.ok(block.included.every((x) => x));
    finish(m);
    assertClean(m);
  });

  it('O-13 cluster with an excluded tail: +1..+5 included, +6..+8 valid, so the upward extent ends at +5 and 10 PTEs below are scanned', () => {
    const { m, p } = setup();
    const F = 503;
    const base = PT_BASE + (F - 12) * 4096;
    commit(m, p, base, 21); // indexes 491..511
    swapOut(m, p, base, 21);
    for (const k of [6, 7, 8]) read(m, p, PT_BASE + (F + k) * 4096); // these become valid
    // (their reads brought the neighbours in too: put everything else back out)
    for (let k = -12; k <= 5; k++) {
      const va = PT_BASE + (F + k) * 4096;
      if ((pteLo(m, p, va) & 1) === 1) trimPage(m, p, va);
    }
    repurposeAllStandby(m);
    for (const k of [6, 7, 8]) if ((pteLo(m, p, PT_BASE + (F + k) * 4096) & 1) === 0) read(m, p, PT_BASE + (F + k) * 4096);
    const { block } = untilWait(m, p, PT_BASE + F * 4096);
    const first = block.firstSlot % 512;
    assert.equal(first + block.mdl.length - 1, F + 5);
    assert.equal(first, F - 10);
    finish(m);
    assertClean(m);
  });

  it('O-14 / P20 a hole in the cluster: the non-contiguous PTE gets the dummy page and is left alone; one read of 5 blocks', () => {
    const { m, p } = setup();
    commit(m, p, PT_BASE, 5);
    for (let k = 0; k < 5; k++) write(m, p, PT_BASE + k * 4096, 20 + k);
    for (let k = 0; k < 5; k++) trimPage(m, p, PT_BASE + k * 4096);
    runModifiedPageWriter(m);
    m.tick(100);
    const base = Number(info(m, pfnOf(m, p, PT_BASE)).originalPte >> 32n);
    // page 2 comes back, is written again and goes out to another place of the paging file
    write(m, p, PT_BASE + 2 * 4096, 99);
    trimPage(m, p, PT_BASE + 2 * 4096);
    runModifiedPageWriter(m);
    m.tick(100);
    repurposeAllStandby(m);
    const offsets = Array.from({ length: 5 }, (_, k) => Number(pte(m, p, PT_BASE + k * 4096)! >> 32n));
    assert.deepEqual([offsets[0], offsets[1], offsets[3], offsets[4]], [base, base + 1, base + 3, base + 4]);
    assert.notEqual(offsets[2], base + 2);
    const pte2 = pte(m, p, PT_BASE + 2 * 4096);
    const reads = m.counters.pageReads;
    const pagesRead = m.counters.pagesRead;
    const { block } = untilWait(m, p, PT_BASE);
    assert.equal(block.mdl.length, 5);
    assert.equal(block.baseOffset, base);
    assert.deepEqual(block.included, [true, true, false, true, true]);
    assert.equal(block.mdl[2], DUMMY_PAGE);
    assert.equal(pte(m, p, PT_BASE + 2 * 4096), pte2);
    finish(m);
    assert.equal(m.counters.pageReads, reads + 1);
    assert.equal(m.counters.pagesRead, pagesRead + 4);
    assert.equal(pte(m, p, PT_BASE + 2 * 4096), pte2);
    assert.deepEqual([0, 1, 2, 3, 4].map((k) => read(m, p, PT_BASE + k * 4096)), [20, 21, 99, 23, 24]);
    assertClean(m);
  });

  it('O-15 exclusion rules: valid, transition, decommitted, other-protection and non-contiguous neighbours are never rewritten and get no page', () => {
    const { m, p } = setup();
    commit(m, p, PT_BASE, 8);
    swapOut(m, p, PT_BASE, 8, 40);
    const single = (fn: () => void) => {
      m.pager.config.readClusterPages = 1;
      fn();
      m.pager.config.readClusterPages = 16;
    };
    // 5: non-contiguous (re-dirtied and written elsewhere)
    single(() => write(m, p, PT_BASE + 5 * 4096, 45));
    trimPage(m, p, PT_BASE + 5 * 4096);
    runModifiedPageWriter(m);
    m.tick(100);
    repurposeAllStandby(m);
    // 1: valid; 2: transition; 3: decommitted; 4: another protection
    single(() => read(m, p, PT_BASE + 1 * 4096));
    single(() => read(m, p, PT_BASE + 2 * 4096));
    trimPage(m, p, PT_BASE + 2 * 4096);
    freePteAt(m, p, PT_BASE + 3 * 4096);
    setProtectionAt(m, p, PT_BASE + 4 * 4096, 1);
    const before = Array.from({ length: 8 }, (_, k) => pte(m, p, PT_BASE + k * 4096));
    const pagesRead = m.counters.pagesRead;
    const { block } = untilWait(m, p, PT_BASE);
    assert.deepEqual(block.included, [true, false, false, false, false, false, true, true]);
    for (const k of [1, 2, 3, 4, 5]) assert.equal(pte(m, p, PT_BASE + k * 4096), before[k]);
    finish(m);
    for (const k of [1, 2, 3, 4, 5]) assert.equal(pte(m, p, PT_BASE + k * 4096), before[k]);
    assert.equal(m.counters.pagesRead, pagesRead + 3);
    assert.deepEqual([0, 6, 7].map((k) => read(m, p, PT_BASE + k * 4096)), [40, 46, 47]);
    assertClean(m);
  });

  it('O-18 / O4 Setup D / T4 / T5 / T6 frames for an in-page read: Free first, then Zeroed, then Standby (repurposed)', () => {
    const { m, p } = setup({ ramBytes: 4 * 1024 * 1024 });
    commit(m, p, PT_BASE, 3);
    m.pager.config.readClusterPages = 1;
    swapOut(m, p, PT_BASE, 3);
    for (let i = 0; i < 8; i++) m.allocator.zeroOneFreePage();
    assert.ok(m.pfn.freeTotal > 0 && m.pfn.zeroedTotal > 0);
    read(m, p, PT_BASE);
    assert.equal(m.allocator.lastSource, PageSource.Free);
    while (m.allocator.zeroOneFreePage());
    read(m, p, PT_BASE + 4096);
    assert.equal(m.allocator.lastSource, PageSource.Zeroed);
    // a standby page to repurpose, and nothing else available
    const q = m.createProcess('q');
    commit(m, q, 0x10000000, 2000);
    write(m, q, 0x10000000, 1);
    trimPage(m, q, 0x10000000);
    runModifiedPageWriter(m);
    m.tick(50);
    let k = 1;
    while (m.pfn.zeroedTotal + m.pfn.freeTotal > 0) write(m, q, 0x10000000 + k++ * 4096, 1);
    const repurposed = m.allocator.standbyRepurposed;
    read(m, p, PT_BASE + 2 * 4096);
    assert.equal(m.allocator.lastSource, PageSource.Standby);
    assert.equal(m.allocator.standbyRepurposed, repurposed + 1);
    assertClean(m);
  });

  it('P17 / S6 repurposing decrements the page table ShareCount; UsedPageTableEntries stays', () => {
    const { m, p } = setup();
    commit(m, p, PT_BASE, 4);
    for (let k = 0; k < 4; k++) write(m, p, PT_BASE + k * 4096, 1);
    const pt = m.paging.tableOf(p, PT_BASE / 4096, 1);
    assert.deepEqual([m.pfn.u2[pt], m.pfn.usedPageTableEntries[pt]], [5, 4]);
    for (let k = 0; k < 4; k++) trimPage(m, p, PT_BASE + k * 4096);
    assert.deepEqual([m.pfn.u2[pt], m.pfn.usedPageTableEntries[pt]], [5, 4]); // S4: trimming changes nothing
    runModifiedPageWriter(m);
    m.tick(100);
    repurposeAllStandby(m);
    assert.deepEqual([m.pfn.u2[pt], m.pfn.usedPageTableEntries[pt]], [1, 4]);
    assertClean(m);
  });

  it('the data survives: every page of a region 3x RAM written, then read back through hard and soft faults', () => {
    const { m, p } = setup({ ramBytes: 4 * 1024 * 1024, pageFileBytes: 32 * 1024 * 1024 });
    const pages = 3 * 1024;
    commit(m, p, 0x10000000, pages);
    for (let k = 0; k < pages; k++) write(m, p, 0x10000000 + k * 4096 + (k % 4000), (k * 7 + 1) & 0xff);
    for (let k = 0; k < pages; k++) assert.equal(read(m, p, 0x10000000 + k * 4096 + (k % 4000)), (k * 7 + 1) & 0xff, `page ${k}`);
    assert.ok(p.hardFaultCount > 0);
    assert.ok(m.counters.pagesRead > m.counters.pageReads); // clustered
    assertClean(m);
  });

  it('collected faults: STATUS codes of the three resolvers (0x110 transition, 0x111 demand zero, 0x114 paging file)', () => {
    const { m, p } = setup();
    commit(m, p, PT_BASE, 2);
    const st = (access: Access) => {
      const from = m.journal.nextSeq;
      m.mmu.translate(PT_BASE, access);
      return [...m.journal.since(from)].filter((e) => e.kind === EventKind.FaultEnd).map((e) => e.newLo >>> 0);
    };
    assert.deepEqual(st(Access.Write), [0x111]);
    trimPage(m, p, PT_BASE);
    assert.deepEqual(st(Access.Read), [0x110]);
    swapOut(m, p, PT_BASE, 1, 1, false);
    assert.deepEqual(st(Access.Read), [0x114]);
    void makeStandby;
  });
});

function freePteAt(m: Machine, p: Process, va: number): void {
  freePte(m, p, va / 4096, 0x200); // a decommit, as the API does it
}

function setProtectionAt(m: Machine, p: Process, va: number, protection: number): void {
  setPageProtection(m, p, va / 4096, protection);
}
