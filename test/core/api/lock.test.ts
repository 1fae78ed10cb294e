// api-spec §12 E (lock / unlock, #63-#67), the lock limit (working-set minimum - 8 pages) and
// SetProcessWorkingSetSize / GetProcessWorkingSetSize validation.

import { strict as assert } from 'node:assert';
import {
  GetLastError, GetProcessWorkingSetSize, grantPrivilege, LastStatus, NtLockVirtualMemory, NtProtectVirtualMemory,
  NtUnlockVirtualMemory, openProcessHandle, PROCESS_QUERY_LIMITED_INFORMATION, SE_LOCK_MEMORY_PRIVILEGE,
  SetProcessWorkingSetSize, VirtualAlloc, VirtualFree, VirtualLock, VirtualProtect, VirtualUnlock,
} from '../../../src/core/api/virtualMemory';
import {
  ERROR_ACCESS_DENIED, ERROR_INVALID_PARAMETER, ERROR_NOACCESS, ERROR_NOT_LOCKED, ERROR_WORKING_SET_QUOTA,
  STATUS_ACCESS_VIOLATION, STATUS_INVALID_PARAMETER, STATUS_NOT_LOCKED, STATUS_PRIVILEGE_NOT_HELD, STATUS_SUCCESS,
  STATUS_WAS_LOCKED, STATUS_WAS_UNLOCKED, STATUS_WORKING_SET_QUOTA,
} from '../../../src/core/status';
import {
  MAP_PROCESS, MAP_SYSTEM, MEM_COMMIT, MEM_DECOMMIT, MEM_RESERVE, PAGE_NOACCESS, PAGE_READWRITE,
} from '../../../src/core/winconst';
import { fresh, pteOf, SELF } from './helpers';

const RC = MEM_RESERVE | MEM_COMMIT;

