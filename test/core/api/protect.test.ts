// api-spec §12 C (protection changes, #49-#55) and D (guard pages, #56-#62).

import { strict as assert } from 'node:assert';
import {
  GetLastError, LastStatus, NtProtectVirtualMemory, VirtualAlloc, VirtualLock, VirtualProtect,
} from '../../../src/core/api/virtualMemory';
import {
  ERROR_INVALID_ADDRESS, ERROR_INVALID_PARAMETER, ERROR_NOACCESS, STATUS_ACCESS_VIOLATION, STATUS_CONFLICTING_ADDRESSES,
  STATUS_GUARD_PAGE_VIOLATION, STATUS_INVALID_PAGE_PROTECTION, STATUS_INVALID_PARAMETER_3, STATUS_SUCCESS,
} from '../../../src/core/status';
import {
  MEM_COMMIT, MEM_PRIVATE, MEM_RESERVE, PAGE_EXECUTE_READ, PAGE_GUARD, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE,
} from '../../../src/core/winconst';
import { assertRegion, exec, fresh, q, read8, SELF, write8 } from './helpers';

const RC = MEM_RESERVE | MEM_COMMIT;

describe('core/api: protection changes (api-spec §12 C)', () => {
  it('api #49 read-only, no-access and back: accesses follow the protection, data survives', () => {
    const { m } = fresh();
    const p = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE);
    assert.equal(write8(m, p, 0xff).status, 0);
    assert.equal(VirtualProtect(m, p, 0x1000, PAGE_READONLY), 0x04);
    assert.equal(write8(m, p, 1).status, STATUS_ACCESS_VIOLATION);
    assert.equal(read8(m, p).value, 0xff);
    assert.equal(VirtualProtect(m, p, 0x1000, PAGE_NOACCESS), 0x02);
    assert.equal(read8(m, p).status, STATUS_ACCESS_VIOLATION);
    assert.equal(VirtualProtect(m, p, 0x1000, PAGE_READONLY), 0x01);
    assert.equal(read8(m, p).value, 0xff);
  });

  it('api #50 protect may span regions of one allocation but not two allocations', () => {
    const { m } = fresh();
    assert.equal(VirtualAlloc(m, 0x50000000, 0x10000, RC, PAGE_READWRITE), 0x50000000);
    assert.equal(VirtualAlloc(m, 0x50010000, 0x10000, RC, PAGE_READWRITE), 0x50010000);
    assert.equal(VirtualProtect(m, 0x5000f000, 0x2000, PAGE_READONLY), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
    assert.equal(LastStatus(m), STATUS_CONFLICTING_ADDRESSES);
    assert.equal(q(m, 0x5000f000).Protect, 0x04);
    assert.equal(q(m, 0x50010000).Protect, 0x04);
    assert.equal(VirtualProtect(m, 0x50000000, 0x1000, PAGE_READONLY), 0x04);
    assert.equal(VirtualProtect(m, 0x50000000, 0x2000, PAGE_EXECUTE_READ), 0x02);
    assertRegion(m, 0x50000000, { Protect: 0x20, RegionSize: 0x2000 });
  });

  it('api #51 protecting free memory is 487', () => {
    const { m } = fresh();
    assert.equal(VirtualProtect(m, 0x60000000, 0x1000, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
  });

  it('api #52 a NULL lpflOldProtect is ERROR_NOACCESS and changes nothing', () => {
    const { m } = fresh();
    const p = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READONLY);
    assert.equal(VirtualProtect(m, p, 0x1000, PAGE_READWRITE, { nullOldProtect: true }), 0);
    assert.equal(GetLastError(m), ERROR_NOACCESS);
    assert.equal(q(m, p).Protect, PAGE_READONLY);
  });

  it('api #53 size 0 is STATUS_INVALID_PARAMETER_3 (87)', () => {
    const { m } = fresh();
    const p = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE);
    const r = NtProtectVirtualMemory(m, SELF, p, 0, PAGE_READWRITE);
    assert.equal(r.status, STATUS_INVALID_PARAMETER_3);
    assert.equal(VirtualProtect(m, p, 0, PAGE_READONLY), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
  });

  it('api #54 OldProtect carries the guard bit', () => {
    const { m } = fresh();
    const b = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE | PAGE_GUARD);
    assert.equal(VirtualProtect(m, b, 0x1000, PAGE_READWRITE), 0x104);
    assert.equal(VirtualProtect(m, b, 0x1000, PAGE_READWRITE | PAGE_GUARD), 0x04);
    assert.equal(q(m, b).Protect, 0x104);
  });

  it('api #55 all-or-nothing: an uncommitted page in the middle fails the whole range', () => {
    const { m } = fresh();
    const r = VirtualAlloc(m, 0, 0x3000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(m, r, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    VirtualAlloc(m, r + 0x2000, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    assert.equal(VirtualProtect(m, r, 0x3000, PAGE_READONLY), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
    assert.equal(q(m, r).Protect, 0x04);
    assert.equal(q(m, r + 0x2000).Protect, 0x04);
  });

  it('native protect: out base/size are page-rounded; invalid protections come first', () => {
    const { m } = fresh();
    const p = VirtualAlloc(m, 0, 0x3000, RC, PAGE_READWRITE);
    assert.deepEqual(NtProtectVirtualMemory(m, SELF, p + 0x10, 0x1000, PAGE_READONLY), {
      status: STATUS_SUCCESS, base: p, size: 0x2000, oldProtect: 0x04,
    });
    assert.equal(NtProtectVirtualMemory(m, SELF, p, 0, 0x06).status, STATUS_INVALID_PAGE_PROTECTION);
  });
});

describe('core/api: guard pages (api-spec §12 D)', () => {
  it('api #56 a guard allocation reports 0x104 as both protections', () => {
    const { m } = fresh();
    const b = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE | PAGE_GUARD);
    assertRegion(m, b, { AllocationProtect: 0x104, Protect: 0x104, RegionSize: 0x1000, State: MEM_COMMIT, Type: MEM_PRIVATE });
  });

  it('api #57 the first read raises STATUS_GUARD_PAGE_VIOLATION and clears the guard', () => {
    const { m } = fresh();
    const b = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE | PAGE_GUARD);
    const r = read8(m, b);
    assert.equal(r.status, STATUS_GUARD_PAGE_VIOLATION);
    assert.equal(r.info0, 0);
    assert.equal(r.info1, b);
    assertRegion(m, b, { Protect: 0x04, AllocationProtect: 0x104 });
    assert.deepEqual(read8(m, b), { status: 0, value: 0, info0: 0, info1: 0 });
  });

  it('api #58 a write to a fresh guard page is not performed; the retry is', () => {
    const { m } = fresh();
    const b = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE | PAGE_GUARD);
    const w = write8(m, b + 8, 0x42);
    assert.equal(w.status, STATUS_GUARD_PAGE_VIOLATION);
    assert.equal(w.info0, 1);
    assert.equal(read8(m, b + 8).value, 0);
    assert.equal(write8(m, b + 8, 0x42).status, 0);
    assert.equal(read8(m, b + 8).value, 0x42);
  });

  it('api #59 an access violation wins over the guard page', () => {
    const { m } = fresh();
    const b = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READONLY | PAGE_GUARD);
    assert.equal(write8(m, b, 1).status, STATUS_ACCESS_VIOLATION);
    assert.equal(q(m, b).Protect, 0x102);
    assert.equal(read8(m, b).status, STATUS_GUARD_PAGE_VIOLATION);
    assert.equal(q(m, b).Protect, 0x02);
  });

  it('api #60 only the accessed page loses its guard', () => {
    const { m } = fresh();
    const b = VirtualAlloc(m, 0, 0x3000, RC, PAGE_READWRITE | PAGE_GUARD);
    assert.equal(read8(m, b + 0x1000).status, STATUS_GUARD_PAGE_VIOLATION);
    assertRegion(m, b, { Protect: 0x104, RegionSize: 0x1000 });
    assertRegion(m, b + 0x1000, { Protect: 0x04, RegionSize: 0x1000 });
    assertRegion(m, b + 0x2000, { Protect: 0x104, RegionSize: 0x1000 });
  });

  it('api #61 VirtualLock on a guard page fails with 0x80000001, clears it, and a retry locks', () => {
    const { m } = fresh();
    const b = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE | PAGE_GUARD);
    assert.equal(VirtualLock(m, b, 0x1000), false);
    assert.equal(GetLastError(m), 0x80000001);
    assert.equal(q(m, b).Protect, 0x04);
    assert.equal(VirtualLock(m, b, 0x1000), true);
  });

  it('api #62 executing a PAGE_READWRITE|PAGE_GUARD page: guard first, then the NX violation', () => {
    const { m } = fresh();
    const b = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE | PAGE_GUARD);
    const first = exec(m, b);
    assert.equal(first.status, STATUS_GUARD_PAGE_VIOLATION);
    assert.equal(first.info0, 8);
    const second = exec(m, b);
    assert.equal(second.status, STATUS_ACCESS_VIOLATION);
    assert.equal(second.info0, 8);
  });

  it('a guard set on a touched page fires once and keeps the data', () => {
    const { m } = fresh();
    const b = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE);
    write8(m, b, 0x77);
    assert.equal(VirtualProtect(m, b, 0x1000, PAGE_READWRITE | PAGE_GUARD), 0x04);
    assert.equal(read8(m, b).status, STATUS_GUARD_PAGE_VIOLATION);
    assert.equal(q(m, b).Protect, 0x04);
    assert.equal(read8(m, b).value, 0x77);
  });
});
