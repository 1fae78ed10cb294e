// api-spec §12 K (miscellaneous, #124-#128) and the handle table: values, reuse, object types,
// access checks and the pseudo handles.

import { strict as assert } from 'node:assert';
import {
  CloseHandle, GetCurrentProcess, GetLargePageMinimum, GetLastError, GetSystemInfo, handleTable, LastStatus, NtAllocateVirtualMemory,
  NtClose, NtQueryVirtualMemory, OBJECT_TYPE_SECTION, openProcessHandle, PROCESS_ALL_ACCESS, referenceProcess, VirtualAlloc,
  VirtualAllocEx, VirtualFreeEx, VirtualQueryEx,
} from '../../../src/core/api/virtualMemory';
import {
  ERROR_INVALID_ADDRESS, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_PRIVILEGE_NOT_HELD, STATUS_ACCESS_DENIED,
  STATUS_HANDLE_NOT_CLOSABLE, STATUS_INVALID_HANDLE, STATUS_OBJECT_TYPE_MISMATCH, STATUS_PRIVILEGE_NOT_HELD,
  STATUS_PROCESS_IS_TERMINATING, STATUS_SUCCESS,
} from '../../../src/core/status';
import {
  MEM_COMMIT, MEM_LARGE_PAGES, MEM_RELEASE, MEM_RESERVE, MEM_RESET, MemoryBasicInformation, PAGE_EXECUTE_READWRITE, PAGE_NOACCESS,
  PAGE_READWRITE, PROCESS_QUERY_INFORMATION, PROCESS_VM_OPERATION,
} from '../../../src/core/winconst';
import { assertRegion, fresh, read8, SELF, write8 } from './helpers';

const RC = MEM_RESERVE | MEM_COMMIT;

