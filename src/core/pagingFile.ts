/**
 * Paging files (book-C §6.4, api-spec §6.16): up to 16 of them, each with a current, minimum and
 * maximum size in pages, a slot bitmap (one bit per 4 KB page of the file: 1 = in use) with an
 * allocation hint, and its contents. A software PTE names a page of a paging file with
 * PageFileLow (bits 1-4: the file's index in MmPagingFile[]) and PageFileHigh (bits 32-63: the
 * page offset in the file). PageFileHigh 0 means "no paging-file copy" (book-B §12.6), so page 0
 * of every file is reserved at creation and never handed out.
 *
 * Contents are stored sparsely, the way physicalMemory.ts stores RAM: a page that was never
 * written (or was written all zero) costs no host memory; written pages live in 4 KB slots carved
 * out of 1 MB slabs, with freed slots reused.
 *
 * Each paging file sits on its own simulated disk: one request at a time, first come first
 * served. A request's completion time is max(now, disk busy until) + latency (see PagingConfig).
 */
import type { PhysicalMemory } from './physicalMemory';

export const MAX_PAGING_FILES = 16;
/** NtCreatePagingFile: MinimumSize below 1 MB is rejected (api-spec §1). */
export const MIN_PAGING_FILE_PAGES = 256;
/** PageFileHigh is 32 bits: a paging file holds at most 2^32 - 1 pages (offset 0 is reserved). */
export const MAX_PAGING_FILE_PAGES = 0xffffffff;

const WORDS = 1024;
const PAGES_PER_SLAB = 256;

/** Sparse page contents indexed by page offset in a file (growable). */
export class SparsePageStore {
  private slotOf: Int32Array;
  private readonly slabs: Uint32Array[] = [];
  private freeSlots: Int32Array = new Int32Array(64);
  private freeCount = 0;
  private nextSlot = 0;
  private resident_ = 0;

  constructor(pages: number) {
    this.slotOf = new Int32Array(Math.max(1, pages)).fill(-1);
  }

  /** Pages holding host memory. */
  get residentPages(): number {
    return this.resident_;
  }

  ensureCapacity(pages: number): void {
    if (pages <= this.slotOf.length) return;
    const n = Math.max(pages, Math.min(this.slotOf.length * 2, MAX_PAGING_FILE_PAGES));
    const s = new Int32Array(n).fill(-1);
    s.set(this.slotOf);
    this.slotOf = s;
  }

  hasContent(offset: number): boolean {
    return offset < this.slotOf.length && this.slotOf[offset] >= 0;
  }

  private newSlot(): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.freeSlots[--this.freeCount];
    else {
      slot = this.nextSlot++;
      if ((slot & (PAGES_PER_SLAB - 1)) === 0) this.slabs.push(new Uint32Array(WORDS * PAGES_PER_SLAB));
    }
    this.resident_++;
    return slot;
  }

  /** Forgets the contents of a page (it reads as zeroes afterwards). */
  drop(offset: number): void {
    if (offset >= this.slotOf.length) return;
    const s = this.slotOf[offset];
    if (s < 0) return;
    this.slotOf[offset] = -1;
    this.resident_--;
    if (this.freeCount === this.freeSlots.length) {
      const bigger = new Int32Array(this.freeSlots.length * 2);
      bigger.set(this.freeSlots);
      this.freeSlots = bigger;
    }
    this.freeSlots[this.freeCount++] = s;
  }

  /** Copies a physical page into the file page `offset` (a page without contents stores nothing). */
  writeFrom(offset: number, phys: PhysicalMemory, pfn: number): void {
    if (!phys.hasContent(pfn)) {
      this.drop(offset);
      return;
    }
    this.ensureCapacity(offset + 1);
    let s = this.slotOf[offset];
    if (s < 0) {
      s = this.newSlot();
      this.slotOf[offset] = s;
    }
    phys.copyOut(pfn, this.slabs[s >>> 8], (s & 255) * WORDS);
  }

  /** Copies the file page `offset` into a physical page (whose old contents are replaced). */
  readInto(offset: number, phys: PhysicalMemory, pfn: number): void {
    if (!this.hasContent(offset)) {
      phys.zeroPage(pfn);
      return;
    }
    const s = this.slotOf[offset];
    phys.copyIn(pfn, this.slabs[s >>> 8], (s & 255) * WORDS);
  }

  /** One 32-bit word of a file page (0 when it holds nothing). */
  readWord(offset: number, word: number): number {
    if (!this.hasContent(offset)) return 0;
    const s = this.slotOf[offset];
    return this.slabs[s >>> 8][(s & 255) * WORDS + word];
  }

  /** A copy of a file page's bytes (for views and tests). */
  snapshot(offset: number): Uint8Array {
    const out = new Uint8Array(WORDS * 4);
    if (!this.hasContent(offset)) return out;
    const s = this.slotOf[offset];
    const slab = this.slabs[s >>> 8];
    out.set(new Uint8Array(slab.buffer, slab.byteOffset + (s & 255) * WORDS * 4, WORDS * 4));
    return out;
  }
}

