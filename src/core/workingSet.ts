/**
 * A process working-set list (_MMWSL and its _MMWSLE array, book-A §12): in-use entries hold a
 * VPN with Valid/Hashed/Direct/Protection/Age bits and are odd; free entries are even and form a
 * doubly linked list by index (head PreviousFree 0x7FFFFFFF, tail NextFree 0xFFFFFFFF). Entries
 * 0-4 are the fixed paging-structure and WSL pages; FirstDynamic is 5. Freed entries go back at
 * the head. The array grows one page (512 entries) at a time: LastInitializedWsle = 0x200·N − 0x92.
 * Entries are kept as two 32-bit halves; the caller maps the extra WSL pages.
 */
import { EventKind, Journal } from './journal';

export const WSLE_VALID = 0x1;
export const WSLE_HASHED = 0x4;
export const WSLE_DIRECT = 0x8;
export const WSLE_PROTECTION_SHIFT = 4;
export const WSLE_AGE_SHIFT = 9;
export const FREE_HEAD_PREV = 0x7fffffff;
export const FREE_TAIL_NEXT = 0xffffffff;
export const FIRST_DYNAMIC = 5;
export const ENTRIES_FIRST_PAGE = 0x16f; // (0x1000 - 0x488) / 8
export const ENTRIES_PER_PAGE = 0x200;

/** lo/hi halves of the canonical VA of a 36-bit slot, with the low 12 bits clear. */
export const slotVaLo = (slot: number): number => ((slot % 0x100000) * 0x1000) >>> 0;
export const slotVaHi = (slot: number): number => {
  const h = Math.floor(slot / 0x100000); // bits 32..47 of the VA
  return (h & 0x8000 ? (h | 0xffff0000) : h) >>> 0;
};
export const slotOfWsle = (lo: number, hi: number): number => (hi & 0xffff) * 0x100000 + (lo >>> 12);

export class WorkingSetList {
  lo: Uint32Array;
  hi: Uint32Array;
  firstFree = FIRST_DYNAMIC;
  readonly firstDynamic = FIRST_DYNAMIC;
  lastEntry = FIRST_DYNAMIC - 1;
  nextSlot = FIRST_DYNAMIC;
  lastInitializedWsle: number;
  /** WSL pages mapped (N). */
  mappedPages = 1;
  /** _MMSUPPORT.WorkingSetSize / PeakWorkingSetSize / Minimum / Maximum, in pages. */
  size = 0;
  peak = 0;
  minimum = 50;
  maximum = 345;

  constructor(private readonly journal: Journal, private readonly procId: number) {
    this.lastInitializedWsle = ENTRIES_FIRST_PAGE - 1;
    this.lo = new Uint32Array(ENTRIES_FIRST_PAGE);
    this.hi = new Uint32Array(ENTRIES_FIRST_PAGE);
    this.linkFree(FIRST_DYNAMIC, this.lastInitializedWsle, FREE_TAIL_NEXT, true);
    this.firstFree = FIRST_DYNAMIC;
  }

  /** Links entries [from, to] as a chain ending in `after`; raw writes (no journal) when booting. */
  private linkFree(from: number, to: number, after: number, boot: boolean): void {
    for (let i = from; i <= to; i++) {
      const prev = i === from ? FREE_HEAD_PREV : i - 1;
      const next = i === to ? after : i + 1;
      if (boot) {
        this.lo[i] = (prev << 1) >>> 0;
        this.hi[i] = next >>> 0;
      } else this.write(i, (prev << 1) >>> 0, next >>> 0);
    }
  }

  private write(index: number, lo: number, hi: number): void {
    const ol = this.lo[index];
    const oh = this.hi[index];
    this.lo[index] = lo;
    this.hi[index] = hi;
    this.journal.record(EventKind.WsleWrite, this.procId, 0, index, ol, oh, lo, hi);
  }

  isValid(index: number): boolean {
    return index <= this.lastInitializedWsle && (this.lo[index] & WSLE_VALID) !== 0;
  }
  slotAt(index: number): number {
    return slotOfWsle(this.lo[index], this.hi[index]);
  }
  age(index: number): number {
    return (this.lo[index] >>> WSLE_AGE_SHIFT) & 7;
  }
  setAge(index: number, age: number): void {
    this.write(index, ((this.lo[index] & ~(7 << WSLE_AGE_SHIFT)) | ((age & 7) << WSLE_AGE_SHIFT)) >>> 0, this.hi[index]);
  }
  value(index: number): bigint {
    return (BigInt(this.hi[index]) << 32n) | BigInt(this.lo[index]);
  }

