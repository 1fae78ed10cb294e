import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Machine } from '../../../src/core/machine';
import { checkInvariants } from '../../../src/core/invariants';
import { freePte, writeDemandZeroPtes } from '../../../src/core/memoryOps';
import {
  QUOTA_LIMITS_HARDWS_MAX_DISABLE, QUOTA_LIMITS_HARDWS_MAX_ENABLE, balanceSetManager, emptyWorkingSet, runModifiedPageWriter,
  setWorkingSetLimits, trimWorkingSet,
} from '../../../src/core/paging';
import type { Process } from '../../../src/core/process';
import { makeVad } from '../../../src/core/vad';
import { MB } from './helpers';

const PAGES = 2048; // per process; 3 processes of 8 MB on an 8 MB machine (2048 pages): memory pressure
const BASE = 0x10000000;

type Op =
  | { k: 'write'; p: number; page: number; off: number; v: number; n: number }
  | { k: 'read'; p: number; page: number; off: number; n: number }
  | { k: 'tick'; ms: number }
  | { k: 'trim'; p: number; n: number }
  | { k: 'empty'; p: number }
  | { k: 'mpw' }
  | { k: 'bsm' }
  | { k: 'decommit'; p: number; page: number; n: number }
  | { k: 'recommit'; p: number; page: number; n: number }
  | { k: 'limit'; p: number; hard: boolean };

const proc = fc.integer({ min: 0, max: 2 });
const page = fc.integer({ min: 0, max: PAGES - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('write' as const), p: proc, page, off: fc.integer({ min: 0, max: 4095 }), v: fc.integer({ min: 0, max: 255 }), n: fc.integer({ min: 1, max: 1500 }) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('read' as const), p: proc, page, off: fc.integer({ min: 0, max: 4095 }), n: fc.integer({ min: 1, max: 300 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 2500 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('trim' as const), p: proc, n: fc.integer({ min: 1, max: 600 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('empty' as const), p: proc }) },
  { weight: 1, arbitrary: fc.constant({ k: 'mpw' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'bsm' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('decommit' as const), p: proc, page, n: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('recommit' as const), p: proc, page, n: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('limit' as const), p: proc, hard: fc.boolean() }) },
);

/** Expected contents: per process, page -> (offset -> byte); decommitted pages are in `gone`. */
interface Shadow {
  bytes: Array<Map<number, Map<number, number>>>;
  gone: Array<Set<number>>;
}

function run(ops: Op[]): void {
  const m = new Machine({ ramBytes: 8 * MB, pageFileBytes: 64 * MB, journalCapacity: 1 << 16 });
  const procs: Process[] = [];
  for (let i = 0; i < 3; i++) {
    const p = m.createProcess(`p${i}`);
    p.vads.insert(makeVad({ startVpn: BASE / 4096, endVpn: BASE / 4096 + PAGES - 1, protection: 4, memCommit: true, privateMemory: true, commitCharge: PAGES }));
    assert.ok(m.chargeCommit(p, PAGES));
    procs.push(p);
  }
  const shadow: Shadow = { bytes: procs.map(() => new Map()), gone: procs.map(() => new Set()) };
  const expect = (i: number, pg: number, off: number): number => shadow.bytes[i].get(pg)?.get(off) ?? 0;
  const check = (what: string) => {
    const errors = checkInvariants(m);
    assert.deepEqual(errors, [], `after ${what}`);
  };
  for (const [n, op] of ops.entries()) {
    const label = `op ${n} ${JSON.stringify(op)}`;
    switch (op.k) {
      case 'write': {
        m.switchTo(procs[op.p]);
        for (let j = 0; j < op.n && op.page + j < PAGES; j++) {
          const pg = op.page + j;
          if (shadow.gone[op.p].has(pg)) continue;
          const v = (op.v + j) & 0xff;
          assert.ok(m.mmu.write8(BASE + pg * 4096 + op.off, v), `${label}: write faulted 0x${m.mmu.lastFault.status.toString(16)}`);
          let pm = shadow.bytes[op.p].get(pg);
          if (pm === undefined) shadow.bytes[op.p].set(pg, (pm = new Map()));
          pm.set(op.off, v);
        }
        break;
      }
      case 'read': {
        m.switchTo(procs[op.p]);
        for (let j = 0; j < op.n && op.page + j < PAGES; j++) {
          const pg: number = op.page + j;
          const v: number = m.mmu.read8(BASE + pg * 4096 + op.off);
          if (shadow.gone[op.p].has(pg)) assert.equal(v, -1, label);
          else assert.equal(v, expect(op.p, pg, op.off), `${label}: page ${pg}`);
        }
        break;
      }
      case 'tick':
        m.tick(op.ms);
        break;
      case 'trim':
        trimWorkingSet(m, procs[op.p], op.n);
        break;
      case 'empty':
        emptyWorkingSet(m, procs[op.p]);
        break;
      case 'mpw':
        runModifiedPageWriter(m);
        break;
      case 'bsm':
        balanceSetManager(m);
        break;
      case 'decommit':
        for (let j = 0; j < op.n && op.page + j < PAGES; j++) {
          const pg = op.page + j;
          // as the API's decommit does: a never-touched page of a committed VAD gets the marker too
          m.ensurePageTable(procs[op.p], BASE / 4096 + pg);
          freePte(m, procs[op.p], BASE / 4096 + pg, 0x200);
          shadow.gone[op.p].add(pg);
          shadow.bytes[op.p].delete(pg);
        }
        break;
      case 'recommit': {
        const last = Math.min(PAGES - 1, op.page + op.n - 1);
        for (let pg = op.page; pg <= last; pg++) {
          if (!shadow.gone[op.p].has(pg)) continue;
          writeDemandZeroPtes(m, procs[op.p], BASE / 4096 + pg, BASE / 4096 + pg, 4);
          shadow.gone[op.p].delete(pg);
        }
        break;
      }
      case 'limit':
        setWorkingSetLimits(m, procs[op.p], 50, op.hard ? 200 : 345, op.hard ? QUOTA_LIMITS_HARDWS_MAX_ENABLE : QUOTA_LIMITS_HARDWS_MAX_DISABLE);
        break;
    }
    check(label);
  }
  // every byte written reads back identical, whatever happened in between
  m.tick(5000);
  for (let i = 0; i < 3; i++) {
    m.switchTo(procs[i]);
    for (const [pg, offs] of shadow.bytes[i]) {
      for (const [off, v] of offs) assert.equal(m.mmu.read8(BASE + pg * 4096 + off), v, `final read p${i} page ${pg} +${off}`);
    }
  }
  check('final reads');
}

describe('paging: property — random workloads under memory pressure keep the invariants and lose no data', () => {
  it('8 MB, 3 processes of 8 MB each, writes / reads / ticks / trims / writer passes / decommits (seeded)', () => {
    fc.assert(fc.property(fc.array(opArb, { minLength: 5, maxLength: 40 }), (ops) => run(ops)), { seed: 0x5eed, numRuns: 30, endOnFailure: true });
  }).timeout(300000);
});
