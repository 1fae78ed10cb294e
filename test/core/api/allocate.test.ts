// api-spec §12 A (reserve / commit basics and rounding): oracles #1-#38, each asserting the exact
// addresses, sizes, statuses, Win32 errors and query fields the notes give.

import { strict as assert } from 'node:assert';
import {
  GetLastError, LastStatus, NtAllocateVirtualMemory, NtFreeVirtualMemory, VirtualAlloc, VirtualFree, VirtualProtect,
} from '../../../src/core/api/virtualMemory';
import {
  ERROR_INVALID_ADDRESS, ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY, STATUS_ACCESS_VIOLATION, STATUS_CONFLICTING_ADDRESSES,
  STATUS_INVALID_PAGE_PROTECTION, STATUS_INVALID_PARAMETER_2, STATUS_INVALID_PARAMETER_3,
  STATUS_INVALID_PARAMETER_4, STATUS_INVALID_PARAMETER_5, STATUS_INVALID_PARAMETER_6, STATUS_MEMORY_NOT_ALLOCATED,
  STATUS_NO_MEMORY, STATUS_NOT_COMMITTED, STATUS_SUCCESS, STATUS_UNABLE_TO_FREE_VM,
} from '../../../src/core/status';
import {
  MEM_COMMIT, MEM_DECOMMIT, MEM_FREE, MEM_LARGE_PAGES, MEM_PHYSICAL, MEM_PRIVATE, MEM_RELEASE, MEM_RESERVE, MEM_RESET,
  MEM_TOP_DOWN, MEM_WRITE_WATCH, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY, PAGE_NOACCESS,
  PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY,
} from '../../../src/core/winconst';
import { assertRegion, fresh, q, read8, readU32, SELF, write8 } from './helpers';

const RC = MEM_RESERVE | MEM_COMMIT;