describe('core/api: lock and unlock (api-spec §12 E)', () => {
  it('api #63 lock, lock again (STATUS_WAS_LOCKED), unlock, unlock again (158)', () => {
    const { m, p } = fresh();
    const a = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE);
    assert.equal(VirtualLock(m, a, 0x1000), true);
    assert.ok(p.lockedVpns.has(a / 0x1000));
    assert.equal(((pteOf(m, p, a) ?? 0n) & 1n), 1n, 'a locked page is resident');
    assert.deepEqual(NtLockVirtualMemory(m, SELF, a, 0x1000, MAP_PROCESS), { status: STATUS_WAS_LOCKED, base: a, size: 0x1000 });
    assert.equal(VirtualLock(m, a, 0x1000), true);
    assert.equal(VirtualUnlock(m, a, 0x1000), true);
    assert.equal(VirtualUnlock(m, a, 0x1000), false);
    assert.equal(GetLastError(m), ERROR_NOT_LOCKED);
  });

  it('api #64 unlocking a page never locked is ERROR_NOT_LOCKED (STATUS_NOT_LOCKED)', () => {
    const { m, p } = fresh();
    const a = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE);
    m.mmu.write8(a, 1);
    const wsBefore = p.wsl.size;
    assert.equal(VirtualUnlock(m, a, 0x1000), false);
    assert.equal(GetLastError(m), ERROR_NOT_LOCKED);
    assert.equal(LastStatus(m), STATUS_NOT_LOCKED);
    // the documented side effect: the unlocked page left the working set
    assert.equal(p.wsl.size, wsBefore - 1);
    assert.equal(m.mmu.read8(a), 1);
  });

  it('api #65 a reserved page in the range fails the lock (998) and locks nothing', () => {
    const { m, p } = fresh();
    const r = VirtualAlloc(m, 0, 0x2000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(m, r, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    assert.equal(VirtualLock(m, r, 0x2000), false);
    assert.equal(GetLastError(m), ERROR_NOACCESS);
    assert.equal(LastStatus(m), STATUS_ACCESS_VIOLATION);
    assert.equal(p.lockedVpns.size, 0);
    assert.equal(VirtualUnlock(m, r, 0x1000), false);
    assert.equal(GetLastError(m), ERROR_NOT_LOCKED);
  });

  it('api #66 MapType 0 or 4 is STATUS_INVALID_PARAMETER; MAP_SYSTEM needs the privilege', () => {
    const { m, p } = fresh();
    const a = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE);
    assert.equal(NtLockVirtualMemory(m, SELF, a, 0x1000, 0).status, STATUS_INVALID_PARAMETER);
    assert.equal(NtLockVirtualMemory(m, SELF, a, 0x1000, 4).status, STATUS_INVALID_PARAMETER);
    assert.equal(NtUnlockVirtualMemory(m, SELF, a, 0x1000, 4).status, STATUS_INVALID_PARAMETER);
    assert.equal(NtLockVirtualMemory(m, SELF, a, 0x1000, MAP_SYSTEM).status, STATUS_PRIVILEGE_NOT_HELD);
    assert.equal(NtUnlockVirtualMemory(m, SELF, a, 0x1000, MAP_SYSTEM).status, STATUS_PRIVILEGE_NOT_HELD);
    grantPrivilege(m, p, SE_LOCK_MEMORY_PRIVILEGE);
    assert.equal(NtLockVirtualMemory(m, SELF, a, 0x1000, MAP_SYSTEM).status, STATUS_SUCCESS);
    // a system lock is not a process lock
    assert.equal(NtUnlockVirtualMemory(m, SELF, a, 0x1000, MAP_PROCESS).status, STATUS_NOT_LOCKED);
    assert.equal(NtUnlockVirtualMemory(m, SELF, a, 0x1000, MAP_SYSTEM).status, STATUS_SUCCESS);
    // size 0 and an address past user space are STATUS_INVALID_PARAMETER as well
    assert.equal(NtLockVirtualMemory(m, SELF, a, 0, MAP_PROCESS).status, STATUS_INVALID_PARAMETER);
    assert.equal(NtLockVirtualMemory(m, SELF, 0x7ffffff0000, 0x1000, MAP_PROCESS).status, STATUS_INVALID_PARAMETER);
  });

  it('api #67 protecting a locked page PAGE_NOACCESS unlocks it (STATUS_WAS_UNLOCKED)', () => {
    const { m, p } = fresh();
    const a = VirtualAlloc(m, 0, 0x1000, RC, PAGE_READWRITE);
    assert.equal(VirtualLock(m, a, 0x1000), true);
    assert.equal(NtProtectVirtualMemory(m, SELF, a, 0x1000, PAGE_NOACCESS).status, STATUS_WAS_UNLOCKED);
    assert.equal(p.lockedVpns.size, 0);
    assert.equal(VirtualProtect(m, a, 0x1000, PAGE_READWRITE), PAGE_NOACCESS);
    assert.equal(VirtualLock(m, a, 0x1000), true);
    assert.equal(VirtualProtect(m, a, 0x1000, PAGE_NOACCESS), PAGE_READWRITE, 'VirtualProtect succeeds on STATUS_WAS_UNLOCKED');
    assert.equal(VirtualUnlock(m, a, 0x1000), false);
    assert.equal(GetLastError(m), ERROR_NOT_LOCKED);
  });

  it('decommit unlocks', () => {
    const { m, p } = fresh();
    const a = VirtualAlloc(m, 0, 0x2000, RC, PAGE_READWRITE);
    assert.equal(VirtualLock(m, a, 0x2000), true);
    assert.equal(VirtualFree(m, a, 0x1000, MEM_DECOMMIT), true);
    assert.deepEqual([...p.lockedVpns], [a / 0x1000 + 1]);
  });

  it('the lock limit is the working-set minimum minus 8 pages (STATUS_WORKING_SET_QUOTA)', () => {
    const { m, p } = fresh();
    assert.equal(p.wsl.minimum, 50);
    const a = VirtualAlloc(m, 0, 0x80000, RC, PAGE_READWRITE);
    assert.equal(VirtualLock(m, a, 42 * 0x1000), true);
    assert.equal(VirtualLock(m, a + 42 * 0x1000, 0x1000), false);
    assert.equal(GetLastError(m), ERROR_WORKING_SET_QUOTA);
    assert.equal(NtLockVirtualMemory(m, SELF, a, 43 * 0x1000, MAP_PROCESS).status, STATUS_WORKING_SET_QUOTA);
    // relocking what is locked does not count twice
    assert.equal(NtLockVirtualMemory(m, SELF, a, 42 * 0x1000, MAP_PROCESS).status, STATUS_WAS_LOCKED);
    assert.equal(SetProcessWorkingSetSize(m, SELF, 100 * 0x1000, 400 * 0x1000), true);
    assert.equal(VirtualLock(m, a + 42 * 0x1000, 50 * 0x1000), true);
    assert.equal(p.lockedVpns.size, 92);
  });
});

