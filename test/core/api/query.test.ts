// api-spec §12 F (query edge cases, #68-#74) and the other information classes of
// NtQueryVirtualMemory (working set, working set ex, mapped file name, unsupported classes).

import { strict as assert } from 'node:assert';
import {
  GetLastError, LastStatus, NtQueryVirtualMemory, VirtualAlloc, VirtualFree, VirtualLock, VirtualProtect, VirtualQuery,
} from '../../../src/core/api/virtualMemory';
import {
  ERROR_BAD_LENGTH, ERROR_INVALID_ADDRESS, ERROR_INVALID_PARAMETER, STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_ADDRESS,
  STATUS_INVALID_INFO_CLASS, STATUS_INVALID_PARAMETER, STATUS_SUCCESS,
} from '../../../src/core/status';
import {
  MEM_COMMIT, MEM_DECOMMIT, MEM_FREE, MEM_PRIVATE, MEM_RESERVE, MemoryBasicInformation,
  MemoryMappedFilenameInformation, MemoryRegionInformation, MemoryWorkingSetExInformation, MemoryWorkingSetInformation,
  PAGE_EXECUTE_READ, PAGE_GUARD, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE,
} from '../../../src/core/winconst';
import { assertRegion, fresh, q, SELF, walkAddressSpace } from './helpers';

const RC = MEM_RESERVE | MEM_COMMIT;

