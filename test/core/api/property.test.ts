// Seeded property test: random sequences of reserve / commit / protect / decommit / release
// (whole and partial) / touch / lock over three processes, driven through process handles. After
// every step: the VAD trees are sound, every VAD's CommitCharge equals its committed pages
// (counted page by page from the PTEs), each process's charge is its VADs' charges plus one page
// per 2 MB / 1 GB / 512 GB span its VADs occupy, the system charge is the sum of the processes',
// the UMAB mirrors the tree, the working-set lists are consistent, and a VirtualQuery walk of
// each address space is contiguous and agrees with the pages (api #74).

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { UserAddressBitmap } from '../../../src/core/addressSelection';
import {
  NtAllocateVirtualMemory, NtFreeVirtualMemory, NtLockVirtualMemory, NtProtectVirtualMemory, openProcessHandle, VirtualFreeEx,
} from '../../../src/core/api/virtualMemory';
import type { Machine } from '../../../src/core/machine';
import { isPageCommitted } from '../../../src/core/memoryOps';
import type { Process } from '../../../src/core/process';
import {
  MAP_PROCESS, MEM_COMMIT, MEM_DECOMMIT, MEM_FREE, MEM_RELEASE, MEM_RESERVE, MEM_TOP_DOWN, PAGE_EXECUTE, PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE, PAGE_GUARD, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE,
} from '../../../src/core/winconst';
import { fresh, hex, walkAddressSpace } from './helpers';

const PROTECTIONS = [
  PAGE_READONLY, PAGE_READWRITE, PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_NOACCESS, PAGE_READWRITE | PAGE_GUARD,
];
/** Explicit bases fall in 48 granules around the 2 MB boundaries 0x30200000 and 0x30400000. */
const WINDOW = 0x30180000;

type OpKind = 'reserve' | 'reserveCommit' | 'commit' | 'protect' | 'decommit' | 'release' | 'releasePart' | 'touch' | 'lock';

interface Op {
  kind: OpKind;
  proc: number;
  a: number;
  b: number;
  c: number;
  prot: number;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<OpKind>('reserve', 'reserveCommit', 'commit', 'commit', 'protect', 'decommit', 'release', 'releasePart', 'touch', 'touch', 'lock'),
  proc: fc.integer({ min: 0, max: 2 }),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
  prot: fc.integer({ min: 0, max: PROTECTIONS.length - 1 }),
});

interface World {
  m: Machine;
  procs: Process[];
  handles: number[];
}

/** A range [start, start + size) inside a random VAD of the process, or undefined. */
function pickRange(p: Process, a: number, b: number, c: number): { start: number; size: number } | undefined {
  const vads = [...p.vads.inOrder()];
  if (vads.length === 0) return undefined;
  const v = vads[a % vads.length];
  const pages = v.endVpn - v.startVpn + 1;
  const first = b % pages;
  const count = 1 + (c % (pages - first));
  return { start: (v.startVpn + first) * 0x1000 + (c % 3 === 0 ? 0x123 : 0), size: count * 0x1000 - (c % 3 === 0 ? 0x123 : 0) };
}

function apply(w: World, op: Op): void {
  const { m } = w;
  const p = w.procs[op.proc];
  const h = w.handles[op.proc];
  const prot = PROTECTIONS[op.prot];
  switch (op.kind) {
    case 'reserve':
    case 'reserveCommit': {
      const explicit = op.a % 3 !== 0;
      const base = explicit ? WINDOW + (op.a % 48) * 0x10000 + (op.b % 4) * 0x1000 : 0;
      const size = 1 + (op.c % 0x30000);
      const type = (op.kind === 'reserve' ? MEM_RESERVE : MEM_RESERVE | MEM_COMMIT) | (op.b % 5 === 0 ? MEM_TOP_DOWN : 0);
      NtAllocateVirtualMemory(m, h, base, 0, size, type, prot);
      return;
    }
    case 'commit': {
      const r = pickRange(p, op.a, op.b, op.c);
      if (r !== undefined) NtAllocateVirtualMemory(m, h, r.start, 0, r.size, MEM_COMMIT, prot);
      return;
    }
    case 'protect': {
      const r = pickRange(p, op.a, op.b, op.c);
      if (r !== undefined) NtProtectVirtualMemory(m, h, r.start, r.size, prot);
      return;
    }
    case 'decommit': {
      const r = pickRange(p, op.a, op.b, op.c);
      if (r !== undefined) NtFreeVirtualMemory(m, h, r.start, op.c % 4 === 0 ? 0 : r.size, MEM_DECOMMIT);
      return;
    }
    case 'release': {
      const r = pickRange(p, op.a, 0, 0);
      if (r !== undefined) VirtualFreeEx(m, h, r.start, 0, MEM_RELEASE);
      return;
    }
    case 'releasePart': {
      const r = pickRange(p, op.a, op.b, op.c);
      if (r !== undefined) NtFreeVirtualMemory(m, h, r.start, r.size, MEM_RELEASE);
      return;
    }
    case 'touch': {
      const r = pickRange(p, op.a, op.b, op.c);
      if (r === undefined) return;
      const va = r.start + (op.c % 0x1000);
      m.attached(p, () => {
        if (op.b % 2 === 0) m.mmu.read8(va);
        else m.mmu.write8(va, op.c & 0xff);
      });
      return;
    }
    case 'lock': {
      const r = pickRange(p, op.a, op.b, op.c % 4);
      if (r !== undefined) NtLockVirtualMemory(m, h, r.start, r.size, MAP_PROCESS);
      return;
    }
  }
}

