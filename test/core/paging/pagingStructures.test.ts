import { strict as assert } from 'node:assert';
import { Access } from '../../../src/core/faultHandler';
import { Step } from '../../../src/core/faultSteps';
import { EventKind } from '../../../src/core/journal';
import { destroyAddressSpace, freePte, readPte, writeDemandZeroPtes } from '../../../src/core/memoryOps';
import { entryInfo } from '../../../src/core/inspection';
import { entrySlot } from '../../../src/core/pagingStructures';
import { peekPte, runModifiedPageWriter, trimWorkingSet } from '../../../src/core/paging';
import { classify } from '../../../src/core/pte';
import { STATUS_ACCESS_VIOLATION } from '../../../src/core/status';
import type { Machine } from '../../../src/core/machine';
import type { Process } from '../../../src/core/process';
import { assertClean, commit, info, read, repurposeAllStandby, setup, swapOut, write } from './helpers';

const VA = 0x40000000; // PML4E 0, PDPTE 1, PDE 0, PTE 0: its own PDPT entry, PD and PT

const entry = (m: Machine, p: Process, level: number) => entryInfo(m, p, VA / 4096, level);
const kindAt = (m: Machine, p: Process, level: number) => entry(m, p, level).kind;

/** Pages the leaf out, then its page table, then its page directory ... up to `upTo` (2 = PT ... 4 = PDPT). */
function pageOutLevels(m: Machine, p: Process, upTo: number, pages = 1): void {
  swapOut(m, p, VA, pages, 0x77);
  for (let level = 2; level <= upTo; level++) {
    trimWorkingSet(m, p);
    assert.equal(kindAt(m, p, level), 'transition', `level ${level} did not leave`);
    runModifiedPageWriter(m);
    m.tick(100);
    repurposeAllStandby(m);
    assert.equal(kindAt(m, p, level), 'pagefile', `level ${level} not in the paging file`);
  }
}

function stepsOf(m: Machine, fn: () => void): Step[] {
  const from = m.journal.nextSeq;
  fn();
  return [...m.journal.since(from)].filter((e) => e.kind === EventKind.FaultStep).map((e) => e.sub as Step);
}

