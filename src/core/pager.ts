/**
 * The paging machinery's shared state and the simulated clock: the paging files, the event queue
 * of timed work (I/O completions, the balance set manager's one-second period), the in-page
 * reads in flight, the modified page writer's wake-up state, and the small operations every
 * paging module needs (releasing a paging-file copy, scheduling disk I/O, waiting for it).
 *
 * Time model (all deterministic, no wall clock): simulated time advances only when someone waits
 * — `tick(ms)` / Sleep, a fault waiting for an in-page read, a fault or an API call waiting for
 * free pages or for a page-table read. Everything that falls due while time advances runs in
 * (time, scheduling order): disk completions, the balance set manager each `balancePeriodMs`,
 * the modified page writer when it was woken; between events the zero page thread spends the
 * idle time zeroing free pages (`zeroPagesPerMs`). CPU work itself (faults, API calls) takes no
 * simulated time.
 */
import { EventKind, Actor, CommitCounter } from './journal';
import type { Machine } from './machine';
import { E1_READ_IN_PROGRESS, E1_WRITE_IN_PROGRESS, U4_DISCARD } from './pfnDatabase';
import {
  MAX_PAGING_FILES, MAX_PAGING_FILE_PAGES, MIN_PAGING_FILE_PAGES, PagingFile,
} from './pagingFile';
import {
  STATUS_INVALID_PARAMETER_2, STATUS_INVALID_PARAMETER_3, STATUS_OBJECT_NAME_INVALID,
  STATUS_SUCCESS, STATUS_TOO_MANY_PAGING_FILES,
} from './status';

/** Tunable parameters of the paging model (defaults documented in docs/paging.md). */
export interface PagingConfig {
  /** Fixed cost of one read request on a paging-file disk (seek + rotation), ms. */
  readLatencyMs: number;
  /** Fixed cost of one write request, ms. */
  writeLatencyMs: number;
  /** Transfer rate in pages per ms (25 pages/ms = 100 MB/s); a request of n pages adds ceil(n / rate) ms. */
  transferPagesPerMs: number;
  /** Period of the balance set manager (book-B §10.2: once per second). */
  balancePeriodMs: number;
  /** Most pages one hard fault reads (the faulting PTE + 15, book-C §6.1). */
  readClusterPages: number;
  /** Most pages one modified-page-writer request writes. */
  writeClusterPages: number;
  /** The MPW is woken when Zeroed + Free drops below this (book-B §12.1: 20,000 pages). */
  mpwWakeZeroedFreePages: number;
  /** ... or when available pages drop below this (262,144 pages = 1 GB). */
  mpwWakeAvailablePages: number;
  /** Forced-trim condition 3: available pages below this (0x40000, book-B §10.6). */
  forcedTrimAvailablePages: number;
  /** Forced-trim condition 1: (WorkingSetSize - FirstDynamic) above this fraction of RAM (0.75). */
  forcedTrimWsFraction: number;
  /** Share of a working set one forced trim removes (oldest entries first). */
  forcedTrimShare: number;
  /**
   * The working set manager trims while available + modified + being-written pages are below
   * this; 0 = automatic: max(256, physical pages / 16).
   */
  trimGoalPages: number;
  /**
   * The all-zero page quirk (book-B §7.13, O5): a dirty private page whose content is all zero
   * and that has no paging-file copy is freed and its PTE reset to demand-zero instead of going
   * to the Modified list. 'emptyWorkingSet' applies it when a whole working set is released
   * (SetProcessWorkingSetSize(-1, -1) / EmptyWorkingSet, where the book observed it), 'always'
   * on every trim, 'never' disables it.
   */
  zeroPageDiscard: 'emptyWorkingSet' | 'always' | 'never';
  /** Pages at the start of each emptying pass that are exempt from the quirk (the book saw 319). */
  zeroPageDiscardExemptPages: number;
  /** Pages the zero page thread zeroes per ms of idle simulated time. */
  zeroPagesPerMs: number;
  /** Whether page tables, directories and PDPTs can leave the working set (book-C §8). */
  pageTablesPageable: boolean;
}