/** Distinct 2 MB, 1 GB and 512 GB spans touched by the VADs, counted page by page. */
function spansOf(p: Process): number {
  let total = 0;
  for (const span of [512, 512 * 512, 512 * 512 * 512]) {
    const seen = new Set<number>();
    for (const v of p.vads.inOrder()) for (let s = Math.floor(v.startVpn / span); s <= Math.floor(v.endVpn / span); s++) seen.add(s);
    total += seen.size;
  }
  return total;
}

function check(w: World): void {
  const { m } = w;
  let system = 0;
  for (const p of w.procs) {
    assert.deepEqual(p.vads.checkInvariants(), []);
    let data = 0;
    for (const v of p.vads.inOrder()) {
      let committed = 0;
      for (let s = v.startVpn; s <= v.endVpn; s++) if (isPageCommitted(m, p, s, v.memCommit)) committed++;
      assert.equal(v.commitCharge, committed, `CommitCharge of VAD ${hex(v.startVpn)}`);
      assert.equal(v.allocationBase, v.startVpn);
      data += v.commitCharge;
    }
    assert.equal(p.privateCommitPages, data, 'data charge = sum of VAD charges');
    assert.equal(p.pageTableCommitPages, spansOf(p), 'page-table charge = occupied spans');
    assert.equal(p.commitCharge, p.privateCommitPages + p.pageTableCommitPages);
    system += p.commitCharge;
    assert.deepEqual(p.umab.copyBytes(), UserAddressBitmap.fromTree(p.vads).copyBytes(), 'UMAB mirrors the tree');
    assert.deepEqual(p.wsl.check(), []);
    for (const vpn of p.lockedVpns) assert.ok(p.vads.findContaining(vpn) !== undefined, 'locked pages are allocated');
    const regions = m.attached(p, () => walkAddressSpace(m));
    for (const r of regions) {
      if (r.BaseAddress >= 0x7fffffe0000) continue;
      const vad = p.vads.findContaining(r.BaseAddress / 0x1000);
      if (r.State === MEM_FREE) {
        assert.equal(vad, undefined);
        continue;
      }
      assert.ok(vad !== undefined && vad.allocationBase * 0x1000 === r.AllocationBase, `region ${hex(r.BaseAddress)} lies in its allocation`);
      assert.ok(r.BaseAddress + r.RegionSize <= (vad.endVpn + 1) * 0x1000, 'a region never leaves its allocation');
      for (let va = r.BaseAddress; va < r.BaseAddress + r.RegionSize; va += 0x1000) {
        assert.equal(isPageCommitted(m, p, va / 0x1000, vad.memCommit), r.State === MEM_COMMIT, `state of ${hex(va)}`);
      }
    }
  }
  assert.equal(m.commit.charge, system, 'system charge = sum of process charges');
}

describe('core/api: random operation sequences keep every invariant', () => {
  it('api #74 (property) allocate / commit / protect / decommit / release / touch / lock over 3 processes', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
        const { m, p } = fresh();
        const procs = [p, m.createProcess('two'), m.createProcess('three')];
        const w: World = { m, procs, handles: procs.map((q) => openProcessHandle(m, q)) };
        for (const op of ops) {
          apply(w, op);
          assert.equal(m.current, p, 'the caller stays current');
          check(w);
        }
        for (const q of procs) for (const v of [...q.vads.inOrder()]) VirtualFreeEx(m, w.handles[procs.indexOf(q)], v.startVpn * 0x1000, 0, MEM_RELEASE);
        for (const q of procs) assert.equal(q.commitCharge, 0);
        assert.equal(m.commit.charge, 0);
      }),
      { seed: 0x5eed, numRuns: 150 },
    );
  });
});