describe('paging: paging of the paging structures (book-C §8)', () => {
  it('O-28 / S1 / S3 / P1 first touch builds PDPT, PD and PT zero-filled, each with a WSLE (...009); MiCheckVirtualAddress runs 4 times; SC 2 and UsedPTEs 1 at each level', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1);
    const steps = stepsOf(m, () => read(m, p, VA));
    assert.equal(steps.filter((s) => s === Step.CvaLookup).length, 4);
    for (const level of [4, 3, 2]) {
      const e = entry(m, p, level);
      const pfn = Number(e.decoded!.pfn);
      const i = info(m, pfn);
      assert.deepEqual([i.location, i.shareCount, i.usedPageTableEntries], ['Active', 2, 1]);
      assert.equal(p.wsl.value(i.wsIndex) & 0xfffn, 0x9n);
    }
    assertClean(m);
  });

  it('O-29 / S2 first touch of an invalid VA with missing paging structures: access violation, nothing allocated', () => {
    const { m } = setup();
    const zeroed = m.pfn.zeroedTotal;
    assert.equal(m.mmu.translate(VA, Access.Read), -1);
    assert.equal(m.mmu.lastFault.status, STATUS_ACCESS_VIOLATION);
    assert.equal(m.pfn.zeroedTotal, zeroed);
  });

  it('O-30 / S4 / S6 / S9 a page table stays while its pages are in transition; once all are repurposed (SC 1, UsedPTEs n) it can leave for the Modified list', () => {
    const { m, p } = setup();
    const n = 6;
    commit(m, p, VA, n);
    for (let k = 0; k < n; k++) write(m, p, VA + k * 4096, k + 1);
    const pt = Number(entry(m, p, 2).decoded!.pfn);
    assert.equal(m.pfn.u2[pt], n + 1);
    trimWorkingSet(m, p);
    assert.equal(m.pfn.u2[pt], n + 1); // S4: no change
    assert.equal(kindAt(m, p, 2), 'valid'); // not eligible
    runModifiedPageWriter(m);
    m.tick(100);
    repurposeAllStandby(m);
    assert.deepEqual([m.pfn.u2[pt], m.pfn.usedPageTableEntries[pt]], [1, n]);
    trimWorkingSet(m, p);
    assert.equal(kindAt(m, p, 2), 'transition');
    const i = info(m, pt);
    assert.deepEqual([i.location, i.shareCount, i.referenceCount, i.modified], ['Modified', 0, 0, true]);
    assert.equal(m.pfn.listIdOf(pt), m.pfn.listIdModifiedSystem);
    // S10: the writer writes it; it goes to Standby with a paging-file location
    runModifiedPageWriter(m);
    m.tick(100);
    assert.equal(info(m, pt).location, 'Standby');
    assert.notEqual(info(m, pt).originalPte >> 32n, 0n);
    assertClean(m);
  });

  it('S5 / S7 / S8 a child soft-faulted back changes nothing; a child read back in from the paging file: SC + 1; memory released: UsedPTEs - 1', () => {
    const { m, p } = setup();
    commit(m, p, VA, 2);
    write(m, p, VA, 1);
    write(m, p, VA + 0x1000, 2);
    const pt = Number(entry(m, p, 2).decoded!.pfn);
    trimWorkingSet(m, p, 1);
    const [sc, used] = [m.pfn.u2[pt], m.pfn.usedPageTableEntries[pt]];
    read(m, p, VA);
    assert.deepEqual([m.pfn.u2[pt], m.pfn.usedPageTableEntries[pt]], [sc, used]); // S5
    swapOut(m, p, VA, 1, 9);
    assert.equal(m.pfn.u2[pt], sc - 1);
    read(m, p, VA);
    assert.equal(m.pfn.u2[pt], sc); // S7
    freePte(m, p, VA / 4096 + 1, 0);
    assert.deepEqual([m.pfn.u2[pt], m.pfn.usedPageTableEntries[pt]], [sc - 1, used - 1]); // S8
    assertClean(m);
  });

  it('S11 a fault walk brings a page table back from Standby (MiResolveTransitionFault at the PDE level), dirty, with a new WSLE', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1);
    swapOut(m, p, VA, 1, 5);
    trimWorkingSet(m, p);
    runModifiedPageWriter(m);
    m.tick(100);
    const pt = Number(entry(m, p, 2).decoded!.pfn);
    assert.equal(info(m, pt).location, 'Standby');
    const slot = Number(info(m, pt).originalPte >> 32n);
    const steps = stepsOf(m, () => assert.equal(read(m, p, VA), 5));
    assert.ok(steps.includes(Step.TfWritePte) && steps.includes(Step.HfWritePte));
    assert.ok(steps.indexOf(Step.TfWritePte) < steps.indexOf(Step.HfWritePte)); // the table first, then the leaf
    const i = info(m, pt);
    assert.deepEqual([i.location, i.shareCount, i.referenceCount, i.modified, i.originalPte], ['Active', 2, 1, true, 0x80n]);
    assert.equal(m.pager.files[0]!.isAllocated(slot), false);
    assert.equal(p.wsl.slotAt(i.wsIndex), entrySlot(VA / 4096, 2));
    assertClean(m);
  });

  it('S12 / S13 / O-31 a page directory in transition and its page table in the paging file: one leaf fault restores the PD (soft), the PT (hard), then the page (hard)', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1);
    pageOutLevels(m, p, 2);
    const pd = Number(entry(m, p, 3).decoded!.pfn);
    assert.equal(m.pfn.u2[pd], 1); // S12: repurposing the PT decremented the PD's share count
    trimWorkingSet(m, p);
    assert.equal(kindAt(m, p, 3), 'transition'); // the PD left
    assert.equal(kindAt(m, p, 2), 'absent'); // (its entries are not visible)
    assert.equal(classify(...(peekPte(m, p, VA / 4096) ?? [0, 0])), 'pagefile');
    const reads = m.counters.pageReads;
    const steps = stepsOf(m, () => assert.equal(read(m, p, VA), 0x77));
    const writes = steps.filter((s) => s === Step.TfWritePte || s === Step.HfWritePte);
    assert.deepEqual(writes, [Step.TfWritePte, Step.HfWritePte, Step.HfWritePte]);
    assert.equal(m.counters.pageReads, reads + 2);
    for (const level of [3, 2, 1]) assert.equal(kindAt(m, p, level), 'valid');
    assertClean(m);
  });

  it('every level back, top down: PDPT, PD and PT all in the paging file (the PML4E in transition)', () => {
    const { m, p } = setup();
    commit(m, p, VA, 1);
    pageOutLevels(m, p, 3);
    trimWorkingSet(m, p);
    assert.equal(kindAt(m, p, 4), 'transition');
    assert.equal(read(m, p, VA), 0x77);
    for (const level of [4, 3, 2, 1]) assert.equal(kindAt(m, p, level), 'valid');
    assertClean(m);
  });

  it('API paths: a PTE is read through paged-out tables without bringing them back; a decommit brings them back and frees the paging-file page', () => {
    const { m, p } = setup();
    commit(m, p, VA, 2);
    pageOutLevels(m, p, 3, 2);
    const inUse = m.pager.files[0]!.inUse;
    const pte = readPte(m, p, VA / 4096)!;
    assert.equal(classify(pte[0], pte[1]), 'pagefile');
    assert.equal(kindAt(m, p, 3), 'pagefile'); // nothing came back
    freePte(m, p, VA / 4096, 0x200);
    assert.equal(kindAt(m, p, 3), 'valid');
    assert.equal(kindAt(m, p, 2), 'valid');
    assert.equal(entry(m, p, 1).raw, 0x200n);
    assert.ok(m.pager.files[0]!.inUse < inUse);
    // committing a page under a paged-out table brings it back rather than building a new one
    trimWorkingSet(m, p);
    trimWorkingSet(m, p);
    writeDemandZeroPtes(m, p, VA / 4096, VA / 4096, 4);
    assert.equal(entry(m, p, 1).raw, 0x80n);
    assert.equal(read(m, p, VA + 0x1000), 0x78);
    assertClean(m);
  });

  it('process teardown releases paged-out tables and every paging-file page they name', () => {
    const { m, p } = setup();
    commit(m, p, VA, 3);
    pageOutLevels(m, p, 3, 3);
    assert.ok(m.pager.files[0]!.inUse > 1);
    destroyAddressSpace(m, p);
    p.terminated = true;
    assert.equal(m.pager.files[0]!.inUse, 1); // only the reserved page 0
    assertClean(m);
  });
});