describe('core/api: query edge cases (api-spec §12 F)', () => {
  it('api #68 dwLength 47 is ERROR_BAD_LENGTH; 100 is fine and returns 48 bytes', () => {
    const { m } = fresh();
    const p = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE);
    assert.equal(VirtualQuery(m, p, 47), 0);
    assert.equal(GetLastError(m), ERROR_BAD_LENGTH);
    assert.notEqual(VirtualQuery(m, p, 100), 0);
    assert.equal(NtQueryVirtualMemory(m, SELF, p, MemoryBasicInformation, 100).returnLength, 48);
  });

  it('api #69 addresses above 0x7FFFFFEFFFF are ERROR_INVALID_PARAMETER', () => {
    const { m } = fresh();
    assert.equal(VirtualQuery(m, 0x7ffffff0000), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
    assert.equal(LastStatus(m), STATUS_INVALID_PARAMETER);
    assert.equal(VirtualQuery(m, 0xffff080000000000n), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
  });

  it('api #70 the last 64 KB below the probe address is a synthetic reserved block', () => {
    const { m } = fresh();
    assert.deepEqual(q(m, 0x7fffffeffff), {
      BaseAddress: 0x7fffffef000, AllocationBase: 0x7fffffe0000, AllocationProtect: 0x02, RegionSize: 0x1000,
      State: MEM_RESERVE, Protect: 0x01, Type: MEM_PRIVATE,
    });
    assertRegion(m, 0x7fffffe0000, { RegionSize: 0x10000 });
  });

  it('api #71 a bad class is STATUS_INVALID_INFO_CLASS whatever the length; class 0 needs 48 bytes', () => {
    const { m } = fresh();
    const p = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE);
    assert.equal(NtQueryVirtualMemory(m, SELF, p, 99, 48).status, STATUS_INVALID_INFO_CLASS);
    assert.equal(NtQueryVirtualMemory(m, SELF, p, 99, 1).status, STATUS_INVALID_INFO_CLASS);
    assert.equal(NtQueryVirtualMemory(m, SELF, p, MemoryBasicInformation, 1).status, STATUS_INFO_LENGTH_MISMATCH);
    assert.equal(NtQueryVirtualMemory(m, SELF, p, MemoryRegionInformation, 0x100).status, STATUS_INVALID_INFO_CLASS);
    for (const cls of [5, 6, 7, 8, 9, 10]) assert.equal(NtQueryVirtualMemory(m, SELF, p, cls, 0x100).status, STATUS_INVALID_INFO_CLASS);
  });

  it('api #72 VirtualQuery(0) in an empty address space: one free region up to 0x7FFFFFE0000', () => {
    const { m } = fresh();
    assertRegion(m, 0, { BaseAddress: 0, State: MEM_FREE, RegionSize: 0x7fffffe0000 });
    const a = VirtualAlloc(m, 0x50000000, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assertRegion(m, 0, { BaseAddress: 0, State: MEM_FREE, RegionSize: a });
  });

  it('api #73 the tail of a granule after a 1-page reservation is free but cannot be allocated', () => {
    const { m } = fresh();
    const a = VirtualAlloc(m, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(q(m, a + 0x1000).State, MEM_FREE);
    assert.equal(VirtualAlloc(m, a + 0x1000, 0x1000, MEM_RESERVE, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
    assert.equal(VirtualAlloc(m, a + 0x1000, 0x1000, MEM_COMMIT, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
  });

  it('api #74 walking the whole space gives contiguous regions ending with the synthetic block', () => {
    const { m } = fresh();
    const a = VirtualAlloc(m, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(m, a + 0x2000, 0x3000, MEM_COMMIT, PAGE_READONLY);
    VirtualAlloc(m, a + 0x3000, 0x1000, MEM_COMMIT, PAGE_EXECUTE_READ);
    VirtualAlloc(m, 0, 0x5000, RC | 0x100000, PAGE_READWRITE | PAGE_GUARD);
    VirtualAlloc(m, 0x50000000, 0x20000, RC, PAGE_NOACCESS);
    VirtualFree(m, 0x50004000, 0x1000, MEM_DECOMMIT);
    const regions = walkAddressSpace(m);
    const last = regions[regions.length - 1];
    assert.deepEqual(last, {
      BaseAddress: 0x7fffffe0000, AllocationBase: 0x7fffffe0000, AllocationProtect: 0x02, RegionSize: 0x10000,
      State: MEM_RESERVE, Protect: 0x01, Type: MEM_PRIVATE,
    });
    assert.equal(VirtualQuery(m, 0x7ffffff0000), 0);
    // every region lies inside one allocation or is free, and consecutive regions differ
    for (let i = 1; i < regions.length; i++) {
      const [x, y] = [regions[i - 1], regions[i]];
      const same = x.AllocationBase === y.AllocationBase && x.State === y.State && x.Protect === y.Protect && x.State !== MEM_FREE;
      assert.ok(!same, `regions ${i - 1} and ${i} should have been one`);
    }
    assert.deepEqual(regions.filter((r) => r.AllocationBase === a).map((r) => [r.BaseAddress - a, r.RegionSize, r.State, r.Protect]), [
      [0, 0x2000, MEM_RESERVE, 0],
      [0x2000, 0x1000, MEM_COMMIT, PAGE_READONLY],
      [0x3000, 0x1000, MEM_COMMIT, PAGE_EXECUTE_READ],
      [0x4000, 0x1000, MEM_COMMIT, PAGE_READONLY],
      [0x5000, 0xb000, MEM_RESERVE, 0],
    ]);
    assert.deepEqual(regions.filter((r) => r.AllocationBase === 0x50000000).map((r) => [r.BaseAddress, r.RegionSize, r.State, r.Protect]), [
      [0x50000000, 0x4000, MEM_COMMIT, PAGE_NOACCESS],
      [0x50004000, 0x1000, MEM_RESERVE, 0],
      [0x50005000, 0x1b000, MEM_COMMIT, PAGE_NOACCESS],
    ]);
  });
});

describe('core/api: other information classes', () => {
  it('MemoryWorkingSetInformation lists the fixed entries and every resident page', () => {
    const { m, p } = fresh();
    const a = VirtualAlloc(m, 0, 0x3000, RC, PAGE_READWRITE);
    m.mmu.write8(a, 1);
    m.mmu.read8(a + 0x2000);
    const r = NtQueryVirtualMemory(m, SELF, 0, MemoryWorkingSetInformation);
    assert.equal(r.status, STATUS_SUCCESS);
    assert.equal(r.NumberOfEntries, p.wsl.size);
    const user = r.WorkingSetInfo!.filter((b) => b.VirtualPage < 0x80000000);
    assert.deepEqual(user.map((b) => [b.VirtualPage, b.Protection, b.ShareCount, b.Shared]), [
      [a / 0x1000, 4, 1, 0],
      [a / 0x1000 + 2, 4, 1, 0],
    ]);
    assert.equal(user[0].Block, BigInt(a) | 0x24n);
    // the first entry is the PML4 self-map page
    assert.equal(r.WorkingSetInfo![0].VirtualPage, 0xfffff6fb7dbed);
    const small = NtQueryVirtualMemory(m, SELF, 0, MemoryWorkingSetInformation, 16);
    assert.equal(small.status, STATUS_INFO_LENGTH_MISMATCH);
    assert.equal(small.NumberOfEntries, p.wsl.size);
    assert.equal(NtQueryVirtualMemory(m, SELF, 0, MemoryWorkingSetInformation, 7).status, STATUS_INFO_LENGTH_MISMATCH);
  });

  it('MemoryWorkingSetExInformation describes the pages the caller names', () => {
    const { m } = fresh();
    const a = VirtualAlloc(m, 0, 0x3000, RC, PAGE_READWRITE);
    m.mmu.write8(a, 1);
    VirtualLock(m, a + 0x1000, 0x1000);
    const r = NtQueryVirtualMemory(m, SELF, 0, MemoryWorkingSetExInformation, undefined, { addresses: [a, a + 0x1000, a + 0x2000] });
    assert.equal(r.status, STATUS_SUCCESS);
    assert.equal(r.returnLength, 48);
    const [e0, e1, e2] = r.WorkingSetExInfo!;
    assert.deepEqual([e0.Valid, e0.ShareCount, e0.Win32Protection, e0.Locked, e0.Attributes], [1, 1, 4, 0, 0x43]);
    assert.deepEqual([e1.Valid, e1.Locked], [1, 1]);
    assert.deepEqual([e2.Valid, e2.Attributes], [0, 0]);
    assert.equal(NtQueryVirtualMemory(m, SELF, 0, MemoryWorkingSetExInformation, 15).status, STATUS_INFO_LENGTH_MISMATCH);
  });

  it('MemoryMappedFilenameInformation on private or free memory is STATUS_INVALID_ADDRESS', () => {
    const { m } = fresh();
    const a = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE);
    assert.equal(NtQueryVirtualMemory(m, SELF, a, MemoryMappedFilenameInformation, 0x200).status, STATUS_INVALID_ADDRESS);
    assert.equal(NtQueryVirtualMemory(m, SELF, 0x60000000, MemoryMappedFilenameInformation, 0x200).status, STATUS_INVALID_ADDRESS);
  });

  it('query reflects protection changes page by page (no side effects on the pages)', () => {
    const { m, p } = fresh();
    const a = VirtualAlloc(m, 0, 0x4000, RC, PAGE_READWRITE);
    VirtualProtect(m, a + 0x1000, 0x1000, PAGE_READONLY);
    const ws = p.wsl.size;
    const seq = m.journal.nextSeq;
    assertRegion(m, a, { RegionSize: 0x1000, Protect: 0x04 });
    assertRegion(m, a + 0x1000, { RegionSize: 0x1000, Protect: 0x02 });
    assertRegion(m, a + 0x2000, { RegionSize: 0x2000, Protect: 0x04 });
    assert.equal(p.wsl.size, ws);
    assert.equal(m.journal.nextSeq, seq, 'a query changes nothing');
  });
});