export function defaultPagingConfig(): PagingConfig {
  return {
    readLatencyMs: 8,
    writeLatencyMs: 8,
    transferPagesPerMs: 25,
    balancePeriodMs: 1000,
    readClusterPages: 16,
    writeClusterPages: 16,
    mpwWakeZeroedFreePages: 20000,
    mpwWakeAvailablePages: 262144,
    forcedTrimAvailablePages: 0x40000,
    forcedTrimWsFraction: 0.75,
    forcedTrimShare: 1 / 8,
    trimGoalPages: 0,
    zeroPageDiscard: 'emptyWorkingSet',
    zeroPageDiscardExemptPages: 0,
    zeroPagesPerMs: 4096,
    pageTablesPageable: true,
  };
}

/** STATUS_SHARING_VIOLATION: the file is already open as a paging file. */
export const STATUS_SHARING_VIOLATION = 0xc0000043;

/** A clustered in-page read in flight (the in-page support block of book-C §7.4.1). */
export class InPageBlock {
  /** Set by the I/O completion: the data is in the pages (Event1 signalled). */
  ioDone = false;
  /** Set by the first fault that finished the read (pages activated or put on Standby). */
  finished = false;
  /** Faults that collided with this read and wait for it (the block's counter). */
  colliders = 0;
  /** Time the disk completes the read. */
  completeAt = 0;
  constructor(
    /** Identifies the block; _MMPFN.u1 (the Event pointer) of each page being read holds it. */
    readonly id: number,
    readonly procIndex: number,
    /** Paging file and the offset of the first page of the block read. */
    readonly file: number,
    readonly baseOffset: number,
    /** PFN receiving each page of the block (MDL PFN array); the dummy page for excluded PTEs. */
    readonly mdl: number[],
    /** For each block position: whether a PTE is updated by this read (false = dummy page). */
    readonly included: boolean[],
    /** Index of the faulting page in the block. */
    readonly faultPosition: number,
    /** Page table holding the PTEs, and the self-map slot of the block's first PTE. */
    readonly table: number,
    readonly firstSlot: number,
  ) {}

  get faultPfn(): number {
    return this.mdl[this.faultPosition];
  }
}

interface SimEvent {
  at: number;
  seq: number;
  /** Disk completions are what a thread waiting for pages waits for. */
  io: boolean;
  run: () => void;
}

/** The dummy page (MiDummyPage): PFN 0, never handed out, receives the blocks of excluded PTEs. */
export const DUMMY_PAGE = 0;

export class Pager {
  readonly config: PagingConfig;
  /** MmPagingFile[16]. */
  readonly files: Array<PagingFile | undefined> = new Array(MAX_PAGING_FILES).fill(undefined);
  /** Paging file the next write starts its search at (round robin). */
  nextWriteFile = 0;
  /** MiLastStandbyRePurposed: the repurpose total sampled by the last WSM pass. */
  lastStandbyRepurposed = 0;
  /** Samples of MmGetStandbyRepurposed taken by the balance set manager (time, value). */
  readonly repurposeSamples: Array<{ atMs: number; value: number }> = [];
  /** Whether the modified page writer has been signalled and not run yet. */
  mpwSignalled = false;
  /** In-page reads in flight by block id. */
  readonly inPage = new Map<number, InPageBlock>();
  private nextBlockId = 1;
  /** Paging-file writes in flight (requests, pages). */
  writesInFlight = 0;
  pagesBeingWritten = 0;
  /** While > 0, nobody trims paging structures (a caller holds a reference to one). */
  tableHold = 0;
  /** Statistics (not Windows counters). */
  readonly stats = {
    balanceRuns: 0, wsmTrimmedPages: 0, forcedTrims: 0, replacements: 0, mpwRuns: 0, collidedFaults: 0,
    zeroDiscards: 0, waitsForPages: 0, pagingFileGrowths: 0, tablesTrimmed: 0,
  };
  private readonly events: SimEvent[] = [];
  private seq = 0;
  private advancing = false;
  /** Installed by the modules that run on the clock (avoids import cycles). */
  balanceHook: (() => void) | null = null;
  mpwHook: (() => void) | null = null;

