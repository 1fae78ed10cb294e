/**
 * Address arithmetic of Windows 7 x64: page numbers, the four table indexes of a VA, and the
 * self-map (PML4 auto-entry 0x1ED) that makes every paging structure visible at a fixed virtual
 * address. Two flavours: exact `bigint` helpers for display and tests (all 64 bits), and fast
 * `number` helpers for the hot paths, which only ever handle user addresses (< 2^47) and
 * "PTE slot numbers" (the 8-byte index of an entry inside the 512 GB self-map window, < 2^36).
 */

export const PAGE_SIZE = 0x1000;
export const PAGE_SHIFT = 12;
export const ENTRIES_PER_TABLE = 512;
export const ALLOCATION_GRANULARITY = 0x10000;

export const SELFMAP_INDEX = 0x1ed;
export const HYPERSPACE_INDEX = 0x1ee;
export const SESSION_INDEX = 0x1f2;

export const PTE_BASE = 0xfffff68000000000n;
export const PTE_TOP = 0xfffff70000000000n;
export const PDE_BASE = 0xfffff6fb40000000n;
export const PPE_BASE = 0xfffff6fb7da00000n;
export const PXE_BASE = 0xfffff6fb7dbed000n;
export const PXE_SELFMAP = 0xfffff6fb7dbedf68n;

export const HYPERSPACE_BASE = 0xfffff70000000000n;
export const UMAB_VA = 0xfffff70000000000n;
export const UMPB_VA = 0xfffff70001000000n;
export const MMWSL_VA = 0xfffff70001080000n;
export const MMWSL_SIZE = 0x488;
export const WSLE_ARRAY_VA = MMWSL_VA + BigInt(MMWSL_SIZE);
export const PFN_DATABASE_BASE = 0xfffffa8000000000n;
export const MMPFN_SIZE = 0x30;

/** Highest user address + 1 (8 TB). */
export const USER_LIMIT = 0x80000000000;
export const MM_HIGHEST_USER_ADDRESS = 0x7fffffeffff;
export const MM_HIGHEST_VAD_ADDRESS = 0x7fffffdffff;
export const MM_LOWEST_USER_ADDRESS = 0x10000;

const M64 = (1n << 64n) - 1n;

export function signExtend48(v: bigint): bigint {
  v &= (1n << 48n) - 1n;
  return (v >> 47n) & 1n ? v | (0xffffn << 48n) : v;
}

export function isCanonical(va: bigint): boolean {
  const top = (va & M64) >> 47n;
  return top === 0n || top === 0x1ffffn;
}

export const pteVa = (va: bigint): bigint => PTE_BASE + (((va & M64) >> 9n) & 0x7ffffffff8n);
export const pdeVa = (va: bigint): bigint => PDE_BASE + (((va & M64) >> 18n) & 0x3ffffff8n);
export const ppeVa = (va: bigint): bigint => PPE_BASE + (((va & M64) >> 27n) & 0x1ffff8n);
export const pxeVa = (va: bigint): bigint => PXE_BASE + (((va & M64) >> 36n) & 0xff8n);
export const vaFromPteVa = (p: bigint): bigint => signExtend48((p << 9n) & M64);
export const vaFromPdeVa = (p: bigint): bigint => signExtend48((p << 18n) & M64);
export const vaFromPpeVa = (p: bigint): bigint => signExtend48((p << 27n) & M64);
export const vaFromPxeVa = (p: bigint): bigint => signExtend48((p << 36n) & M64);

/** The four table indexes of a VA, PML4 first. */
export function tableIndexes(va: bigint): [number, number, number, number] {
  const v = va & M64;
  return [Number((v >> 39n) & 0x1ffn), Number((v >> 30n) & 0x1ffn), Number((v >> 21n) & 0x1ffn), Number((v >> 12n) & 0x1ffn)];
}

/** Address of the _MMPFN of a page, as WinDbg's !pfn prints it. */
export const mmpfnAddress = (pfn: number): bigint => PFN_DATABASE_BASE + BigInt(pfn) * BigInt(MMPFN_SIZE);

// ---- fast number helpers -------------------------------------------------------------------

/**
 * A "slot" is the 36-bit VPN of any canonical address (the low 36 bits of va >> 12). The PTE of
 * slot s sits at PTE_BASE + 8*s; its PDE is the PTE of that PTE address, i.e. slot
 * (0x1ED << 27 | s >> 9) — which is how the self-map stacks the levels.
 */
export const SLOT_MASK = 0xfffffffff; // 36 bits
const SELFMAP_SLOT_PREFIX = SELFMAP_INDEX * 2 ** 27; // PML4 index 0x1ED in the top 9 of 36 bits

/** Slot (VPN, 36 bits) of a user VA given as a number. */
export const vpnOf = (va: number): number => Math.floor(va / PAGE_SIZE);

/** Slot of the page that holds the entry for `slot` one level up (PTE slot -> PDE slot ...). */
export const parentSlot = (slot: number): number => SELFMAP_SLOT_PREFIX + Math.floor(slot / 512);

/** VA (bigint) of the entry that maps `slot` — i.e. PTE_BASE + 8*slot. */
export const entryVaOfSlot = (slot: number): bigint => PTE_BASE + BigInt(slot) * 8n;

/** Inverse of entryVaOfSlot for addresses in the self-map window. */
export const slotOfEntryVa = (entryVa: bigint): number => Number((entryVa - PTE_BASE) / 8n);

/** Canonical VA (bigint) of the first byte of a slot. */
export const vaOfSlot = (slot: number): bigint => signExtend48(BigInt(slot) << 12n);

/** Slot of any canonical VA. */
export const slotOfVa = (va: bigint): number => Number(((va & M64) >> 12n) & 0xfffffffffn);

/** Index of a slot's entry within its table (the low 9 bits). */
export const indexInTable = (slot: number): number => slot % 512;

export function hex(v: bigint | number, width = 0): string {
  const s = (typeof v === 'bigint' ? (v & M64) : BigInt(v)).toString(16);
  return '0x' + (width ? s.padStart(width, '0') : s);
}

/** WinDbg-style hex with a backtick between the halves: 0xfffff680`00000e00. */
export function hexTick(v: bigint): string {
  const s = (v & M64).toString(16).padStart(16, '0');
  return `0x${s.slice(0, 8)}\`${s.slice(8)}`;
}
