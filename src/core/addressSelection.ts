// Address selection: where NtAllocateVirtualMemory (and NtMapViewOfSection) put a new range when
// the caller passes a NULL base. It covers the x64 ZeroBits translation and the resulting top
// address, the bottom-up / top-down hole search over the VAD tree, and the per-process User Mode
// Address space Bitmap (UMAB, one bit per 64 KB below 2 GB) that Windows searches for low
// allocations. Both search paths give the same answers when the bitmap mirrors the tree.

import type { VadTree } from './vad';

export const PAGE_SIZE = 0x1000;
/** Allocation granularity: reserved ranges start on a 64 KB boundary. */
export const ALLOCATION_GRANULARITY = 0x10000;
/** Lowest address a NULL-base search may return. */
export const MM_LOWEST_USER_ADDRESS = 0x10000;
/** No allocation may end above this byte. */
export const MM_HIGHEST_VAD_ADDRESS = 0x7fffffdffff;
/** Largest ZeroBits value left after the x64 translation. */
export const MM_MAXIMUM_ZERO_BITS = 53;
/** Default UMAB size: one mapped hyperspace page = 0x8000 bits, so LastVadBit = 0x7FFF (VA < 2 GB). */
export const UMAB_DEFAULT_BITS = 0x8000;

const GRAN = ALLOCATION_GRANULARITY;
/** VPNs per 64 KB granule. */
const VPNS_PER_GRAN = GRAN / PAGE_SIZE;
const ALL_ONES_64 = (1n << 64n) - 1n;

/**
 * The x64 reading of the ZeroBits argument: 0 means no limit; 1..31 counts zero bits from bit 31
 * down (so 32 is added); 32 and above is an address mask, giving 63 minus the index of its highest
 * set bit. Anything that ends above 53 is invalid (STATUS_INVALID_PARAMETER_3 for allocate,
 * _4 for map view). The argument is a ULONG_PTR, so it is read modulo 2^64.
 */
export function translateZeroBits(zeroBits: bigint): { ok: true; zeroBits: number } | { ok: false } {
  const z = BigInt.asUintN(64, zeroBits);
  let translated: number;
  if (z === 0n) translated = 0;
  else if (z < 32n) translated = Number(z) + 32;
  else translated = 63 - (z.toString(2).length - 1);
  return translated > MM_MAXIMUM_ZERO_BITS ? { ok: false } : { ok: true, zeroBits: translated };
}

function checkZeroBits(zeroBits: number): void {
  if (!Number.isInteger(zeroBits) || zeroBits < 0 || zeroBits > 63) {
    throw new RangeError(`translated ZeroBits must be 0..63, got ${zeroBits}`);
  }
}

/** 0xFFFFFFFF'FFFFFFFF >> zeroBits, uncapped. */
export function rawTopAddress(zeroBits: number): bigint {
  checkZeroBits(zeroBits);
  return ALL_ONES_64 >> BigInt(zeroBits);
}

/**
 * Highest byte a range may end on for a translated ZeroBits value, capped at
 * MM_HIGHEST_VAD_ADDRESS (so 0, meaning "no limit", gives 0x7FFFFFDFFFF).
 */
export function topAddressFor(zeroBits: number): number {
  checkZeroBits(zeroBits);
  if (zeroBits === 0 || 64 - zeroBits > 53) return MM_HIGHEST_VAD_ADDRESS;
  return Math.min(MM_HIGHEST_VAD_ADDRESS, 2 ** (64 - zeroBits) - 1);
}

/**
 * The exact NtAllocateVirtualMemory (NULL base) rule: ZeroBits 0 gives MM_HIGHEST_VAD_ADDRESS;
 * any other value whose top address lies above MM_HIGHEST_VAD_ADDRESS is rejected with
 * STATUS_INVALID_PARAMETER_3 (this only happens for masks whose highest set bit is 42..62).
 */
