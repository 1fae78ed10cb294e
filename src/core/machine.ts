/**
 * The simulated machine: RAM and its PFN database, the CPU's TLB and MMU, the processes, the
 * memory manager's fault handler, commit accounting, counters and the simulated clock, all
 * recording into one journal. This class wires the parts together and owns the operations that
 * several memory-manager modules share (allocating a page for an address space, mapping
 * hyperspace pages, finding a page's owner). It is deterministic: no wall clock, no randomness.
 */
import {
  MMWSL_VA, PXE_SELFMAP, SELFMAP_INDEX, UMPB_VA, slotOfEntryVa, slotOfVa,
} from './addresses';
import { apiState } from './api/common';
import { FaultContext, FaultHandler } from './faultHandler';
import { Actor, CommitCounter, EventKind, Journal } from './journal';
import { Mmu } from './mmu';
import { PageAllocator } from './pageAllocator';
import { Pager, type PagingConfig } from './pager';
import { runModifiedPageWriter } from './modifiedPageWriter';
import { makeTablesResident } from './residency';
import { balanceSetManager, doReplacement, emptyWorkingSet, waitForPages } from './workingSetManager';
import { entryIndex, entrySlot, PagingStructures } from './pagingStructures';
import { E1_CACHE_SHIFT, E1_MODIFIED, E1_PRIORITY_SHIFT, LIST_END, PageLocation, PfnDatabase } from './pfnDatabase';
import { PhysicalMemory } from './physicalMemory';
import { Process } from './process';
import { ACCESSED, DIRTY, HI_NX, P, RW, SW_WRITE, demandZeroLo, pfnHi, pfnLo, withWsIndex, USER_TABLE_BITS } from './pte';
import { Tlb } from './tlb';
import { WSLE_DIRECT, WSLE_PROTECTION_SHIFT, WSLE_AGE_SHIFT } from './workingSet';

export interface MachineConfig {
  /** Physical memory in bytes (default 512 MB). */
  ramBytes?: number;
  /** Size of the first paging file in bytes (default 1 GB; 0 = none). Adds to the commit limit. */
  pageFileBytes?: number;
  /** Maximum size the first paging file may grow to (default: its size, i.e. no growth). */
  pageFileMaxBytes?: number;
  /** Parameters of the paging model (latencies, thresholds; see pager.ts / docs/paging.md). */
  paging?: Partial<PagingConfig>;
  /** Secondary colour mask (default 0x3F: 64 colours, as on the book's Core 2 Duo). */
  colorMask?: number;
  /** Events the journal keeps before it starts overwriting the oldest (default 2^21). */
  journalCapacity?: number;
}

export const DEFAULT_RAM = 512 * 1024 * 1024;
export const DEFAULT_PAGEFILE = 1024 * 1024 * 1024;

/** System-wide counters the memory manager keeps (the sources of the performance counters). */
export class Counters {
  pageFaults = 0;
  demandZeroFaults = 0;
  pagingStructureFaults = 0;
  transitionFaults = 0;
  copyOnWriteFaults = 0;
  guardPageFaults = 0;
  accessViolations = 0;
  /** Read operations from paging files and the pages they brought in. */
  pageReads = 0;
  pagesRead = 0;
  /** Write operations to paging files and the pages they wrote. */
  pageWrites = 0;
  pagesWritten = 0;
  dirtyBitFaults = 0;
}

export class CommitState {
  /** System commit charge, in pages. */
  charge = 0;
  peak = 0;
  /** Commit limit, in pages: usable RAM + paging-file pages. */
  limit = 0;
}

/** Bits of a kernel-owned paging-structure entry (P, R/W, A, D, Write). */
const KERNEL_TABLE_BITS = P | RW | ACCESSED | DIRTY | SW_WRITE; // 0x863
const SYSTEM_PML4E_BITS = P | RW | ACCESSED | DIRTY; // 0x63: "ends in 3"

