// api-spec §12 I (commitment accounting, #113, #114, #118) and the page-table charges of §7.2:
// one page per 2 MB / 1 GB / 512 GB span that holds an allocation, charged when a reservation
// first reaches the span and returned when the last allocation leaves it.

import { strict as assert } from 'node:assert';
import {
  GetLastError, LastStatus, NtAllocateVirtualMemory, NtFreeVirtualMemory, pageTablePagesOfTree, VirtualAlloc, VirtualFree,
} from '../../../src/core/api/virtualMemory';
import { CommitCounter, EventKind } from '../../../src/core/journal';
import { ERROR_COMMITMENT_LIMIT, STATUS_COMMITMENT_LIMIT, STATUS_SUCCESS } from '../../../src/core/status';
import { MEM_COMMIT, MEM_DECOMMIT, MEM_RELEASE, MEM_RESERVE, PAGE_READONLY, PAGE_READWRITE } from '../../../src/core/winconst';
import { fresh, SELF } from './helpers';

const RC = MEM_RESERVE | MEM_COMMIT;

describe('core/api: commitment accounting (api-spec §12 I, §7)', () => {
  it('api #113 the §7.4 sequence gives data-commit deltas 0, +3, 0, +2, -1, 0, -4', () => {
    const { m, p } = fresh();
    const deltas: number[] = [];
    const step = (fn: () => unknown): void => {
      const before = p.privateCommitPages;
      fn();
      deltas.push(p.privateCommitPages - before);
    };
    let b = 0;
    step(() => (b = VirtualAlloc(m, 0, 0x100000, MEM_RESERVE, PAGE_READWRITE)));
    step(() => assert.equal(VirtualAlloc(m, b, 0x3000, MEM_COMMIT, PAGE_READWRITE), b));
    step(() => assert.equal(VirtualAlloc(m, b, 0x3000, MEM_COMMIT, PAGE_READWRITE), b));
    step(() => assert.equal(VirtualAlloc(m, b, 0x5000, MEM_COMMIT, PAGE_READONLY), b));
    step(() => assert.equal(VirtualFree(m, b + 0x1000, 0x1000, MEM_DECOMMIT), true));
    step(() => assert.equal(VirtualFree(m, b + 0x1000, 0x1000, MEM_DECOMMIT), true));
    step(() => assert.equal(VirtualFree(m, b, 0, MEM_RELEASE), true));
    assert.deepEqual(deltas, [0, 3, 0, 2, -1, 0, -4]);
    assert.equal(p.privateCommitPages, 0);
  });

  it('api #114 reserve+commit of 5 pages charges 5 before any touch; release returns 5', () => {
    const { m, p } = fresh();
    const before = p.privateCommitPages;
    const sys = m.commit.charge;
    const b = VirtualAlloc(m, 0, 0x5000, RC, PAGE_READWRITE);
    assert.equal(p.privateCommitPages - before, 5);
    assert.equal(p.wsl.size, 5, 'nothing was touched: only the fixed working-set entries');
    assert.equal(VirtualFree(m, b, 0, MEM_RELEASE), true);
    assert.equal(p.privateCommitPages - before, 0);
    assert.equal(m.commit.charge, sys);
  });

  it('api #118 the commit limit: reserve+commit of N+1 fails (1455), reserve works, commit N then 1 more fails', () => {
    const { m, p } = fresh();
    // one reservation first so the page-table pages of the span are already charged
    const r = VirtualAlloc(m, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    VirtualFree(m, r, 0, MEM_RELEASE);
    const n = 40;
    const tables = 3; // the first reservation of the 2 MB, 1 GB and 512 GB spans
    m.commit.limit = m.commit.charge + n + tables;
    const seq = m.journal.nextSeq;
    assert.equal(VirtualAlloc(m, 0, (n + 1) * 0x1000, RC, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_COMMITMENT_LIMIT);
    assert.equal(LastStatus(m), STATUS_COMMITMENT_LIMIT);
    assert.equal(m.journal.nextSeq, seq, 'a failed charge changes nothing');
    const b = VirtualAlloc(m, 0, (n + 1) * 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.notEqual(b, 0);
    assert.equal(p.pageTableCommitPages, tables);
    assert.equal(VirtualAlloc(m, b, n * 0x1000, MEM_COMMIT, PAGE_READWRITE), b);
    assert.equal(VirtualAlloc(m, b + n * 0x1000, 0x1000, MEM_COMMIT, PAGE_READWRITE), 0);
    assert.equal(GetLastError(m), ERROR_COMMITMENT_LIMIT);
    assert.equal(m.commit.charge, m.commit.limit);
    // re-committing committed pages is free, even at the limit
    assert.equal(VirtualAlloc(m, b, n * 0x1000, MEM_COMMIT, PAGE_READONLY), b);
  });

  it('page tables: one PT, PD and PDPT page for the first reservation, shared by neighbours', () => {
    const { m, p } = fresh();
    const a = VirtualAlloc(m, 0x50000000, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(p.pageTableCommitPages, 3);
    assert.equal(p.privateCommitPages, 0);
    VirtualAlloc(m, 0x50010000, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(p.pageTableCommitPages, 3, 'same 2 MB span');
    VirtualAlloc(m, 0x50200000, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(p.pageTableCommitPages, 4, 'a new 2 MB span in the same 1 GB');
    VirtualAlloc(m, 0x80000000, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(p.pageTableCommitPages, 6, 'a new 1 GB span: PT + PD');
    VirtualAlloc(m, 0x8000000000, 0x1000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(p.pageTableCommitPages, 9, 'a new 512 GB span: PT + PD + PDPT');
    assert.equal(p.pageTableCommitPages, pageTablePagesOfTree(p.vads));
    // a reservation spanning several 2 MB spans charges each once
    const big = VirtualAlloc(m, 0x60000000, 0x500000, MEM_RESERVE, PAGE_READWRITE);
    assert.equal(p.pageTableCommitPages, 9 + 3);
    VirtualFree(m, big, 0, MEM_RELEASE);
    VirtualFree(m, 0x50010000, 0, MEM_RELEASE);
    assert.equal(p.pageTableCommitPages, 9);
    VirtualFree(m, a, 0, MEM_RELEASE);
    assert.equal(p.pageTableCommitPages, 8, 'its page table goes; 0x50200000 still occupies the 1 GB span');
    VirtualFree(m, 0x50200000, 0, MEM_RELEASE);
    assert.equal(p.pageTableCommitPages, 6);
    VirtualFree(m, 0x80000000, 0, MEM_RELEASE);
    VirtualFree(m, 0x8000000000, 0, MEM_RELEASE);
    assert.equal(p.pageTableCommitPages, 0);
    assert.equal(p.commitCharge, 0);
    assert.equal(m.commit.charge, 0);
  });

  it('commit changes are journaled: system, process and VAD charge', () => {
    const { m, p } = fresh();
    const seq = m.journal.nextSeq;
    const r = NtAllocateVirtualMemory(m, SELF, 0, 0, 0x3000, RC, PAGE_READWRITE);
    assert.equal(r.status, STATUS_SUCCESS);
    const events = [...m.journal.since(seq)];
    const vadCharge = events.filter((e) => e.kind === EventKind.Commit && e.sub === CommitCounter.VadCharge);
    assert.deepEqual(vadCharge.map((e) => [e.a, e.oldLo, e.newLo, e.actor]), [[r.base / 0x1000, 0, 3, 1]]);
    const insert = events.filter((e) => e.kind === EventKind.VadInsert);
    assert.deepEqual(insert.map((e) => [e.proc, e.a, e.newLo, e.newHi]), [[p.index, r.base / 0x1000, r.base / 0x1000, r.base / 0x1000 + 2]]);
    const sys = events.filter((e) => e.kind === EventKind.Commit && e.sub === CommitCounter.SystemCharge);
    assert.deepEqual(sys.map((e) => e.newLo - e.oldLo), [3, 3], 'page tables, then data');
    assert.ok(events.every((e) => e.actor === 1), 'every event of the call is by the API');
    const s2 = m.journal.nextSeq;
    NtFreeVirtualMemory(m, SELF, r.base + 0x1000, 0x1000, MEM_RELEASE);
    const changes = [...m.journal.since(s2)].filter((e) => e.kind === EventKind.VadChange || e.kind === EventKind.VadInsert);
    assert.deepEqual(changes.map((e) => [e.kind, e.oldLo, e.oldHi, e.newLo, e.newHi]), [
      [EventKind.VadChange, r.base / 0x1000, r.base / 0x1000 + 2, r.base / 0x1000, r.base / 0x1000],
      [EventKind.VadInsert, 0, 0, r.base / 0x1000 + 2, r.base / 0x1000 + 2],
    ]);
  });
});
