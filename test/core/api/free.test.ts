// api-spec §12 B (free, split, query coalescing): oracles #39-#48.

import { strict as assert } from 'node:assert';
import {
  GetLastError, NtAllocateVirtualMemory, NtFreeVirtualMemory, NtQueryVirtualMemory, releaseAllPrivateMemory, VirtualAlloc,
  VirtualFree,
} from '../../../src/core/api/virtualMemory';
import {
  ERROR_INVALID_ADDRESS, STATUS_CONFLICTING_ADDRESSES, STATUS_FREE_VM_NOT_AT_BASE, STATUS_INVALID_PARAMETER_2,
  STATUS_INVALID_PARAMETER_3, STATUS_MEMORY_NOT_ALLOCATED, STATUS_SUCCESS, STATUS_UNABLE_TO_FREE_VM,
} from '../../../src/core/status';
import {
  MEM_COMMIT, MEM_DECOMMIT, MEM_FREE, MEM_PRIVATE, MEM_RELEASE, MEM_RESERVE, MemoryBasicInformation, PAGE_NOACCESS,
  PAGE_READONLY, PAGE_READWRITE,
} from '../../../src/core/winconst';
import { assertRegion, fresh, q, SELF } from './helpers';

const RC = MEM_RESERVE | MEM_COMMIT;