export class Machine {
  readonly config: Required<MachineConfig>;
  readonly journal: Journal;
  readonly phys: PhysicalMemory;
  readonly pfn: PfnDatabase;
  readonly tlb = new Tlb();
  readonly paging: PagingStructures;
  readonly allocator: PageAllocator;
  readonly faults: FaultHandler;
  readonly mmu: Mmu;
  /** Paging files, the simulated clock's events, in-flight paging I/O (pager.ts). */
  readonly pager: Pager;
  /** Forced-trim condition 1 in pages: (WorkingSetSize - FirstDynamic) above this (book-B §10.6). */
  readonly forcedTrimThreshold: number;
  readonly counters = new Counters();
  readonly commit = new CommitState();
  readonly processes = new Map<number, Process>();
  /** PFNs of the shared system PDPTs mapped by PML4 entries 0x1EF-0x1FF. */
  readonly systemTables = new Map<number, number>();
  /** Pages set aside at boot (never on a list). */
  bootPages = 0;
  /** Installed by the paging layer: forget the paging-file copy of a page being freed. */
  releasePageFileCopy?: (pfn: number) => void;
  /** Installed by the paging layer: free the paging-file slot a software PTE names. */
  releasePageFileSlot?: (lo: number, hi: number) => void;
  /** Simulated time in milliseconds since boot. */
  clockMs = 0;
  private current_: Process | undefined;
  private nextIndex = 1;

  constructor(config: MachineConfig = {}) {
    this.config = {
      ramBytes: config.ramBytes ?? DEFAULT_RAM,
      pageFileBytes: config.pageFileBytes ?? DEFAULT_PAGEFILE,
      colorMask: config.colorMask ?? 0x3f,
      journalCapacity: config.journalCapacity ?? 1 << 21,
      pageFileMaxBytes: config.pageFileMaxBytes ?? config.pageFileBytes ?? DEFAULT_PAGEFILE,
      paging: config.paging ?? {},
    };
    const pages = Math.floor(this.config.ramBytes / 4096);
    if (pages < 256) throw new RangeError(`physical memory of ${this.config.ramBytes} bytes is too small (at least 1 MB)`);
    if (pages > 2 ** 32 - 2) throw new RangeError('physical memory above 16 TB is not supported');
    this.journal = new Journal(this.config.journalCapacity);
    this.phys = new PhysicalMemory(pages);
    this.pfn = new PfnDatabase(pages, this.config.colorMask, this.journal);
    this.paging = new PagingStructures(this.phys, this.pfn, this.journal, this.tlb, (p) => p === this.current_);
    this.allocator = new PageAllocator(this.pfn, this.phys, this.journal);
    this.allocator.repurposeHook = { restoreTransitionPte: (pfn) => this.restoreTransitionPte(pfn) };
    this.faults = new FaultHandler(this);
    this.mmu = new Mmu(this);
    this.pager = new Pager(this, this.config.paging);
    this.forcedTrimThreshold = Math.floor(this.pager.config.forcedTrimWsFraction * pages);
    this.pager.balanceHook = () => {
      balanceSetManager(this);
    };
    this.pager.mpwHook = () => {
      runModifiedPageWriter(this);
    };
    this.releasePageFileCopy = (pfn) => this.pager.releasePageFileCopy(pfn);
    this.releasePageFileSlot = (lo, hi) => this.pager.releaseSlotOfPte(lo, hi);
    apiState(this).emptyWorkingSet = (proc) => {
      emptyWorkingSet(this, proc);
    };
    this.boot();
  }

  private boot(): void {
    const db = this.pfn;
    // PFN 0 is never handed out; PFNs 1..17 hold the shared system PDPTs (PML4E 0x1EF-0x1FF).
    const setAside = (pfn: number) => {
      db.e1[pfn] = PageLocation.Active | (1 << E1_CACHE_SHIFT) | (5 << E1_PRIORITY_SHIFT);
      db.referenceCount[pfn] = 1;
    };
    setAside(0);
    let next = 1;
    for (let i = SELFMAP_INDEX + 2; i < 512; i++) {
      const pfn = next++;
      setAside(pfn);
      db.pteSlot[pfn] = slotOfEntryVa(PXE_SELFMAP) - SELFMAP_INDEX + i; // PTE address: PML4E #i
      this.systemTables.set(i, pfn);
    }
    this.bootPages = next;
    const count = db.count;
    db.bootFillZeroed((function* () {
      for (let p = next; p < count; p++) yield p;
    })());
    this.commit.limit = count - this.bootPages;
    const filePages = Math.floor(this.config.pageFileBytes / 4096);
    if (filePages > 0) {
      const maxPages = Math.max(filePages, Math.floor(this.config.pageFileMaxBytes / 4096));
      this.pager.addFile('\\??\\C:\\pagefile.sys', filePages, maxPages, false);
    }
  }

