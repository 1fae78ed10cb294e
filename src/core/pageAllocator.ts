/**
 * Taking physical pages off the lists and giving them back (book-B §4). A demand-zero fault
 * takes, for its colour, a Zeroed page, else a Free page (which is zeroed first), else the oldest
 * Standby page of the lowest priority (repurposed: its old owner's PTE gets its OriginalPte back,
 * so the old owner's next touch is a hard fault). An in-page read prefers Free, then Zeroed, then
 * Standby, since the read overwrites the page anyway. When a list is empty for the wanted colour
 * the other colours are tried in increasing order (the book leaves this fallback open).
 */
import { Actor, Journal } from './journal';
import { LIST_END, PageLocation, PfnDatabase } from './pfnDatabase';
import { PhysicalMemory } from './physicalMemory';

export const enum PageSource {
  None = -1,
  Zeroed = 0,
  Free = 1,
  Standby = 2,
}

export interface RepurposeHook {
  /** Writes OriginalPte back into the PTE of a standby page's old owner. */
  restoreTransitionPte(pfn: number): void;
}

export class PageAllocator {
  /** MiStandbyRepurposedByPriority. */
  readonly repurposedByPriority = new Float64Array(8);
  /** Source of the last page taken (for narration). */
  lastSource: PageSource = PageSource.None;
  /** Whether the last page needed zeroing (came from Free or Standby). */
  lastZeroed = false;
  repurposeHook: RepurposeHook | null = null;

  constructor(private readonly pfn: PfnDatabase, private readonly phys: PhysicalMemory, private readonly journal: Journal) {}

  /** Head of the first non-empty list among `base + colour`, trying `color` first. */
  private takeFromColored(base: number, color: number): number {
    const db = this.pfn;
    const n = db.colors;
    const mask = db.colorMask;
    for (let k = 0; k < n; k++) {
      const id = base + ((color + k) & mask);
      if (db.listTotal(id) !== 0) return db.removeHead(id);
    }
    return LIST_END;
  }

  private takeStandby(): number {
    const db = this.pfn;
    if (db.standbyTotal === 0) return LIST_END;
    for (let p = 0; p < 8; p++) {
      const id = db.listIdStandby(p);
      if (db.listTotal(id) !== 0) {
        const pfn = db.listHead(id);
        const prev = this.journal.actor;
        this.journal.actor = Actor.Repurpose;
        db.unlink(pfn);
        this.repurposeHook?.restoreTransitionPte(pfn);
        this.repurposedByPriority[p]++;
        this.journal.actor = prev;
        return pfn;
      }
    }
    return LIST_END;
  }

  /** Page for a demand-zero fault, already zero-filled; LIST_END when memory is exhausted. */
  allocateZeroed(color: number): number {
    const db = this.pfn;
    let pfn = db.zeroedTotal === 0 ? LIST_END : this.takeFromColored(db.listIdZeroed(0), color);
    if (pfn !== LIST_END) {
      this.lastSource = PageSource.Zeroed;
      this.lastZeroed = false;
      return pfn;
    }
    pfn = db.freeTotal === 0 ? LIST_END : this.takeFromColored(db.listIdFree(0), color);
    if (pfn !== LIST_END) {
      this.lastSource = PageSource.Free;
    } else {
      pfn = this.takeStandby();
      if (pfn === LIST_END) {
        this.lastSource = PageSource.None;
        return LIST_END;
      }
      this.lastSource = PageSource.Standby;
    }
    this.phys.zeroPage(pfn); // MiZeroPhysicalPage through a system PTE work mapping
    this.lastZeroed = true;
    return pfn;
  }

  /** Page to be overwritten by an in-page read: Free, then Zeroed, then Standby. */
  allocateForRead(color: number): number {
    const db = this.pfn;
    let pfn = db.freeTotal === 0 ? LIST_END : this.takeFromColored(db.listIdFree(0), color);
    if (pfn !== LIST_END) {
      this.lastSource = PageSource.Free;
      return pfn;
    }
    pfn = db.zeroedTotal === 0 ? LIST_END : this.takeFromColored(db.listIdZeroed(0), color);
    if (pfn !== LIST_END) {
      this.lastSource = PageSource.Zeroed;
      return pfn;
    }
    pfn = this.takeStandby();
    this.lastSource = pfn === LIST_END ? PageSource.None : PageSource.Standby;
    return pfn;
  }

  /** Puts a page that nobody maps any more on the Free list (MiInsertPageInFreeOrZeroedList). */
  freePage(pfn: number): void {
    const db = this.pfn;
    db.setReferenceCount(pfn, 0);
    db.setU1(pfn, 0);
    db.setU2(pfn, 0);
    db.insertTail(pfn, db.listIdFree(db.color(pfn)));
  }

  /** The zero page thread's work on one page: Free -> Zeroed. */
  zeroOneFreePage(): boolean {
    const db = this.pfn;
    for (let c = 0; c < db.colors; c++) {
      const id = db.listIdFree(c);
      if (db.listTotal(id) !== 0) {
        const pfn = db.removeHead(id);
        this.phys.zeroPage(pfn);
        db.insertTail(pfn, db.listIdZeroed(c));
        return true;
      }
    }
    return false;
  }

  get standbyRepurposed(): number {
    let s = 0;
    for (let i = 0; i < 8; i++) s += this.repurposedByPriority[i];
    return s;
  }

  /** Location a page held before allocation, for narration. */
  static sourceName(s: PageSource): string {
    return s === PageSource.Zeroed ? 'Zeroed' : s === PageSource.Free ? 'Free' : s === PageSource.Standby ? 'Standby' : 'none';
  }
}

export { PageLocation };
