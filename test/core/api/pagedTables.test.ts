// The services over paging structures that left the working set (book-C §8): a query reads a
// paged-out page table where it is without bringing it back; calls that edit PTEs (commit,
// protect, decommit, release) bring it back first, and every count stays right.

import { strict as assert } from 'node:assert';
import {
  NtFreeVirtualMemory, SetProcessWorkingSetSize, VirtualAlloc, VirtualFree, VirtualProtect,
} from '../../../src/core/api/virtualMemory';
import { entryInfo } from '../../../src/core/inspection';
import type { Machine } from '../../../src/core/machine';
import type { Process } from '../../../src/core/process';
import { STATUS_SUCCESS } from '../../../src/core/status';
import { MEM_COMMIT, MEM_DECOMMIT, MEM_RELEASE, MEM_RESERVE, PAGE_READONLY, PAGE_READWRITE } from '../../../src/core/winconst';
import { assertRegion, fresh, pteOf, SELF } from './helpers';

/** Empties the working set; the page table of `va` (holding no resident page) leaves with it. */
function pageOutTable(m: Machine, p: Process, va: number): void {
  assert.equal(SetProcessWorkingSetSize(m, SELF, -1, -1), true);
  assert.equal(entryInfo(m, p, va / 0x1000, 2).kind, 'transition', 'the page table is out of the working set');
}

describe('core/api: paged-out page tables', () => {
  it('query peeks; protect, commit, decommit and release bring the table back', () => {
    const { m, p } = fresh();
    const a = VirtualAlloc(m, 0x30000000, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(m, a, 0x3000, MEM_COMMIT, PAGE_READWRITE);
    pageOutTable(m, p, a);

    const seq = m.journal.nextSeq;
    assertRegion(m, a, { State: MEM_COMMIT, Protect: PAGE_READWRITE, RegionSize: 0x3000 });
    assertRegion(m, a + 0x3000, { State: MEM_RESERVE, RegionSize: 0xd000 });
    assert.equal(m.journal.nextSeq, seq, 'the query changed nothing');
    assert.equal(entryInfo(m, p, a / 0x1000, 2).kind, 'transition');

    assert.equal(VirtualProtect(m, a, 0x1000, PAGE_READONLY), PAGE_READWRITE);
    assert.equal(entryInfo(m, p, a / 0x1000, 2).kind, 'valid');
    assert.equal(pteOf(m, p, a), 0x20n);

    pageOutTable(m, p, a);
    assert.equal(VirtualAlloc(m, a + 0x3000, 0x1000, MEM_COMMIT, PAGE_READWRITE), a + 0x3000);
    assert.equal(p.vads.first()!.commitCharge, 4);
    assertRegion(m, a + 0x1000, { State: MEM_COMMIT, Protect: PAGE_READWRITE, RegionSize: 0x3000 });

    pageOutTable(m, p, a);
    const before = p.privateCommitPages;
    assert.equal(VirtualFree(m, a, 0x2000, MEM_DECOMMIT), true);
    assert.equal(p.privateCommitPages - before, -2);
    assert.equal(pteOf(m, p, a), 0x200n);

    pageOutTable(m, p, a);
    assert.equal(NtFreeVirtualMemory(m, SELF, a, 0, MEM_RELEASE).status, STATUS_SUCCESS);
    assert.equal(p.vads.size, 0);
    assert.equal(p.commitCharge, 0);
    assert.equal(pteOf(m, p, a), undefined, 'the emptied page table is deleted');
    assert.deepEqual(p.wsl.check(), []);
  });
});
