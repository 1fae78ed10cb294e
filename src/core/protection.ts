// The memory manager's 5-bit protection code (stored in VADs and in bits 5-9 of software PTEs)
// and everything derived from it: conversion to and from Win32 PAGE_* values, validation of
// PAGE_* arguments, the access-check matrix, the caching type selected by bits 4:3, and the
// MmProtectToPteMask entry that seeds a valid hardware PTE when a fault is resolved.
//
// Code layout: bits 2:0 = access kind (0 none, 1 ReadOnly, 2 Execute, 3 ExecuteRead,
// 4 ReadWrite, 5 WriteCopy, 6 ExecuteReadWrite, 7 ExecuteWriteCopy); bits 4:3 = 00 cached,
// 01 no-cache, 10 guard, 11 write-combine. With access kind 0, 0x18 is "no access" and 0x10
// is the marker written into the PTE of a decommitted private page.

import {
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
  PAGE_GUARD,
  PAGE_NOACCESS,
  PAGE_NOCACHE,
  PAGE_READONLY,
  PAGE_READWRITE,
  PAGE_WRITECOMBINE,
  PAGE_WRITECOPY,
} from './winconst';

// ---------------------------------------------------------------------------------------------
// MM_* protection codes
// ---------------------------------------------------------------------------------------------

export const MM_ZERO_ACCESS = 0;
export const MM_READONLY = 1;
export const MM_EXECUTE = 2;
export const MM_EXECUTE_READ = 3;
export const MM_READWRITE = 4;
export const MM_WRITECOPY = 5;
export const MM_EXECUTE_READWRITE = 6;
export const MM_EXECUTE_WRITECOPY = 7;
export const MM_NOCACHE = 0x08;
export const MM_GUARD_PAGE = 0x10;
export const MM_WRITECOMBINE = 0x18;
/** Access kind 0 with bits 4:3 = 11: what PAGE_NOACCESS becomes. */
export const MM_NOACCESS = 0x18;
/** Access kind 0 with bits 4:3 = 10: the decommitted-page marker (software PTE 0x200). */
export const MM_DECOMMIT = 0x10;

/** Bits 2:0 of a protection code. */
export const MM_PROTECT_ACCESS_MASK = 0x07;
/** Bits 4:3 of a protection code (cache / guard field). */
export const MM_PROTECT_SPECIAL_MASK = 0x18;
/** Number of distinct codes (5 bits). */
export const MM_PROTECTION_CODES = 32;

export type AccessKind = 'read' | 'write' | 'execute';
export type CacheKind = 'cached' | 'noncached' | 'writecombined';

function checkCode(code: number): number {
  if (!Number.isInteger(code) || code < 0 || code >= MM_PROTECTION_CODES) {
    throw new RangeError(`not a 5-bit protection code: ${code}`);
  }
  return code;
}

function accessKindOf(code: number): number {
  return checkCode(code) & MM_PROTECT_ACCESS_MASK;
}

function specialBitsOf(code: number): number {
  return (checkCode(code) & MM_PROTECT_SPECIAL_MASK) >>> 3;
}

// ---------------------------------------------------------------------------------------------
// Win32 PAGE_* <-> MM code
// ---------------------------------------------------------------------------------------------

const PAGE_BASE_MASK = 0xff;
const PAGE_WRITECOPY_ANY = PAGE_WRITECOPY | PAGE_EXECUTE_WRITECOPY;

/** Win32 base protection (exactly one bit of the low byte) -> access kind. */
const KIND_OF_BASE: ReadonlyMap<number, number> = new Map([
  [PAGE_NOACCESS, MM_ZERO_ACCESS],
  [PAGE_READONLY, MM_READONLY],
  [PAGE_EXECUTE, MM_EXECUTE],
  [PAGE_EXECUTE_READ, MM_EXECUTE_READ],
  [PAGE_READWRITE, MM_READWRITE],
  [PAGE_WRITECOPY, MM_WRITECOPY],
  [PAGE_EXECUTE_READWRITE, MM_EXECUTE_READWRITE],
  [PAGE_EXECUTE_WRITECOPY, MM_EXECUTE_WRITECOPY],
]);

