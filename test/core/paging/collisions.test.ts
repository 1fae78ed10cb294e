import { strict as assert } from 'node:assert';
import { Access, FaultContext } from '../../../src/core/faultHandler';
import { Step } from '../../../src/core/faultSteps';
import { freePte, setPageProtection } from '../../../src/core/memoryOps';
import type { InPageBlock } from '../../../src/core/pager';
import { STATUS_ACCESS_VIOLATION, STATUS_SUCCESS } from '../../../src/core/status';
import type { Machine } from '../../../src/core/machine';
import type { Process } from '../../../src/core/process';
import { assertClean, commit, info, pfnOf, pte, pteLo, read, setup, swapOut } from './helpers';

const BASE = 0x200000;

/** Thread A: a hard fault stepped until it waits for its read (the read is in flight). */
function suspendAtWait(m: Machine, p: Process, va: number, access = Access.Read): { ctx: FaultContext; block: InPageBlock } {
  m.switchTo(p);
  const ctx = m.faults.begin(p, va, access, true);
  while (ctx.step !== Step.HfWait) {
    assert.ok(m.faults.active, 'the fault ended before waiting for a read');
    m.faults.step();
  }
  return { ctx, block: ctx.block! };
}

function resume(m: Machine): void {
  while (m.faults.active) m.faults.step();
}

function swappedRange(pages = 4): { m: Machine; p: Process } {
  const { m, p } = setup();
  commit(m, p, BASE, pages);
  swapOut(m, p, BASE, pages, 0x10);
  return { m, p };
}

