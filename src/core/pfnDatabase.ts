/**
 * The PFN database: one _MMPFN per physical page, stored as parallel typed arrays (struct of
 * arrays) so a 16 GB machine's four million entries cost tens of bytes each and no objects.
 * Field overloading follows Windows: u1 is the WsIndex of an active page or the Flink of a
 * listed one, u2 its ShareCount or Blink. The page lists (Zeroed and Free by colour, Standby by
 * priority, Modified split into process/system sub-lists, ModifiedNoWrite, Bad) are doubly
 * linked through u1/u2 by PFN index with all-ones ends, as book-B §3 describes.
 * Every change is recorded in the journal.
 */
import { EventKind, Journal, PfnFieldId } from './journal';

export const enum PageLocation {
  Zeroed = 0,
  Free = 1,
  Standby = 2,
  Modified = 3,
  ModifiedNoWrite = 4,
  Bad = 5,
  Active = 6,
  Transition = 7,
}

export const PAGE_LOCATION_NAMES = ['Zeroed', 'Free', 'Standby', 'Modified', 'ModifiedNoWrite', 'Bad', 'Active', 'Transition'];

/** List end marker in u1/u2 (the low half of Windows' all-ones 64-bit value). */
export const LIST_END = 0xffffffff;
const NO_LIST = 0xffff;

// u3.e1 bit layout (_MMPFNENTRY, book-B §1.4)
export const E1_LOCATION_MASK = 0x7;
export const E1_WRITE_IN_PROGRESS = 0x8;
export const E1_MODIFIED = 0x10;
export const E1_READ_IN_PROGRESS = 0x20;
export const E1_CACHE_SHIFT = 6;
export const E1_PRIORITY_SHIFT = 8;
export const E1_ROM = 0x800;
export const E1_IN_PAGE_ERROR = 0x1000;
export const E1_KERNEL_STACK = 0x2000;
export const E1_REMOVAL_REQUESTED = 0x4000;
export const E1_PARITY_ERROR = 0x8000;

// u4 flags kept beside PteFrame
export const U4_PROTOTYPE_PTE = 0x1;
/**
 * PteAddress bit 1 (book-C §1.8, §7.3): "free this page when its I/O completes" — set when the
 * memory a page under I/O belongs to is released, decommitted or torn down. Kept here rather
 * than in pteSlot; journaled as a PteAddress event whose new high word has bit 31 set.
 */
export const U4_DISCARD = 0x2;
export const PTE_ADDRESS_DISCARD_MARK = 0x80000000;

export class PfnDatabase {
  readonly count: number;
  readonly colors: number;
  readonly colorMask: number;

  readonly u1: Uint32Array;
  readonly u2: Uint32Array;
  /** PteAddress as a self-map slot: PteAddress = 0xFFFFF680'00000000 + 8 * slot. */
  readonly pteSlot: Float64Array;
  readonly referenceCount: Uint16Array;
  readonly e1: Uint16Array;
  readonly originalPteLo: Uint32Array;
  readonly originalPteHi: Uint32Array;
  readonly pteFrame: Uint32Array;
  readonly usedPageTableEntries: Uint16Array;
  readonly u4Flags: Uint8Array;
  /** Which list (see listId*) a page is linked in, NO_LIST when none. Not a Windows field. */
  private readonly listOf: Uint16Array;

  // list heads: index = list id
  private readonly head: Uint32Array;
  private readonly tail: Uint32Array;
  private readonly total: Uint32Array;
  /** Pages per PageLocation value that are linked in a list. */
  readonly locationTotals = new Uint32Array(8);
  /** Pages per PageLocation value, linked or not (Active pages are never linked). */
  readonly locationCounts = new Uint32Array(8);

  constructor(count: number, colorMask: number, readonly journal: Journal) {
    this.count = count;
    this.colorMask = colorMask;
    this.colors = colorMask + 1;
    this.u1 = new Uint32Array(count);
    this.u2 = new Uint32Array(count);
    this.pteSlot = new Float64Array(count);
    this.referenceCount = new Uint16Array(count);
    this.e1 = new Uint16Array(count);
    this.originalPteLo = new Uint32Array(count);
    this.originalPteHi = new Uint32Array(count);
    this.pteFrame = new Uint32Array(count);
    this.usedPageTableEntries = new Uint16Array(count);
    this.u4Flags = new Uint8Array(count);
    this.listOf = new Uint16Array(count).fill(NO_LIST);
    const lists = this.listCount;
    this.head = new Uint32Array(lists).fill(LIST_END);
    this.tail = new Uint32Array(lists).fill(LIST_END);
    this.total = new Uint32Array(lists);
  }

