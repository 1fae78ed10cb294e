/**
 * Commit accounting of the services (api-spec §7). Data pages are charged one per committed
 * page. Paging structures are charged per span of address space that holds at least one
 * allocation: one page table per 2 MB span, one page directory per 1 GB span and one PDPT per
 * 512 GB span, each charged once per process when a new allocation first reaches the span and
 * returned when the last allocation leaves it. Those charges are bookkeeping only: the tables
 * themselves are still built lazily (by faults or partial commits) and freed when empty.
 *
 * Every charge of a call is checked against the limit as a whole before anything changes, so a
 * failing call (STATUS_COMMITMENT_LIMIT) leaves all counters as they were.
 */
import type { Machine } from '../machine';
import type { Process } from '../process';
import type { VadTree } from '../vad';

/** Pages covered by one page table, one page directory, one PDPT. */
export const PAGE_TABLE_SPANS: readonly number[] = [512, 512 * 512, 512 * 512 * 512];

/** Whether some VAD covers a page of [spanStart, spanEnd] outside [holeStart, holeEnd]. */
function occupiedOutside(tree: VadTree, spanStart: number, spanEnd: number, holeStart: number, holeEnd: number): boolean {
  if (spanStart < holeStart && tree.findOverlapping(spanStart, holeStart - 1) !== undefined) return true;
  if (spanEnd > holeEnd && tree.findOverlapping(holeEnd + 1, spanEnd) !== undefined) return true;
  return false;
}

/**
 * Paging-structure pages whose span [first, last] reaches and no other allocation occupies.
 * Before inserting a new allocation this is what it must charge; before removing [first, last]
 * from an allocation (still in the tree) it is what the removal gives back. O(log n).
 */
export function pageTablePagesOwnedBy(tree: VadTree, first: number, last: number): number {
  let total = 0;
  for (const span of PAGE_TABLE_SPANS) {
    const a = Math.floor(first / span);
    const b = Math.floor(last / span);
    let n = b - a + 1;
    if (occupiedOutside(tree, a * span, a * span + span - 1, first, last)) n--;
    if (b !== a && occupiedOutside(tree, b * span, b * span + span - 1, first, last)) n--;
    total += n;
  }
  return total;
}

/** Paging-structure pages a process should be charged for its current VADs (for checks). */
export function pageTablePagesOfTree(tree: VadTree): number {
  let total = 0;
  for (const span of PAGE_TABLE_SPANS) {
    let lastSpan = -1;
    for (const v of tree.inOrder()) {
      const a = Math.floor(v.startVpn / span);
      const b = Math.floor(v.endVpn / span);
      const from = Math.max(a, lastSpan + 1);
      if (b >= from) total += b - from + 1;
      lastSpan = Math.max(lastSpan, b);
    }
  }
  return total;
}

/** Whether `pages` more pages of commitment fit under the system commit limit. */
export function commitFits(m: Machine, pages: number): boolean {
  return m.commit.charge + pages <= m.commit.limit;
}

/**
 * Charges page-table and data pages together; false (nothing charged) when the total does not
 * fit under the commit limit.
 */
export function chargeTogether(m: Machine, proc: Process, pageTablePages: number, dataPages: number): boolean {
  if (!commitFits(m, pageTablePages + dataPages)) return false;
  if (!m.chargeCommit(proc, pageTablePages, 'pageTable')) return false;
  if (!m.chargeCommit(proc, dataPages, 'data')) {
    m.returnCommit(proc, pageTablePages, 'pageTable');
    return false;
  }
  return true;
}

/** Returns page-table and data charges. */
export function returnTogether(m: Machine, proc: Process, pageTablePages: number, dataPages: number): void {
  m.returnCommit(proc, dataPages, 'data');
  m.returnCommit(proc, pageTablePages, 'pageTable');
}