describe('paging: in-paging collisions (book-C §7), resolved synchronously on the simulated clock', () => {
  it('O-22 / P27 synchronous collision on the faulting PTE: one I/O, the page ends valid once (ShareCount 1), the support block is freed', () => {
    const { m, p } = swappedRange();
    const { ctx, block } = suspendAtWait(m, p, BASE);
    const reads = m.counters.pageReads;
    // thread B of the same process touches the page while A's read is in flight
    assert.equal(read(m, p, BASE), 0x10);
    assert.equal(m.pager.stats.collidedFaults, 1);
    assert.equal(m.counters.pageReads, reads); // no second read
    assert.equal(pteLo(m, p, BASE) & 1, 1);
    // A resumes and finds the PTE valid
    resume(m);
    assert.equal(ctx.status, STATUS_SUCCESS);
    const pfn = pfnOf(m, p, BASE);
    assert.equal(pfn, block.faultPfn);
    const i = info(m, pfn);
    assert.deepEqual([i.location, i.shareCount, i.referenceCount], ['Active', 1, 1]);
    assert.equal(m.pager.inPage.size, 0);
    assert.equal(read(m, p, BASE), 0x10);
    assertClean(m);
  });

  it('two processes: a thread of another process attached to the owner (ReadProcessMemory) collides the same way', () => {
    const { m, p } = swappedRange();
    const other = m.createProcess('reader');
    suspendAtWait(m, p, BASE + 0x1000);
    m.switchTo(other);
    const v = m.attached(p, () => m.mmu.read8(BASE + 0x1000));
    assert.equal(v, 0x11);
    assert.equal(m.pager.stats.collidedFaults, 1);
    resume(m);
    assert.equal(m.pager.inPage.size, 0);
    assertClean(m);
  });

  it('O-23 collision on a prefetched PTE: it becomes valid through a soft fault; the rest of the cluster stays in transition on Standby', () => {
    const { m, p } = swappedRange();
    suspendAtWait(m, p, BASE);
    assert.equal(read(m, p, BASE + 2 * 4096), 0x12);
    assert.equal(pteLo(m, p, BASE + 2 * 4096) & 1, 1);
    resume(m);
    assert.equal(pteLo(m, p, BASE) & 1, 1);
    for (const k of [1, 3]) {
      assert.equal(pteLo(m, p, BASE + k * 4096) & 0x801, 0x800);
      assert.equal(info(m, pfnOf(m, p, BASE + k * 4096)).location, 'Standby');
    }
    assertClean(m);
  });

  it('O-19 / P26 collided decommit: PTE 0x200 at once, discard flag (PteAddress bit 1), page freed when the read completes, the retried access faults', () => {
    const { m, p } = swappedRange();
    const { ctx, block } = suspendAtWait(m, p, BASE);
    const pfn = block.faultPfn;
    freePte(m, p, BASE / 4096, 0x200);
    assert.equal(pte(m, p, BASE), 0x200n);
    assert.equal(info(m, pfn).discardOnCompletion, true);
    assert.equal(info(m, pfn).pteAddress & 2n, 2n);
    resume(m);
    assert.equal(ctx.status, STATUS_SUCCESS); // MmAccessFault returns success; the access is retried
    assert.equal(['Free', 'Zeroed'].includes(info(m, pfn).location), true);
    assert.equal(m.mmu.translate(BASE, Access.Read), -1);
    assert.equal(m.mmu.lastFault.status, STATUS_ACCESS_VIOLATION);
    assertClean(m);
  });

  it('P25 collided release: PTE 0 and the same outcome', () => {
    const { m, p } = swappedRange();
    const { block } = suspendAtWait(m, p, BASE + 0x1000);
    freePte(m, p, BASE / 4096 + 1, 0);
    assert.equal(pte(m, p, BASE + 0x1000), 0n);
    resume(m);
    assert.equal(['Free', 'Zeroed'].includes(info(m, block.faultPfn).location), true);
    assertClean(m);
  });

  it('O-20 collided decommit of a prefetched page: that PTE 0x200, its page freed at completion; the faulting page is resolved normally', () => {
    const { m, p } = swappedRange();
    const { ctx, block } = suspendAtWait(m, p, BASE);
    const prefetched = block.mdl[2];
    freePte(m, p, BASE / 4096 + 2, 0x200);
    assert.equal(pte(m, p, BASE + 2 * 4096), 0x200n);
    resume(m);
    assert.equal(ctx.kind, 'hard');
    assert.equal(pteLo(m, p, BASE) & 1, 1);
    assert.equal(['Free', 'Zeroed'].includes(info(m, prefetched).location), true);
    assert.equal(read(m, p, BASE), 0x10);
    assertClean(m);
  });

  it('O-21 / P24 collided protection change: the PTE stays in transition with the new protection, the page goes to Standby; a retried read is a soft fault, a write an access violation', () => {
    const { m, p } = swappedRange();
    const { ctx, block } = suspendAtWait(m, p, BASE);
    setPageProtection(m, p, BASE / 4096, 1);
    assert.equal((pteLo(m, p, BASE) >>> 5) & 0x1f, 1);
    resume(m);
    assert.equal(ctx.status, STATUS_SUCCESS);
    assert.equal(pteLo(m, p, BASE) & 0x801, 0x800); // still transition
    assert.equal(info(m, block.faultPfn).location, 'Standby');
    assert.equal(m.mmu.translate(BASE, Access.Write), -1);
    assert.equal(m.mmu.lastFault.status, STATUS_ACCESS_VIOLATION);
    const soft = m.counters.transitionFaults;
    assert.equal(read(m, p, BASE), 0x10);
    assert.equal(m.counters.transitionFaults, soft + 1);
    assert.equal(pte(m, p, BASE)! & 0xfffn, 0x025n);
    assertClean(m);
  });

  it('a collided fault waits on the simulated clock: time advances to the completion of the read it collided with', () => {
    const { m, p } = swappedRange();
    const { block } = suspendAtWait(m, p, BASE);
    assert.ok(m.clockMs < block.completeAt);
    read(m, p, BASE + 0x1000);
    assert.equal(m.clockMs, block.completeAt);
    resume(m);
  });
});