  // ---- the clock ---------------------------------------------------------------------------------

  /**
   * Advances the simulated clock by `ms` (Sleep): timed work that falls due runs in order — disk
   * completions, the balance set manager every second, the modified page writer when woken —
   * and the zero page thread uses the idle time.
   */
  tick(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.pager.advanceTo(this.clockMs + ms);
  }

  /** MiDoReplacement (faultHandler's MiAllocateWsle calls it when a condition may hold). */
  doReplacement(proc: Process): void {
    doReplacement(this, proc);
  }

  /** Whether a page is a paging structure on the walk of a fault in progress. */
  isOnFaultWalk(pfn: number): boolean {
    if (!this.faults.active) return false;
    for (const c of this.faults.activeContexts()) {
      for (let level = 3; level >= 1; level--) if (this.paging.tableOf(c.proc, c.slot, level) === pfn) return true;
    }
    return false;
  }

  // ---- processes ---------------------------------------------------------------------------------

  get current(): Process {
    if (this.current_ === undefined) throw new Error('no current process');
    return this.current_;
  }
  get hasCurrent(): boolean {
    return this.current_ !== undefined;
  }

  /** Loads CR3 with a process's PML4: the TLB is flushed. */
  switchTo(proc: Process): void {
    if (this.current_ === proc) return;
    this.current_ = proc;
    this.tlb.flushAll();
    this.journal.record(EventKind.TlbFlush, proc.index, 0, proc.cr3, 0, 0, 0, 0);
  }

  /** Runs `fn` attached to another address space (KeStackAttachProcess), then switches back. */
  attached<T>(proc: Process, fn: () => T): T {
    const prev = this.current_;
    this.switchTo(proc);
    try {
      return fn();
    } finally {
      if (prev !== undefined) this.switchTo(prev);
    }
  }

  processByIndex(index: number): Process | undefined {
    return this.processes.get(index);
  }

  /**
   * Creates a process: its PML4 (with the self-map auto-entry and the shared system entries),
   * hyperspace PDPT, PD and PT, and the first working-set-list page — the five fixed WSL entries.
   */
  createProcess(name: string): Process {
    const index = this.nextIndex++;
    const proc = new Process(index, 0x100 + 4 * (index - 1), name, this.journal);
    this.processes.set(index, proc);
    this.journal.as(Actor.Process, () => {
      this.journal.record(EventKind.ProcessCreate, index, 0, proc.pid, 0, 0, 0, 0);
      const db = this.pfn;
      const selfSlot = slotOfEntryVa(PXE_SELFMAP);
      // the PML4 itself
      const pml4 = this.takePage(proc);
      this.initPagePfn(pml4, demandZeroLo(4), pml4, selfSlot, 4, proc.pagePriority);
      db.setU1(pml4, index); // u1 of a PML4's _MMPFN identifies its process
      proc.pml4Pfn = pml4;
      this.paging.writeEntry(proc, pml4, SELFMAP_INDEX, selfSlot, (pfnLo(pml4) | KERNEL_TABLE_BITS) >>> 0, pfnHi(pml4));
      for (const [i, pfn] of this.systemTables) {
        this.paging.writeEntry(proc, pml4, i, selfSlot - SELFMAP_INDEX + i, (pfnLo(pfn) | SYSTEM_PML4E_BITS) >>> 0, pfnHi(pfn));
      }
      proc.wsl.setFixed(0, selfSlot, WSLE_DIRECT);
      // hyperspace: PDPT (PML4E 0x1EE), PD, the PT of 0xFFFFF700'01000000 and the WSL page
      const wslSlot = slotOfVa(MMWSL_VA);
      const fixed: Array<[number, number]> = [
        [4, WSLE_DIRECT],
        [3, WSLE_DIRECT | (4 << WSLE_PROTECTION_SHIFT)],
        [2, WSLE_DIRECT | (2 << WSLE_AGE_SHIFT)],
        [1, WSLE_DIRECT],
      ];
      fixed.forEach(([level, flags], k) => {
        const ws = k + 1;
        const pfn = this.mapKernelEntry(proc, wslSlot, level, level === 1);
        db.setU1(pfn, ws);
        const eSlot = entrySlot(wslSlot, level);
        proc.wsl.setFixed(ws, eSlot, flags);
        const table = this.paging.tableOf(proc, wslSlot, level);
        const i = entryIndex(wslSlot, level);
        this.paging.writeEntry(proc, table, i, eSlot, this.paging.readLo(table, i), withWsIndex(this.paging.readHi(table, i), ws));
      });
    });
    if (this.current_ === undefined) this.switchTo(proc);
    return proc;
  }

