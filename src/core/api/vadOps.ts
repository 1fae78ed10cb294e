/**
 * VAD bookkeeping shared by the services: inserting, removing and reshaping VADs while keeping
 * the process's UMAB in step and journaling every change, plus a PTE-range scanner that skips
 * absent page tables (so a query or a decommit of a huge reservation costs per table, not per
 * page) and copes with paged-out ones, and the rule that turns a private page's PTE into
 * "committed with protection X".
 *
 * Journal encoding (actor = whoever is acting, Actor.Api inside the services):
 *  - EventKind.VadInsert: proc, sub 0, a = startVpn, old = (0, 0), new = (startVpn, endVpn)
 *  - EventKind.VadRemove: proc, sub 0, a = startVpn, old = (startVpn, endVpn), new = (0, 0)
 *  - EventKind.VadChange: proc, sub 0, a = the VAD's startVpn before the change,
 *    old = (oldStartVpn, oldEndVpn), new = (newStartVpn, newEndVpn)
 *  - EventKind.Commit, sub CommitCounter.VadCharge: a = the VAD's startVpn,
 *    old = (old CommitCharge, 0), new = (new CommitCharge, 0)
 * VPNs of user addresses are below 2^31, so they fit the journal's 32-bit columns.
 */
import { CommitCounter, EventKind } from '../journal';
import type { Machine } from '../machine';
import { entryIndex } from '../pagingStructures';
import type { Process } from '../process';
import { P, classify, protectionOf, ptePfn } from '../pte';
import { makeTablesResident, peekPte } from '../residency';
import type { Vad } from '../vad';
import { PAGE } from './common';

export const NOT_COMMITTED = -1;

/** Inserts a detached VAD into the process's tree, marks the UMAB and journals it. */
export function insertVad(m: Machine, proc: Process, vad: Vad): void {
  proc.vads.insert(vad);
  proc.umab.setRange(vad.startVpn * PAGE, vad.endVpn * PAGE + PAGE - 1);
  m.journal.record(EventKind.VadInsert, proc.index, 0, vad.startVpn, 0, 0, vad.startVpn, vad.endVpn);
  if (vad.commitCharge !== 0) {
    m.journal.record(EventKind.Commit, proc.index, CommitCounter.VadCharge, vad.startVpn, 0, 0, vad.commitCharge >>> 0, 0);
  }
}

/** Removes a VAD from the tree, refreshes the UMAB blocks it covered and journals it. */
export function removeVad(m: Machine, proc: Process, vad: Vad): void {
  const s = vad.startVpn;
  const e = vad.endVpn;
  proc.vads.remove(vad);
  proc.umab.refresh(proc.vads, s * PAGE, e * PAGE + PAGE - 1);
  m.journal.record(EventKind.VadRemove, proc.index, 0, s, s, e, 0, 0);
}

/**
 * Shrinks a VAD of the tree to [startVpn, endVpn] (a sub-range of its current range). A VAD that
 * loses its head gets its own AllocationBase (the new first page).
 */
export function shrinkVad(m: Machine, proc: Process, vad: Vad, startVpn: number, endVpn: number): void {
  const os = vad.startVpn;
  const oe = vad.endVpn;
  if (startVpn < os || endVpn > oe || startVpn > endVpn) throw new RangeError('shrinkVad: not a sub-range');
  proc.vads.resize(vad, startVpn, endVpn);
  if (startVpn !== os) vad.allocationBase = startVpn;
  proc.umab.refresh(proc.vads, os * PAGE, oe * PAGE + PAGE - 1);
  m.journal.record(EventKind.VadChange, proc.index, 0, os, os, oe, startVpn, endVpn);
}

/** Sets a VAD's CommitCharge, journaled. */
export function setVadCommit(m: Machine, proc: Process, vad: Vad, charge: number): void {
  const old = vad.commitCharge;
  if (old === charge) return;
  vad.commitCharge = charge;
  m.journal.record(EventKind.Commit, proc.index, CommitCounter.VadCharge, vad.startVpn, old >>> 0, 0, charge >>> 0, 0);
}

export interface PteVisitor {
  /**
   * A run of pages [first, last] whose page table (or a table above it) does not exist: their
   * PTEs read as zero. Return true to stop the scan.
   */
  absent(first: number, last: number): boolean | void;
  /** One page whose page table exists. Return true to stop the scan. */
  pte(vpn: number, lo: number, hi: number): boolean | void;
}

