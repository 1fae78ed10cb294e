// Book-A oracles the services must reproduce: the VAD / PTE commit semantics (O-16..O-22), 64 KB
// granularity (O-25) and the order in which releasing a touched page frees its working-set
// entry and its physical page (O-37).

import { strict as assert } from 'node:assert';
import { VirtualAllocEx, VirtualFreeEx } from '../../../src/core/api/virtualMemory';
import { decodePte } from '../../../src/core/pte';
import { EventKind } from '../../../src/core/journal';
import { PageLocation } from '../../../src/core/pfnDatabase';
import { STATUS_ACCESS_VIOLATION } from '../../../src/core/status';
import { vadFlagsWord } from '../../../src/core/vad';
import {
  MEM_COMMIT, MEM_DECOMMIT, MEM_RELEASE, MEM_RESERVE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_NOCACHE, PAGE_READONLY,
  PAGE_READWRITE, PAGE_WRITECOMBINE,
} from '../../../src/core/winconst';
import { fresh, pteOf, read8, SELF, write8 } from './helpers';

const MB = 0x100000;

describe('core/api: book-A VAD and PTE oracles', () => {
  it('O-16 reserve only: a private VAD, commit 0, MemCommit 0, no PTEs written', () => {
    const { m, p } = fresh();
    const seq = m.journal.nextSeq;
    const b = VirtualAllocEx(m, SELF, 0, 128 * MB, MEM_RESERVE, PAGE_READWRITE);
    const vad = p.vads.findContaining(b / 0x1000)!;
    assert.equal(vad.startVpn % 0x10, 0);
    assert.equal(vad.endVpn, vad.startVpn + 0x7fff);
    assert.deepEqual([vad.kind, vad.protection, vad.commitCharge, vad.memCommit, vad.privateMemory], ['private', 4, 0, false, true]);
    assert.equal(vadFlagsWord(vad) >> 63n, 1n);
    for (const off of [0, 0x1000, 64 * MB, 128 * MB - 0x1000]) {
      const pte = pteOf(m, p, b + off);
      assert.ok(pte === undefined || pte === 0n);
    }
    assert.equal([...m.journal.since(seq)].filter((e) => e.kind === EventKind.PteWrite).length, 0);
  });

  it('O-17 partial commit writes 0x80 PTEs; the new page table holds 511 zero PTEs', () => {
    const { m, p } = fresh();
    const b = VirtualAllocEx(m, SELF, 0, 128 * MB, MEM_RESERVE, PAGE_READWRITE);
    const last = b + 128 * MB - 0x1000;
    assert.equal(pteOf(m, p, last), undefined, 'the last page table does not exist yet');
    assert.equal(VirtualAllocEx(m, SELF, b, 0x1000, MEM_COMMIT, PAGE_READWRITE), b);
    assert.equal(VirtualAllocEx(m, SELF, last, 0x1000, MEM_COMMIT, PAGE_READWRITE), last);
    assert.equal(pteOf(m, p, b), 0x80n);
    assert.equal(pteOf(m, p, last), 0x80n);
    const ptFirst = Math.floor(last / 0x200000) * 0x200000;
    let zeros = 0;
    for (let va = ptFirst; va < ptFirst + 0x200000; va += 0x1000) if (va !== last && pteOf(m, p, va) === 0n) zeros++;
    assert.equal(zeros, 511);
    assert.equal(pteOf(m, p, b + 0x1000), 0n);
    assert.equal(p.vads.findContaining(b / 0x1000)!.commitCharge, 2);
    assert.equal(read8(m, b + 0x1000).status, STATUS_ACCESS_VIOLATION);
    assert.equal(read8(m, last - 0x1000).status, STATUS_ACCESS_VIOLATION);
  });

  it('O-18 first touch makes the PTEs valid with NX, WS index and RW bits; commit unchanged', () => {
    const { m, p } = fresh();
    const b = VirtualAllocEx(m, SELF, 0, 128 * MB, MEM_RESERVE, PAGE_READWRITE);
    const last = b + 128 * MB - 0x1000;
    VirtualAllocEx(m, SELF, b, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    VirtualAllocEx(m, SELF, last, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const ws = p.wsl.size;
    assert.equal(write8(m, b, 1).status, 0);
    assert.equal(write8(m, last, 1).status, 0);
    for (const va of [b, last]) {
      const pte = pteOf(m, p, va)!;
      const d = decodePte(Number(pte & 0xffffffffn), Number(pte >> 32n));
      assert.equal(d.kind, 'valid');
      assert.ok((d.pfn as number) > 0);
      assert.equal(d.nx, true);
      assert.equal(Number(pte & 0xfffn), 0x867);
      const pfn = d.pfn as number;
      assert.equal(Number((pte >> 52n) & 0x7ffn), m.pfn.u1[pfn] & 0x7ff, 'bits 52-62: the WS index');
    }
    assert.ok(p.wsl.size > ws);
    assert.equal(p.vads.findContaining(b / 0x1000)!.commitCharge, 2);
  });

  it('O-19 a wholly committed VAD: MemCommit 1, commit n, zero PTEs until touched', () => {
    const { m, p } = fresh();
    const n = 24;
    const b = VirtualAllocEx(m, SELF, 0, n * 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    const vad = p.vads.findContaining(b / 0x1000)!;
    assert.deepEqual([vad.memCommit, vad.commitCharge], [true, n]);
    for (let i = 0; i < n; i++) {
      const pte = pteOf(m, p, b + i * 0x1000);
      assert.ok(pte === undefined || pte === 0n);
    }
    for (let i = 0; i < n; i++) assert.equal(read8(m, b + i * 0x1000).status, 0);
    for (let i = 0; i < n; i++) assert.equal(pteOf(m, p, b + i * 0x1000)! & 1n, 1n);
  });

  it('O-20 decommit writes 0x200 whether or not the VAD was committed as a whole', () => {
    const { m, p } = fresh();
    const whole = VirtualAllocEx(m, SELF, 0, 0x4000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    const part = VirtualAllocEx(m, SELF, 0, 0x4000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAllocEx(m, SELF, part, 0x2000, MEM_COMMIT, PAGE_READWRITE);
    write8(m, part + 0x1000, 7);
    for (const va of [whole, whole + 0x1000, part, part + 0x1000]) {
      assert.equal(VirtualFreeEx(m, SELF, va, 0x1000, MEM_DECOMMIT), true);
      assert.equal(pteOf(m, p, va), 0x200n);
      const d = decodePte(0x200, 0);
      assert.deepEqual([d.kind, d.protection], ['decommitted', 0x10]);
      assert.equal(read8(m, va).status, STATUS_ACCESS_VIOLATION);
    }
    assert.equal(p.vads.findContaining(whole / 0x1000)!.memCommit, true);
    assert.equal(p.vads.findContaining(part / 0x1000)!.memCommit, false);
    assert.equal(p.vads.findContaining(whole / 0x1000)!.commitCharge, 2);
    assert.equal(p.vads.findContaining(part / 0x1000)!.commitCharge, 0);
    // a page never committed in a MemCommit = 0 VAD keeps its zero PTE
    assert.equal(VirtualFreeEx(m, SELF, part + 0x3000, 0x1000, MEM_DECOMMIT), true);
    assert.equal(pteOf(m, p, part + 0x3000), 0n);
  });

  it('O-21 release zeroes the PTEs, removes the VAD and frees the page and its WSLE', () => {
    const { m, p } = fresh();
    const b = VirtualAllocEx(m, SELF, 0x30000000, 0x2000, MEM_RESERVE, PAGE_READWRITE);
    VirtualAllocEx(m, SELF, b, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    const keep = VirtualAllocEx(m, SELF, 0x30010000, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    write8(m, keep, 1); // keeps the page table alive
    write8(m, b, 1);
    const pfn = Number((pteOf(m, p, b)! >> 12n) & 0xfffffffffn);
    const ws = p.wsl.size;
    assert.equal(VirtualFreeEx(m, SELF, b, 0, MEM_RELEASE), true);
    assert.equal(pteOf(m, p, b), 0n);
    assert.equal(pteOf(m, p, b + 0x1000), 0n);
    assert.equal(p.vads.findContaining(b / 0x1000), undefined);
    assert.equal(m.pfn.location(pfn), PageLocation.Free);
    assert.equal(p.wsl.size, ws - 1);
    // releasing the last user of a page table deletes the table as well
    VirtualFreeEx(m, SELF, keep, 0, MEM_RELEASE);
    assert.equal(pteOf(m, p, keep), undefined);
    assert.deepEqual(p.wsl.check(), []);
  });

  it('O-22 protection codes of committed pages', () => {
    const cases: Array<[number, number]> = [
      [PAGE_EXECUTE_READWRITE, 6], [PAGE_EXECUTE_READ, 3], [PAGE_READWRITE, 4], [PAGE_READONLY, 1],
      [PAGE_READWRITE | PAGE_NOCACHE, 0xc], [PAGE_READWRITE | PAGE_WRITECOMBINE, 0x1c],
    ];
    const { m, p } = fresh();
    for (const [prot, code] of cases) {
      const b = VirtualAllocEx(m, SELF, 0, 0x10000, MEM_RESERVE, prot);
      assert.equal(VirtualAllocEx(m, SELF, b, 0x1000, MEM_COMMIT, prot), b);
      assert.equal(p.vads.findContaining(b / 0x1000)!.protection, code);
      assert.equal(pteOf(m, p, b), BigInt(code << 5));
    }
  });

  it('O-25 64 KB granularity of NULL-base reservations; sizes stay page-rounded', () => {
    const { m, p } = fresh();
    const a = VirtualAllocEx(m, SELF, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    const b = VirtualAllocEx(m, SELF, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(a % 0x10000, 0);
    assert.equal(b % 0x10000, 0);
    assert.ok(b >= a + 0x10000 || b + 0x1000 <= a);
    const va = p.vads.findContaining(a / 0x1000)!;
    assert.equal(va.endVpn, va.startVpn);
    assert.ok(p.umab.isSet(a / 0x10000) && p.umab.isSet(b / 0x10000));
  });

  it('O-37 release of a touched page: WsIndex read, WSLE invalidated, pushed at the free head, page freed', () => {
    const { m, p } = fresh();
    assert.equal(VirtualAllocEx(m, SELF, 0xc0000, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE), 0xc0000);
    write8(m, 0xc0000, 1);
    const pfn = Number((pteOf(m, p, 0xc0000)! >> 12n) & 0xfffffffffn);
    const i = m.pfn.u1[pfn];
    assert.equal(p.wsl.lo[i], 0xc0009);
    const oldFirstFree = p.wsl.firstFree;
    const seq = m.journal.nextSeq;
    assert.equal(VirtualFreeEx(m, SELF, 0xc0000, 0, MEM_RELEASE), true);
    const events = [...m.journal.since(seq)];
    const wsle = events.filter((e) => e.kind === EventKind.WsleWrite && e.a === i);
    assert.deepEqual(wsle.slice(0, 2).map((e) => [e.newLo, e.newHi]), [
      [0xc0008, 0],
      [0xfffffffe, oldFirstFree],
    ]);
    const freed = events.findIndex((e) => e.kind === EventKind.PfnList && e.a === pfn && e.newHi === 1);
    assert.ok(freed > events.indexOf(wsle[1]), 'the page reaches the free list after its WSLE is freed');
    assert.equal(m.pfn.location(pfn), PageLocation.Free);
    // the now-empty page table, directory and PDPT leave the working set right after
    assert.deepEqual(p.wsl.check(), []);
  });
});
