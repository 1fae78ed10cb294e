import { strict as assert } from 'node:assert';
import { Access } from '../../../src/core/faultHandler';
import { Actor, EventKind } from '../../../src/core/journal';
import { listCounts } from '../../../src/core/inspection';
import {
  QUOTA_LIMITS_HARDWS_MAX_ENABLE, STATUS_BAD_WORKING_SET_LIMIT, balanceSetManager, emptyWorkingSet, runModifiedPageWriter,
  setWorkingSetLimits, trimAll, trimWorkingSet,
} from '../../../src/core/paging';
import { ACCESSED } from '../../../src/core/pte';
import { STATUS_INVALID_PARAMETER, STATUS_SUCCESS } from '../../../src/core/status';
import { assertClean, commit, info, pfnOf, pte, pteLo, read, setup, write, wsIndexOf } from './helpers';

const VA = 0x5b0000;

describe('paging: working-set limits, ageing and trimming (book-B §10, §11)', () => {
  it('O19 new processes: page priority 5, working set minimum 50 and maximum 345 pages', () => {
    const { m, p } = setup();
    assert.equal(p.pagePriority, 5);
    assert.deepEqual([p.wsl.minimum, p.wsl.maximum], [50, 345]);
    commit(m, p, VA, 1);
    write(m, p, VA, 1);
    assert.equal(info(m, pfnOf(m, p, VA)).priority, 5);
    assert.equal(p.maximumWorkingSetHard, false);
  });

  it('O6 / T8 / P2 trimming moves dirty pages to Modified: Modified total + n, available unchanged, transition PTEs (...886)', () => {
    const { m, p } = setup();
    commit(m, p, VA, 40);
    for (let k = 0; k < 40; k++) write(m, p, VA + k * 4096, k + 1);
    const pfns = Array.from({ length: 40 }, (_, k) => pfnOf(m, p, VA + k * 4096));
    const valid = Array.from({ length: 40 }, (_, k) => pte(m, p, VA + k * 4096)!);
    const before = listCounts(m);
    const wsBefore = p.wsl.size;
    const from = m.journal.nextSeq;
    assert.equal(trimWorkingSet(m, p, 40), 40);
    const after = listCounts(m);
    assert.equal(after.modified, before.modified + 40);
    assert.equal(after.available, before.available);
    assert.equal(p.wsl.size, wsBefore - 40);
    for (let k = 0; k < 40; k++) {
      // Valid 0, Write/Owner kept, Protection 4, Transition 1, PFN and the high bits kept
      assert.equal(pte(m, p, VA + k * 4096), (valid[k] & ~0xfffn) | 0x886n);
      const i = info(m, pfns[k]);
      assert.deepEqual([i.location, i.shareCount, i.referenceCount, i.modified, i.originalPte], ['Modified', 0, 0, true, 0x80n]);
      assert.equal(m.pfn.listIdOf(pfns[k]), m.pfn.listIdModifiedProcess);
    }
    // the working-set manager is the actor
    assert.ok([...m.journal.since(from)].filter((e) => e.kind === EventKind.PteWrite).every((e) => e.actor === Actor.Trim));
    assertClean(m);
  });

  it('ageing (book-B §10.5): Accessed set -> cleared and Age 0; not accessed -> Age + 1, up to 7', () => {
    const { m, p } = setup();
    commit(m, p, VA, 2);
    write(m, p, VA, 1);
    write(m, p, VA + 0x1000, 1);
    const ws0 = wsIndexOf(m, p, VA);
    const ws1 = wsIndexOf(m, p, VA + 0x1000);
    assert.ok((pteLo(m, p, VA) & ACCESSED) !== 0);
    m.tick(1000); // one balance set manager pass
    assert.equal(pteLo(m, p, VA) & ACCESSED, 0);
    assert.deepEqual([p.wsl.age(ws0), p.wsl.age(ws1)], [0, 0]);
    m.tick(1000);
    assert.deepEqual([p.wsl.age(ws0), p.wsl.age(ws1)], [1, 1]);
    read(m, p, VA); // the walk sets Accessed again (the TLB entry went with the clear)
    assert.ok((pteLo(m, p, VA) & ACCESSED) !== 0);
    m.tick(1000);
    assert.deepEqual([p.wsl.age(ws0), p.wsl.age(ws1)], [0, 2]);
    m.tick(10000);
    assert.equal(p.wsl.age(ws1), 7);
    assertClean(m);
  });

  it('O7 no trimming when memory is plentiful: the balance set manager runs each second, trims nothing, the repurpose sample stays constant', () => {
    const { m, p } = setup();
    commit(m, p, VA, 100);
    for (let k = 0; k < 100; k++) write(m, p, VA + k * 4096, 1);
    const size = p.wsl.size;
    m.tick(5000);
    assert.equal(m.pager.stats.balanceRuns, 5);
    assert.equal(m.pager.stats.wsmTrimmedPages, 0);
    assert.equal(p.wsl.size, size);
    assert.deepEqual(m.pager.repurposeSamples.map((s) => s.atMs), [1000, 2000, 3000, 4000, 5000]);
    assert.ok(m.pager.repurposeSamples.every((s) => s.value === 0));
  });

  it('the working set manager trims oldest entries first, only aged ones, stops at the goal and never below the minimum', () => {
    const { m, p } = setup();
    commit(m, p, VA, 120);
    for (let k = 0; k < 120; k++) write(m, p, VA + k * 4096, 1);
    m.tick(1000); // everything aged to 0
    m.tick(1000); // everything Age 1
    for (let k = 0; k < 60; k++) read(m, p, VA + k * 4096); // the first half is in use again
    // ask for 30 pages more than are available
    m.pager.config.trimGoalPages = m.pfn.availablePages + 30;
    const before = p.wsl.size;
    m.tick(1000);
    assert.equal(before - p.wsl.size, 30);
    // the trimmed pages are from the idle half (Age 2), in WSL order
    for (let k = 0; k < 60; k++) assert.ok((pteLo(m, p, VA + k * 4096) & 1) === 1, `recent page ${k} trimmed`);
    assert.equal(m.pager.stats.wsmTrimmedPages, 30);
    // a goal beyond what the process can give: it keeps its minimum
    m.pager.config.trimGoalPages = m.pfn.count * 2;
    m.tick(1000);
    m.tick(1000);
    assert.ok(p.wsl.size >= p.wsl.minimum);
    assertClean(m);
  });

  it('which process: the one with the most idle pages first, the foreground process last', () => {
    const { m, p } = setup();
    const q = m.createProcess('idle');
    commit(m, p, VA, 80);
    commit(m, q, VA, 80);
    for (let k = 0; k < 80; k++) {
      write(m, p, VA + k * 4096, 1);
      write(m, q, VA + k * 4096, 1);
    }
    m.switchTo(p); // p is the foreground process
    m.tick(2000);
    m.pager.config.trimGoalPages = m.pfn.availablePages + 20;
    const [ps, qs] = [p.wsl.size, q.wsl.size];
    m.tick(1000);
    assert.equal(ps, p.wsl.size);
    assert.equal(qs - q.wsl.size, 20);
  });

  it('O8 the repurpose counter is sampled into MiLastStandbyRePurposed once per second and never decreases', () => {
    const { m, p } = setup({ ramBytes: 4 * 1024 * 1024 });
    const pages = 1400;
    commit(m, p, VA, pages);
    const seen: number[] = [];
    for (let k = 0; k < pages; k++) {
      write(m, p, VA + k * 4096, (k & 0x7f) + 1);
      if (k % 200 === 199) {
        m.tick(1000);
        seen.push(m.pager.lastStandbyRepurposed);
        assert.equal(m.pager.lastStandbyRepurposed, m.allocator.standbyRepurposed);
      }
    }
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1]);
    assert.ok(seen[seen.length - 1] > 0);
    const last = m.allocator.standbyRepurposed;
    m.tick(3000);
    assert.equal(m.allocator.standbyRepurposed, last);
    assert.equal(m.pager.lastStandbyRepurposed, last);
    assertClean(m);
  });

  it('O9 forced trim in the faulting thread when all three conditions hold, and not otherwise', () => {
    const { m, p } = setup({ ramBytes: 4 * 1024 * 1024 });
    // condition 1: (WorkingSetSize - FirstDynamic) > 75% of physical pages
    const threshold = m.forcedTrimThreshold;
    assert.equal(threshold, Math.floor(0.75 * 1024));
    commit(m, p, VA, 1200);
    let k = 0;
    for (; p.wsl.size - p.wsl.firstDynamic <= threshold; k++) write(m, p, VA + k * 4096, 1);
    // condition 2 is false (nothing repurposed since the last sample): no forced trim
    assert.equal(m.pager.stats.forcedTrims, 0);
    write(m, p, VA + k++ * 4096, 1);
    assert.equal(m.pager.stats.forcedTrims, 0);
    // make some standby pages and have them repurposed
    const q = m.createProcess('other');
    commit(m, q, 0x10000000, 600);
    for (let j = 0; j < 32; j++) write(m, q, 0x10000000 + j * 4096, 1);
    trimWorkingSet(m, q);
    runModifiedPageWriter(m);
    m.tick(1000); // writes complete; the balance set manager samples the counter
    let j = 32;
    while (m.pfn.zeroedTotal + m.pfn.freeTotal > 0) write(m, q, 0x10000000 + j++ * 4096, 1);
    const beforeRepurposed = m.allocator.standbyRepurposed;
    // a fault in q's area repurposes a standby page: condition 2 becomes true
    write(m, q, 0x10000000 + j * 4096, 1);
    assert.ok(m.allocator.standbyRepurposed > beforeRepurposed);
    const size = p.wsl.size;
    const from = m.journal.nextSeq;
    write(m, p, VA + k * 4096, 1);
    assert.equal(m.pager.stats.forcedTrims, 1);
    assert.ok(p.wsl.size < size);
    // the trim ran inside the fault (between its FaultBegin and FaultEnd), as a working-set trim
    const evs = [...m.journal.since(from)];
    const begin = evs.findIndex((e) => e.kind === EventKind.FaultBegin);
    const end = evs.findIndex((e) => e.kind === EventKind.FaultEnd);
    const trims = evs.map((e, i) => [e, i] as const).filter(([e]) => e.kind === EventKind.PteWrite && e.actor === Actor.Trim);
    assert.ok(trims.length > 0 && trims.every(([, i]) => i > begin && i < end));
    assertClean(m);
  });

  it('O10 hard working-set maximum: a new entry replaces one at the maximum; without it the working set grows past 345', () => {
    const { m, p } = setup();
    assert.equal(setWorkingSetLimits(m, p, 20, 40, QUOTA_LIMITS_HARDWS_MAX_ENABLE), STATUS_SUCCESS);
    assert.equal(p.maximumWorkingSetHard, true);
    commit(m, p, VA, 100);
    for (let k = 0; k < 100; k++) write(m, p, VA + k * 4096, 1);
    assert.equal(p.wsl.size, 40);
    assert.ok(m.pager.stats.replacements > 0);
    for (let k = 0; k < 100; k++) assert.equal(read(m, p, VA + k * 4096), 1);
    assertClean(m);
    const free = setup();
    commit(free.m, free.p, VA, 400);
    for (let k = 0; k < 400; k++) write(free.m, free.p, VA + k * 4096, 1);
    assert.ok(free.p.wsl.size > 345);
  });

  it('SetProcessWorkingSetSize semantics: validation, a lower maximum trims down to it', () => {
    const { m, p } = setup();
    assert.equal(setWorkingSetLimits(m, p, 100, 50), STATUS_BAD_WORKING_SET_LIMIT);
    assert.equal(setWorkingSetLimits(m, p, 20, 50, 0x5 | 0x8), STATUS_INVALID_PARAMETER);
    assert.equal(setWorkingSetLimits(m, p, 20, 50, 0x10), STATUS_INVALID_PARAMETER);
    commit(m, p, VA, 100);
    for (let k = 0; k < 100; k++) write(m, p, VA + k * 4096, 1);
    assert.equal(setWorkingSetLimits(m, p, 20, 60), STATUS_SUCCESS);
    assert.equal(p.wsl.size, 60);
    assert.deepEqual([p.wsl.minimum, p.wsl.maximum], [20, 60]);
    assert.equal(p.maximumWorkingSetHard, false);
    assertClean(m);
  });

  it('SetProcessWorkingSetSize(-1, -1) / EmptyWorkingSet releases the whole working set; VAs stay committed', () => {
    const { m, p } = setup();
    commit(m, p, VA, 30);
    for (let k = 0; k < 30; k++) write(m, p, VA + k * 4096, k + 1);
    assert.equal(setWorkingSetLimits(m, p, -1, -1), STATUS_SUCCESS);
    for (let k = 0; k < 30; k++) assert.equal(pteLo(m, p, VA + k * 4096) & 1, 0);
    // left: the 5 fixed entries, the UMPB page, and the PDPT, PD and PT (their entries are still linked)
    assert.equal(p.wsl.size, 9);
    for (let k = 0; k < 30; k++) assert.equal(read(m, p, VA + k * 4096), k + 1);
    assertClean(m);
  });

  it('O5 / T8z all-zero dirty pages are discarded on working-set release (PTE 0x80, page freed); pages with data go to Modified', () => {
    const { m, p } = setup();
    commit(m, p, VA, 64);
    for (let k = 0; k < 64; k++) read(m, p, VA + k * 4096); // read: dirty zero pages
    write(m, p, VA + 10 * 4096 + 7, 1); // one page with data
    const pfns = Array.from({ length: 64 }, (_, k) => pfnOf(m, p, VA + k * 4096));
    const before = listCounts(m);
    emptyWorkingSet(m, p);
    for (let k = 0; k < 64; k++) {
      if (k === 10) {
        assert.equal(pte(m, p, VA + k * 4096)! & 0xfffn, 0x886n);
        assert.equal(info(m, pfns[k]).location, 'Modified');
      } else {
        assert.equal(pte(m, p, VA + k * 4096), 0x80n);
        assert.equal(info(m, pfns[k]).location, 'Free');
      }
    }
    const after = listCounts(m);
    assert.equal(after.modified, before.modified + 1);
    assert.equal(after.free, before.free + 63);
    assert.equal(m.pager.stats.zeroDiscards, 63);
    // the discarded pages read as zero again (demand-zero)
    assert.equal(read(m, p, VA), 0);
    assertClean(m);
  });

  it('O5 knobs: the book\'s exempt prefix (zeroPageDiscardExemptPages), and "never" / "always"', () => {
    const a = setup({ paging: { zeroPageDiscardExemptPages: 3 } });
    commit(a.m, a.p, VA, 8);
    for (let k = 0; k < 8; k++) read(a.m, a.p, VA + k * 4096);
    emptyWorkingSet(a.m, a.p);
    assert.deepEqual(Array.from({ length: 8 }, (_, k) => pte(a.m, a.p, VA + k * 4096)! & 0xfffn), [0x886n, 0x886n, 0x886n, 0x80n, 0x80n, 0x80n, 0x80n, 0x80n]);
    const b = setup({ paging: { zeroPageDiscard: 'never' } });
    commit(b.m, b.p, VA, 4);
    for (let k = 0; k < 4; k++) read(b.m, b.p, VA + k * 4096);
    emptyWorkingSet(b.m, b.p);
    assert.equal(b.m.pfn.modifiedTotal, 4);
    const c = setup({ paging: { zeroPageDiscard: 'always' } });
    commit(c.m, c.p, VA, 4);
    for (let k = 0; k < 4; k++) read(c.m, c.p, VA + k * 4096);
    trimWorkingSet(c.m, c.p);
    assert.equal(c.m.pfn.listTotal(c.m.pfn.listIdModifiedProcess), 0);
    // with nothing linked below it any more, the page table left too (to the system Modified list)
    assert.equal(c.m.pfn.listTotal(c.m.pfn.listIdModifiedSystem), 1);
    // the default: an ordinary trim keeps zero pages (they go to Modified)
    const d = setup();
    commit(d.m, d.p, VA, 4);
    for (let k = 0; k < 4; k++) read(d.m, d.p, VA + k * 4096);
    trimWorkingSet(d.m, d.p);
    assert.equal(d.m.pfn.modifiedTotal, 4);
  });

  it('locked pages (VirtualLock) stay in the working set through every kind of trim', () => {
    const { m, p } = setup();
    commit(m, p, VA, 4);
    for (let k = 0; k < 4; k++) write(m, p, VA + k * 4096, 1);
    p.lockedVpns.add(VA / 4096 + 1);
    trimWorkingSet(m, p);
    emptyWorkingSet(m, p);
    m.pager.config.trimGoalPages = m.pfn.count * 2;
    m.tick(3000);
    assert.equal(pteLo(m, p, VA + 0x1000) & 1, 1);
    assert.equal(pteLo(m, p, VA) & 1, 0);
    assertClean(m);
  });

  it('trimAll trims every process; the balance set manager can be run directly', () => {
    const { m, p } = setup();
    const q = m.createProcess('q');
    commit(m, p, VA, 3);
    commit(m, q, VA, 3);
    for (let k = 0; k < 3; k++) {
      write(m, p, VA + k * 4096, 1);
      write(m, q, VA + k * 4096, 1);
    }
    assert.equal(trimAll(m), 6);
    assert.equal(m.pfn.modifiedTotal, 6);
    assert.equal(balanceSetManager(m), 0);
    assert.equal(m.pfn.modifiedTotal, 0); // woken writer took them
    assert.ok(m.mmu.translate(VA, Access.Read) > 0);
  });
});