describe('core/api: reserve and commit (api-spec §12 A)', () => {
  it('api #1 reserve+commit 5000 bytes: 64 KB aligned, query of the first page', () => {
    const { m } = fresh();
    const b = VirtualAlloc(m, 0, 5000, RC, PAGE_READWRITE);
    assert.notEqual(b, 0);
    assert.equal(b % 0x10000, 0);
    assert.deepEqual(q(m, b), {
      BaseAddress: b, AllocationBase: b, AllocationProtect: 0x04, RegionSize: 0x2000, State: MEM_COMMIT, Protect: 0x04, Type: MEM_PRIVATE,
    });
  });

  it('api #2 the free region after the allocation runs to the next allocation', () => {
    const { m } = fresh();
    const b = VirtualAlloc(m, 0, 5000, RC, PAGE_READWRITE);
    const r = assertRegion(m, b + 0x2000, { BaseAddress: b + 0x2000, AllocationBase: 0, AllocationProtect: 0, State: MEM_FREE, Protect: 0x01, Type: 0 });
    assert.ok(r.RegionSize >= 0xe000);
    assert.equal(b + 0x2000 + r.RegionSize, 0x7fffffe0000);
    // with another allocation above, the free region stops at it
    const c = VirtualAlloc(m, 0x50000000, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(c, 0x50000000);
    assert.equal(q(m, b + 0x2000).RegionSize, 0x50000000 - (b + 0x2000));
  });

  it('api #3 a query address is rounded down to its page', () => {
    const { m } = fresh();
    const b = VirtualAlloc(m, 0, 5000, RC, PAGE_READWRITE);
    assertRegion(m, b + 0x1fff, { BaseAddress: b + 0x1000, RegionSize: 0x1000, State: MEM_COMMIT });
  });

  it('api #4 VirtualAlloc(NULL, 8, MEM_COMMIT, PAGE_READONLY) is a committed read-only page', () => {
    const { m } = fresh();
    const v = VirtualAlloc(m, 0, 8, MEM_COMMIT, PAGE_READONLY);
    assert.equal(v % 0x10000, 0);
    assertRegion(m, v, { AllocationProtect: 0x02, State: MEM_COMMIT, RegionSize: 0x1000, Protect: 0x02, Type: MEM_PRIVATE });
  });

  it('api #5 VirtualFree(v, 8, MEM_RELEASE) fails with 87; size 0 releases', () => {
    const { m } = fresh();
    const v = VirtualAlloc(m, 0, 8, MEM_COMMIT, PAGE_READONLY);
    assert.equal(VirtualFree(m, v, 8, MEM_RELEASE), false);
    assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
    assert.equal(q(m, v).State, MEM_COMMIT);
    assert.equal(VirtualFree(m, v, 0, MEM_RELEASE), true);
    assert.equal(q(m, v).State, MEM_FREE);
  });

  it('api #6 VirtualAlloc(NULL, 8, MEM_COMMIT, PAGE_READWRITE) is 64 KB aligned', () => {
    const { m } = fresh();
    const v = VirtualAlloc(m, 0, 8, MEM_COMMIT, PAGE_READWRITE);
    assert.equal(v % 65536, 0);
    // the simulated process starts empty, so the first allocation is the lowest granule
    assert.equal(v, 0x10000);
    assertRegion(m, v, { AllocationProtect: 0x04, State: MEM_COMMIT });
  });

  it('api #7 a reserved PAGE_EXECUTE_READ page; decommitting it succeeds and it stays reserved', () => {
    const { m } = fresh();
    const v = VirtualAlloc(m, 0, 8, MEM_RESERVE, PAGE_EXECUTE_READ);
    assertRegion(m, v, { AllocationProtect: 0x20, State: MEM_RESERVE, Protect: 0, RegionSize: 0x1000, Type: MEM_PRIVATE });
    assert.equal(VirtualFree(m, v, 8, MEM_DECOMMIT), true);
    assert.equal(q(m, v).State, MEM_RESERVE);
  });

  it('api #8 demand-zero page: reads 0, keeps "1337", decommit makes it reserved and inaccessible', () => {
    const { m } = fresh();
    const p = VirtualAlloc(m, 0, 8, MEM_COMMIT, PAGE_READWRITE);
    assert.equal(p & 0xffff, 0);
    for (let i = 0; i < 8; i++) assert.equal(read8(m, p + i).value, 0);
    const text = [0x31, 0x33, 0x33, 0x37];
    text.forEach((c, i) => assert.equal(write8(m, p + i, c).status, 0));
    assert.deepEqual(text.map((_, i) => read8(m, p + i).value), text);
    assert.equal(VirtualFree(m, p, 8, MEM_DECOMMIT), true);
    assertRegion(m, p, { State: MEM_RESERVE, Protect: 0, AllocationProtect: 0x04, RegionSize: 0x1000 });
    const r = read8(m, p);
    assert.equal(r.status, STATUS_ACCESS_VIOLATION);
    assert.equal(r.info0, 0);
    assert.equal(r.info1, p);
  });

  it('api #9 size 0 is STATUS_INVALID_PARAMETER_4 (87)', () => {
    const { m } = fresh();
    assert.equal(VirtualAlloc(m, 0, 0, MEM_RESERVE, PAGE_NOACCESS), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
    assert.equal(LastStatus(m), 0xc00000f2);
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0, 0, 0, MEM_RESERVE, PAGE_NOACCESS).status, STATUS_INVALID_PARAMETER_4);
  });

  it('api #10 0xFFFC bytes reserved PAGE_NOACCESS: one 64 KB reserved region', () => {
    const { m } = fresh();
    const a = VirtualAlloc(m, 0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    assert.deepEqual(q(m, a), {
      BaseAddress: a, AllocationBase: a, AllocationProtect: 0x01, RegionSize: 0x10000, State: MEM_RESERVE, Protect: 0, Type: MEM_PRIVATE,
    });
  });

  it('api #11 protecting reserved pages is STATUS_NOT_COMMITTED (487)', () => {
    const { m } = fresh();
    const a = VirtualAlloc(m, 0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    assert.equal(VirtualProtect(m, a, 0xfffc, PAGE_READONLY), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
    assert.equal(LastStatus(m), STATUS_NOT_COMMITTED);
  });

  it('api #12 commit one PAGE_NOACCESS page; protecting the whole range still fails', () => {
    const { m } = fresh();
    const a = VirtualAlloc(m, 0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    assert.equal(VirtualAlloc(m, a, 0x1000, MEM_COMMIT, PAGE_NOACCESS), a);
    assertRegion(m, a, { RegionSize: 0x1000, State: MEM_COMMIT, Protect: 0x01, AllocationProtect: 0x01 });
    assert.equal(VirtualProtect(m, a, 0xfffc, PAGE_READONLY), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
  });

  it('api #13 protect the committed page: old 0x01, then old 0x02, query 0x04', () => {
    const { m } = fresh();
    const a = VirtualAlloc(m, 0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    VirtualAlloc(m, a, 0x1000, MEM_COMMIT, PAGE_NOACCESS);
    assert.equal(VirtualProtect(m, a, 0x1000, PAGE_READONLY), 0x01);
    assert.equal(VirtualProtect(m, a, 0x1000, PAGE_READWRITE), 0x02);
    assertRegion(m, a, { Protect: 0x04, RegionSize: 0x1000 });
  });

  it('api #14 free types 0, MEM_FREE and DECOMMIT|RELEASE are rejected (87, native _4)', () => {
    const { m } = fresh();
    const a = VirtualAlloc(m, 0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    assert.equal(VirtualFree(m, a, 0x10000, 0), false);
    assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
    assert.equal(VirtualFree(m, a, 0, MEM_FREE), false);
    assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
    assert.equal(VirtualFree(m, a, 0, MEM_DECOMMIT | MEM_RELEASE), false);
    assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
    assert.equal(LastStatus(m), STATUS_INVALID_PARAMETER_4);
  });

  it('api #15 decommit of a mostly reserved range succeeds; release needs size 0', () => {
    const { m } = fresh();
    const a = VirtualAlloc(m, 0, 0xfffc, MEM_RESERVE, PAGE_NOACCESS);
    VirtualAlloc(m, a, 0x1000, MEM_COMMIT, PAGE_NOACCESS);
    assert.equal(VirtualFree(m, a, 0x10000, MEM_DECOMMIT), true);
    assertRegion(m, a, { State: MEM_RESERVE, RegionSize: 0x10000 });
    assert.equal(VirtualFree(m, a, 1, MEM_RELEASE), false);
    assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
    assert.equal(VirtualFree(m, a, 0, MEM_RELEASE), true);
    assert.equal(q(m, a).State, MEM_FREE);
  });

  it('api #16 invalid protections are STATUS_INVALID_PAGE_PROTECTION (87)', () => {
    const { m } = fresh();
    const cases: Array<[number, number]> = [
      [MEM_RESERVE, 0], [MEM_COMMIT, 0], [MEM_RESERVE, 0x12], [MEM_RESERVE, 0x06], [MEM_RESERVE, 0x804],
    ];
    for (const [type, prot] of cases) {
      assert.equal(VirtualAlloc(m, 0, 0x1000, type, prot), 0, `protect 0x${prot.toString(16)}`);
      assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
      assert.equal(NtAllocateVirtualMemory(m, SELF, 0, 0, 0x1000, type, prot).status, STATUS_INVALID_PAGE_PROTECTION);
    }
  });

  it('api #17 GUARD/NOCACHE/WRITECOMBINE combinations', () => {
    const { m } = fresh();
    for (const prot of [0x101, 0x304, 0x201, 0x604]) {
      assert.equal(VirtualAlloc(m, 0, 0x1000, RC, prot), 0, `protect 0x${prot.toString(16)}`);
      assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
    }
    assert.notEqual(VirtualAlloc(m, 0, 0x1000, RC, 0x104), 0);
  });

  it('api #18 write-copy is illegal on private memory', () => {
    const { m } = fresh();
    for (const wc of [PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY]) {
      assert.equal(VirtualAlloc(m, 0, 0x1000, RC, wc), 0);
      assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
      assert.equal(LastStatus(m), STATUS_INVALID_PAGE_PROTECTION);
    }
    const p = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE);
    for (const wc of [PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY]) {
      assert.equal(VirtualProtect(m, p, 0x1000, wc), 0);
      assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
      assert.equal(LastStatus(m), STATUS_INVALID_PARAMETER_4);
    }
    assert.equal(q(m, p).Protect, PAGE_READWRITE);
  });

  it('api #19 AllocationType checks', () => {
    const { m } = fresh();
    const cases: Array<[number, number, number]> = [
      [0, PAGE_READWRITE, STATUS_INVALID_PARAMETER_5],
      [MEM_RESET | MEM_COMMIT, PAGE_READWRITE, STATUS_INVALID_PARAMETER_5],
      [MEM_COMMIT | 0x40, PAGE_READWRITE, STATUS_INVALID_PARAMETER_5],
      [MEM_RESERVE | MEM_LARGE_PAGES, PAGE_READWRITE, STATUS_INVALID_PARAMETER_5],
      [MEM_COMMIT | MEM_WRITE_WATCH, PAGE_READWRITE, STATUS_INVALID_PARAMETER_5],
      [MEM_RESERVE | MEM_PHYSICAL, PAGE_READONLY, STATUS_INVALID_PARAMETER_6],
    ];
    for (const [type, prot, status] of cases) {
      assert.equal(VirtualAlloc(m, 0, 0x1000, type, prot), 0);
      assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
      assert.equal(LastStatus(m), status, `type 0x${type.toString(16)}`);
    }
  });

  it('api #20 reserve rounding with explicit base', () => {
    const { m } = fresh();
    const cases: Array<[number, number, number, number]> = [
      [0x50000000, 0x1, 0x50000000, 0x1000],
      [0x50008000, 0x1, 0x50000000, 0x9000],
      [0x50000010, 0x1000, 0x50000000, 0x2000],
      [0x50010000, 0x2000, 0x50010000, 0x2000],
      [0x5000ffff, 0x3000, 0x50000000, 0x13000],
      [0x50001010, 0x7000, 0x50000000, 0x9000],
      [0x50001010, 0xc000, 0x50000000, 0xe000],
    ];
    for (const [base, size, outBase, outSize] of cases) {
      const r = NtAllocateVirtualMemory(m, SELF, base, 0, size, MEM_RESERVE, PAGE_READWRITE);
      assert.deepEqual(r, { status: STATUS_SUCCESS, base: outBase, size: outSize }, `(0x${base.toString(16)}, 0x${size.toString(16)})`);
      assert.equal(NtFreeVirtualMemory(m, SELF, outBase, 0, MEM_RELEASE).status, STATUS_SUCCESS);
    }
  });

  it('api #21 VirtualAlloc(0x50001010, 0x1000, MEM_RESERVE) returns 0x50000000, size 0x3000', () => {
    const { m } = fresh();
    assert.equal(VirtualAlloc(m, 0x50001010, 0x1000, MEM_RESERVE, PAGE_NOACCESS), 0x50000000);
    assertRegion(m, 0x50000000, { RegionSize: 0x3000 });
  });

  it('api #22 reserving inside an existing reservation conflicts', () => {
    const { m } = fresh();
    VirtualAlloc(m, 0x50001010, 0x1000, MEM_RESERVE, PAGE_NOACCESS);
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0x50008000, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE).status, STATUS_CONFLICTING_ADDRESSES);
    assert.equal(VirtualAlloc(m, 0x50008000, 0x1000, MEM_RESERVE, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
  });

  it('api #23 commit inside the reservation, recommit with a new protection, commit past it', () => {
    const { m } = fresh();
    VirtualAlloc(m, 0x50001010, 0x1000, MEM_RESERVE, PAGE_NOACCESS);
    assert.deepEqual(NtAllocateVirtualMemory(m, SELF, 0x50002000, 0, 0x1000, MEM_COMMIT, PAGE_NOACCESS), {
      status: STATUS_SUCCESS, base: 0x50002000, size: 0x1000,
    });
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0x50002000, 0, 0x1000, MEM_COMMIT, PAGE_READWRITE).status, STATUS_SUCCESS);
    assert.equal(q(m, 0x50002000).Protect, 0x04);
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0x50003000, 0, 0x1000, MEM_COMMIT, PAGE_READWRITE).status, STATUS_CONFLICTING_ADDRESSES);
  });

  it('api #24 decommit, free of unallocated addresses, free past the end, release', () => {
    const { m } = fresh();
    VirtualAlloc(m, 0x50001010, 0x1000, MEM_RESERVE, PAGE_NOACCESS);
    NtAllocateVirtualMemory(m, SELF, 0x50002000, 0, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    assert.equal(NtFreeVirtualMemory(m, SELF, 0x50000000, 0x3000, MEM_DECOMMIT).status, STATUS_SUCCESS);
    assert.equal(NtFreeVirtualMemory(m, SELF, 0x50010000, 0x1000, MEM_RELEASE).status, STATUS_MEMORY_NOT_ALLOCATED);
    assert.equal(NtFreeVirtualMemory(m, SELF, 0x50008000, 0x1000, MEM_RELEASE).status, STATUS_MEMORY_NOT_ALLOCATED);
    assert.equal(NtFreeVirtualMemory(m, SELF, 0x50000000, 0x4000, MEM_RELEASE).status, STATUS_UNABLE_TO_FREE_VM);
    assert.equal(NtFreeVirtualMemory(m, SELF, 0x50000000, 0x3000, MEM_RELEASE).status, STATUS_SUCCESS);
    assert.equal(q(m, 0x50000000).State, MEM_FREE);
  });

  it('api #25 reserve+commit at 0x50004080: base 0x50000000, size 0x6000, data commit +6', () => {
    const { m, p } = fresh();
    const before = p.privateCommitPages;
    assert.deepEqual(NtAllocateVirtualMemory(m, SELF, 0x50004080, 0, 0x1000, RC, PAGE_READWRITE), {
      status: STATUS_SUCCESS, base: 0x50000000, size: 0x6000,
    });
    assert.equal(write8(m, 0x50000000, 1).status, 0);
    assert.equal(write8(m, 0x50004080, 2).status, 0);
    assert.equal(p.privateCommitPages - before, 6);
  });

  it('api #26 commit-path rounding inside a reservation', () => {
    const { m } = fresh();
    const r = VirtualAlloc(m, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(VirtualAlloc(m, r + 0x1010, 0x10, MEM_COMMIT, PAGE_READWRITE), r + 0x1000);
    assert.deepEqual(NtAllocateVirtualMemory(m, SELF, r + 0xff0, 0, 0x20, MEM_COMMIT, PAGE_READWRITE), {
      status: STATUS_SUCCESS, base: r, size: 0x2000,
    });
  });

  it('api #27 committing free space fails with 487', () => {
    const { m } = fresh();
    assert.equal(VirtualAlloc(m, 0x60000000, 0x1000, MEM_COMMIT, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
    assert.equal(LastStatus(m), STATUS_CONFLICTING_ADDRESSES);
  });

  it('api #28 MEM_COMMIT alone with a NULL base reserves and commits', () => {
    const { m } = fresh();
    const r = VirtualAlloc(m, 0, 0x3000, MEM_COMMIT, PAGE_READWRITE);
    assertRegion(m, r, { AllocationBase: r, RegionSize: 0x3000, State: MEM_COMMIT });
  });

  it('api #29 MEM_RESERVE|MEM_COMMIT over an existing reservation conflicts; MEM_COMMIT works', () => {
    const { m } = fresh();
    const r = VirtualAlloc(m, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(VirtualAlloc(m, r, 0x1000, RC, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
    assert.equal(VirtualAlloc(m, r, 0x1000, MEM_COMMIT, PAGE_READWRITE), r);
  });

  it('api #30 kernel32 rejects addresses below 64 KB without calling the kernel', () => {
    const { m } = fresh();
    for (const addr of [0x1000, 0xffff]) {
      const seq = m.journal.nextSeq;
      assert.equal(VirtualAlloc(m, addr, 0x1000, MEM_RESERVE, PAGE_READWRITE), 0);
      assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
      assert.equal(m.journal.nextSeq, seq, 'nothing happened in the kernel');
    }
    assert.equal(VirtualAlloc(m, 0x10000, 0x1000, MEM_RESERVE, PAGE_READWRITE), 0x10000);
    assert.equal(VirtualAlloc(m, 0x10000, 0x1000, MEM_RESERVE, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
    // the native call accepts a base below 64 KB (Windows 7 rounds it to 0)
    assert.deepEqual(NtAllocateVirtualMemory(m, SELF, 0x1000, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE), { status: STATUS_SUCCESS, base: 0, size: 0x2000 });
  });

  it('api #31 limits of base and size', () => {
    const { m } = fresh();
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0x7fffffe0000, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE).status, STATUS_INVALID_PARAMETER_2);
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0x7fffff00000, 0, 0xe0001, MEM_RESERVE, PAGE_READWRITE).status, STATUS_INVALID_PARAMETER_4);
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0, 0, 0x7fffffe0001, MEM_RESERVE, PAGE_READWRITE).status, STATUS_INVALID_PARAMETER_4);
    assert.equal(VirtualAlloc(m, 0, 0x80000000000, MEM_RESERVE, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
    // 64-bit wrap-around: size -1 is 2^64 - 1, base -1 is above every limit
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0, 0, -1, MEM_RESERVE, PAGE_READWRITE).status, STATUS_INVALID_PARAMETER_4);
    assert.equal(NtAllocateVirtualMemory(m, SELF, -1n, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE).status, STATUS_INVALID_PARAMETER_2);
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0x50000000n + (1n << 64n), 0, 0x1000n, MEM_RESERVE, PAGE_READWRITE).base, 0x50000000);
  });

  it('api #32 no hole large enough: STATUS_NO_MEMORY (8)', () => {
    const { m } = fresh();
    VirtualAlloc(m, 0x50000000, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(VirtualAlloc(m, 0, 0x7fffffc0000, MEM_RESERVE, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_NOT_ENOUGH_MEMORY);
    assert.equal(LastStatus(m), STATUS_NO_MEMORY);
  });

  it('api #33 ZeroBits: 22 invalid, 21 leaves no room, 1 stays below 2 GB', () => {
    const { m } = fresh();
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0, 22, 0x1000, MEM_RESERVE, PAGE_READWRITE).status, STATUS_INVALID_PARAMETER_3);
    assert.equal(NtAllocateVirtualMemory(m, SELF, 0, 21, 0x1000, MEM_RESERVE, PAGE_READWRITE).status, STATUS_NO_MEMORY);
    const r = NtAllocateVirtualMemory(m, SELF, 0, 1, 0x1000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    assert.equal(r.status, STATUS_SUCCESS);
    assert.ok(r.base + 0xfff <= 0x7fffffff);
    assert.equal(r.base, 0x7fff0000);
  });

  it('api #34 MEM_TOP_DOWN takes the highest granule, bottom-up the lowest', () => {
    const { m } = fresh();
    const t = VirtualAlloc(m, 0, 0x1000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
    const u = VirtualAlloc(m, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(t % 0x10000, 0);
    assert.equal(u % 0x10000, 0);
    assert.ok(t > u);
    assert.ok(t + 0xfff <= 0x7fffffdffff);
    assert.equal(t, 0x7fffffd0000);
    assert.equal(u, 0x10000);
  });

  it('api #35 a released address can be reserved again at the same base', () => {
    const { m } = fresh();
    const a = VirtualAlloc(m, 0, 0x2000, RC, PAGE_EXECUTE_READWRITE);
    assert.equal(VirtualFree(m, a, 0, MEM_RELEASE), true);
    assert.equal(VirtualAlloc(m, a, 0x1000, RC, PAGE_EXECUTE_READWRITE), a);
  });

  it('api #36 demand zero after decommit and re-commit', () => {
    const { m } = fresh();
    const r = VirtualAlloc(m, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(m, r, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    assert.equal(read8(m, r).value, 0);
    write8(m, r, 0xab);
    assert.equal(read8(m, r).value, 0xab);
    assert.equal(VirtualFree(m, r, 0x1000, MEM_DECOMMIT), true);
    assert.equal(VirtualAlloc(m, r, 0x1000, MEM_COMMIT, PAGE_READWRITE), r);
    assert.equal(read8(m, r).value, 0);
  });

  it('api #37 re-commit keeps the data and the charge', () => {
    const { m, p } = fresh();
    const r = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE);
    for (let i = 0; i < 20; i++) write8(m, r + i, 0x55);
    const charge = p.privateCommitPages;
    assert.equal(VirtualAlloc(m, r, 0x1000, MEM_COMMIT, PAGE_READWRITE), r);
    assert.equal(readU32(m, r), 0x55555555);
    assert.equal(p.privateCommitPages, charge);
  });

  it('api #38 re-commit with a new protection re-protects the whole range', () => {
    const { m } = fresh();
    assert.equal(VirtualAlloc(m, 0x50000000, 0x10000, MEM_RESERVE, PAGE_NOACCESS), 0x50000000);
    assert.equal(VirtualAlloc(m, 0x50000000, 0x1000, MEM_COMMIT, PAGE_READWRITE), 0x50000000);
    assert.equal(VirtualAlloc(m, 0x50002000, 0x1000, MEM_COMMIT, PAGE_NOACCESS), 0x50002000);
    assert.equal(VirtualAlloc(m, 0x50000000, 0x3000, MEM_COMMIT, PAGE_READONLY), 0x50000000);
    const w = write8(m, 0x50000000, 1);
    assert.equal(w.status, STATUS_ACCESS_VIOLATION);
    assert.equal(w.info0, 1);
    assertRegion(m, 0x50000000, { State: MEM_COMMIT, Protect: 0x02, RegionSize: 0x3000 });
  });

  it('MEM_RESET leaves state and protection alone; with a NULL base it takes the reserve path (§6.1 step 13)', () => {
    const { m } = fresh();
    const r = VirtualAlloc(m, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(VirtualAlloc(m, r, 0x10000, MEM_RESET, PAGE_READWRITE), r);
    assertRegion(m, r, { State: MEM_RESERVE, RegionSize: 0x10000 });
    const n = NtAllocateVirtualMemory(m, SELF, 0, 0, 0x1000, MEM_RESET, PAGE_READWRITE);
    assert.equal(n.status, STATUS_SUCCESS);
    assertRegion(m, n.base, { State: MEM_RESERVE, AllocationBase: n.base, RegionSize: 0x1000 });
  });
});
