/**
 * The contents of simulated RAM. Pages are stored sparsely: a page that was never written (or
 * was zeroed) holds no host memory at all and reads as zeroes, so a 64 GB machine costs nothing
 * until it is used. Page tables live here too: a PTE is two 32-bit words of its table's page.
 *
 * A written page gets a 4 KB buffer slot carved out of 1 MB slabs; `slotOf[pfn]` (4 bytes per
 * physical page) names it, -1 meaning "all zero". Freed slots are reused, so steady-state paging
 * allocates nothing and no per-page objects exist for the garbage collector.
 */

const WORDS_PER_PAGE = 1024;
const PAGES_PER_SLAB = 256;

export class PhysicalMemory {
  private readonly slotOf: Int32Array;
  private readonly slabs: Uint32Array[] = [];
  private freeSlots: Int32Array = new Int32Array(64);
  private freeCount = 0;
  private nextSlot = 0;
  private resident = 0;

  constructor(readonly pageCount: number) {
    this.slotOf = new Int32Array(pageCount).fill(-1);
  }

  /** Number of pages that currently hold host memory. */
  get residentHostPages(): number {
    return this.resident;
  }

  hasContent(pfn: number): boolean {
    return this.slotOf[pfn] >= 0;
  }

  private newSlot(): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount];
      this.slabs[slot >>> 8].fill(0, (slot & 255) * WORDS_PER_PAGE, ((slot & 255) + 1) * WORDS_PER_PAGE);
    } else {
      slot = this.nextSlot++;
      if ((slot & 255) === 0) this.slabs.push(new Uint32Array(WORDS_PER_PAGE * PAGES_PER_SLAB));
    }
    this.resident++;
    return slot;
  }

  private slotForWrite(pfn: number): number {
    let s = this.slotOf[pfn];
    if (s < 0) {
      s = this.newSlot();
      this.slotOf[pfn] = s;
    }
    return s;
  }

  private drop(pfn: number): void {
    const s = this.slotOf[pfn];
    if (s < 0) return;
    this.slotOf[pfn] = -1;
    this.resident--;
    if (this.freeCount === this.freeSlots.length) {
      const bigger = new Int32Array(this.freeSlots.length * 2);
      bigger.set(this.freeSlots);
      this.freeSlots = bigger;
    }
    this.freeSlots[this.freeCount++] = s;
  }

  readWord(pfn: number, word: number): number {
    const s = this.slotOf[pfn];
    return s < 0 ? 0 : this.slabs[s >>> 8][(s & 255) * WORDS_PER_PAGE + word];
  }

  writeWord(pfn: number, word: number, value: number): void {
    let s = this.slotOf[pfn];
    if (s < 0) {
      if (value === 0) return;
      s = this.slotForWrite(pfn);
    }
    this.slabs[s >>> 8][(s & 255) * WORDS_PER_PAGE + word] = value;
  }

  readByte(pfn: number, offset: number): number {
    const s = this.slotOf[pfn];
    if (s < 0) return 0;
    return (this.slabs[s >>> 8][(s & 255) * WORDS_PER_PAGE + (offset >>> 2)] >>> ((offset & 3) * 8)) & 0xff;
  }

  writeByte(pfn: number, offset: number, value: number): void {
    let s = this.slotOf[pfn];
    if (s < 0) {
      if ((value & 0xff) === 0) return;
      s = this.slotForWrite(pfn);
    }
    const slab = this.slabs[s >>> 8];
    const w = (s & 255) * WORDS_PER_PAGE + (offset >>> 2);
    const shift = (offset & 3) * 8;
    slab[w] = ((slab[w] & ~(0xff << shift)) | ((value & 0xff) << shift)) >>> 0;
  }

  /** Fills a page with zeroes: drops its storage. */
  zeroPage(pfn: number): void {
    this.drop(pfn);
  }

  /** True when every byte of the page is zero. */
  isZeroPage(pfn: number): boolean {
    const s = this.slotOf[pfn];
    if (s < 0) return true;
    const slab = this.slabs[s >>> 8];
    const base = (s & 255) * WORDS_PER_PAGE;
    for (let i = 0; i < WORDS_PER_PAGE; i++) if (slab[base + i] !== 0) return false;
    return true;
  }

  private view(s: number): Uint32Array {
    return this.slabs[s >>> 8].subarray((s & 255) * WORDS_PER_PAGE, ((s & 255) + 1) * WORDS_PER_PAGE);
  }

  copyPage(fromPfn: number, toPfn: number): void {
    const f = this.slotOf[fromPfn];
    if (f < 0) {
      this.drop(toPfn);
      return;
    }
    const t = this.slotForWrite(toPfn);
    this.view(t).set(this.view(this.slotOf[fromPfn]));
  }

  /** Copies a page's 1024 words into `dst` at `at` (zeroes for an empty page): a native 4 KB copy. */
  copyOut(pfn: number, dst: Uint32Array, at: number): void {
    const s = this.slotOf[pfn];
    if (s < 0) dst.fill(0, at, at + WORDS_PER_PAGE);
    else dst.set(this.view(s), at);
  }

  /** Replaces a page's contents with 1024 words of `src` starting at `at`. */
  copyIn(pfn: number, src: Uint32Array, at: number): void {
    this.view(this.slotForWrite(pfn)).set(src.subarray(at, at + WORDS_PER_PAGE));
  }

  /** A copy of a page's bytes (zeroes for an empty page). */
  snapshot(pfn: number): Uint8Array {
    const s = this.slotOf[pfn];
    return s < 0 ? new Uint8Array(4096) : new Uint8Array(this.view(s).slice().buffer);
  }

  restore(pfn: number, bytes: Uint8Array): void {
    let zero = true;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) { zero = false; break; }
    if (zero) this.drop(pfn);
    else this.view(this.slotForWrite(pfn)).set(new Uint32Array(bytes.slice().buffer));
  }
}
