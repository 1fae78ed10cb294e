/**
 * Bit-exact _MMPTE formats of Windows 7 x64. Hot paths keep a PTE as two unsigned 32-bit halves
 * (lo = bits 0-31, hi = bits 32-63) so that no bigint is created per access; this module packs
 * and unpacks those halves, classifies a value into the format the memory manager would read it
 * with, and decodes it into named fields for views.
 *
 * Layouts (book-B §8, book-C §1):
 *  valid (hardware): 0 P, 1 R/W ("Dirty1"), 2 U/S, 3 PWT, 4 PCD, 5 A, 6 D, 7 PAT, 8 G,
 *                    9 CopyOnWrite (sw), 11 Write (sw), 12-47 PFN, 52-62 SoftwareWsIndex, 63 NX
 *  software:         1-4 PageFileLow, 5-9 Protection, 10 Prototype=0, 11 Transition=0,
 *                    12-21 UsedPageTableEntries, 22 InStore, 32-63 PageFileHigh
 *  transition:       1 Write, 2 Owner, 3 PWT, 4 PCD, 5-9 Protection, 11 Transition=1, 12-47 PFN
 *  prototype:        10 Prototype=1, 5-9 Protection, 16-63 ProtoAddress (all ones = "use the VAD")
 *  subsection:       10 = 1, 5-9 Protection, 16-63 SubsectionAddress (in prototype PTEs/OriginalPte)
 */

export const P = 0x1;
export const RW = 0x2;
export const US = 0x4;
export const PWT = 0x8;
export const PCD = 0x10;
export const ACCESSED = 0x20;
export const DIRTY = 0x40;
export const PAT = 0x80;
export const LARGE = 0x80; // in a PDE
export const GLOBAL = 0x100;
export const COPY_ON_WRITE = 0x200;
export const PROTOTYPE = 0x400;
export const TRANSITION = 0x800;
export const SW_WRITE = 0x800;
export const HI_NX = 0x80000000;

/** Low bits of a user paging-structure entry (PXE/PPE/PDE): present, writable, user, accessed, dirty, Write — …867. */
export const USER_TABLE_BITS = P | RW | US | ACCESSED | DIRTY | SW_WRITE;

/** PFN of a valid or transition PTE (bits 12-47). */
export const ptePfn = (lo: number, hi: number): number => (lo >>> 12) + (hi & 0xffff) * 0x100000;
export const pfnLo = (pfn: number): number => ((pfn % 0x100000) * 0x1000) >>> 0;
export const pfnHi = (pfn: number): number => Math.floor(pfn / 0x100000) & 0xffff;

export const protectionOf = (lo: number): number => (lo >>> 5) & 0x1f;
export const softwareWsIndex = (hi: number): number => (hi >>> 20) & 0x7ff;
export const withWsIndex = (hi: number, wsIndex: number): number => ((hi & ~(0x7ff << 20)) | ((wsIndex & 0x7ff) << 20)) >>> 0;

export const toBig = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
export const loOf = (v: bigint): number => Number(v & 0xffffffffn);
export const hiOf = (v: bigint): number => Number((v >> 32n) & 0xffffffffn);

/** A demand-zero (protection-only) software PTE: `protection << 5`. */
export const demandZeroLo = (protection: number): number => (protection & 0x1f) << 5;
export const DECOMMITTED_PROTECTION = 0x10;
export const DECOMMITTED_LO = 0x200;

/** Paging-file software PTE. */
export const pageFileLo = (protection: number, pageFileLow: number): number => ((protection & 0x1f) << 5) | ((pageFileLow & 0xf) << 1);

/** The proto-pointer with the "find it through the VAD" marker (book-C §1.4): 0xFFFFFFFF00000480 for RW. */
export const protoVadLo = (protection: number): number => PROTOTYPE | ((protection & 0x1f) << 5);
export const PROTO_VAD_HI = 0xffffffff;

export type PteKind = 'valid' | 'zero' | 'demandZero' | 'decommitted' | 'transition' | 'pagefile' | 'prototype' | 'subsection';

