/**
 * A simulated process: its address space (PML4 page, VAD tree, user-address bitmaps), its
 * working set (_MMSUPPORT + _MMWSL), its commit charge and its fault statistics. The process
 * holds state only; the memory manager modules change it.
 */
import { UserAddressBitmap } from './addressSelection';
import { Journal } from './journal';
import { VadTree } from './vad';
import { WorkingSetList } from './workingSet';

export const FAULT_KINDS = ['demandZero', 'transition', 'hard', 'copyOnWrite', 'prototype', 'dirtyBit', 'pagingStructure', 'guard', 'accessViolation'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
const FAULT_KIND_INDEX = Object.fromEntries(FAULT_KINDS.map((k, i) => [k, i])) as Record<FaultKind, number>;

export class Process {
  readonly vads = new VadTree();
  readonly wsl: WorkingSetList;
  /** User Mode Address space Bitmap (one bit per 64 KB below 2 GB). */
  readonly umab = new UserAddressBitmap();
  /** User Mode Page-table Bitmap: one bit per user page table (2 MB span), sparse. */
  readonly umpb = new Set<number>();
  /** PFN of the PML4 (DirBase >> 12). */
  pml4Pfn = 0;
  /** _MMSUPPORT.NextPageColor (16 bits). */
  nextPageColor = 0;
  /** Page priority given to pages this process faults in (book-B §4.6: 5 by default). */
  pagePriority = 5;
  /** Private committed pages (PrivateUsage), page-table pages included. */
  commitCharge = 0;
  commitPeak = 0;
  /** Committed data pages (without page-table pages). */
  privateCommitPages = 0;
  /** Page-table pages charged to this process. */
  pageTableCommitPages = 0;
  /** QUOTA_LIMITS_HARDWS_MIN_ENABLE: trimming never takes the working set below its minimum. */
  minimumWorkingSetHard = false;
  /** _MMSUPPORT.Flags.MaximumWorkingSetHard: a new entry replaces one at the maximum (book-B §10.1). */
  maximumWorkingSetHard = false;
  /** Pages locked in the working set (VirtualLock), by VPN. */
  readonly lockedVpns = new Set<number>();
  /** Number of page faults taken (PageFaultCount) and per kind. */
  pageFaultCount = 0;
  /** Resolved faults by kind (indexes: FAULT_KINDS). */
  readonly faultCounts = new Float64Array(FAULT_KINDS.length);
  hardFaultCount = 0;
  terminating = false;
  terminated = false;
  /** Thread last-error state of the process's (single) thread. */
  lastError = 0;
  lastStatus = 0;

  /** `index` identifies the process in the journal; `pid` is what users see (a multiple of 4). */
  constructor(readonly index: number, readonly pid: number, readonly name: string, journal: Journal) {
    this.wsl = new WorkingSetList(journal, index);
  }

  get cr3(): number {
    return this.pml4Pfn * 0x1000;
  }

  countFault(kind: FaultKind): void {
    this.faultCounts[FAULT_KIND_INDEX[kind]]++;
  }

  faultsByKind(): Record<FaultKind, number> {
    const r = {} as Record<FaultKind, number>;
    FAULT_KINDS.forEach((k, i) => (r[k] = this.faultCounts[i]));
    return r;
  }
}
