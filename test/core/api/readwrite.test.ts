// api-spec §12 H (cross-process read / write, #107-#112), plus guard pages in another process,
// buffers in the caller's own address space, and the handle checks of these services.

import { strict as assert } from 'node:assert';
import {
  GetLastError, NtReadVirtualMemory, NtWriteVirtualMemory, openProcessHandle, PROCESS_QUERY_LIMITED_INFORMATION,
  ReadProcessMemory, VirtualAllocEx, VirtualQueryEx, WriteProcessMemory,
} from '../../../src/core/api/virtualMemory';
import {
  ERROR_NOACCESS, ERROR_PARTIAL_COPY, STATUS_ACCESS_DENIED, STATUS_ACCESS_VIOLATION, STATUS_PARTIAL_COPY, STATUS_SUCCESS,
} from '../../../src/core/status';
import {
  MEM_COMMIT, MEM_RESERVE, PAGE_EXECUTE_READ, PAGE_GUARD, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PROCESS_VM_OPERATION,
} from '../../../src/core/winconst';
import { fresh, SELF } from './helpers';
import type { Machine } from '../../../src/core/machine';
import type { Process } from '../../../src/core/process';
import type { MemoryBasicInformationRecord } from '../../../src/core/api/virtualMemory';

const RC = MEM_RESERVE | MEM_COMMIT;

function twoProcesses(): { m: Machine; main: Process; target: Process; h: number } {
  const { m, p } = fresh();
  const target = m.createProcess('target');
  const h = openProcessHandle(m, target);
  return { m, main: p, target, h };
}

/** Bytes i * 7 + 3 written into the target through its own MMU view. */
function fillTarget(m: Machine, target: Process, va: number, size: number): Uint8Array {
  const data = Uint8Array.from({ length: size }, (_, i) => (i * 7 + 3) & 0xff);
  m.attached(target, () => assert.equal(m.mmu.writeBytes(va, data), size));
  return data;
}

function targetBytes(m: Machine, target: Process, va: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  m.attached(target, () => m.mmu.readBytes(va, out));
  return out;
}