  // ---- list identities -----------------------------------------------------------------------
  get listCount(): number {
    return this.colors * 2 + 8 + 4;
  }
  listIdZeroed(color: number): number {
    return color;
  }
  listIdFree(color: number): number {
    return this.colors + color;
  }
  listIdStandby(priority: number): number {
    return this.colors * 2 + priority;
  }
  /** Modified pages whose PTE is in the user range (MmModifiedProcessListByColor). */
  get listIdModifiedProcess(): number {
    return this.colors * 2 + 8;
  }
  /** Modified pages whose PTE maps a system-range address (MmModifiedPageListByColor). */
  get listIdModifiedSystem(): number {
    return this.colors * 2 + 9;
  }
  get listIdModifiedNoWrite(): number {
    return this.colors * 2 + 10;
  }
  get listIdBad(): number {
    return this.colors * 2 + 11;
  }

  /** PageLocation that a list holds. */
  locationOfList(listId: number): PageLocation {
    const c = this.colors;
    if (listId < c) return PageLocation.Zeroed;
    if (listId < 2 * c) return PageLocation.Free;
    if (listId < 2 * c + 8) return PageLocation.Standby;
    if (listId < 2 * c + 10) return PageLocation.Modified;
    if (listId === 2 * c + 10) return PageLocation.ModifiedNoWrite;
    return PageLocation.Bad;
  }

  color(pfn: number): number {
    return pfn & this.colorMask;
  }
  location(pfn: number): PageLocation {
    return (this.e1[pfn] & E1_LOCATION_MASK) as PageLocation;
  }
  priority(pfn: number): number {
    return (this.e1[pfn] >>> E1_PRIORITY_SHIFT) & 7;
  }
  isModified(pfn: number): boolean {
    return (this.e1[pfn] & E1_MODIFIED) !== 0;
  }
  listIdOf(pfn: number): number {
    return this.listOf[pfn];
  }
  listHead(listId: number): number {
    return this.head[listId];
  }
  listTail(listId: number): number {
    return this.tail[listId];
  }
  listTotal(listId: number): number {
    return this.total[listId];
  }

  // ---- journaled field setters -----------------------------------------------------------------
  private field(pfn: number, id: PfnFieldId, oldLo: number, oldHi: number, newLo: number, newHi: number): void {
    this.journal.record(EventKind.PfnField, 0, id, pfn, oldLo, oldHi, newLo, newHi);
  }
  setU1(pfn: number, v: number): void {
    const o = this.u1[pfn];
    if (o === v) return;
    this.u1[pfn] = v;
    this.field(pfn, PfnFieldId.U1, o, 0, v, 0);
  }
  setU2(pfn: number, v: number): void {
    const o = this.u2[pfn];
    if (o === v) return;
    this.u2[pfn] = v;
    this.field(pfn, PfnFieldId.U2, o, 0, v, 0);
  }
  setPteSlot(pfn: number, slot: number): void {
    const o = this.pteSlot[pfn];
    if (o === slot) return;
    this.pteSlot[pfn] = slot;
    this.field(pfn, PfnFieldId.PteAddress, o % 0x100000000, Math.floor(o / 0x100000000), slot % 0x100000000, Math.floor(slot / 0x100000000));
  }
  setReferenceCount(pfn: number, v: number): void {
    const o = this.referenceCount[pfn];
    if (o === v) return;
    this.referenceCount[pfn] = v;
    this.field(pfn, PfnFieldId.ReferenceCount, o, 0, v, 0);
  }
  setE1(pfn: number, v: number): void {
    const o = this.e1[pfn];
    if (o === v) return;
    const ol = o & E1_LOCATION_MASK;
    const nl = v & E1_LOCATION_MASK;
    if (ol !== nl) {
      this.locationCounts[ol]--;
      this.locationCounts[nl]++;
    }
    this.e1[pfn] = v;
    this.field(pfn, PfnFieldId.Flags, o, 0, v, 0);
  }
  setOriginalPte(pfn: number, lo: number, hi: number): void {
    const ol = this.originalPteLo[pfn];
    const oh = this.originalPteHi[pfn];
    if (ol === lo && oh === hi) return;
    this.originalPteLo[pfn] = lo;
    this.originalPteHi[pfn] = hi;
    this.field(pfn, PfnFieldId.OriginalPte, ol, oh, lo, hi);
  }
  setPteFrame(pfn: number, v: number): void {
    const o = this.pteFrame[pfn];
    if (o === v) return;
    this.pteFrame[pfn] = v;
    this.field(pfn, PfnFieldId.PteFrame, o, 0, v, 0);
  }
  setUsedPageTableEntries(pfn: number, v: number): void {
    const o = this.usedPageTableEntries[pfn];
    if (o === v) return;
    this.usedPageTableEntries[pfn] = v;
    this.field(pfn, PfnFieldId.UsedPageTableEntries, o, 0, v, 0);
  }
  /** Sets or clears a u4 flag (U4_DISCARD is journaled as PteAddress bit 1, see above). */
  setU4Flag(pfn: number, flag: number, on: boolean): void {
    const o = this.u4Flags[pfn];
    const v = on ? o | flag : o & ~flag;
    if (o === v) return;
    this.u4Flags[pfn] = v;
    if (flag === U4_DISCARD) {
      const s = this.pteSlot[pfn];
      const lo = s % 0x100000000;
      const hi = Math.floor(s / 0x100000000);
      this.field(pfn, PfnFieldId.PteAddress, lo, (o & U4_DISCARD) !== 0 ? (hi | PTE_ADDRESS_DISCARD_MARK) >>> 0 : hi, lo, on ? (hi | PTE_ADDRESS_DISCARD_MARK) >>> 0 : hi);
    }
  }
  discardPending(pfn: number): boolean {
    return (this.u4Flags[pfn] & U4_DISCARD) !== 0;
  }
  setLocation(pfn: number, loc: PageLocation): void {
    this.setE1(pfn, (this.e1[pfn] & ~E1_LOCATION_MASK) | loc);
  }
  setFlag(pfn: number, flag: number, on: boolean): void {
    this.setE1(pfn, on ? this.e1[pfn] | flag : this.e1[pfn] & ~flag);
  }
  setPriority(pfn: number, p: number): void {
    this.setE1(pfn, (this.e1[pfn] & ~(7 << E1_PRIORITY_SHIFT)) | ((p & 7) << E1_PRIORITY_SHIFT));
  }
  setCacheAttribute(pfn: number, c: number): void {
    this.setE1(pfn, (this.e1[pfn] & ~(3 << E1_CACHE_SHIFT)) | ((c & 3) << E1_CACHE_SHIFT));
  }
  cacheAttribute(pfn: number): number {
    return (this.e1[pfn] >>> E1_CACHE_SHIFT) & 3;
  }