  // ---- pages and tables --------------------------------------------------------------------------

  /**
   * A zeroed page for an address space, coloured by its NextPageColor. When every list is empty
   * the caller waits for pages (the modified page writer, trimming, simulated time) with paging
   * structures held in place; OutOfMemoryError when nothing can be freed.
   */
  takePage(proc: Process): number {
    proc.nextPageColor = (proc.nextPageColor + 1) & 0xffff;
    const color = proc.nextPageColor & this.pfn.colorMask;
    let pfn = this.allocator.allocateZeroed(color);
    if (pfn === LIST_END && this.pager.holdTables(() => waitForPages(this, 1))) pfn = this.allocator.allocateZeroed(color);
    if (pfn === LIST_END) throw new OutOfMemoryError();
    return pfn;
  }

  /** The page the fault handler maps (step DzTakePage). */
  takePageForFault(ctx: FaultContext): number {
    return this.allocator.allocateZeroed(ctx.color);
  }

  /** MiInitializePfn for a page about to be mapped by the entry at `eSlot` in table `table`. */
  initPagePfn(pfn: number, origLo: number, table: number, eSlot: number, protection: number, priority: number): void {
    const db = this.pfn;
    db.setOriginalPte(pfn, origLo, 0);
    db.setU2(pfn, 1);
    db.setReferenceCount(pfn, 1);
    db.setPteFrame(pfn, table);
    db.setPteSlot(pfn, eSlot);
    db.setUsedPageTableEntries(pfn, 0);
    const cache = (protection & 0x18) === 0x18 ? 2 : (protection & 0x18) === 0x08 ? 0 : 1;
    db.setE1(pfn, PageLocation.Active | E1_MODIFIED | (cache << E1_CACHE_SHIFT) | ((priority & 7) << E1_PRIORITY_SHIFT));
  }

  /**
   * Makes the level-`level` entry of a kernel (hyperspace) slot valid with a fresh page, building
   * the tables above it when needed (kernel-owned, no working-set entry). Returns the new page.
   */
  mapKernelEntry(proc: Process, slot: number, level: number, dataPage: boolean): number {
    for (let l = 4; l > level; l--) {
      const t = this.paging.tableOf(proc, slot, l);
      const i = entryIndex(slot, l);
      if ((this.paging.readLo(t, i) & P) === 0) this.mapKernelEntry(proc, slot, l, false);
    }
    const table = this.paging.tableOf(proc, slot, level);
    const i = entryIndex(slot, level);
    const eSlot = entrySlot(slot, level);
    const pfn = this.takePage(proc);
    this.initPagePfn(pfn, demandZeroLo(4), table, eSlot, 4, proc.pagePriority);
    this.pfn.setU1(pfn, 0);
    this.paging.writeEntry(proc, table, i, eSlot, (pfnLo(pfn) | KERNEL_TABLE_BITS) >>> 0, (pfnHi(pfn) | (dataPage ? HI_NX : 0)) >>> 0);
    return pfn;
  }