  /** True when a free entry is available without growing the array. */
  get hasFree(): boolean {
    return this.firstFree !== FREE_TAIL_NEXT;
  }

  /** Adds one mapped WSL page worth of entries to the free list (the caller mapped the page). */
  grow(): void {
    const from = this.lastInitializedWsle + 1;
    this.mappedPages++;
    this.lastInitializedWsle = ENTRIES_PER_PAGE * this.mappedPages - 0x92;
    if (this.lo.length <= this.lastInitializedWsle) {
      const n = Math.max(this.lastInitializedWsle + 1, this.lo.length * 2);
      const lo = new Uint32Array(n);
      const hi = new Uint32Array(n);
      lo.set(this.lo);
      hi.set(this.hi);
      this.lo = lo;
      this.hi = hi;
    }
    // the new entries form a chain appended at the head (the list was empty when we grow)
    this.linkFree(from, this.lastInitializedWsle, this.firstFree, false);
    if (this.firstFree !== FREE_TAIL_NEXT) {
      this.write(this.firstFree, ((this.lastInitializedWsle << 1) >>> 0), this.hi[this.firstFree]);
    }
    this.firstFree = from;
  }

  /** Stores a fixed entry (0-4) at boot. */
  setFixed(index: number, slot: number, flags: number): void {
    this.write(index, (slotVaLo(slot) | flags | WSLE_VALID) >>> 0, slotVaHi(slot));
    if (index > this.lastEntry) this.lastEntry = index;
    this.size++;
    if (this.size > this.peak) this.peak = this.size;
  }

  /**
   * Takes the free entry at the head of the free list and fills it (MiAllocateWsle).
   * The caller must have ensured hasFree (growing the array when needed). Returns its index.
   */
  allocate(slot: number, flags: number): number {
    const index = this.firstFree;
    const next = this.hi[index];
    this.firstFree = next;
    if (next !== FREE_TAIL_NEXT) {
      this.write(next, (FREE_HEAD_PREV << 1) >>> 0, this.hi[next]);
    }
    this.write(index, (slotVaLo(slot) | flags | WSLE_VALID) >>> 0, slotVaHi(slot));
    if (index > this.lastEntry) this.lastEntry = index;
    this.size++;
    if (this.size > this.peak) this.peak = this.size;
    return index;
  }

  /** Frees an in-use entry: clears Valid, then pushes it at the head of the free list (O-37). */
  release(index: number): void {
    this.write(index, (this.lo[index] & ~WSLE_VALID) >>> 0, this.hi[index]);
    const oldHead = this.firstFree;
    this.write(index, (FREE_HEAD_PREV << 1) >>> 0, oldHead >>> 0);
    if (oldHead !== FREE_TAIL_NEXT) this.write(oldHead, ((index << 1) >>> 0), this.hi[oldHead]);
    this.firstFree = index;
    this.size--;
    if (index === this.lastEntry) {
      let i = index;
      while (i >= 0 && !(this.lo[i] & WSLE_VALID)) i--;
      this.lastEntry = i;
    }
  }

  /** Checks the free-list invariants of book-A O-33; returns problems found. */
  check(): string[] {
    const errors: string[] = [];
    const seen = new Set<number>();
    let prev = FREE_HEAD_PREV;
    for (let i = this.firstFree; i !== FREE_TAIL_NEXT; i = this.hi[i]) {
      if (i > this.lastInitializedWsle) { errors.push(`free link to ${i} beyond LastInitializedWsle`); break; }
      if (seen.has(i)) { errors.push(`free list loops at ${i}`); break; }
      seen.add(i);
      if (this.lo[i] & WSLE_VALID) errors.push(`free list entry ${i} is in use`);
      if (((this.lo[i] >>> 1) & 0x7fffffff) !== prev) errors.push(`entry ${i} PreviousFree ${(this.lo[i] >>> 1).toString(16)} != ${prev.toString(16)}`);
      prev = i;
    }
    let used = 0;
    for (let i = 0; i <= this.lastInitializedWsle; i++) {
      if (this.lo[i] & WSLE_VALID) {
        used++;
        if (i > this.lastEntry) errors.push(`in-use entry ${i} above LastEntry ${this.lastEntry}`);
      } else if (i >= FIRST_DYNAMIC && !seen.has(i)) errors.push(`free entry ${i} not on the free list`);
    }
    if (used !== this.size) errors.push(`WorkingSetSize ${this.size} != in-use entries ${used}`);
    return errors;
  }
}
