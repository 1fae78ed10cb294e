import { strict as assert } from 'node:assert';
import { Access } from '../../../src/core/faultHandler';
import { Step } from '../../../src/core/faultSteps';
import { EventKind } from '../../../src/core/journal';
import { PageLocation } from '../../../src/core/pfnDatabase';
import { runModifiedPageWriter } from '../../../src/core/paging';
import { STATUS_ACCESS_VIOLATION, STATUS_PAGE_FAULT_TRANSITION, STATUS_SUCCESS } from '../../../src/core/status';
import { assertClean, commit, info, makeStandby, pfnOf, pte, read, setup, trimPage, validPte, write, wsIndexOf } from './helpers';

const VA = 0x5d0000;

/** Steps of the last fault (journal FaultStep events since `from`). */
function stepsSince(m: ReturnType<typeof setup>['m'], from: number): Step[] {
  return [...m.journal.since(from)].filter((e) => e.kind === EventKind.FaultStep).map((e) => e.sub as Step);
}

describe('paging: soft faults and dirty-bit management (book-C §3, §5)', () => {
  it('O-1 / P15 / T17 read soft fault from Standby: clean PTE (...825), Modified 0, paging-file copy kept', () => {
    const { m, p } = setup();
    commit(m, p, VA, 4);
    const pfn = makeStandby(m, p, VA, 7);
    const before = info(m, pfn);
    assert.equal(before.location, 'Standby');
    const slot = Number(before.originalPte >> 32n);
    assert.ok(slot > 0);
    const from = m.journal.nextSeq;
    assert.equal(read(m, p, VA), 7);
    assert.ok(stepsSince(m, from).includes(Step.TfUnlink));
    const ws = wsIndexOf(m, p, VA);
    assert.equal(pte(m, p, VA), validPte(pfn, ws, 0x825));
    const i = info(m, pfn);
    assert.deepEqual([i.location, i.shareCount, i.referenceCount, i.modified, i.wsIndex], ['Active', 1, 1, false, ws]);
    assert.equal(i.originalPte, (BigInt(slot) << 32n) | 0x80n); // PageFileLow 0, protection 4, offset kept
    assert.ok(m.pager.files[0]!.isAllocated(slot)); // the slot is still allocated
    assert.equal(p.wsl.slotAt(ws), VA / 4096);
    assert.equal(m.counters.transitionFaults, 1);
    assertClean(m);
  });

  it('O-2 / P16 / T18 write soft fault from Standby: dirty PTE (...867), Modified 1, PageFileHigh 0, slot released once', () => {
    const { m, p } = setup();
    commit(m, p, VA, 4);
    const pfn = makeStandby(m, p, VA, 7);
    const slot = Number(info(m, pfn).originalPte >> 32n);
    const from = m.journal.nextSeq;
    write(m, p, VA, 9);
    const steps = stepsSince(m, from);
    assert.equal(steps.filter((s) => s === Step.TfReleasePageFile).length, 1);
    assert.equal(pte(m, p, VA), validPte(pfn, wsIndexOf(m, p, VA), 0x867));
    const i = info(m, pfn);
    assert.deepEqual([i.location, i.shareCount, i.referenceCount, i.modified, i.originalPte], ['Active', 1, 1, true, 0x80n]);
    assert.equal(m.pager.files[0]!.isAllocated(slot), false);
    assertClean(m);
  });

  it('O-3 / P5 / T16 soft fault from Modified: dirty PTE for a read and for a write, no slot release', () => {
    for (const access of [Access.Read, Access.Write]) {
      const { m, p } = setup();
      commit(m, p, VA, 4);
      write(m, p, VA, 3);
      const pfn = pfnOf(m, p, VA);
      trimPage(m, p, VA);
      assert.equal(info(m, pfn).location, 'Modified');
      const from = m.journal.nextSeq;
      assert.ok(m.mmu.translate(VA, access) > 0);
      assert.equal(m.faults.ctx.status, STATUS_PAGE_FAULT_TRANSITION);
      assert.ok(!stepsSince(m, from).includes(Step.TfReleasePageFile));
      assert.equal(pte(m, p, VA), validPte(pfn, wsIndexOf(m, p, VA), 0x867));
      const i = info(m, pfn);
      assert.deepEqual([i.location, i.shareCount, i.referenceCount, i.modified, i.originalPte], ['Active', 1, 1, true, 0x80n]);
      assertClean(m);
    }
  });

  it('O-4 / P12 / T9 trim of a clean active page goes directly to Standby with no write', () => {
    const { m, p } = setup();
    commit(m, p, VA, 4);
    const pfn = makeStandby(m, p, VA, 7);
    read(m, p, VA); // active clean
    const opte = info(m, pfn).originalPte;
    const writes = m.counters.pageWrites;
    const transition = pte(m, p, VA)!;
    trimPage(m, p, VA);
    const i = info(m, pfn);
    assert.equal(i.location, 'Standby');
    assert.equal(i.modified, false);
    assert.equal(i.originalPte, opte);
    assert.equal(m.counters.pageWrites, writes);
    // transition PTE: Write (bit 1) follows the hardware R/W bit, which is 0 for a clean page
    assert.equal(pte(m, p, VA), (transition & ~0xfffn) | 0x884n);
    assertClean(m);
  });

  it('O-5 / P13 / T19 first write to a clean page: PageFileHigh cleared, then the slot released, then 0x825 -> 0x867; Modified stays 0', () => {
    const { m, p } = setup();
    commit(m, p, VA, 4);
    const pfn = makeStandby(m, p, VA, 7);
    read(m, p, VA);
    assert.equal(pte(m, p, VA)! & 0xfffn, 0x825n);
    const slot = Number(info(m, pfn).originalPte >> 32n);
    const from = m.journal.nextSeq;
    write(m, p, VA, 8);
    const steps = stepsSince(m, from);
    const order = [Step.DbClearPageFile, Step.DbRelease, Step.DbWritePte].map((s) => steps.indexOf(s));
    assert.ok(order[0] >= 0 && order[0] < order[1] && order[1] < order[2], `steps ${steps}`);
    // the OriginalPte write happens while the PTE is still ...825
    const evs = [...m.journal.since(from)];
    const opteWrite = evs.findIndex((e) => e.kind === EventKind.PfnField && e.sub === 5 && e.a === pfn);
    const pteWrite = evs.findIndex((e) => e.kind === EventKind.PteWrite && e.a === VA / 4096);
    assert.ok(opteWrite >= 0 && opteWrite < pteWrite);
    assert.equal(pte(m, p, VA)! & 0xfffn, 0x867n);
    const i = info(m, pfn);
    assert.equal(i.modified, false);
    assert.equal(i.originalPte, 0x80n);
    assert.equal(m.pager.files[0]!.isAllocated(slot), false);
    assert.equal(m.counters.dirtyBitFaults, 1);
    // a second write does not fault
    const faults = m.counters.pageFaults;
    write(m, p, VA + 1, 9);
    assert.equal(m.counters.pageFaults, faults);
    // trimmed now, the page is dirty: Modified list
    trimPage(m, p, VA);
    assert.equal(info(m, pfn).location, 'Modified');
    assertClean(m);
  });

  it('O-6 / P14 write to a truly read-only page: access violation, PTE and PFN unchanged', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1, 1);
    read(m, p, VA);
    const before = pte(m, p, VA)!;
    assert.equal(before & 0xfffn, 0x025n);
    const pfn = pfnOf(m, p, VA);
    const pi = info(m, pfn);
    assert.equal(m.mmu.translate(VA, Access.Write), -1);
    assert.equal(m.mmu.lastFault.status, STATUS_ACCESS_VIOLATION);
    assert.equal(pte(m, p, VA), before);
    assert.deepEqual(info(m, pfn), pi);
  });

  it('a soft fault checks the access against the transition PTE protection (read-only page written: AV, page stays)', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1, 1);
    read(m, p, VA);
    const pfn = pfnOf(m, p, VA);
    trimPage(m, p, VA);
    const loc = info(m, pfn).location;
    assert.equal(m.mmu.translate(VA, Access.Write), -1);
    assert.equal(m.mmu.lastFault.status, STATUS_ACCESS_VIOLATION);
    assert.equal(info(m, pfn).location, loc);
    assert.equal(read(m, p, VA), 0);
    assertClean(m);
  });

  it('the soft-fault steps are MiResolveTransitionFault steps and the fault returns STATUS_PAGE_FAULT_TRANSITION', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1);
    write(m, p, VA, 1);
    trimPage(m, p, VA);
    const ctx = m.faults.begin(p, VA, Access.Read, true);
    const steps: Step[] = [];
    while (m.faults.active) {
      steps.push(ctx.step);
      m.faults.step();
    }
    assert.equal(ctx.status, STATUS_PAGE_FAULT_TRANSITION);
    for (const s of [Step.Dispatch, Step.TfReadPfn, Step.TfUnlink, Step.TfActivate, Step.TfBuildPte, Step.TfWsleTake, Step.TfWsleStore, Step.TfWritePte]) {
      assert.ok(steps.includes(s), `missing step ${s}`);
    }
    assert.equal(ctx.kind, 'transition');
    assert.equal(p.faultsByKind().transition, 1);
    assertClean(m);
  });

  it('a soft fault on a page whose write is in flight (MW) does not wait and leaves the write running', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1);
    write(m, p, VA, 1);
    const pfn = pfnOf(m, p, VA);
    trimPage(m, p, VA);
    runModifiedPageWriter(m);
    assert.equal(info(m, pfn).writeInProgress, true);
    const t = m.clockMs;
    assert.equal(read(m, p, VA), 1);
    assert.equal(m.clockMs, t); // no waiting
    assert.equal(info(m, pfn).writeInProgress, true);
    assert.equal(m.faults.ctx.status, STATUS_PAGE_FAULT_TRANSITION);
    void STATUS_SUCCESS;
    void PageLocation.Active;
    assertClean(m);
  });
});