  // ---- lists -------------------------------------------------------------------------------------

  /** Links a page at the tail of a list and sets its PageLocation to the list's. */
  insertTail(pfn: number, listId: number): void {
    const loc = this.locationOfList(listId);
    const oldLoc = this.location(pfn);
    const t = this.tail[listId];
    this.setU1(pfn, LIST_END);
    this.setU2(pfn, t);
    if (t === LIST_END) this.head[listId] = pfn;
    else this.setU1(t, pfn);
    this.tail[listId] = pfn;
    this.total[listId]++;
    this.locationTotals[loc]++;
    this.listOf[pfn] = listId;
    this.setLocation(pfn, loc);
    this.journal.record(EventKind.PfnList, 0, listId, pfn, oldLoc, 0, loc, 1);
  }

  /** Unlinks a page from whatever list holds it; its PageLocation is left for the caller to set. */
  unlink(pfn: number): void {
    const listId = this.listOf[pfn];
    if (listId === NO_LIST) return;
    const next = this.u1[pfn];
    const prev = this.u2[pfn];
    if (prev === LIST_END) this.head[listId] = next;
    else this.setU1(prev, next);
    if (next === LIST_END) this.tail[listId] = prev;
    else this.setU2(next, prev);
    this.total[listId]--;
    const loc = this.locationOfList(listId);
    this.locationTotals[loc]--;
    this.listOf[pfn] = NO_LIST;
    this.setU1(pfn, 0);
    this.setU2(pfn, 0);
    this.journal.record(EventKind.PfnList, 0, listId, pfn, loc, 1, this.location(pfn), 0);
  }

  /** Removes and returns the first page of a list, or LIST_END. */
  removeHead(listId: number): number {
    const pfn = this.head[listId];
    if (pfn !== LIST_END) this.unlink(pfn);
    return pfn;
  }

  /** Fast boot-time fill: puts pages on the zeroed lists without journaling. */
  bootFillZeroed(pfns: Iterable<number>): void {
    for (const pfn of pfns) {
      const listId = this.listIdZeroed(pfn & this.colorMask);
      const t = this.tail[listId];
      this.u1[pfn] = LIST_END;
      this.u2[pfn] = t;
      if (t === LIST_END) this.head[listId] = pfn;
      else this.u1[t] = pfn;
      this.tail[listId] = pfn;
      this.total[listId]++;
      this.locationTotals[PageLocation.Zeroed]++;
      this.listOf[pfn] = listId;
      this.e1[pfn] = PageLocation.Zeroed | (1 << E1_CACHE_SHIFT); // cached, as MmCached pages are
    }
    this.recountLocations();
  }

  recountLocations(): void {
    this.locationCounts.fill(0);
    for (let i = 0; i < this.count; i++) this.locationCounts[this.e1[i] & E1_LOCATION_MASK]++;
  }

  /** Members of a list in order (for views and tests). */
  *members(listId: number): Generator<number> {
    for (let p = this.head[listId]; p !== LIST_END; p = this.u1[p]) yield p;
  }

  get zeroedTotal(): number {
    return this.locationTotals[PageLocation.Zeroed];
  }
  get freeTotal(): number {
    return this.locationTotals[PageLocation.Free];
  }
  get standbyTotal(): number {
    return this.locationTotals[PageLocation.Standby];
  }
  get modifiedTotal(): number {
    return this.locationTotals[PageLocation.Modified];
  }
  /** MmAvailablePages: Zeroed + Free + Standby. */
  get availablePages(): number {
    return this.zeroedTotal + this.freeTotal + this.standbyTotal;
  }
}