describe('core/api: working-set limits', () => {
  it('GetProcessWorkingSetSize reports the Windows 7 defaults (50 and 345 pages)', () => {
    const { m } = fresh();
    assert.deepEqual(GetProcessWorkingSetSize(m, SELF), { min: 50 * 0x1000, max: 345 * 0x1000 });
  });

  it('SetProcessWorkingSetSize validation', () => {
    const { m } = fresh();
    assert.equal(SetProcessWorkingSetSize(m, SELF, 0, 0x100000), false);
    assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
    assert.equal(SetProcessWorkingSetSize(m, SELF, 0x200000, 0x100000), false, 'minimum above maximum');
    assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
    assert.equal(SetProcessWorkingSetSize(m, SELF, 0x1000, 0x100000), true, 'a small minimum is raised to 20 pages');
    assert.deepEqual(GetProcessWorkingSetSize(m, SELF), { min: 20 * 0x1000, max: 0x100000 });
    assert.equal(SetProcessWorkingSetSize(m, SELF, -1, -1), true, '(-1, -1) empties the working set');
    assert.deepEqual(GetProcessWorkingSetSize(m, SELF), { min: 20 * 0x1000, max: 0x100000 });
    const other = m.createProcess('other');
    const weak = openProcessHandle(m, other, PROCESS_QUERY_LIMITED_INFORMATION);
    assert.equal(SetProcessWorkingSetSize(m, weak, 0x100000, 0x200000), false);
    assert.equal(GetLastError(m), ERROR_ACCESS_DENIED);
    assert.deepEqual(GetProcessWorkingSetSize(m, weak), { min: 50 * 0x1000, max: 345 * 0x1000 });
  });

  it('a maximum below the current working set trims it down to the maximum', () => {
    const { m, p } = fresh();
    const a = VirtualAlloc(m, 0, 0x80000, RC, PAGE_READWRITE);
    for (let i = 0; i < 100; i++) m.mmu.write8(a + i * 0x1000, 1);
    assert.ok(p.wsl.size > 100);
    assert.equal(SetProcessWorkingSetSize(m, SELF, 20 * 0x1000, 64 * 0x1000), true);
    assert.equal(p.wsl.size, 64);
    assert.equal(m.mmu.read8(a + 99 * 0x1000), 1, 'trimmed pages come back with their data');
  });

  it('(-1, -1) empties the working set through the working-set manager', () => {
    const { m, p } = fresh();
    const a = VirtualAlloc(m, 0, 0x10000, RC, PAGE_READWRITE);
    for (let i = 0; i < 16; i++) m.mmu.write8(a + i * 0x1000, 1);
    assert.equal(SetProcessWorkingSetSize(m, SELF, -1, -1), true);
    assert.ok(p.wsl.size < 16);
    assert.equal(m.mmu.read8(a + 0x5000), 1);
  });
});
