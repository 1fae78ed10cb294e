/**
 * The contents of simulated RAM. Pages are stored sparsely: a page that was never written (or
 * was zeroed) holds no host memory at all and reads as zeroes, so a 64 GB machine costs nothing
 * until it is used. Page tables live here too: a PTE is two 32-bit words of its table's page.
 */

const WORDS_PER_PAGE = 1024;

export class PhysicalMemory {
  private readonly pages = new Map<number, Uint32Array>();

  constructor(readonly pageCount: number) {}

  /** Number of pages that currently hold host memory. */
  get residentHostPages(): number {
    return this.pages.size;
  }

  hasContent(pfn: number): boolean {
    return this.pages.has(pfn);
  }

  private pageForWrite(pfn: number): Uint32Array {
    let p = this.pages.get(pfn);
    if (p === undefined) {
      p = new Uint32Array(WORDS_PER_PAGE);
      this.pages.set(pfn, p);
    }
    return p;
  }

  readWord(pfn: number, word: number): number {
    const p = this.pages.get(pfn);
    return p === undefined ? 0 : p[word];
  }

  writeWord(pfn: number, word: number, value: number): void {
    const p = this.pages.get(pfn);
    if (p !== undefined) p[word] = value;
    else if (value !== 0) this.pageForWrite(pfn)[word] = value;
  }

  readByte(pfn: number, offset: number): number {
    const p = this.pages.get(pfn);
    return p === undefined ? 0 : (p[offset >>> 2] >>> ((offset & 3) * 8)) & 0xff;
  }

  writeByte(pfn: number, offset: number, value: number): void {
    const p = this.pages.get(pfn);
    if (p === undefined && (value & 0xff) === 0) return;
    const page = p ?? this.pageForWrite(pfn);
    const shift = (offset & 3) * 8;
    const w = offset >>> 2;
    page[w] = ((page[w] & ~(0xff << shift)) | ((value & 0xff) << shift)) >>> 0;
  }

  /** Fills a page with zeroes: drops its storage. */
  zeroPage(pfn: number): void {
    this.pages.delete(pfn);
  }

  /** True when every byte of the page is zero. */
  isZeroPage(pfn: number): boolean {
    const p = this.pages.get(pfn);
    if (p === undefined) return true;
    for (let i = 0; i < WORDS_PER_PAGE; i++) if (p[i] !== 0) return false;
    return true;
  }

  copyPage(fromPfn: number, toPfn: number): void {
    const p = this.pages.get(fromPfn);
    if (p === undefined) this.pages.delete(toPfn);
    else this.pages.set(toPfn, p.slice());
  }

  /** A copy of a page's bytes (zeroes for an empty page). */
  snapshot(pfn: number): Uint8Array {
    const p = this.pages.get(pfn);
    return p === undefined ? new Uint8Array(4096) : new Uint8Array(p.slice().buffer);
  }

  restore(pfn: number, bytes: Uint8Array): void {
    let zero = true;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) { zero = false; break; }
    if (zero) this.pages.delete(pfn);
    else this.pages.set(pfn, new Uint32Array(bytes.slice().buffer));
  }
}
