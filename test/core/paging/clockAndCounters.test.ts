import { strict as assert } from 'node:assert';
import { Actor, EventKind } from '../../../src/core/journal';
import { listCounts } from '../../../src/core/inspection';
import { counterRates, performanceCounters, runModifiedPageWriter, tick, trimWorkingSet, zeroFreePages } from '../../../src/core/paging';
import { freePte } from '../../../src/core/memoryOps';
import { assertClean, commit, info, makeStandby, pfnOf, read, setup, swapOut, trimPage, write } from './helpers';

const VA = 0x200000;

describe('paging: the simulated clock', () => {
  it('tick(ms) advances clockMs; the balance set manager runs once per simulated second', () => {
    const { m } = setup();
    tick(m, 999);
    assert.equal(m.clockMs, 999);
    assert.equal(m.pager.stats.balanceRuns, 0);
    tick(m, 1);
    assert.equal(m.pager.stats.balanceRuns, 1);
    m.tick(2500);
    assert.equal(m.clockMs, 3500);
    assert.equal(m.pager.stats.balanceRuns, 3);
    assert.ok([...m.journal.since(0)].some((e) => e.kind === EventKind.Clock && e.newLo === 3500));
  });

  it('writes complete on the clock: fixed latency + transfer time, one request at a time per paging-file disk', () => {
    const { m, p } = setup();
    commit(m, p, VA, 40);
    for (let k = 0; k < 40; k++) write(m, p, VA + k * 4096, 1);
    trimWorkingSet(m, p);
    runModifiedPageWriter(m); // 16 + 16 + 8 pages: three requests
    const c = m.pager.config;
    const first = c.writeLatencyMs + 1;
    m.tick(first - 1);
    assert.equal(m.pfn.standbyTotal, 0);
    m.tick(1);
    assert.equal(m.pfn.standbyTotal, 16);
    m.tick(first);
    assert.equal(m.pfn.standbyTotal, 32);
    m.tick(first);
    assert.equal(m.pfn.standbyTotal, 40);
    assertClean(m);
  });

  it('T22 the zero page thread uses idle time: Free pages become Zeroed as the clock runs (and zeroFreePages does it at once)', () => {
    const { m, p } = setup();
    commit(m, p, VA, 10);
    for (let k = 0; k < 10; k++) write(m, p, VA + k * 4096, 1);
    for (let k = 0; k < 10; k++) freePte(m, p, VA / 4096 + k, 0);
    assert.equal(listCounts(m).free, 10);
    const from = m.journal.nextSeq;
    m.tick(1);
    assert.equal(listCounts(m).free, 0);
    assert.ok([...m.journal.since(from)].filter((e) => e.kind === EventKind.PfnList).every((e) => e.actor === Actor.ZeroPageThread));
    for (let k = 0; k < 3; k++) write(m, p, VA + k * 4096, 1);
    for (let k = 0; k < 3; k++) freePte(m, p, VA / 4096 + k, 0);
    assert.equal(zeroFreePages(m), 3);
    assertClean(m);
  });

  it('deterministic: the same workload gives the same journal, clock and counters', () => {
    const run = () => {
      const { m, p } = setup({ ramBytes: 4 * 1024 * 1024 });
      commit(m, p, VA, 1500);
      for (let k = 0; k < 1500; k++) {
        write(m, p, VA + ((k * 37) % 1500) * 4096, k & 0xff);
        if (k % 300 === 0) m.tick(700);
      }
      for (let k = 0; k < 1500; k += 3) read(m, p, VA + k * 4096);
      let h = 0;
      for (const e of m.journal.since(0)) h = (h * 31 + e.kind * 7 + e.actor + e.a + e.newLo + e.oldLo) % 1000000007;
      return [m.journal.nextSeq, m.clockMs, h, JSON.stringify(performanceCounters(m))];
    };
    assert.deepEqual(run(), run());
  });
});

describe('paging: memory performance counters (book-D §12-13)', () => {
  it('O-H7 the formulas: Available = Free&Zero + Core + Normal + Reserve; standby split by priority; Modified Page List Bytes', () => {
    const { m, p } = setup();
    commit(m, p, VA, 8);
    p.pagePriority = 7;
    makeStandby(m, p, VA);
    p.pagePriority = 5;
    makeStandby(m, p, VA + 0x1000);
    p.pagePriority = 1;
    makeStandby(m, p, VA + 0x2000);
    write(m, p, VA + 0x3000, 1);
    trimPage(m, p, VA + 0x3000);
    const c = performanceCounters(m);
    const l = listCounts(m);
    assert.equal(c.availableBytes, l.available * 4096);
    assert.equal(c.availableBytes, c.freeAndZeroPageListBytes + c.standbyCacheCoreBytes + c.standbyCacheNormalPriorityBytes + c.standbyCacheReserveBytes);
    assert.deepEqual([c.standbyCacheCoreBytes, c.standbyCacheNormalPriorityBytes, c.standbyCacheReserveBytes], [4096, 4096, 4096]);
    assert.equal(c.freeAndZeroPageListBytes, (l.zeroed + l.free) * 4096);
    assert.equal(c.modifiedPageListBytes, 4096);
    assert.equal(c.commitLimit, m.commit.limit * 4096);
    assert.equal(c.committedBytes, m.commit.charge * 4096);
  });

  it('Page Reads / Page Writes count operations, Pages Input / Output count pages; Transition and Demand Zero Faults count faults', () => {
    const { m, p } = setup();
    commit(m, p, VA, 8);
    const c0 = performanceCounters(m);
    swapOut(m, p, VA, 8);
    const c1 = performanceCounters(m);
    assert.equal(c1.demandZeroFaults - c0.demandZeroFaults >= 8, true);
    assert.equal(c1.pageWrites, 1);
    assert.equal(c1.pagesOutput, 8);
    for (let k = 0; k < 8; k++) read(m, p, VA + k * 4096);
    const c2 = performanceCounters(m);
    assert.equal(c2.pageReads - c1.pageReads, 1);
    assert.equal(c2.pagesInput - c1.pagesInput, 8);
    assert.equal(c2.transitionFaults - c1.transitionFaults, 7);
    assert.equal(c2.pagesRead, c2.pagesInput);
    const r = counterRates(c1, c2);
    assert.ok(r.pageReadsPerSec > 0);
  });

  it('O-H4 a clean page moving between Active and Standby does not change the commit charge', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1);
    const charge = m.commit.charge;
    makeStandby(m, p, VA);
    read(m, p, VA);
    trimPage(m, p, VA);
    read(m, p, VA);
    assert.equal(m.commit.charge, charge);
    assert.equal(info(m, pfnOf(m, p, VA)).location, 'Active');
  });

  it('O-H3 committing untouched pages raises the charge at once, Available unchanged; Demand Zero Faults count on first touch', () => {
    const { m, p } = setup();
    const c0 = performanceCounters(m);
    commit(m, p, VA, 5);
    const c1 = performanceCounters(m);
    assert.equal(c1.committedBytes - c0.committedBytes, 5 * 4096);
    assert.equal(c1.availableBytes, c0.availableBytes);
    read(m, p, VA);
    assert.ok(performanceCounters(m).demandZeroFaults > c1.demandZeroFaults);
  });
});