/** Access kind -> Win32 base protection (kind 0 reads back as PAGE_NOACCESS). */
const BASE_OF_KIND: readonly number[] = [
  PAGE_NOACCESS,
  PAGE_READONLY,
  PAGE_EXECUTE,
  PAGE_EXECUTE_READ,
  PAGE_READWRITE,
  PAGE_WRITECOPY,
  PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY,
];

/** Bits 4:3 -> Win32 modifier. */
const MODIFIER_OF_SPECIAL: readonly number[] = [0, PAGE_NOCACHE, PAGE_GUARD, PAGE_WRITECOMBINE];

/**
 * Validity of a PAGE_* argument (api-spec §4.1): below 0x800; exactly one of the two low nibbles
 * non-zero and that nibble a single bit; GUARD not with NOACCESS/NOCACHE/WRITECOMBINE; NOCACHE not
 * with NOACCESS/WRITECOMBINE; WRITECOMBINE not with NOACCESS.
 */
export function isValidWin32Protection(p: number): boolean {
  if (!Number.isInteger(p) || p < 0 || p >= 0x800) return false;
  const lo = p & 0x0f;
  const hi = (p >>> 4) & 0x0f;
  if ((lo !== 0) === (hi !== 0)) return false;
  const nibble = lo !== 0 ? lo : hi;
  if (nibble !== 1 && nibble !== 2 && nibble !== 4 && nibble !== 8) return false;
  const noAccess = (p & PAGE_BASE_MASK) === PAGE_NOACCESS;
  const guard = (p & PAGE_GUARD) !== 0;
  const noCache = (p & PAGE_NOCACHE) !== 0;
  const writeCombine = (p & PAGE_WRITECOMBINE) !== 0;
  if (guard && (noAccess || noCache || writeCombine)) return false;
  if (noCache && (noAccess || writeCombine)) return false;
  if (writeCombine && noAccess) return false;
  return true;
}

/** PAGE_* value -> 5-bit code (book-A Table 3), or -1 when the value is invalid per §4.1. */
export function win32ToMmProtection(p: number): number {
  if (!isValidWin32Protection(p)) return -1;
  const base = p & PAGE_BASE_MASK;
  if (base === PAGE_NOACCESS) return MM_NOACCESS;
  let code = KIND_OF_BASE.get(base)!;
  if ((p & PAGE_GUARD) !== 0) code |= MM_GUARD_PAGE;
  if ((p & PAGE_NOCACHE) !== 0) code |= MM_NOCACHE;
  if ((p & PAGE_WRITECOMBINE) !== 0) code |= MM_WRITECOMBINE;
  return code;
}

/**
 * 5-bit code -> PAGE_* value (base protection plus GUARD/NOCACHE/WRITECOMBINE from bits 4:3).
 * Every code with access kind 0 (0, 0x08, 0x10 decommitted, 0x18 no-access) gives PAGE_NOACCESS.
 */
export function mmProtectionToWin32(code: number): number {
  const kind = accessKindOf(code);
  if (kind === MM_ZERO_ACCESS) return PAGE_NOACCESS;
  return BASE_OF_KIND[kind]! | MODIFIER_OF_SPECIAL[specialBitsOf(code)]!;
}

/** True when a PAGE_* value asks for copy-on-write (PAGE_WRITECOPY or PAGE_EXECUTE_WRITECOPY). */
export function isWriteCopy(p: number): boolean {
  return (p & PAGE_WRITECOPY_ANY) !== 0;
}

/** True when a 5-bit code's access kind is WriteCopy or ExecuteWriteCopy. */
export function isWriteCopyCode(code: number): boolean {
  const kind = accessKindOf(code);
  return kind === MM_WRITECOPY || kind === MM_EXECUTE_WRITECOPY;
}

/** Guard page: bits 4:3 = 10 on a code with a real access kind (0x10 alone is the decommit marker). */
export function isGuard(code: number): boolean {
  return specialBitsOf(code) === 2 && accessKindOf(code) !== MM_ZERO_ACCESS;
}

/** The code with its guard state removed (what the fault handler leaves after a guard hit). */
export function clearGuard(code: number): number {
  return isGuard(code) ? code & ~MM_GUARD_PAGE : code;
}