  constructor(private readonly m: Machine, config: Partial<PagingConfig>) {
    this.config = { ...defaultPagingConfig(), ...config };
    this.schedule(this.config.balancePeriodMs, () => this.balanceTick());
  }

  // ---- paging files ---------------------------------------------------------------------------

  get fileCount(): number {
    let n = 0;
    for (const f of this.files) if (f !== undefined) n++;
    return n;
  }

  /** Σ current sizes of the paging files, in pages. */
  get totalPagingFilePages(): number {
    let n = 0;
    for (const f of this.files) if (f !== undefined) n += f.size;
    return n;
  }

  /**
   * NtCreatePagingFile semantics (api-spec §6.16) with sizes in bytes: STATUS_TOO_MANY_PAGING_FILES
   * for a 17th file, STATUS_INVALID_PARAMETER_2 for a minimum below 1 MB or above the largest
   * paging file, STATUS_INVALID_PARAMETER_3 for a maximum above that or below the minimum,
   * STATUS_OBJECT_NAME_INVALID for an empty name. The commit limit grows by the minimum size.
   */
  createPagingFile(name: string, minimumBytes: number, maximumBytes: number): number {
    if (this.fileCount >= MAX_PAGING_FILES) return STATUS_TOO_MANY_PAGING_FILES;
    if (typeof name !== 'string' || name.length === 0 || name.includes('\0')) return STATUS_OBJECT_NAME_INVALID;
    const minPages = Math.ceil(minimumBytes / 4096);
    const maxPages = Math.ceil(maximumBytes / 4096);
    if (!Number.isFinite(minPages) || minimumBytes < MIN_PAGING_FILE_PAGES * 4096 || minPages > MAX_PAGING_FILE_PAGES) return STATUS_INVALID_PARAMETER_2;
    if (!Number.isFinite(maxPages) || maxPages > MAX_PAGING_FILE_PAGES || maxPages < minPages) return STATUS_INVALID_PARAMETER_3;
    for (const f of this.files) if (f !== undefined && f.name.toLowerCase() === name.toLowerCase()) return STATUS_SHARING_VIOLATION;
    this.addFile(name, minPages, maxPages);
    return STATUS_SUCCESS;
  }

  /** Adds a paging file without the API checks (the machine's configured first file). */
  addFile(name: string, minPages: number, maxPages: number, journal = true): PagingFile {
    const index = this.files.findIndex((f) => f === undefined);
    if (index < 0) throw new Error('internal: no room for another paging file');
    const f = new PagingFile(index, name, minPages, Math.max(minPages, maxPages));
    this.files[index] = f;
    if (journal) this.setCommitLimit(this.m.commit.limit + minPages);
    else this.m.commit.limit += minPages;
    return f;
  }

  private setCommitLimit(limit: number): void {
    const old = this.m.commit.limit;
    if (old === limit) return;
    this.m.commit.limit = limit;
    this.m.journal.record(EventKind.Commit, 0, CommitCounter.Limit, 0, old >>> 0, 0, limit >>> 0, 0);
  }

  /**
   * Grows paging files towards their maximum sizes by at least `pages` in total (each file in
   * order, in steps of at least 256 pages); the commit limit follows. Returns the pages added.
   */
  growPagingFiles(pages: number): number {
    let added = 0;
    for (const f of this.files) {
      if (f === undefined || added >= pages) continue;
      const want = Math.max(pages - added, MIN_PAGING_FILE_PAGES);
      const got = f.grow(want);
      if (got > 0) {
        added += got;
        this.stats.pagingFileGrowths++;
      }
    }
    if (added > 0) this.setCommitLimit(this.m.commit.limit + added);
    return added;
  }

  /** The paging file a software PTE names (PageFileLow), or undefined. */
  fileOf(lo: number): PagingFile | undefined {
    return this.files[(lo >>> 1) & 0xf];
  }

