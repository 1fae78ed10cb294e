/**
 * The Memory performance counters of book-D §12-13, computed from the machine's state with the
 * book's formulas (P = 4096 bytes per page):
 *   Available Bytes                       = (Zeroed + Free + Standby[0..7]) × P
 *   Free & Zero Page List Bytes           = (Zeroed + Free) × P
 *   Standby Cache Core Bytes              = (Standby[6] + Standby[7]) × P
 *   Standby Cache Normal Priority Bytes   = Standby[5] × P
 *   Standby Cache Reserve Bytes           = (Standby[0] + … + Standby[4]) × P
 *   Modified Page List Bytes              = (Modified + ModifiedNoWrite) × P
 *   Commit Limit                          = (usable physical pages + Σ current paging-file pages) × P
 *   Committed Bytes                       = commit charge × P
 *   Page Reads / Page Writes              = read / write I/O operations (a clustered read is one)
 *   Pages Input / Pages Output            = pages those operations moved
 *   Transition Faults, Demand Zero Faults = faults (not pages) resolved that way
 * Rates ("…/sec") are the differences of two samples divided by the simulated time between them
 * (`counterRates`); the values here are totals since boot.
 */
import type { Machine } from './machine';
import { PageLocation } from './pfnDatabase';

const P = 4096;

export interface PerformanceCounters {
  /** Simulated time of the sample, ms since boot. */
  uptimeMs: number;
  availableBytes: number;
  freeAndZeroPageListBytes: number;
  standbyCacheCoreBytes: number;
  standbyCacheNormalPriorityBytes: number;
  standbyCacheReserveBytes: number;
  modifiedPageListBytes: number;
  commitLimit: number;
  committedBytes: number;
  pageFaults: number;
  pageReads: number;
  pageWrites: number;
  pagesInput: number;
  pagesOutput: number;
  /** Aliases of pagesInput / pagesOutput (the names the lab's counters() uses). */
  pagesRead: number;
  pagesWritten: number;
  transitionFaults: number;
  demandZeroFaults: number;
  copyOnWriteFaults: number;
  /** Cache Bytes / System Cache Resident Bytes: there is no system cache working set here. */
  cacheBytes: number;
}

export function performanceCounters(m: Machine): PerformanceCounters {
  const db = m.pfn;
  const sb = (p: number) => db.listTotal(db.listIdStandby(p));
  const zeroedFree = db.zeroedTotal + db.freeTotal;
  const core = sb(6) + sb(7);
  const normal = sb(5);
  const reserve = sb(0) + sb(1) + sb(2) + sb(3) + sb(4);
  const c = m.counters;
  return {
    uptimeMs: m.clockMs,
    availableBytes: (zeroedFree + core + normal + reserve) * P,
    freeAndZeroPageListBytes: zeroedFree * P,
    standbyCacheCoreBytes: core * P,
    standbyCacheNormalPriorityBytes: normal * P,
    standbyCacheReserveBytes: reserve * P,
    modifiedPageListBytes: (db.modifiedTotal + db.locationTotals[PageLocation.ModifiedNoWrite]) * P,
    commitLimit: m.commit.limit * P,
    committedBytes: m.commit.charge * P,
    pageFaults: c.pageFaults,
    pageReads: c.pageReads,
    pageWrites: c.pageWrites,
    pagesInput: c.pagesRead,
    pagesOutput: c.pagesWritten,
    pagesRead: c.pagesRead,
    pagesWritten: c.pagesWritten,
    transitionFaults: c.transitionFaults,
    demandZeroFaults: c.demandZeroFaults,
    copyOnWriteFaults: c.copyOnWriteFaults,
    cacheBytes: 0,
  };
}

/** Per-second rates of the event counters between two samples (by simulated time). */
export function counterRates(before: PerformanceCounters, after: PerformanceCounters): Record<string, number> {
  const dt = (after.uptimeMs - before.uptimeMs) / 1000;
  const rate = (k: keyof PerformanceCounters) => (dt > 0 ? (after[k] - before[k]) / dt : 0);
  return {
    pageFaultsPerSec: rate('pageFaults'),
    pageReadsPerSec: rate('pageReads'),
    pageWritesPerSec: rate('pageWrites'),
    pagesInputPerSec: rate('pagesInput'),
    pagesOutputPerSec: rate('pagesOutput'),
    transitionFaultsPerSec: rate('transitionFaults'),
    demandZeroFaultsPerSec: rate('demandZeroFaults'),
  };
}