/** Code 0x10 exactly: the PTE marker of a decommitted private page. */
export function isDecommitMarker(code: number): boolean {
  return checkCode(code) === MM_DECOMMIT;
}

// ---------------------------------------------------------------------------------------------
// Caching (book-B §7.9, §8.5): driven by bits 4:3 only, for all 32 codes
// ---------------------------------------------------------------------------------------------

const CACHE_KIND_OF_SPECIAL: readonly CacheKind[] = ['cached', 'noncached', 'cached', 'writecombined'];
/** _MMPFN CacheAttribute (= MEMORY_CACHING_TYPE: 0 non-cached, 1 cached, 2 write-combined). */
const CACHE_ATTRIBUTE_OF_SPECIAL: readonly number[] = [1, 0, 1, 2];
/** PAT entry selected by the PTE's PAT/PCD/PWT bits. */
const PAT_INDEX_OF_SPECIAL: readonly number[] = [0, 2, 0, 1];

/** Memory caching type selected by a code's bits 4:3 (guard pages are cached). */
export function cacheKind(code: number): CacheKind {
  return CACHE_KIND_OF_SPECIAL[specialBitsOf(code)]!;
}

/** The 2-bit _MMPFN.u3.e1.CacheAttribute value for a code: 00->1, 01->0, 10->1, 11->2. */
export function cacheAttributeOf(code: number): number {
  return CACHE_ATTRIBUTE_OF_SPECIAL[specialBitsOf(code)]!;
}

/** PAT entry index (PAT<<2 | PCD<<1 | PWT) used by a PTE built for this code. */
export function patIndexOf(code: number): number {
  return PAT_INDEX_OF_SPECIAL[specialBitsOf(code)]!;
}

/** The PAT MSR (0x277) as Windows 7 programs it: entries WB, WC, UC-, UC, WB, WC, UC-, UC. */
export const PAT_MSR_WIN7 = 0x0007010600070106n;

// ---------------------------------------------------------------------------------------------
// MmProtectToPteMask
// ---------------------------------------------------------------------------------------------

const PTE_WRITE_THROUGH = 1 << 3; // PWT
const PTE_CACHE_DISABLE = 1 << 4; // PCD
const PTE_COPY_ON_WRITE = 1 << 9; // software
const PTE_SOFTWARE_WRITE = 1 << 11; // software "logically writable"
const PTE_HI_NO_EXECUTE = 0x80000000; // bit 63, in the high half

const EXECUTABLE_KINDS: ReadonlySet<number> = new Set([MM_EXECUTE, MM_EXECUTE_READ, MM_EXECUTE_READWRITE, MM_EXECUTE_WRITECOPY]);

/**
 * MmProtectToPteMask[code] as two unsigned 32-bit halves (value = hi * 2^32 + lo).
 *  - bit 63 (NX) for every non-executable access kind (0, ReadOnly, ReadWrite, WriteCopy);
 *  - bit 11 (software Write) for ReadWrite and ExecuteReadWrite;
 *  - bit 9 (CopyOnWrite) instead of bit 11 for WriteCopy and ExecuteWriteCopy, so a write-copy
 *    page is mapped read-only and its first write faults into the copy-on-write path;
 *  - PCD (bit 4) for bits 4:3 = 01, PWT (bit 3) for 11, nothing for 00/10; PAT (bit 7) never.
 * The hardware R/W bit (1) is never part of the mask: the fault handler sets it from bit 11.
 */
export function protectToPteMask(code: number): { lo: number; hi: number } {
  const kind = accessKindOf(code);
  const special = specialBitsOf(code);
  let lo = 0;
  if (kind === MM_READWRITE || kind === MM_EXECUTE_READWRITE) lo |= PTE_SOFTWARE_WRITE;
  if (kind === MM_WRITECOPY || kind === MM_EXECUTE_WRITECOPY) lo |= PTE_COPY_ON_WRITE;
  if (special === 1) lo |= PTE_CACHE_DISABLE;
  if (special === 3) lo |= PTE_WRITE_THROUGH;
  const hi = EXECUTABLE_KINDS.has(kind) ? 0 : PTE_HI_NO_EXECUTE;
  return { lo: lo >>> 0, hi: hi >>> 0 };
}