describe('core/api: free, split and query coalescing (api-spec §12 B)', () => {
  it('api #39 a free range may not span allocations; adjacent allocations are separate regions', () => {
    const { m } = fresh();
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0x50000000, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE).status, STATUS_SUCCESS);
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0x50020000, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE).status, STATUS_SUCCESS);
    assert.equal(NtFreeVirtualMemory(m, SELF, 0x50000000, 0x30000, MEM_RELEASE).status, STATUS_UNABLE_TO_FREE_VM);
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0x50010000, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE).status, STATUS_SUCCESS);
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0x50004000, 0, 0x10000, MEM_COMMIT, PAGE_READWRITE).status, STATUS_CONFLICTING_ADDRESSES);
    assert.equal(q(m, 0x50000000).RegionSize, 0x10000);
    for (const b of [0x50000000, 0x50010000, 0x50020000]) {
      assert.equal(NtFreeVirtualMemory(m, SELF, b, 0x10000, MEM_RELEASE).status, STATUS_SUCCESS);
    }
    assert.equal(q(m, 0x50000000).State, MEM_FREE);
  });

  it('api #40 native query of a committed page inside a PAGE_NOACCESS reservation', () => {
    const { m } = fresh();
    VirtualAlloc(m, 0x50000000, 0x10000, MEM_RESERVE, PAGE_NOACCESS);
    VirtualAlloc(m, 0x5000f000, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    assert.deepEqual(NtQueryVirtualMemory(m, SELF, 0x5000f700, MemoryBasicInformation, 48), {
      status: STATUS_SUCCESS, returnLength: 48,
      BaseAddress: 0x5000f000, AllocationBase: 0x50000000, AllocationProtect: 0x01, RegionSize: 0x1000,
      State: MEM_COMMIT, Protect: 0x04, Type: MEM_PRIVATE,
    });
    assertRegion(m, 0x50000000, { State: MEM_RESERVE, Protect: 0, RegionSize: 0xf000 });
  });

  it('api #41 regions inside one reservation sum to its size', () => {
    const { m } = fresh();
    const r = VirtualAlloc(m, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(m, r, 0x2000, MEM_COMMIT, PAGE_READWRITE);
    VirtualAlloc(m, r + 0x3000, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    VirtualAlloc(m, r + 0x4000, 0x1000, MEM_COMMIT, PAGE_READONLY);
    const expected: Array<[number, number, number, number]> = [
      [0, MEM_COMMIT, 0x04, 0x2000],
      [0x2000, MEM_RESERVE, 0, 0x1000],
      [0x3000, MEM_COMMIT, 0x04, 0x1000],
      [0x4000, MEM_COMMIT, 0x02, 0x1000],
      [0x5000, MEM_RESERVE, 0, 0xb000],
    ];
    let total = 0;
    for (const [off, state, prot, size] of expected) {
      assertRegion(m, r + off, { State: state, Protect: prot, RegionSize: size, AllocationBase: r });
      total += size;
    }
    assert.equal(total, 0x10000);
  });

  it('api #42 native partial release splits the allocation; the upper part has its own base', () => {
    const { m, p } = fresh();
    const b = NtAllocateVirtualMemory(m, SELF, 0, 0, 0x3000, RC, PAGE_READWRITE).base;
    const before = p.privateCommitPages;
    assert.deepEqual(NtFreeVirtualMemory(m, SELF, b + 0x1000, 0x1000, MEM_RELEASE), { status: STATUS_SUCCESS, base: b + 0x1000, size: 0x1000 });
    assertRegion(m, b, { AllocationBase: b, RegionSize: 0x1000, State: MEM_COMMIT });
    assertRegion(m, b + 0x1000, { State: MEM_FREE });
    assertRegion(m, b + 0x2000, { AllocationBase: b + 0x2000, AllocationProtect: 0x04, RegionSize: 0x1000, State: MEM_COMMIT });
    assert.equal(p.privateCommitPages - before, -1);
    assert.deepEqual(p.vads.checkInvariants(), []);
    assert.equal(p.vads.size, 2);
  });

  it('api #43 native front release: the rest becomes its own allocation', () => {
    const { m } = fresh();
    const b = NtAllocateVirtualMemory(m, SELF, 0, 0, 0x2000, MEM_RESERVE, PAGE_READWRITE).base;
    const r = NtFreeVirtualMemory(m, SELF, b, 0x1000, MEM_RELEASE);
    assert.equal(r.status, STATUS_SUCCESS);
    assert.equal(r.size, 0x1000);
    assert.equal(q(m, b + 0x1000).AllocationBase, b + 0x1000);
    assert.equal(NtFreeVirtualMemory(m, SELF, b + 0x1000, 0x1000, MEM_RELEASE).status, STATUS_SUCCESS);
    assert.equal(q(m, b).State, MEM_FREE);
  });

  it('api #44 free ranges are rounded to whole pages and must stay inside the allocation', () => {
    const { m } = fresh();
    const b = NtAllocateVirtualMemory(m, SELF, 0, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE).base;
    assert.equal(NtFreeVirtualMemory(m, SELF, b + 1, 0x1000, MEM_DECOMMIT).status, STATUS_UNABLE_TO_FREE_VM);
    assert.deepEqual(NtFreeVirtualMemory(m, SELF, b + 1, 0xfff, MEM_DECOMMIT), { status: STATUS_SUCCESS, base: b, size: 0x1000 });
    assert.equal(NtFreeVirtualMemory(m, SELF, b, 0x1001, MEM_DECOMMIT).status, STATUS_UNABLE_TO_FREE_VM);
  });

  it('api #45 a release covering both touched pages frees the whole 2-page allocation', () => {
    const { m } = fresh();
    const b = NtAllocateVirtualMemory(m, SELF, 0, 0, 0x2000, MEM_RESERVE, PAGE_READWRITE).base;
    assert.deepEqual(NtFreeVirtualMemory(m, SELF, b + 1, 0x1000, MEM_RELEASE), { status: STATUS_SUCCESS, base: b, size: 0x2000 });
    assert.equal(q(m, b).State, MEM_FREE);
  });

  it('api #46 size-0 free must name the allocation base; decommit of all returns 16 pages', () => {
    const { m, p } = fresh();
    const r = VirtualAlloc(m, 0, 0x10000, RC, PAGE_READWRITE);
    assert.equal(NtFreeVirtualMemory(m, SELF, r + 0x1000, 0, MEM_RELEASE).status, STATUS_FREE_VM_NOT_AT_BASE);
    assert.equal(VirtualFree(m, r + 0x1000, 0, MEM_RELEASE), false);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
    assert.equal(NtFreeVirtualMemory(m, SELF, r + 0x1000, 0, MEM_DECOMMIT).status, STATUS_FREE_VM_NOT_AT_BASE);
    const before = p.privateCommitPages;
    assert.deepEqual(NtFreeVirtualMemory(m, SELF, r, 0, MEM_DECOMMIT), { status: STATUS_SUCCESS, base: r, size: 0x10000 });
    assertRegion(m, r, { State: MEM_RESERVE, RegionSize: 0x10000 });
    assert.equal(p.privateCommitPages - before, -16);
    // any address in the first page names the base
    assert.deepEqual(NtFreeVirtualMemory(m, SELF, r + 0xfff, 0, MEM_RELEASE), { status: STATUS_SUCCESS, base: r, size: 0x10000 });
  });

  it('api #47 freeing unallocated memory is STATUS_MEMORY_NOT_ALLOCATED (487)', () => {
    const { m } = fresh();
    assert.equal(VirtualFree(m, 0x60000000, 0x1000, MEM_DECOMMIT), false);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
    assert.equal(m.current.lastStatus, STATUS_MEMORY_NOT_ALLOCATED);
    assert.equal(VirtualFree(m, 0, 0, MEM_RELEASE), false);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
  });

  it('api #48 free limits: base above 0x7FFFFFEFFFF is _2, a range past it is _3', () => {
    const { m } = fresh();
    assert.equal(NtFreeVirtualMemory(m, SELF, 0x7ffffff0000, 0x1000, MEM_RELEASE).status, STATUS_INVALID_PARAMETER_2);
    assert.equal(NtFreeVirtualMemory(m, SELF, 0x7ffffffef000, 0x2000, MEM_DECOMMIT).status, STATUS_INVALID_PARAMETER_2);
    assert.equal(NtFreeVirtualMemory(m, SELF, 0x7fffffef000, 0x2000, MEM_DECOMMIT).status, STATUS_INVALID_PARAMETER_3);
  });

  it('split keeps commit counts per part and page-table charges while any part remains', () => {
    const { m, p } = fresh();
    const b = VirtualAlloc(m, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(m, b, 0x2000, MEM_COMMIT, PAGE_READWRITE);
    VirtualAlloc(m, b + 0x8000, 0x3000, MEM_COMMIT, PAGE_READWRITE);
    const tables = p.pageTableCommitPages;
    assert.equal(NtFreeVirtualMemory(m, SELF, b + 0x4000, 0x1000, MEM_RELEASE).status, STATUS_SUCCESS);
    const [lower, upper] = [...p.vads.inOrder()];
    assert.equal(lower.commitCharge, 2);
    assert.equal(upper.commitCharge, 3);
    assert.equal(upper.allocationBase, (b + 0x5000) / 0x1000);
    assert.equal(p.pageTableCommitPages, tables);
    assert.equal(VirtualFree(m, b, 0, MEM_RELEASE), true);
    assert.equal(p.pageTableCommitPages, tables, 'the upper part still occupies the span');
    assert.equal(VirtualFree(m, b + 0x5000, 0, MEM_RELEASE), true);
    assert.equal(p.pageTableCommitPages, 0);
    assert.equal(p.commitCharge, 0);
  });

  it('releaseAllPrivateMemory returns every charge of a process (teardown)', () => {
    const { m, p } = fresh();
    const other = m.createProcess('other');
    m.attached(other, () => {
      VirtualAlloc(m, 0, 0x30000, RC, PAGE_READWRITE);
      const r = VirtualAlloc(m, 0x8000000000, 0x10000, MEM_RESERVE, PAGE_READWRITE);
      VirtualAlloc(m, r, 0x2000, MEM_COMMIT, PAGE_READWRITE);
      m.mmu.write8(r, 1);
    });
    VirtualAlloc(m, 0, 0x3000, RC, PAGE_READWRITE);
    const mine = p.commitCharge;
    assert.ok(other.commitCharge > 0);
    releaseAllPrivateMemory(m, other);
    assert.equal(other.vads.size, 0);
    assert.equal(other.commitCharge, 0);
    assert.equal(m.commit.charge, mine);
    assert.deepEqual(other.wsl.check(), []);
  });
});