/**
 * Classifies a PTE value as the memory manager reads it. `inHardwareSlot` says whether the
 * value sits in a hardware PTE (then bit 10 means proto-pointer) or in a prototype PTE /
 * OriginalPte (then it means subsection pointer).
 */
export function classify(lo: number, hi: number, inHardwareSlot = true): PteKind {
  if (lo & P) return 'valid';
  if (lo & PROTOTYPE) return inHardwareSlot ? 'prototype' : 'subsection';
  if (lo & TRANSITION) return 'transition';
  if (lo === 0 && hi === 0) return 'zero';
  if (protectionOf(lo) === DECOMMITTED_PROTECTION && hi === 0 && ((lo >>> 1) & 0xf) === 0) return 'decommitted';
  if (hi === 0 && ((lo >>> 1) & 0xf) === 0) return 'demandZero';
  return 'pagefile';
}

export interface DecodedPte {
  raw: bigint;
  kind: PteKind;
  [field: string]: bigint | number | boolean | string;
}

/** Decodes a PTE value into the named fields of its format (names as the book / WinDbg use them). */
export function decodePte(lo: number, hi: number, inHardwareSlot = true): DecodedPte {
  const kind = classify(lo, hi, inHardwareSlot);
  const raw = toBig(lo, hi);
  switch (kind) {
    case 'valid':
      return {
        raw, kind,
        valid: true,
        write: (lo & RW) !== 0,
        owner: (lo & US) !== 0 ? 1 : 0,
        writeThrough: (lo & PWT) !== 0,
        cacheDisable: (lo & PCD) !== 0,
        accessed: (lo & ACCESSED) !== 0,
        dirty: (lo & DIRTY) !== 0,
        largePage: (lo & LARGE) !== 0,
        global: (lo & GLOBAL) !== 0,
        copyOnWrite: (lo & COPY_ON_WRITE) !== 0,
        softwareWrite: (lo & SW_WRITE) !== 0,
        pfn: ptePfn(lo, hi),
        softwareWsIndex: softwareWsIndex(hi),
        nx: (hi & HI_NX) !== 0,
      };
    case 'transition':
      return {
        raw, kind, valid: false,
        write: (lo & RW) !== 0,
        owner: (lo & US) !== 0 ? 1 : 0,
        writeThrough: (lo & PWT) !== 0,
        cacheDisable: (lo & PCD) !== 0,
        protection: protectionOf(lo),
        transition: true,
        pfn: ptePfn(lo, hi),
      };
    case 'prototype':
      return {
        raw, kind, valid: false, prototype: true,
        protection: protectionOf(lo),
        protoAddress: (raw >> 16n) | 0xffff000000000000n,
        viaVad: hi === 0xffffffff,
      };
    case 'subsection':
      return {
        raw, kind, valid: false, prototype: true,
        protection: protectionOf(lo),
        subsectionAddress: (raw >> 16n) | 0xffff000000000000n,
      };
    default:
      return {
        raw, kind, valid: false,
        protection: protectionOf(lo),
        pageFileNumber: (lo >>> 1) & 0xf,
        pageFileOffset: hi >>> 0,
        usedPageTableEntries: (lo >>> 12) & 0x3ff,
        inStore: ((lo >>> 22) & 1) === 1,
      };
  }
}

/** WinDbg `!pte` flag letters for a valid entry, e.g. `---DA--UWEV`. */
export function pteFlagLetters(lo: number, hi: number): string {
  if (!(lo & P)) return '';
  const c = (b: boolean, ch: string) => (b ? ch : '-');
  return (
    c((lo & COPY_ON_WRITE) !== 0, 'C') +
    c((lo & GLOBAL) !== 0, 'G') +
    c((lo & LARGE) !== 0, 'L') +
    c((lo & DIRTY) !== 0, 'D') +
    c((lo & ACCESSED) !== 0, 'A') +
    c((lo & PCD) !== 0, 'N') +
    c((lo & PWT) !== 0, 'T') +
    ((lo & US) !== 0 ? 'U' : 'K') +
    ((lo & RW) !== 0 ? 'W' : 'R') +
    c((hi & HI_NX) === 0, 'E') +
    'V'
  );
}
