/**
 * A software TLB: a direct-mapped cache of recent translations of the current address space.
 * A translation is cached only after a walk found it valid and set its accessed bit; writes hit
 * only when the PTE's dirty bit is already set, so the hardware's A/D updates are never skipped.
 * The memory manager invalidates an entry whenever it changes the PTE, and a CR3 load (process
 * switch) flushes everything, as on x64 without PCIDs.
 */

export const TLB_WRITE = 1;
export const TLB_USER = 2;
export const TLB_EXEC = 4;

export class Tlb {
  readonly size: number;
  private readonly mask: number;
  private readonly tag: Float64Array;
  readonly pfn: Uint32Array;
  readonly flags: Uint8Array;
  hits = 0;
  misses = 0;
  flushes = 0;

  constructor(sizeLog2 = 10) {
    this.size = 1 << sizeLog2;
    this.mask = this.size - 1;
    this.tag = new Float64Array(this.size);
    this.pfn = new Uint32Array(this.size);
    this.flags = new Uint8Array(this.size);
  }

  /** Index of a cached slot, or -1. */
  lookup(slot: number): number {
    const i = slot & this.mask;
    return this.tag[i] === slot + 1 ? i : -1;
  }

  fill(slot: number, pfn: number, flags: number): void {
    const i = slot & this.mask;
    this.tag[i] = slot + 1;
    this.pfn[i] = pfn;
    this.flags[i] = flags;
  }

  invalidate(slot: number): void {
    const i = slot & this.mask;
    if (this.tag[i] === slot + 1) this.tag[i] = 0;
  }

  flushAll(): void {
    this.tag.fill(0);
    this.flushes++;
  }

  /** Cached translations (for views): [slot, pfn, flags]. */
  *entries(): Generator<[number, number, number]> {
    for (let i = 0; i < this.size; i++) if (this.tag[i] !== 0) yield [this.tag[i] - 1, this.pfn[i], this.flags[i]];
  }
}