export function allocateTopAddress(zeroBits: number): { ok: true; topAddress: number } | { ok: false } {
  if (zeroBits === 0) return { ok: true, topAddress: MM_HIGHEST_VAD_ADDRESS };
  if (rawTopAddress(zeroBits) > BigInt(MM_HIGHEST_VAD_ADDRESS)) return { ok: false };
  return { ok: true, topAddress: topAddressFor(zeroBits) };
}

/**
 * UMAB: bit n says whether any VAD overlaps the 64 KB block [n * 0x10000, (n + 1) * 0x10000).
 * Bit n is bit (n & 7) of byte (n >> 3). Only VA below sizeInBits * 64 KB (2 GB by default) is
 * covered; ranges above it leave the bitmap alone.
 *
 * Keeping it in sync: call setRange when a VAD is inserted and refresh (not clearRange) when one
 * is removed or shrunk, because a block may still be used by another VAD that shares it.
 */
export class UserAddressBitmap {
  readonly sizeInBits: number;
  private readonly bits: Uint8Array;

  constructor(sizeInBits: number = UMAB_DEFAULT_BITS) {
    if (!Number.isInteger(sizeInBits) || sizeInBits <= 0 || sizeInBits % 8 !== 0) {
      throw new RangeError(`UMAB size must be a positive multiple of 8 bits, got ${sizeInBits}`);
    }
    this.sizeInBits = sizeInBits;
    this.bits = new Uint8Array(sizeInBits / 8);
  }

  /** Builds a bitmap whose bits follow the VADs of a tree. */
  static fromTree(tree: VadTree, sizeInBits: number = UMAB_DEFAULT_BITS): UserAddressBitmap {
    const bm = new UserAddressBitmap(sizeInBits);
    for (const v of tree.inOrder()) {
      if (v.startVpn * PAGE_SIZE >= bm.limitVa) break;
      bm.setRange(v.startVpn * PAGE_SIZE, v.endVpn * PAGE_SIZE + PAGE_SIZE - 1);
    }
    return bm;
  }

  /** Index of the last valid bit (_MMWSL.LastVadBit). */
  get lastVadBit(): number {
    return this.sizeInBits - 1;
  }

  /** First VA the bitmap does not cover (0x80000000 by default). */
  get limitVa(): number {
    return this.sizeInBits * GRAN;
  }

  get sizeInBytes(): number {
    return this.bits.length;
  }

  isSet(block: number): boolean {
    if (!Number.isInteger(block) || block < 0) throw new RangeError(`bad UMAB block ${block}`);
    if (block >= this.sizeInBits) return false;
    return (this.bits[block >> 3] & (1 << (block & 7))) !== 0;
  }

