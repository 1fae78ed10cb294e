/**
 * Reading and writing the x64 paging structures of a process. Tables are real pages of
 * simulated RAM; an entry is addressed by the "slot" of the VA it maps (see addresses.ts), so the
 * same code serves PTEs, PDEs, PDPTEs and PML4Es — the self-map makes them all PTEs of some VA.
 *
 * Every entry write goes through `writeEntry`, which journals it, keeps the two counters of the
 * table's _MMPFN that depend on its entries (UsedPageTableEntries = non-zero entries; ShareCount =
 * 1 + entries still linked to a physical page, valid or in transition — book-C §8.2) and
 * invalidates the TLB. Reads never change anything.
 */
import { parentSlot } from './addresses';
import { EventKind, Journal } from './journal';
import { PfnDatabase } from './pfnDatabase';
import { PhysicalMemory } from './physicalMemory';
import { P, PROTOTYPE, TRANSITION, ptePfn } from './pte';
import { Process } from './process';
import { Tlb } from './tlb';

export const LEVEL_PTE = 1;
export const LEVEL_PDE = 2;
export const LEVEL_PPE = 3;
export const LEVEL_PXE = 4;
export const LEVEL_NAMES = ['', 'PTE', 'PDE', 'PPE', 'PXE'];

const SELFMAP_PREFIX_DIV = 2 ** 27;

/** Slot whose level-1 entry is the level-`level` entry of `slot`. */
export function entrySlot(slot: number, level: number): number {
  let s = slot;
  for (let l = 1; l < level; l++) s = parentSlot(s);
  return s;
}

/** Index of the level-`level` entry of `slot` within its table. */
export function entryIndex(slot: number, level: number): number {
  switch (level) {
    case 4:
      return Math.floor(slot / 2 ** 27) & 511;
    case 3:
      return Math.floor(slot / 2 ** 18) & 511;
    case 2:
      return Math.floor(slot / 512) & 511;
    default:
      return slot & 511;
  }
}

/** True when an entry value keeps a physical page referenced (valid, or transition). */
export const isLinked = (lo: number): boolean => (lo & P) !== 0 || ((lo & TRANSITION) !== 0 && (lo & PROTOTYPE) === 0);

/** True when the slot lies in the self-map window (its entry is a PDE/PPE/PXE of something). */
export const isSelfMapSlot = (slot: number): boolean => Math.floor(slot / SELFMAP_PREFIX_DIV) === 0x1ed;

export class PagingStructures {
  constructor(
    private readonly phys: PhysicalMemory,
    private readonly pfn: PfnDatabase,
    private readonly journal: Journal,
    private readonly tlb: Tlb,
    private readonly isCurrent: (p: Process) => boolean,
  ) {}

  readLo(table: number, index: number): number {
    return this.phys.readWord(table, index * 2);
  }
  readHi(table: number, index: number): number {
    return this.phys.readWord(table, index * 2 + 1);
  }

  /**
   * PFN of the table that holds the level-`level` entry of `slot`, or -1 when an entry above it
   * is not valid. Pure read.
   */
  tableOf(proc: Process, slot: number, level: number): number {
    let table = proc.pml4Pfn;
    for (let l = 4; l > level; l--) {
      const i = entryIndex(slot, l);
      const lo = this.phys.readWord(table, i * 2);
      if ((lo & P) === 0) return -1;
      table = ptePfn(lo, this.phys.readWord(table, i * 2 + 1));
    }
    return table;
  }

  /** The level at which the walk for `slot` stops (the first invalid entry), or 0 when all valid. */
  firstInvalidLevel(proc: Process, slot: number): number {
    let table = proc.pml4Pfn;
    for (let l = 4; l >= 1; l--) {
      const i = entryIndex(slot, l);
      const lo = this.phys.readWord(table, i * 2);
      if ((lo & P) === 0) return l;
      table = ptePfn(lo, this.phys.readWord(table, i * 2 + 1));
    }
    return 0;
  }

  /** Writes one entry with journal, table-counter upkeep and TLB invalidation. */
  writeEntry(proc: Process, table: number, index: number, eSlot: number, lo: number, hi: number): void {
    const w = index * 2;
    const ol = this.phys.readWord(table, w);
    const oh = this.phys.readWord(table, w + 1);
    if (ol === lo && oh === hi) return;
    this.phys.writeWord(table, w, lo);
    this.phys.writeWord(table, w + 1, hi);
    this.journal.record(EventKind.PteWrite, proc.index, 0, eSlot, ol, oh, lo, hi);
    const wasUsed = (ol | oh) !== 0;
    const isUsed = (lo | hi) !== 0;
    if (wasUsed !== isUsed) this.pfn.setUsedPageTableEntries(table, this.pfn.usedPageTableEntries[table] + (isUsed ? 1 : -1));
    const wasLinked = isLinked(ol);
    const nowLinked = isLinked(lo);
    if (wasLinked !== nowLinked) this.pfn.setU2(table, this.pfn.u2[table] + (nowLinked ? 1 : -1));
    if ((ol & P) !== 0 && this.isCurrent(proc)) {
      if (isSelfMapSlot(eSlot)) this.tlb.flushAll();
      else this.tlb.invalidate(eSlot);
    }
  }

  /** Writes the level-1 entry for `eSlot` (whose table must exist). */
  writeSlot(proc: Process, eSlot: number, lo: number, hi: number): void {
    const table = this.tableOf(proc, eSlot, 1);
    if (table < 0) throw new Error(`internal: no table for slot ${eSlot.toString(16)}`);
    this.writeEntry(proc, table, eSlot & 511, eSlot, lo, hi);
  }
}