/** MmProtectToPteMask[code] as one 64-bit bigint. */
export function protectToPteMask64(code: number): bigint {
  const { lo, hi } = protectToPteMask(code);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** The whole 32-entry MmProtectToPteMask table. */
export const MM_PROTECT_TO_PTE_MASK: readonly bigint[] = Object.freeze(
  Array.from({ length: MM_PROTECTION_CODES }, (_, code) => protectToPteMask64(code)),
);

// ---------------------------------------------------------------------------------------------
// Access check (api-spec §4.3) and names
// ---------------------------------------------------------------------------------------------

const READABLE = 0b1111_1110; // kinds 1..7 (Execute is readable on x64)
const WRITABLE = 0b1111_0000; // kinds 4..7 (write-copy writes go through copy-on-write)
const EXECUTABLE = 0b1100_1100; // kinds 2, 3, 6, 7

/**
 * Whether the base protection of a committed page permits an access. Guard and cache bits are
 * ignored here (the guard one-shot is handled by the fault path); every access-kind-0 code
 * (including no-access and the decommit marker) permits nothing.
 */
export function accessAllowed(code: number, access: AccessKind): boolean {
  const bit = 1 << accessKindOf(code);
  switch (access) {
    case 'read':
      return (READABLE & bit) !== 0;
    case 'write':
      return (WRITABLE & bit) !== 0;
    case 'execute':
      return (EXECUTABLE & bit) !== 0;
  }
}

const KIND_NAMES: readonly string[] = [
  'ZeroAccess',
  'ReadOnly',
  'Execute',
  'ExecuteRead',
  'ReadWrite',
  'WriteCopy',
  'ReadWriteExecute',
  'ExecuteWriteCopy',
];
const SPECIAL_PREFIXES: readonly string[] = ['', 'NoCache', 'Guard', 'WriteCombine'];

/**
 * Debugger-style name of a code, as in "Protect: 4 - ReadWrite": 0x10 'Decommitted',
 * 0x18 'NoAccess', 0 'ZeroAccess' (MM_ZERO_ACCESS, never stored for a live page), otherwise the
 * access kind prefixed by NoCache / Guard / WriteCombine (e.g. 0x0C 'NoCacheReadWrite',
 * 0x14 'GuardReadWrite').
 */
export function protectionName(code: number): string {
  checkCode(code);
  if (code === MM_DECOMMIT) return 'Decommitted';
  if (code === MM_NOACCESS) return 'NoAccess';
  return SPECIAL_PREFIXES[specialBitsOf(code)]! + KIND_NAMES[accessKindOf(code)]!;
}

const PAGE_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [PAGE_NOACCESS, 'PAGE_NOACCESS'],
  [PAGE_READONLY, 'PAGE_READONLY'],
  [PAGE_READWRITE, 'PAGE_READWRITE'],
  [PAGE_WRITECOPY, 'PAGE_WRITECOPY'],
  [PAGE_EXECUTE, 'PAGE_EXECUTE'],
  [PAGE_EXECUTE_READ, 'PAGE_EXECUTE_READ'],
  [PAGE_EXECUTE_READWRITE, 'PAGE_EXECUTE_READWRITE'],
  [PAGE_EXECUTE_WRITECOPY, 'PAGE_EXECUTE_WRITECOPY'],
  [PAGE_GUARD, 'PAGE_GUARD'],
  [PAGE_NOCACHE, 'PAGE_NOCACHE'],
  [PAGE_WRITECOMBINE, 'PAGE_WRITECOMBINE'],
];

/** Symbolic form of a PAGE_* value, e.g. 0x104 -> "PAGE_READWRITE|PAGE_GUARD"; 0 -> "0". */
export function win32ProtectionName(p: number): string {
  const v = p >>> 0;
  if (v === 0) return '0';
  const parts: string[] = [];
  let rest = v;
  for (const [flag, name] of PAGE_FLAG_NAMES) {
    if ((v & flag) !== 0) {
      parts.push(name);
      rest &= ~flag;
    }
  }
  if (rest !== 0) parts.push('0x' + (rest >>> 0).toString(16).toUpperCase());
  return parts.join('|');
}