  /** Byte i of the bitmap buffer, as a debugger dump of 0xFFFFF700'00000000 + i shows it. */
  byteAt(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.bits.length) throw new RangeError(`bad UMAB byte index ${i}`);
    return this.bits[i];
  }

  /** A copy of the whole buffer. */
  copyBytes(): Uint8Array {
    return this.bits.slice();
  }

  /** Sets the bit of every block that [startVa, endVa] (inclusive) touches, within coverage. */
  setRange(startVa: number, endVa: number): void {
    this.fill(startVa, endVa, true);
  }

  /** Clears the bit of every block that [startVa, endVa] touches, whatever else uses the block. */
  clearRange(startVa: number, endVa: number): void {
    this.fill(startVa, endVa, false);
  }

  /** Recomputes from the tree the bits of the blocks that [startVa, endVa] touches. */
  refresh(tree: VadTree, startVa: number, endVa: number): void {
    const span = this.blockSpan(startVa, endVa);
    if (span === undefined) return;
    for (let b = span[0]; b <= span[1]; b++) {
      this.write(b, tree.findOverlapping(b * VPNS_PER_GRAN, b * VPNS_PER_GRAN + VPNS_PER_GRAN - 1) !== undefined);
    }
  }

  /** Lowest set bit in [from, to], or -1. */
  firstSetIn(from: number, to: number): number {
    const last = Math.min(to, this.sizeInBits - 1);
    let i = Math.max(from, 0);
    while (i <= last) {
      if ((i & 7) === 0 && this.bits[i >> 3] === 0) {
        i += 8;
        continue;
      }
      if (this.get(i)) return i;
      i++;
    }
    return -1;
  }

  /** Highest set bit in [from, to], or -1. */
  lastSetIn(from: number, to: number): number {
    const first = Math.max(from, 0);
    let i = Math.min(to, this.sizeInBits - 1);
    while (i >= first) {
      if ((i & 7) === 7 && this.bits[i >> 3] === 0) {
        i -= 8;
        continue;
      }
      if (this.get(i)) return i;
      i--;
    }
    return -1;
  }

  /** For a set bit b: the last bit of the run of set bits that contains b. */
  setRunEnd(b: number): number {
    let i = b;
    while (i + 1 < this.sizeInBits) {
      if (((i + 1) & 7) === 0 && this.bits[(i + 1) >> 3] === 0xff) {
        i += 8;
        continue;
      }
      if (!this.get(i + 1)) break;
      i++;
    }
    return i;
  }

  /** For a set bit b: the first bit of the run of set bits that contains b. */
  setRunStart(b: number): number {
    let i = b;
    while (i > 0) {
      if ((i & 7) === 0 && i >= 8 && this.bits[(i - 8) >> 3] === 0xff) {
        i -= 8;
        continue;
      }
      if (!this.get(i - 1)) break;
      i--;
    }
    return i;
  }

  private get(i: number): boolean {
    return (this.bits[i >> 3] & (1 << (i & 7))) !== 0;
  }

  private write(i: number, on: boolean): void {
    if (on) this.bits[i >> 3] |= 1 << (i & 7);
    else this.bits[i >> 3] &= ~(1 << (i & 7));
  }

  private blockSpan(startVa: number, endVa: number): [number, number] | undefined {
    if (!Number.isSafeInteger(startVa) || !Number.isSafeInteger(endVa) || startVa < 0 || endVa < startVa) {
      throw new RangeError(`bad VA range ${startVa}-${endVa}`);
    }
    if (startVa >= this.limitVa) return undefined;
    return [Math.floor(startVa / GRAN), Math.min(Math.floor(endVa / GRAN), this.sizeInBits - 1)];
  }

  private fill(startVa: number, endVa: number, on: boolean): void {
    const span = this.blockSpan(startVa, endVa);
    if (span === undefined) return;
    for (let b = span[0]; b <= span[1]; b++) this.write(b, on);
  }
}

export interface FreeRangeOptions {
  /** MEM_TOP_DOWN: return the highest fitting start instead of the lowest. */
  topDown: boolean;
  /** Highest byte the range may end on (from topAddressFor); clamped to MM_HIGHEST_VAD_ADDRESS. */
  topAddress: number;
  /** Start alignment, a power of two >= one page; 64 KB by default (2 MB for large pages). */
  alignment?: number;
  /**
   * When given, blocks below bitmap.limitVa are judged by the bitmap and only higher ones by the
   * tree, as Windows does. The bitmap must mirror the tree; the answer is then the same.
   */
  bitmap?: UserAddressBitmap;
}

/**
 * Finds a start VA for a NULL-base allocation of `size` bytes (already rounded to pages).
 * A candidate start is aligned, >= 0x10000, ends at or below the top address, and every 64 KB
 * block it touches is free of VADs. Working in whole blocks is what the UMAB does; it also means
 * the unused tail of a block after a small allocation is never handed out. Returns undefined when
 * nothing fits (STATUS_NO_MEMORY).
 */