/** One paging file (_MMPAGING_FILE: Size, MaximumSize, MinimumSize, FreeSpace, PeakUsage, ...). */
export class PagingFile {
  /** Current size in pages (the file grows from MinimumSize towards MaximumSize). */
  size: number;
  /** Pages not in use (page 0 counts as in use). */
  freeSpace: number;
  /** Most pages ever in use at once. */
  peakUsage = 0;
  /** Where the next search for free pages starts (BitmapHint). */
  hint = 1;
  /** Pages of the last allocation (LastAllocationSize). */
  lastAllocationSize = 0;
  /** Simulated time at which this file's disk finishes the requests queued so far. */
  busyUntilMs = 0;
  /** Allocation bitmap: bit i of word i >> 5 set = page i in use. */
  private bits: Uint32Array;
  readonly store: SparsePageStore;

  constructor(
    /** Index in MmPagingFile[] = PageFileLow of the PTEs that name it (PageFileNumber). */
    readonly number: number,
    readonly name: string,
    readonly minimumSize: number,
    readonly maximumSize: number,
  ) {
    this.size = minimumSize;
    this.bits = new Uint32Array(Math.ceil(minimumSize / 32));
    this.store = new SparsePageStore(minimumSize);
    this.bits[0] |= 1; // page 0 is never used: PageFileHigh 0 means "no copy"
    this.freeSpace = minimumSize - 1;
  }

  get inUse(): number {
    return this.size - this.freeSpace;
  }

  isAllocated(offset: number): boolean {
    return offset < this.size && (this.bits[offset >>> 5] & (1 << (offset & 31))) !== 0;
  }

  /** Extends the file by `pages` (bounded by MaximumSize); returns the pages added. */
  grow(pages: number): number {
    const add = Math.min(pages, this.maximumSize - this.size);
    if (add <= 0) return 0;
    const newSize = this.size + add;
    const words = Math.ceil(newSize / 32);
    if (words > this.bits.length) {
      const b = new Uint32Array(Math.max(words, Math.min(this.bits.length * 2, Math.ceil(this.maximumSize / 32))));
      b.set(this.bits);
      this.bits = b;
    }
    this.store.ensureCapacity(newSize);
    this.size = newSize;
    this.freeSpace += add;
    return add;
  }

  /**
   * Finds and marks `n` contiguous free pages, first fit from the hint (wrapping once); returns
   * the first page offset or -1.
   */
  allocateRun(n: number): number {
    if (n <= 0 || n > this.freeSpace) return -1;
    const size = this.size;
    let start = this.findRun(this.hint, size, n);
    if (start < 0) start = this.findRun(1, Math.min(size, this.hint + n - 1), n);
    if (start < 0) return -1;
    for (let i = start; i < start + n; i++) this.bits[i >>> 5] |= 1 << (i & 31);
    this.freeSpace -= n;
    if (this.inUse > this.peakUsage) this.peakUsage = this.inUse;
    this.hint = start + n >= size ? 1 : start + n;
    this.lastAllocationSize = n;
    return start;
  }

  private findRun(from: number, to: number, n: number): number {
    let run = 0;
    let i = from;
    while (i < to) {
      const w = this.bits[i >>> 5];
      if (w === 0xffffffff && (i & 31) === 0) {
        run = 0;
        i += 32;
        continue;
      }
      if ((w & (1 << (i & 31))) === 0) {
        run++;
        if (run === n) return i - n + 1;
      } else run = 0;
      i++;
    }
    return -1;
  }

  /** Frees one page (MiReleaseConfirmedPageFileSpace); its contents are forgotten. */
  release(offset: number): void {
    if (!this.isAllocated(offset) || offset === 0) throw new Error(`internal: paging file ${this.number} page 0x${offset.toString(16)} is not in use`);
    this.bits[offset >>> 5] &= ~(1 << (offset & 31));
    this.freeSpace++;
    this.store.drop(offset);
  }

  /** Offsets of the pages in use (page 0 excluded), ascending. */
  *allocatedOffsets(): Generator<number> {
    for (let w = 0; w < Math.ceil(this.size / 32); w++) {
      let word = this.bits[w];
      if (word === 0) continue;
      for (let b = 0; b < 32 && word !== 0; b++, word >>>= 1) {
        const off = w * 32 + b;
        if ((word & 1) !== 0 && off !== 0 && off < this.size) yield off;
      }
    }
  }
}