describe('core/api: miscellaneous (api-spec §12 K)', () => {
  it('api #124 a NULL process handle is ERROR_INVALID_HANDLE', () => {
    const { m } = fresh();
    assert.equal(VirtualAllocEx(m, 0, 0, 0x8000, MEM_COMMIT, PAGE_EXECUTE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_HANDLE);
    const p = VirtualAlloc(m, 0, 0x8000, MEM_COMMIT, PAGE_EXECUTE_READWRITE);
    assert.equal(VirtualFreeEx(m, 0, p, 0, MEM_RELEASE), false);
    assert.equal(GetLastError(m), ERROR_INVALID_HANDLE);
  });

  it('api #125 GetSystemInfo', () => {
    const si = GetSystemInfo();
    assert.equal(si.dwPageSize, 4096);
    assert.equal(si.dwAllocationGranularity, 65536);
    assert.equal(si.lpMinimumApplicationAddress, 0x10000);
    assert.equal(si.lpMaximumApplicationAddress, 0x7fffffeffff);
    assert.equal(si.wProcessorArchitecture, 9);
    assert.equal(GetLargePageMinimum(), 0x200000);
  });

  it('api #126 MEM_RESET keeps state and protection; ranges are rounded inwards', () => {
    const { m } = fresh();
    const r = VirtualAlloc(m, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAlloc(m, r, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    write8(m, r, 0x5a);
    assert.equal(VirtualAlloc(m, r, 0x1000, MEM_RESET, PAGE_NOACCESS), r);
    assertRegion(m, r, { State: MEM_COMMIT, Protect: 0x04 });
    assert.equal(read8(m, r).status, 0, 'still accessible');
    assert.equal(VirtualAlloc(m, r + 0x1000, 0x1000, MEM_RESET, PAGE_NOACCESS), r + 0x1000);
    assertRegion(m, r + 0x1000, { State: MEM_RESERVE, RegionSize: 0xf000 });
    assert.equal(VirtualAlloc(m, r + 0xf000, 0x2000, MEM_RESET, PAGE_NOACCESS), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
    assert.equal(VirtualAlloc(m, r, 0x1000, MEM_RESET, 0), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
    assert.equal(VirtualAlloc(m, r + 0x10, 0x20, MEM_RESET, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_ADDRESS);
    assert.deepEqual(NtAllocateVirtualMemory(m, SELF, r + 0x10, 0, 0x2000, MEM_RESET, PAGE_READWRITE), { status: STATUS_SUCCESS, base: r + 0x1000, size: 0x1000 });
  });

  it('api #127 large pages without SeLockMemoryPrivilege: 1314', () => {
    const { m } = fresh();
    assert.equal(VirtualAlloc(m, 0, 0x200000, RC | MEM_LARGE_PAGES, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_PRIVILEGE_NOT_HELD);
    assert.equal(LastStatus(m), STATUS_PRIVILEGE_NOT_HELD);
  });

  it('api #128 CloseHandle of a value never opened: FALSE, 6', () => {
    const { m } = fresh();
    assert.equal(CloseHandle(m, 0x1234), false);
    assert.equal(GetLastError(m), ERROR_INVALID_HANDLE);
    assert.equal(LastStatus(m), STATUS_INVALID_HANDLE);
  });
});

describe('core/api: handle table', () => {
  it('values are multiples of 4 from 0x40; closed values are reused last-in first-out', () => {
    const { m } = fresh();
    const other = m.createProcess('other');
    const h1 = openProcessHandle(m, other);
    const h2 = openProcessHandle(m, other);
    const h3 = openProcessHandle(m, other);
    assert.deepEqual([h1, h2, h3], [0x40, 0x44, 0x48]);
    assert.equal(CloseHandle(m, h1), true);
    assert.equal(CloseHandle(m, h2), true);
    assert.equal(openProcessHandle(m, other), h2);
    assert.equal(openProcessHandle(m, other), h1);
    assert.equal(CloseHandle(m, h3), true);
    assert.equal(CloseHandle(m, h3), false, 'closed twice');
  });

  it('the two low tag bits of a handle value are ignored', () => {
    const { m } = fresh();
    const other = m.createProcess('other');
    const h = openProcessHandle(m, other);
    assert.equal(referenceProcess(m, h + 3, PROCESS_VM_OPERATION).object, other);
    assert.equal(referenceProcess(m, BigInt(h + 1), PROCESS_VM_OPERATION).object, other);
  });

  it('GetCurrentProcess() is -1 and names the calling process with all access', () => {
    const { m, p } = fresh();
    assert.equal(GetCurrentProcess(), -1);
    assert.equal(referenceProcess(m, -1, PROCESS_ALL_ACCESS).object, p);
    assert.equal(referenceProcess(m, 0xffffffffffffffffn, PROCESS_ALL_ACCESS).object, p);
    const other = m.createProcess('other');
    m.attached(other, () => assert.equal(referenceProcess(m, -1, PROCESS_VM_OPERATION).object, other));
    assert.equal(NtClose(m, -1), STATUS_SUCCESS);
  });

  it('wrong type, missing access, the thread pseudo handle', () => {
    const { m } = fresh();
    const other = m.createProcess('other');
    const section = handleTable(m).open(OBJECT_TYPE_SECTION, {}, 0xf001f);
    assert.equal(referenceProcess(m, section, PROCESS_VM_OPERATION).status, STATUS_OBJECT_TYPE_MISMATCH);
    assert.equal(VirtualAllocEx(m, section, 0, 0x1000, RC, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_INVALID_HANDLE);
    assert.equal(referenceProcess(m, -2, PROCESS_VM_OPERATION).status, STATUS_OBJECT_TYPE_MISMATCH);
    const queryOnly = openProcessHandle(m, other, PROCESS_QUERY_INFORMATION);
    assert.equal(NtAllocateVirtualMemory(m, queryOnly, 0, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE).status, STATUS_ACCESS_DENIED);
    assert.equal(NtQueryVirtualMemory(m, queryOnly, 0, MemoryBasicInformation).status, STATUS_SUCCESS);
    const dup = handleTable(m).duplicate(queryOnly, PROCESS_VM_OPERATION);
    assert.equal(NtAllocateVirtualMemory(m, dup.handle, 0, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE).status, STATUS_SUCCESS);
  });

  it('protected handles cannot be closed; the last close runs the type hook', () => {
    const { m } = fresh();
    const t = handleTable(m);
    const closed: object[] = [];
    t.registerType('Widget', { onLastHandleClosed: (o) => closed.push(o) });
    const obj = {};
    const a = t.open('Widget', obj, 1, { protectFromClose: true });
    const b = t.duplicate(a).handle;
    assert.equal(NtClose(m, a), STATUS_HANDLE_NOT_CLOSABLE);
    assert.equal(t.handleCount(obj), 2);
    t.lookup(a)!.protectFromClose = false;
    assert.equal(NtClose(m, a), STATUS_SUCCESS);
    assert.deepEqual(closed, []);
    assert.equal(NtClose(m, b), STATUS_SUCCESS);
    assert.deepEqual(closed, [obj]);
  });

  it('a terminating target: STATUS_PROCESS_IS_TERMINATING', () => {
    const { m } = fresh();
    const other = m.createProcess('other');
    const h = openProcessHandle(m, other);
    other.terminating = true;
    assert.equal(NtAllocateVirtualMemory(m, h, 0, 0, 0x1000, MEM_RESERVE, PAGE_NOACCESS).status, STATUS_PROCESS_IS_TERMINATING);
    assert.equal(VirtualQueryEx(m, h, 0), 0);
  });
});