  /** Frees the paging-file page a software PTE (paging-file format) names. */
  releaseSlotOfPte(lo: number, hi: number): void {
    if (hi === 0) return;
    const f = this.fileOf(lo);
    if (f === undefined || !f.isAllocated(hi)) throw new Error(`internal: PTE names paging file ${(lo >>> 1) & 0xf} page 0x${hi.toString(16)} which is not in use`);
    f.release(hi);
  }

  /**
   * MiReleaseConfirmedPageFileSpace for a page: frees the paging-file page its OriginalPte names
   * and forgets the location (PageFileLow = PageFileHigh = 0, protection kept).
   */
  releasePageFileCopy(pfn: number): void {
    const db = this.m.pfn;
    const hi = db.originalPteHi[pfn];
    const lo = db.originalPteLo[pfn];
    if (hi === 0) return;
    this.releaseSlotOfPte(lo, hi);
    db.setOriginalPte(pfn, (lo & ~0x1e) >>> 0, 0);
  }

  /**
   * A contiguous run of `n` free paging-file pages for a write, round robin over the files
   * (growing a file towards its maximum when none has room). Returns [file, offset] or undefined.
   */
  allocateRun(n: number): [PagingFile, number] | undefined {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < MAX_PAGING_FILES; k++) {
        const i = (this.nextWriteFile + k) % MAX_PAGING_FILES;
        const f = this.files[i];
        if (f === undefined) continue;
        const off = f.allocateRun(n);
        if (off >= 0) {
          this.nextWriteFile = (i + 1) % MAX_PAGING_FILES;
          return [f, off];
        }
      }
      if (pass === 0 && this.growPagingFiles(Math.max(n, MIN_PAGING_FILE_PAGES)) === 0) break;
    }
    return undefined;
  }

  /** Whether some paging file has (or can grow to have) a free page. */
  get canWrite(): boolean {
    for (const f of this.files) if (f !== undefined && (f.freeSpace > 0 || f.size < f.maximumSize)) return true;
    return false;
  }

  // ---- disk requests ----------------------------------------------------------------------------

  /** Queues a request of `pages` pages on a file's disk; returns the completion time. */
  queueIo(f: PagingFile, pages: number, write: boolean): number {
    const c = this.config;
    const start = Math.max(this.m.clockMs, f.busyUntilMs);
    const done = start + (write ? c.writeLatencyMs : c.readLatencyMs) + Math.ceil(pages / c.transferPagesPerMs);
    f.busyUntilMs = done;
    return done;
  }

  newInPageBlock(procIndex: number, file: number, baseOffset: number, mdl: number[], included: boolean[], faultPosition: number, table: number, firstSlot: number): InPageBlock {
    const b = new InPageBlock(this.nextBlockId++, procIndex, file, baseOffset, mdl, included, faultPosition, table, firstSlot);
    if (this.nextBlockId > 0x7fffffff) this.nextBlockId = 1;
    this.inPage.set(b.id, b);
    return b;
  }

  /** The in-page block of a page whose ReadInProgress is set (u1 holds its id). */
  blockOf(pfn: number): InPageBlock | undefined {
    return this.inPage.get(this.m.pfn.u1[pfn]);
  }

  /** Issues the disk read of a block: the data lands in its pages when the request completes. */
  issueRead(block: InPageBlock): void {
    const f = this.files[block.file]!;
    block.completeAt = this.queueIo(f, block.mdl.length, false);
    this.scheduleIo(block.completeAt, () => {
      // IopCompletePageRead: the pages get the data, Event1 is signalled
      const m = this.m;
      for (let i = 0; i < block.mdl.length; i++) {
        if (!block.included[i]) continue;
        const pfn = block.mdl[i];
        f.store.readInto(block.baseOffset + i, m.phys, pfn);
        m.journal.record(EventKind.PageContent, block.procIndex, 4096, pfn * 4096, 0, 0, 0, 0);
      }
      block.ioDone = true;
    });
  }

  /** Waits (advancing the clock) until a block's read has completed. */
  waitForRead(block: InPageBlock): void {
    if (!block.ioDone) this.advanceTo(Math.max(this.m.clockMs, block.completeAt));
    if (!block.ioDone) throw new Error('internal: in-page read did not complete');
  }

  forgetBlock(block: InPageBlock): void {
    if (block.finished && block.colliders === 0) this.inPage.delete(block.id);
  }

  // ---- page helpers -------------------------------------------------------------------------------

  /** Whether a page is in the middle of a paging I/O (read or write). */
  inIo(pfn: number): boolean {
    return (this.m.pfn.e1[pfn] & (E1_READ_IN_PROGRESS | E1_WRITE_IN_PROGRESS)) !== 0;
  }

  /**
   * A page nobody uses any more goes to the Free list, unless an I/O still holds it: then it is
   * marked "free when the I/O completes" (PteAddress bit 1, book-C §7.3).
   */
  freeOrDiscard(pfn: number): void {
    const db = this.m.pfn;
    if (this.inIo(pfn)) {
      db.setU4Flag(pfn, U4_DISCARD, true);
      return;
    }
    if (db.listIdOf(pfn) !== 0xffff) db.unlink(pfn);
    this.releasePageFileCopy(pfn);
    db.setU2(pfn, 0);
    this.m.allocator.freePage(pfn);
  }

  /** Whether paging structures may be trimmed right now. */
  get tablesTrimmable(): boolean {
    return this.config.pageTablesPageable && this.tableHold === 0;
  }

  /** Runs `fn` with paging-structure trimming suspended. */
  holdTables<T>(fn: () => T): T {
    this.tableHold++;
    try {
      return fn();
    } finally {
      this.tableHold--;
    }
  }

  // ---- the clock -------------------------------------------------------------------------------

  /** Queues work at simulated time `at` (ms); equal times run in scheduling order. */
  schedule(at: number, run: () => void, io = false): void {
    const ev: SimEvent = { at, seq: this.seq++, io, run };
    const q = this.events;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (q[mid].at <= at) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, ev);
  }

  /** Time of the next queued event (Infinity when none). */
  get nextEventMs(): number {
    return this.events.length === 0 ? Infinity : this.events[0].at;
  }

  /** Queues the completion of a disk request. */
  scheduleIo(at: number, run: () => void): void {
    this.schedule(at, run, true);
  }

  /** Completion time of the earliest disk request in flight (Infinity when none). */
  get nextIoMs(): number {
    for (const ev of this.events) if (ev.io) return ev.at;
    return Infinity;
  }

  /**
   * Advances simulated time to `target`, running every event that falls due (in order) and
   * letting the zero page thread use the idle time in between.
   */
  advanceTo(target: number): void {
    if (this.advancing) throw new Error('internal: the clock cannot advance from inside a timed event');
    this.advancing = true;
    try {
      for (;;) {
        const ev = this.events[0];
        if (ev === undefined || ev.at > target) break;
        this.idleUntil(ev.at);
        this.events.shift();
        ev.run();
      }
      this.idleUntil(target);
    } finally {
      this.advancing = false;
    }
  }

  /** Advances the clock to `t` (never backwards), the zero page thread working meanwhile. */
  private idleUntil(t: number): void {
    const m = this.m;
    const now = m.clockMs;
    if (t <= now) return;
    const budget = Math.floor((t - now) * this.config.zeroPagesPerMs);
    if (budget > 0 && m.pfn.freeTotal > 0) {
      m.journal.as(Actor.ZeroPageThread, () => {
        for (let i = 0; i < budget; i++) if (!m.allocator.zeroOneFreePage()) break;
      });
    }
    m.clockMs = t;
    m.journal.record(EventKind.Clock, 0, 0, t, now >>> 0, 0, t >>> 0, 0);
  }

  private balanceTick(): void {
    this.schedule(this.m.clockMs + this.config.balancePeriodMs, () => this.balanceTick());
    this.balanceHook?.();
  }

  /** Signals the modified page writer: it runs at the current time, before later events. */
  signalModifiedPageWriter(): void {
    if (this.mpwSignalled) return;
    this.mpwSignalled = true;
    this.schedule(this.m.clockMs, () => {
      this.mpwSignalled = false;
      this.mpwHook?.();
    });
  }
}