  /**
   * Builds the missing user paging structures down to the page table of `slot` (book-A §10.5 R4:
   * committing part of a reservation writes PTEs, so their table must exist). Each new table is a
   * zeroed page charged to the working set, like the fault path does.
   */
  ensurePageTable(proc: Process, slot: number): number {
    if (this.paging.tableOf(proc, slot, 1) >= 0) return this.paging.tableOf(proc, slot, 1);
    // paged-out levels come back first (book-C §8.4); only missing ones are built
    const resident = makeTablesResident(this, proc, slot);
    if (resident >= 0) return resident;
    return this.pager.holdTables(() => this.buildPageTable(proc, slot));
  }

  private buildPageTable(proc: Process, slot: number): number {
    this.notePageTableCreated(proc, slot);
    for (let level = 4; level >= 2; level--) {
      const table = this.paging.tableOf(proc, slot, level);
      const i = entryIndex(slot, level);
      if ((this.paging.readLo(table, i) & P) !== 0) continue;
      const eSlot = entrySlot(slot, level);
      const pfn = this.takePage(proc);
      this.initPagePfn(pfn, demandZeroLo(4), table, eSlot, 4, proc.pagePriority);
      this.ensureWsleAvailable(proc);
      const ws = proc.wsl.allocate(eSlot, WSLE_DIRECT);
      this.pfn.setU1(pfn, ws);
      const lo = (pfnLo(pfn) | USER_TABLE_BITS) >>> 0;
      this.paging.writeEntry(proc, table, i, eSlot, lo, withWsIndex(pfnHi(pfn), ws));
    }
    return this.paging.tableOf(proc, slot, 1);
  }

  /** Makes sure the working-set list has a free entry, mapping one more WSL page if not. */
  ensureWsleAvailable(proc: Process): void {
    if (proc.wsl.hasFree) return;
    const va = MMWSL_VA + BigInt(proc.wsl.mappedPages * 4096);
    this.mapKernelEntry(proc, slotOfVa(va), 1, true);
    proc.wsl.grow();
  }

  /** Sets the UMPB bit of a new user page table, mapping the UMPB page on first use. */
  notePageTableCreated(proc: Process, userSlot: number): void {
    const ptIndex = Math.floor(userSlot / 512);
    proc.umpb.add(ptIndex);
    const byte = Math.floor(ptIndex / 8);
    const pageVa = UMPB_VA + BigInt(Math.floor(byte / 4096) * 4096);
    const pageSlot = slotOfVa(pageVa);
    const table = this.paging.tableOf(proc, pageSlot, 1);
    let pfn: number;
    const lo = table < 0 ? 0 : this.paging.readLo(table, pageSlot & 511);
    if ((lo & P) === 0) {
      pfn = this.mapKernelEntry(proc, pageSlot, 1, true);
      this.ensureWsleAvailable(proc);
      const ws = proc.wsl.allocate(pageSlot, WSLE_DIRECT);
      this.pfn.setU1(pfn, ws);
      const t = this.paging.tableOf(proc, pageSlot, 1);
      this.paging.writeEntry(proc, t, pageSlot & 511, pageSlot, this.paging.readLo(t, pageSlot & 511), withWsIndex(this.paging.readHi(t, pageSlot & 511), ws));
    } else {
      pfn = Math.floor(lo / 4096) + (this.paging.readHi(table, pageSlot & 511) & 0xffff) * 0x100000;
    }
    const off = byte % 4096;
    const old = this.phys.readByte(pfn, off);
    this.writePhysByte(pfn, off, old | (1 << (ptIndex % 8)));
  }

  /** Clears the UMPB bit of a deleted user page table. */
  notePageTableDeleted(proc: Process, userSlot: number): void {
    const ptIndex = Math.floor(userSlot / 512);
    proc.umpb.delete(ptIndex);
    const byte = Math.floor(ptIndex / 8);
    const pageSlot = slotOfVa(UMPB_VA + BigInt(Math.floor(byte / 4096) * 4096));
    const table = this.paging.tableOf(proc, pageSlot, 1);
    if (table < 0) return;
    const lo = this.paging.readLo(table, pageSlot & 511);
    if ((lo & P) === 0) return;
    const pfn = Math.floor(lo / 4096) + (this.paging.readHi(table, pageSlot & 511) & 0xffff) * 0x100000;
    const off = byte % 4096;
    this.writePhysByte(pfn, off, this.phys.readByte(pfn, off) & ~(1 << (ptIndex % 8)));
  }