export function findFreeRange(tree: VadTree, size: number, opts: FreeRangeOptions): number | undefined {
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`bad allocation size ${size}`);
  const align = opts.alignment ?? GRAN;
  if (!Number.isSafeInteger(align) || align < PAGE_SIZE || !Number.isInteger(Math.log2(align))) {
    throw new RangeError(`alignment must be a power of two >= 0x1000, got ${align}`);
  }
  if (!Number.isFinite(opts.topAddress)) throw new RangeError(`bad top address ${opts.topAddress}`);
  const top = Math.min(opts.topAddress, MM_HIGHEST_VAD_ADDRESS);
  const space = new BlockOccupancy(tree, opts.bitmap);

  if (!opts.topDown) {
    let cursor = MM_LOWEST_USER_ADDRESS;
    for (;;) {
      const start = Math.ceil(cursor / align) * align;
      const end = start + size - 1;
      if (end > top) return undefined;
      const busy = space.firstBusy(Math.floor(start / GRAN), Math.floor(end / GRAN));
      if (busy < 0) return start;
      cursor = (space.busyRunEnd(busy) + 1) * GRAN;
    }
  }

  let limit = top; // highest byte the range may end on
  for (;;) {
    const start = Math.floor((limit - size + 1) / align) * align;
    if (start < MM_LOWEST_USER_ADDRESS) return undefined;
    const end = start + size - 1;
    const busy = space.lastBusy(Math.floor(start / GRAN), Math.floor(end / GRAN));
    if (busy < 0) return start;
    limit = space.busyRunStart(busy) * GRAN - 1;
  }
}

/** "Is this 64 KB block used?" answered by the bitmap below its limit and by the tree above. */
class BlockOccupancy {
  /** First block judged by the tree. */
  private readonly split: number;

  constructor(
    private readonly tree: VadTree,
    private readonly bitmap: UserAddressBitmap | undefined,
  ) {
    this.split = bitmap === undefined ? 0 : bitmap.sizeInBits;
  }

  /** Lowest used block in [g0, g1], or -1. */
  firstBusy(g0: number, g1: number): number {
    let lo = g0;
    if (lo < this.split) {
      const hit = this.bitmap!.firstSetIn(lo, Math.min(g1, this.split - 1));
      if (hit >= 0) return hit;
      if (g1 < this.split) return -1;
      lo = this.split;
    }
    const v = this.tree.findOverlapping(lo * VPNS_PER_GRAN, g1 * VPNS_PER_GRAN + VPNS_PER_GRAN - 1);
    return v === undefined ? -1 : Math.max(lo, Math.floor(v.startVpn / VPNS_PER_GRAN));
  }

  /** Highest used block in [g0, g1], or -1. */
  lastBusy(g0: number, g1: number): number {
    let hi = g1;
    if (hi >= this.split) {
      const lo = Math.max(g0, this.split);
      const v = this.tree.lastStartingAtOrBefore(hi * VPNS_PER_GRAN + VPNS_PER_GRAN - 1);
      if (v !== undefined && v.endVpn >= lo * VPNS_PER_GRAN) return Math.min(hi, Math.floor(v.endVpn / VPNS_PER_GRAN));
      if (g0 >= this.split) return -1;
      hi = this.split - 1;
    }
    return this.bitmap!.lastSetIn(g0, hi);
  }

  /** For a used block b: a block at or above b after which the search may resume. */
  busyRunEnd(b: number): number {
    if (b < this.split) return this.bitmap!.setRunEnd(b);
    const v = this.tree.findOverlapping(b * VPNS_PER_GRAN, b * VPNS_PER_GRAN + VPNS_PER_GRAN - 1)!;
    return Math.floor(v.endVpn / VPNS_PER_GRAN);
  }

  /** For a used block b: a block at or below b under which the search may resume. */
  busyRunStart(b: number): number {
    if (b < this.split) return this.bitmap!.setRunStart(b);
    const v = this.tree.lastStartingAtOrBefore(b * VPNS_PER_GRAN + VPNS_PER_GRAN - 1)!;
    return Math.max(this.split, Math.floor(v.startVpn / VPNS_PER_GRAN));
  }
}
