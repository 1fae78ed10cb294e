import { strict as assert } from 'node:assert';
import { Access } from '../../../src/core/faultHandler';
import { Actor, EventKind } from '../../../src/core/journal';
import { freePte } from '../../../src/core/memoryOps';
import { E1_MODIFIED, LIST_END, PageLocation } from '../../../src/core/pfnDatabase';
import { balanceSetManager, runModifiedPageWriter, trimWorkingSet } from '../../../src/core/paging';
import { PXE_SELFMAP, slotOfEntryVa } from '../../../src/core/addresses';
import { assertClean, commit, info, pfnOf, pte, read, setup, trimPage, validPte, write, wsIndexOf } from './helpers';

const VA = 0x1836000;

describe('paging: the modified page writer (book-B §12, book-C §4)', () => {
  it('O11 a Modified page: PteFrame chain to the PML4 names the process; the transition PTE names the page', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1);
    write(m, p, VA, 1);
    const pfn = pfnOf(m, p, VA);
    trimPage(m, p, VA);
    const i = info(m, pfn);
    assert.deepEqual([i.location, i.modified, i.writeInProgress, i.cacheAttribute, i.priority, i.originalPte], ['Modified', true, false, 1, 5, 0x80n]);
    assert.equal(i.pteAddress, 0xfffff6800000c1b0n);
    // PT -> PD -> PDPT -> PML4 (its own PteFrame), whose u1 identifies the process
    let f = i.pteFrame;
    for (let k = 0; k < 3; k++) f = m.pfn.pteFrame[f];
    assert.equal(f, p.pml4Pfn);
    assert.equal(m.pfn.pteFrame[f], f);
    assert.equal(m.pfn.pteSlot[f], slotOfEntryVa(PXE_SELFMAP));
    assert.equal(m.pfn.u1[f], p.index);
    assert.equal(m.ownerOf(pfn), p);
    assert.equal(pte(m, p, VA)! & 0xffffn, (BigInt(pfn & 0xf) << 12n) | 0x886n);
  });

  it('O12 / T12 / T13 / P3 / P4 / O-7 writing a Modified page: Modified 0 and WriteInProgress 1 at slot assignment, Standby tail at completion, PTE never changes', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1);
    write(m, p, VA, 1);
    const pfn = pfnOf(m, p, VA);
    trimPage(m, p, VA);
    const ptev = pte(m, p, VA);
    // 1. when picked
    let i = info(m, pfn);
    assert.deepEqual([m.pfn.location(pfn), i.modified, i.writeInProgress, i.originalPte >> 32n], [PageLocation.Modified, true, false, 0n]);
    const standbyTail = m.pfn.listTail(m.pfn.listIdStandby(5));
    const from = m.journal.nextSeq;
    assert.equal(runModifiedPageWriter(m), 1);
    // 2. after slot assignment
    i = info(m, pfn);
    const slot = Number(i.originalPte >> 32n);
    assert.ok(slot >= 1);
    assert.deepEqual([m.pfn.location(pfn), i.modified, i.writeInProgress, i.referenceCount, m.pfn.listIdOf(pfn)], [PageLocation.Modified, false, true, 1, 0xffff]);
    assert.equal(i.originalPte & 0xffffffffn, 0x80n);
    assert.equal(i.location, 'Transition'); // shown as book-B §2.4 describes it
    assert.equal(pte(m, p, VA), ptev);
    // 3. the writer returned while the write is in flight; the MPW is the actor
    assert.ok([...m.journal.since(from)].filter((e) => e.kind === EventKind.PfnField).every((e) => e.actor === Actor.ModifiedPageWriter));
    assert.equal(m.counters.pageWrites, 1);
    // 5. completion on the clock
    const completion = m.journal.nextSeq;
    m.tick(100);
    i = info(m, pfn);
    assert.deepEqual([i.location, i.writeInProgress, i.referenceCount, i.modified], ['Standby', false, 0, false]);
    assert.equal(m.pfn.listTail(m.pfn.listIdStandby(5)), pfn);
    assert.equal(m.pfn.u1[pfn], LIST_END); // Flink = end marker
    assert.equal(m.pfn.u2[pfn], standbyTail); // Blink = the previous tail
    assert.ok([...m.journal.since(completion)].filter((e) => e.kind === EventKind.PfnField && e.a === pfn).every((e) => e.actor === Actor.ModifiedPageWriter));
    // 6. PTE unchanged, OriginalPte keeps the slot
    assert.equal(pte(m, p, VA), ptev);
    assert.equal(Number(info(m, pfn).originalPte >> 32n), slot);
    assertClean(m);
  });

  it('O13 / T14 / T15 / P8 / P9 / O-10 an Active dirty page between Modified ones is written too: clean PTE before completion, stays Active', () => {
    const { m, p } = setup();
    commit(m, p, VA, 3);
    for (let k = 0; k < 3; k++) write(m, p, VA + k * 4096, k + 1);
    trimPage(m, p, VA);
    trimPage(m, p, VA + 0x2000);
    const active = pfnOf(m, p, VA + 0x1000);
    const ws = wsIndexOf(m, p, VA + 0x1000);
    assert.equal(pte(m, p, VA + 0x1000), validPte(active, ws, 0x867));
    runModifiedPageWriter(m);
    // made clean at cluster build (R/W and Dirty cleared, Write kept)
    assert.equal(pte(m, p, VA + 0x1000), validPte(active, ws, 0x825));
    let i = info(m, active);
    assert.deepEqual([i.location, i.modified, i.writeInProgress, i.referenceCount, i.shareCount], ['Active', false, true, 2, 1]);
    assert.equal(i.originalPte & 0xffffffffn, 0x80n);
    const slot = Number(i.originalPte >> 32n);
    // one write, consecutive offsets in VA order (O14)
    assert.equal(m.counters.pageWrites, 1);
    assert.equal(m.counters.pagesWritten, 3);
    assert.deepEqual([VA, VA + 0x1000, VA + 0x2000].map((v) => Number(info(m, pfnOf(m, p, v)).originalPte >> 32n)), [slot - 1, slot, slot + 1]);
    m.tick(100);
    i = info(m, active);
    assert.deepEqual([i.location, i.modified, i.writeInProgress, i.referenceCount], ['Active', false, false, 1]);
    assert.equal(pte(m, p, VA + 0x1000), validPte(active, ws, 0x825));
    assert.equal(p.wsl.slotAt(ws), (VA + 0x1000) / 4096);
    assertClean(m);
  });

  it('the run of a cluster ends with Modified pages: trailing Active pages stay out', () => {
    const { m, p } = setup();
    commit(m, p, VA, 4);
    for (let k = 0; k < 4; k++) write(m, p, VA + k * 4096, k + 1);
    trimPage(m, p, VA);
    runModifiedPageWriter(m);
    assert.equal(m.counters.pagesWritten, 1);
    assert.equal(info(m, pfnOf(m, p, VA + 0x1000)).writeInProgress, false);
  });

  it('O14 a cluster of contiguous Modified pages gets consecutive paging-file offsets in one write', () => {
    const { m, p } = setup();
    commit(m, p, VA, 8);
    for (let k = 0; k < 8; k++) write(m, p, VA + k * 4096, 1);
    trimWorkingSet(m, p);
    runModifiedPageWriter(m);
    assert.equal(m.counters.pageWrites, 1);
    const offs = Array.from({ length: 8 }, (_, k) => Number(info(m, pfnOf(m, p, VA + k * 4096)).originalPte >> 32n));
    for (let k = 1; k < 8; k++) assert.equal(offs[k], offs[0] + k);
    m.tick(100);
    assertClean(m);
  });

  it('clusters stop at 16 pages and at the page-table boundary', () => {
    const { m, p } = setup();
    commit(m, p, 0x3fe000, 40); // crosses the 2 MB boundary at 0x400000
    for (let k = 0; k < 40; k++) write(m, p, 0x3fe000 + k * 4096, 1);
    trimWorkingSet(m, p);
    runModifiedPageWriter(m);
    // 2 pages below the boundary, then 16 + 16 + 6
    assert.equal(m.counters.pageWrites, 4);
    m.tick(1000);
    assertClean(m);
  });

  it('O15 trimmed user pages go to MmModifiedProcessListByColor, paging structures to MmModifiedPageListByColor', () => {
    const { m, p } = setup();
    commit(m, p, 0x200000, 1);
    commit(m, p, 0x400000, 1);
    read(m, p, 0x200000);
    write(m, p, 0x400000, 1);
    const leaf = pfnOf(m, p, 0x400000);
    trimPage(m, p, 0x400000);
    assert.equal(m.pfn.listIdOf(leaf), m.pfn.listIdModifiedProcess);
    // its page table: empty (the leaf is in transition) -> not eligible; a table with nothing linked is
    const pt = m.paging.tableOf(p, 0x200, 1);
    freePte(m, p, 0x200, 0x80); // back to demand-zero: the table has no linked entry any more
    trimWorkingSet(m, p);
    assert.equal(m.pfn.listIdOf(pt), m.pfn.listIdModifiedSystem);
    assert.equal(info(m, pt).location, 'Modified');
    assertClean(m);
  });

  it('O-8 / P6 read during the write: the page is back in the working set, clean; completion leaves it Active (RC 2 -> 1)', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1);
    write(m, p, VA, 4);
    const pfn = pfnOf(m, p, VA);
    trimPage(m, p, VA);
    runModifiedPageWriter(m);
    const slot = Number(info(m, pfn).originalPte >> 32n);
    assert.equal(read(m, p, VA), 4);
    let i = info(m, pfn);
    assert.deepEqual([i.location, i.referenceCount, i.shareCount, i.writeInProgress, i.modified], ['Active', 2, 1, true, false]);
    assert.equal(pte(m, p, VA)! & 0xfffn, 0x825n); // clean: a write would fault
    m.tick(100);
    i = info(m, pfn);
    assert.deepEqual([i.location, i.referenceCount, i.shareCount, i.writeInProgress, i.modified], ['Active', 1, 1, false, false]);
    assert.equal(i.wsIndex, wsIndexOf(m, p, VA));
    assert.equal(Number(i.originalPte >> 32n), slot);
    assertClean(m);
  });

  it('O-9 / P7 / P11 write during the write: Modified set again; completion releases the slot (PageFileHigh 0), page Active dirty, RC 1', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1);
    write(m, p, VA, 4);
    const pfn = pfnOf(m, p, VA);
    trimPage(m, p, VA);
    runModifiedPageWriter(m);
    const slot = Number(info(m, pfn).originalPte >> 32n);
    write(m, p, VA, 5);
    let i = info(m, pfn);
    assert.deepEqual([i.location, i.referenceCount, i.writeInProgress, i.modified], ['Active', 2, true, true]);
    assert.equal(Number(i.originalPte >> 32n), slot); // not released during the I/O
    m.tick(100);
    i = info(m, pfn);
    assert.deepEqual([i.location, i.referenceCount, i.writeInProgress, i.modified, i.originalPte], ['Active', 1, false, true, 0x80n]);
    assert.equal(m.pager.files[0]!.isAllocated(slot), false);
    assert.equal(pte(m, p, VA)! & 0xfffn, 0x867n);
    assertClean(m);
  });

  it('P10 a write to an Active page under write faults (R/W cleared early) and sets Modified; completion discards the copy', () => {
    const { m, p } = setup();
    commit(m, p, VA, 3);
    for (let k = 0; k < 3; k++) write(m, p, VA + k * 4096, 1);
    trimPage(m, p, VA);
    trimPage(m, p, VA + 0x2000);
    runModifiedPageWriter(m);
    const active = pfnOf(m, p, VA + 0x1000);
    const slot = Number(info(m, active).originalPte >> 32n);
    const dirtyFaults = m.counters.dirtyBitFaults;
    write(m, p, VA + 0x1000, 9);
    assert.equal(m.counters.dirtyBitFaults, dirtyFaults + 1);
    assert.equal(info(m, active).modified, true);
    assert.equal(m.pager.files[0]!.isAllocated(slot), true); // release deferred
    assert.equal(pte(m, p, VA + 0x1000)! & 0xfffn, 0x867n);
    m.tick(100);
    assert.equal(m.pager.files[0]!.isAllocated(slot), false);
    assert.equal(info(m, active).originalPte, 0x80n);
    assertClean(m);
  });

  it('T10 / T11 a page trimmed while its write is in flight keeps a reference: its state is set but it is linked only at completion', () => {
    const { m, p } = setup();
    commit(m, p, VA, 3);
    for (let k = 0; k < 3; k++) write(m, p, VA + k * 4096, 1);
    trimPage(m, p, VA);
    trimPage(m, p, VA + 0x2000);
    runModifiedPageWriter(m);
    const active = pfnOf(m, p, VA + 0x1000);
    trimPage(m, p, VA + 0x1000); // clean now (R/W and D cleared by the writer)
    let i = info(m, active);
    assert.deepEqual([m.pfn.location(active), i.referenceCount, i.shareCount, m.pfn.listIdOf(active)], [PageLocation.Standby, 1, 0, 0xffff]);
    m.tick(100);
    i = info(m, active);
    assert.deepEqual([i.location, i.referenceCount], ['Standby', 0]);
    assertClean(m);
  });

  it('T21 / P29 memory released during the write: the page is freed when the write completes (discard flag, PteAddress bit 1)', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1);
    write(m, p, VA, 4);
    const pfn = pfnOf(m, p, VA);
    trimPage(m, p, VA);
    runModifiedPageWriter(m);
    const slot = Number(info(m, pfn).originalPte >> 32n);
    freePte(m, p, VA / 4096, 0x200);
    assert.equal(pte(m, p, VA), 0x200n);
    assert.equal(info(m, pfn).discardOnCompletion, true);
    assert.equal(info(m, pfn).pteAddress & 3n, 2n);
    assertClean(m);
    m.tick(100);
    assert.equal(info(m, pfn).location, m.pfn.location(pfn) === PageLocation.Free ? 'Free' : 'Zeroed');
    assert.equal(m.pager.files[0]!.isAllocated(slot), false);
    assertClean(m);
  });

  it('the balance set manager wakes the writer when available pages are below 262,144 (always on a small machine)', () => {
    const { m, p } = setup();
    commit(m, p, VA, 4);
    for (let k = 0; k < 4; k++) write(m, p, VA + k * 4096, 1);
    trimWorkingSet(m, p);
    balanceSetManager(m);
    assert.equal(m.counters.pagesWritten, 4);
    const big = setup({ paging: { mpwWakeAvailablePages: 0, mpwWakeZeroedFreePages: 0 } });
    commit(big.m, big.p, VA, 4);
    for (let k = 0; k < 4; k++) write(big.m, big.p, VA + k * 4096, 1);
    trimWorkingSet(big.m, big.p);
    balanceSetManager(big.m);
    assert.equal(big.m.counters.pagesWritten, 0);
    assert.equal(big.m.pfn.modifiedTotal, 4);
  });

  it('no paging file: Modified pages stay Modified; the writer writes nothing', () => {
    const { m, p } = setup({ pageFileBytes: 0 });
    commit(m, p, VA, 2);
    write(m, p, VA, 1);
    trimWorkingSet(m, p);
    assert.equal(runModifiedPageWriter(m), 0);
    m.tick(3000);
    assert.equal(m.pfn.modifiedTotal, 1);
    assert.equal(read(m, p, VA), 1);
    assertClean(m);
  });

  it('a read-only private page also starts dirty and is written like any other (E1 Modified from the first touch)', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1, 1);
    assert.equal(m.mmu.translate(VA, Access.Read) > 0, true);
    const pfn = pfnOf(m, p, VA);
    assert.ok((m.pfn.e1[pfn] & E1_MODIFIED) !== 0);
    trimPage(m, p, VA);
    runModifiedPageWriter(m);
    m.tick(50);
    assert.equal(info(m, pfn).location, 'Standby');
    assertClean(m);
  });
});