describe('core/api: cross-process read and write (api-spec §12 H)', () => {
  it('api #107 ReadProcessMemory of 0x8000 committed bytes; size 0', () => {
    const { m, h, target, main } = twoProcesses();
    const p = VirtualAllocEx(m, h, 0, 0x8000, RC, PAGE_READWRITE);
    assert.notEqual(p, 0);
    const data = fillTarget(m, target, p, 0x8000);
    assert.equal(m.current, main);
    const r = ReadProcessMemory(m, h, p, 0x8000);
    assert.equal(r.ok, true);
    assert.equal(r.bytesRead, 0x8000);
    assert.deepEqual(r.data, data);
    assert.equal(m.current, main, 'the caller is current again');
    const z = ReadProcessMemory(m, h, p, 0);
    assert.deepEqual([z.ok, z.bytesRead], [true, 0]);
  });

  it('api #108 a reserved or free first page: FALSE, ERROR_PARTIAL_COPY, 0 bytes', () => {
    const { m, h } = twoProcesses();
    const r = VirtualAllocEx(m, h, 0, 0x2000, MEM_RESERVE, PAGE_READWRITE);
    for (const va of [r, 0x60000000]) {
      const res = ReadProcessMemory(m, h, va, 0x100);
      assert.deepEqual([res.ok, res.bytesRead], [false, 0]);
      assert.equal(GetLastError(m), ERROR_PARTIAL_COPY);
    }
    // a read that runs from a committed page into a reserved one stops at the boundary
    VirtualAllocEx(m, h, r, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const part = NtReadVirtualMemory(m, h, r + 0xf00, undefined, 0x200);
    assert.deepEqual([part.status, part.bytesRead], [STATUS_PARTIAL_COPY, 0x100]);
  });

  it('api #109 a range past 0x7FFFFFEFFFF is STATUS_ACCESS_VIOLATION, 0 bytes', () => {
    const { m, h } = twoProcesses();
    const r = NtReadVirtualMemory(m, h, 0x7fffffef000, undefined, 0x2000);
    assert.deepEqual([r.status, r.bytesRead], [STATUS_ACCESS_VIOLATION, 0]);
  });

  it('api #110 WriteProcessMemory into PAGE_READONLY: FALSE, 998, count untouched, page unchanged', () => {
    const { m, h, target } = twoProcesses();
    const p = VirtualAllocEx(m, h, 0, 0x1000, RC, PAGE_READWRITE);
    const old = fillTarget(m, target, p, 0x10);
    // re-committing with PAGE_READONLY makes the page read-only and keeps its data
    assert.equal(VirtualAllocEx(m, h, p, 0x1000, MEM_COMMIT, PAGE_READONLY), p);
    const w = WriteProcessMemory(m, h, p, Uint8Array.of(9, 9, 9, 9), 4);
    assert.deepEqual(w, { ok: false, bytesWritten: undefined });
    assert.equal(GetLastError(m), ERROR_NOACCESS);
    const info = VirtualQueryEx(m, h, p) as MemoryBasicInformationRecord;
    assert.equal(info.Protect, PAGE_READONLY);
    assert.deepEqual(targetBytes(m, target, p, 0x10), old);
  });

  it('api #111 WriteProcessMemory of 0x8000 bytes into PAGE_EXECUTE_READ pages', () => {
    const { m, h, target } = twoProcesses();
    const p = VirtualAllocEx(m, h, 0, 0x8000, RC, PAGE_EXECUTE_READ);
    const data = Uint8Array.from({ length: 0x8000 }, (_, i) => (i * 13) & 0xff);
    const w = WriteProcessMemory(m, h, p, data, 0x8000);
    assert.deepEqual(w, { ok: true, bytesWritten: 0x8000 });
    assert.deepEqual(targetBytes(m, target, p, 0x8000), data);
    const info = VirtualQueryEx(m, h, p) as MemoryBasicInformationRecord;
    assert.equal(info.Protect, 0x20);
    assert.equal(info.RegionSize, 0x8000);
  });

  it('api #112 NtWriteVirtualMemory into PAGE_READONLY: STATUS_ACCESS_VIOLATION, 0 bytes, unchanged', () => {
    const { m, h, target } = twoProcesses();
    const p = VirtualAllocEx(m, h, 0, 0x2000, RC, PAGE_READWRITE);
    VirtualAllocEx(m, h, p + 0x1000, 0x1000, MEM_COMMIT, PAGE_READONLY);
    // the first page is writable, the second is not: nothing at all is written
    const w = NtWriteVirtualMemory(m, h, p + 0xff0, Uint8Array.from({ length: 0x20 }, () => 0xee), 0x20);
    assert.deepEqual(w, { status: STATUS_ACCESS_VIOLATION, bytesWritten: 0 });
    assert.deepEqual(targetBytes(m, target, p + 0xff0, 0x20), new Uint8Array(0x20));
  });

  it('guard pages of the target are inaccessible and keep their guard bit', () => {
    const { m, h } = twoProcesses();
    const g = VirtualAllocEx(m, h, 0, 0x2000, RC, PAGE_READWRITE | PAGE_GUARD);
    const r = NtReadVirtualMemory(m, h, g, undefined, 0x10);
    assert.deepEqual([r.status, r.bytesRead], [STATUS_PARTIAL_COPY, 0]);
    const w = NtWriteVirtualMemory(m, h, g, new Uint8Array(4), 4);
    assert.deepEqual(w, { status: STATUS_ACCESS_VIOLATION, bytesWritten: 0 });
    assert.equal((VirtualQueryEx(m, h, g) as MemoryBasicInformationRecord).Protect, 0x104);
  });

  it('no-access pages stop a read; a write through the wrapper fails with 998', () => {
    const { m, h } = twoProcesses();
    const n = VirtualAllocEx(m, h, 0, 0x1000, RC, PAGE_NOACCESS);
    assert.equal(NtReadVirtualMemory(m, h, n, undefined, 8).status, STATUS_PARTIAL_COPY);
    assert.deepEqual(WriteProcessMemory(m, h, n, 0x1122334455667788n, 8), { ok: false, bytesWritten: undefined });
    assert.equal(GetLastError(m), ERROR_NOACCESS);
  });

  it('integers are written little-endian and read back as values', () => {
    const { m, h } = twoProcesses();
    const p = VirtualAllocEx(m, h, 0, 0x1000, RC, PAGE_READWRITE);
    assert.deepEqual(WriteProcessMemory(m, h, p + 6, 0x1122334455667788n, 8), { ok: true, bytesWritten: 8 });
    const r = ReadProcessMemory(m, h, p + 6, 8);
    assert.equal(r.value, 0x1122334455667788n);
    assert.deepEqual([...r.data], [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
  });

  it('a buffer in the caller: a source fault is STATUS_PARTIAL_COPY, a destination fault STATUS_ACCESS_VIOLATION', () => {
    const { m, h, target } = twoProcesses();
    const src = VirtualAllocEx(m, h, 0, 0x1000, RC, PAGE_READWRITE);
    fillTarget(m, target, src, 0x100);
    const mine = VirtualAllocEx(m, SELF, 0, 0x2000, RC, PAGE_READWRITE);
    const ro = VirtualAllocEx(m, SELF, 0, 0x1000, RC, PAGE_READONLY);
    const ok = NtReadVirtualMemory(m, h, src, mine + 0x10, 0x100);
    assert.deepEqual([ok.status, ok.bytesRead], [STATUS_SUCCESS, 0x100]);
    assert.equal(m.mmu.read8(mine + 0x10 + 1), 10);
    const bad = NtReadVirtualMemory(m, h, src, ro, 0x10);
    assert.deepEqual([bad.status, bad.bytesRead], [STATUS_ACCESS_VIOLATION, 0]);
    // writing from a caller buffer whose first page is unreadable
    const reserved = VirtualAllocEx(m, SELF, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.deepEqual(NtWriteVirtualMemory(m, h, src, reserved, 0x10), { status: STATUS_PARTIAL_COPY, bytesWritten: 0 });
    // a caller buffer that runs into reserved memory: the readable part is written
    const half = VirtualAllocEx(m, SELF, 0, 0x2000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAllocEx(m, SELF, half, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    assert.deepEqual(NtWriteVirtualMemory(m, h, src, half + 0xff8, 0x10), { status: STATUS_PARTIAL_COPY, bytesWritten: 8 });
  });

  it('handles: the read needs PROCESS_VM_READ, the write PROCESS_VM_WRITE', () => {
    const { m, target } = twoProcesses();
    const weak = openProcessHandle(m, target, PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_OPERATION);
    const p = VirtualAllocEx(m, weak, 0, 0x1000, RC, PAGE_READWRITE);
    assert.notEqual(p, 0);
    assert.equal(NtReadVirtualMemory(m, weak, p, undefined, 4).status, STATUS_ACCESS_DENIED);
    assert.equal(NtWriteVirtualMemory(m, weak, p, new Uint8Array(4), 4).status, STATUS_ACCESS_DENIED);
    // size 0 succeeds without even looking at the handle
    assert.equal(NtReadVirtualMemory(m, 0x1234, p, undefined, 0).status, STATUS_SUCCESS);
  });
});