/**
 * How a scan treats paging structures that were paged out (book-C §8): 'peek' reads their
 * entries where they are (a transition page still in RAM, or the paging-file copy) without
 * changing anything; 'resident' brings them back first, as an API call that edits PTEs does
 * (MiMakePdeExistAndMakeValid), and keeps table trimming off for the whole scan.
 */
export type ScanMode = 'peek' | 'resident';

const SPAN_OF_LEVEL = [0, 1, 512, 512 * 512, 512 * 512 * 512];

/**
 * Visits the PTEs of [first, last] in ascending order. Levels that do not exist (zero entries)
 * are reported as runs. In 'resident' mode the visitor may write PTEs and create tables for the
 * pages it has been given.
 */
export function scanPtes(m: Machine, proc: Process, first: number, last: number, visitor: PteVisitor, mode: ScanMode = 'peek'): void {
  if (mode === 'resident') m.pager.holdTables(() => scan(m, proc, first, last, visitor, mode));
  else scan(m, proc, first, last, visitor, mode);
}

function scan(m: Machine, proc: Process, first: number, last: number, visitor: PteVisitor, mode: ScanMode): void {
  let vpn = first;
  while (vpn <= last) {
    // walk down to the page table: present, missing (zero entry) or paged out
    let table = proc.pml4Pfn;
    let missing = 0;
    let pagedOut = false;
    for (let level = 4; level >= 2; level--) {
      const i = entryIndex(vpn, level);
      const lo = m.paging.readLo(table, i);
      const hi = m.paging.readHi(table, i);
      if ((lo & P) !== 0) {
        table = ptePfn(lo, hi);
        continue;
      }
      if (lo === 0 && hi === 0) missing = level;
      else pagedOut = true;
      break;
    }
    if (missing !== 0) {
      const span = SPAN_OF_LEVEL[missing];
      const runEnd = Math.min(last, Math.floor(vpn / span) * span + span - 1);
      if (visitor.absent(vpn, runEnd) === true) return;
      vpn = runEnd + 1;
      continue;
    }
    const ptEnd = Math.min(last, Math.floor(vpn / 512) * 512 + 511);
    if (pagedOut && mode === 'peek') {
      for (; vpn <= ptEnd; vpn++) {
        const e = peekPte(m, proc, vpn);
        const stop = e === undefined ? visitor.absent(vpn, vpn) : visitor.pte(vpn, e[0], e[1]);
        if (stop === true) return;
      }
      continue;
    }
    if (pagedOut) {
      table = makeTablesResident(m, proc, vpn);
      if (table < 0) {
        // a level further down does not exist
        if (visitor.absent(vpn, vpn) === true) return;
        vpn++;
        continue;
      }
    }
    for (; vpn <= ptEnd; vpn++) {
      const i = vpn % 512;
      if (visitor.pte(vpn, m.paging.readLo(table, i), m.paging.readHi(table, i)) === true) return;
    }
  }
}

/**
 * The 5-bit protection of a private page given its PTE, or NOT_COMMITTED. A zero PTE means
 * "ask the VAD" (committed with the VAD's protection when the VAD was committed as a whole);
 * 0x200 is the decommit marker; a valid PTE's protection lives in its page's OriginalPte.
 */
export function privatePageCode(m: Machine, vad: Vad, lo: number, hi: number): number {
  if (lo === 0 && hi === 0) return vad.memCommit ? vad.protection : NOT_COMMITTED;
  if ((lo & P) !== 0) return (m.pfn.originalPteLo[ptePfn(lo, hi)] >>> 5) & 0x1f;
  if (classify(lo, hi) === 'decommitted') return NOT_COMMITTED;
  return protectionOf(lo);
}

/** The code of the pages of an absent run of a private VAD. */
export function absentPageCode(vad: Vad): number {
  return vad.memCommit ? vad.protection : NOT_COMMITTED;
}

/** The protection code of one private page (NOT_COMMITTED when reserved). */
export function privatePageCodeAt(m: Machine, proc: Process, vad: Vad, vpn: number): number {
  const e = peekPte(m, proc, vpn);
  if (e === undefined) return absentPageCode(vad);
  return privatePageCode(m, vad, e[0], e[1]);
}

/** Number of committed pages of a private VAD in [first, last]. */
export function countCommitted(m: Machine, proc: Process, vad: Vad, first: number, last: number): number {
  let n = 0;
  scanPtes(m, proc, first, last, {
    absent(a, b) {
      if (vad.memCommit) n += b - a + 1;
    },
    pte(_vpn, lo, hi) {
      if (privatePageCode(m, vad, lo, hi) !== NOT_COMMITTED) n++;
    },
  });
  return n;
}