  /** A journaled write of one byte of physical memory. */
  writePhysByte(pfn: number, offset: number, value: number): void {
    const old = this.phys.readByte(pfn, offset);
    if (old === (value & 0xff)) return;
    this.phys.writeByte(pfn, offset, value);
    this.journal.record(EventKind.PageContent, 0, 1, pfn * 4096 + offset, old, 0, value & 0xff, 0);
  }

  /** The process whose page tables hold a page's PTE: follow PteFrame up to a PML4. */
  ownerOf(pfn: number): Process | undefined {
    let p = pfn;
    for (let i = 0; i < 6; i++) {
      const up = this.pfn.pteFrame[p];
      if (up === p) return this.processes.get(this.pfn.u1[p]);
      p = up;
    }
    return undefined;
  }

  /** Repurposing a Standby page: its old owner's PTE gets OriginalPte back (MiRestoreTransitionPte). */
  private restoreTransitionPte(pfn: number): void {
    const owner = this.ownerOf(pfn);
    if (owner === undefined) return;
    const slot = this.pfn.pteSlot[pfn];
    this.paging.writeEntry(owner, this.pfn.pteFrame[pfn], slot % 512, slot, this.pfn.originalPteLo[pfn], this.pfn.originalPteHi[pfn]);
  }

  // ---- commit accounting -------------------------------------------------------------------------

  /** Charges `pages` of commitment to the system and to a process; false when over the limit. */
  chargeCommit(proc: Process | undefined, pages: number, kind: 'data' | 'pageTable' = 'data'): boolean {
    if (pages === 0) return true;
    if (this.commit.charge + pages > this.commit.limit && !this.growCommitLimit(pages)) return false;
    const old = this.commit.charge;
    this.commit.charge += pages;
    if (this.commit.charge > this.commit.peak) this.commit.peak = this.commit.charge;
    this.journal.record(EventKind.Commit, proc?.index ?? 0, CommitCounter.SystemCharge, 0, old, 0, this.commit.charge, 0);
    if (proc !== undefined) {
      const po = proc.commitCharge;
      proc.commitCharge += pages;
      if (kind === 'data') proc.privateCommitPages += pages;
      else proc.pageTableCommitPages += pages;
      if (proc.commitCharge > proc.commitPeak) proc.commitPeak = proc.commitCharge;
      this.journal.record(EventKind.Commit, proc.index, CommitCounter.ProcessCharge, 0, po, 0, proc.commitCharge, 0);
    }
    return true;
  }

  /**
   * Whether `pages` more pages of commitment fit under the commit limit, growing the paging files
   * towards their maximum sizes when that makes them fit (the commit limit grows with them).
   */
  growCommitLimit(pages: number): boolean {
    const short = this.commit.charge + pages - this.commit.limit;
    if (short <= 0) return true;
    this.pager.growPagingFiles(short);
    return this.commit.charge + pages <= this.commit.limit;
  }

  returnCommit(proc: Process | undefined, pages: number, kind: 'data' | 'pageTable' = 'data'): void {
    if (pages === 0) return;
    const old = this.commit.charge;
    this.commit.charge -= pages;
    this.journal.record(EventKind.Commit, proc?.index ?? 0, CommitCounter.SystemCharge, 0, old, 0, this.commit.charge, 0);
    if (proc !== undefined) {
      const po = proc.commitCharge;
      proc.commitCharge -= pages;
      if (kind === 'data') proc.privateCommitPages -= pages;
      else proc.pageTableCommitPages -= pages;
      this.journal.record(EventKind.Commit, proc.index, CommitCounter.ProcessCharge, 0, po, 0, proc.commitCharge, 0);
    }
  }


}

/** Physical memory is exhausted (every list empty). */
export class OutOfMemoryError extends Error {
  constructor() {
    super('physical memory exhausted: no Zeroed, Free or Standby page left');
  }
}
