/**
 * NtQueryVirtualMemory (api-spec §6.4). MemoryBasicInformation describes the region that starts
 * at the queried page: inside an allocation, the run of pages with the same state and protection
 * (never crossing into another allocation); in free space, everything up to the next allocation;
 * above 0x7FFFFFDFFFF, the synthetic reserved block Windows reports for the last 64 KB.
 * MemoryWorkingSetInformation lists the working set; MemoryWorkingSetExInformation describes
 * caller-chosen pages; MemoryMappedFilenameInformation is answered for views by the section
 * layer. MemoryRegionInformation (3) and every Windows 8+ class are STATUS_INVALID_INFO_CLASS.
 */
import { Actor } from '../journal';
import type { Machine } from '../machine';
import type { Process } from '../process';
import { mmProtectionToWin32 } from '../protection';
import { P, ptePfn } from '../pte';
import { slotOfWsle, WSLE_HASHED } from '../workingSet';
import {
  STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_ADDRESS, STATUS_INVALID_INFO_CLASS, STATUS_INVALID_PARAMETER,
  STATUS_PROCESS_IS_TERMINATING, STATUS_SUCCESS,
} from '../status';
import type { Vad } from '../vad';
import {
  MEM_COMMIT, MEM_FREE, MEM_IMAGE, MEM_MAPPED, MEM_PRIVATE, MEM_RESERVE, MemoryBasicInformation,
  MemoryMappedFilenameInformation, MemoryWorkingSetExInformation, MemoryWorkingSetInformation, PAGE_NOACCESS,
  PAGE_READONLY, PROCESS_QUERY_INFORMATION, SIZEOF_MEMORY_BASIC_INFORMATION,
} from '../winconst';
import { HIGHEST_USER_ADDRESS, HIGHEST_VAD_ADDRESS, isTerminating, PAGE, pageDown, systemLocksOf, u64, type U64Arg, USER_PROBE_ADDRESS, VAD_LIMIT, vpnOf } from './common';
import { type HandleValue, referenceProcess } from './handles';
import { absentPageCode, NOT_COMMITTED, privatePageCode, scanPtes } from './vadOps';
import { viewProvider } from './views';

/** MEMORY_BASIC_INFORMATION (x64, 48 bytes) with Windows' field names. */
export interface MemoryBasicInformationRecord {
  BaseAddress: number;
  AllocationBase: number;
  AllocationProtect: number;
  RegionSize: number;
  State: number;
  Protect: number;
  Type: number;
}

/** One MEMORY_WORKING_SET_BLOCK. */
export interface WorkingSetBlock {
  /** VA >> 12 of the page (52 bits; kernel-half pages such as page tables included). */
  VirtualPage: number;
  Protection: number;
  ShareCount: number;
  Shared: number;
  Node: number;
  /** The packed 64-bit block. */
  Block: bigint;
}

/** One MEMORY_WORKING_SET_EX_INFORMATION entry. */
export interface WorkingSetExEntry {
  VirtualAddress: number;
  Valid: number;
  ShareCount: number;
  Win32Protection: number;
  Shared: number;
  Node: number;
  Locked: number;
  LargePage: number;
  /** The packed Attributes word. */
  Attributes: number;
}

export interface NtQueryResult extends Partial<MemoryBasicInformationRecord> {
  status: number;
  /** *ReturnLength: bytes written (48 for basic information). */
  returnLength: number;
  /** MemoryWorkingSetInformation: NumberOfEntries (also set when the buffer is too small). */
  NumberOfEntries?: number;
  WorkingSetInfo?: WorkingSetBlock[];
  /** MemoryWorkingSetExInformation: one entry per requested address. */
  WorkingSetExInfo?: WorkingSetExEntry[];
  /** MemoryMappedFilenameInformation. */
  FileName?: string;
}

export interface QueryOptions {
  /** MemoryWorkingSetExInformation: the VirtualAddress of each entry the caller fills in. */
  addresses?: readonly U64Arg[];
}

/** Natural buffer size of a class for `addresses` (what a script gets when it gives no length). */
export function defaultQueryLength(infoClass: number, opts: QueryOptions = {}): number {
  switch (infoClass) {
    case MemoryBasicInformation:
      return SIZEOF_MEMORY_BASIC_INFORMATION;
    case MemoryWorkingSetInformation:
      return 2 ** 48; // "large enough": the caller gets every entry
    case MemoryWorkingSetExInformation:
      return 16 * Math.max(1, opts.addresses?.length ?? 1);
    default:
      return 0x208;
  }
}

/**
 * NtQueryVirtualMemory(ProcessHandle, BaseAddress, MemoryInformationClass, MemoryInformation,
 * MemoryInformationLength, ReturnLength). The output buffer is the returned record; `length` is
 * MemoryInformationLength (by default the natural size of the class).
 */
export function NtQueryVirtualMemory(
  m: Machine, processHandle: HandleValue, baseAddress: U64Arg, infoClass: U64Arg, length?: U64Arg, opts: QueryOptions = {},
): NtQueryResult {
  return m.journal.as(Actor.Api, () => query(m, processHandle, baseAddress, infoClass, length, opts));
}

function query(m: Machine, processHandle: HandleValue, baseAddress: U64Arg, infoClassArg: U64Arg, lengthArg: U64Arg | undefined, opts: QueryOptions): NtQueryResult {
  const base = u64(baseAddress);
  const cls = u64(infoClassArg);
  const fail = (status: number): NtQueryResult => ({ status, returnLength: 0 });
  if (cls > 0xffffffffn) return fail(STATUS_INVALID_INFO_CLASS);
  const infoClass = Number(cls);
  const len = lengthArg === undefined ? BigInt(defaultQueryLength(infoClass, opts)) : u64(lengthArg);
  // 1. class and length
  switch (infoClass) {
    case MemoryBasicInformation:
      if (len < BigInt(SIZEOF_MEMORY_BASIC_INFORMATION)) return fail(STATUS_INFO_LENGTH_MISMATCH);
      break;
    case MemoryWorkingSetInformation:
      if (len < 8n) return fail(STATUS_INFO_LENGTH_MISMATCH);
      break;
    case MemoryWorkingSetExInformation:
      if (len < 16n) return fail(STATUS_INFO_LENGTH_MISMATCH);
      break;
    case MemoryMappedFilenameInformation:
      break;
    default:
      return fail(STATUS_INVALID_INFO_CLASS);
  }
  // 3. address
  if (base > BigInt(HIGHEST_USER_ADDRESS)) return fail(STATUS_INVALID_PARAMETER);
  // 4. the process
  const ref = referenceProcess(m, processHandle, PROCESS_QUERY_INFORMATION);
  if (ref.object === undefined) return fail(ref.status);
  const proc = ref.object;
  if (isTerminating(proc)) return fail(STATUS_PROCESS_IS_TERMINATING);
  const va = Number(base);

  switch (infoClass) {
    case MemoryBasicInformation:
      return { status: STATUS_SUCCESS, returnLength: SIZEOF_MEMORY_BASIC_INFORMATION, ...basicInformation(m, proc, va) };
    case MemoryWorkingSetInformation:
      return workingSetInformation(m, proc, len);
    case MemoryWorkingSetExInformation:
      return workingSetExInformation(m, proc, len, opts.addresses ?? [va]);
    default:
      return mappedFileName(m, proc, va);
  }
}

const TYPE_OF_KIND = { private: MEM_PRIVATE, mapped: MEM_MAPPED, image: MEM_IMAGE } as const;

/** The MEMORY_BASIC_INFORMATION for an address (at most 0x7FFFFFEFFFF); no side effects. */
export function basicInformation(m: Machine, proc: Process, va: number): MemoryBasicInformationRecord {
  const ba = pageDown(va);
  if (va > HIGHEST_VAD_ADDRESS) {
    // the 64 KB below MM_USER_PROBE_ADDRESS: a reserved block no VAD describes
    return {
      BaseAddress: ba, AllocationBase: VAD_LIMIT, AllocationProtect: PAGE_READONLY, RegionSize: USER_PROBE_ADDRESS - ba,
      State: MEM_RESERVE, Protect: PAGE_NOACCESS, Type: MEM_PRIVATE,
    };
  }
  const vpn = vpnOf(ba);
  const vad = proc.vads.findContaining(vpn);
  if (vad === undefined) {
    const next = proc.vads.firstAtOrAfter(vpn);
    const end = next === undefined ? VAD_LIMIT : next.startVpn * PAGE;
    return { BaseAddress: ba, AllocationBase: 0, AllocationProtect: 0, RegionSize: end - ba, State: MEM_FREE, Protect: PAGE_NOACCESS, Type: 0 };
  }
  const region = vad.kind === 'private' ? privateRegion(m, proc, vad, vpn) : viewRegion(m, proc, vad, vpn);
  return {
    BaseAddress: ba,
    AllocationBase: vad.allocationBase * PAGE,
    AllocationProtect: vad.allocationProtect,
    RegionSize: region.pages * PAGE,
    State: region.committed ? MEM_COMMIT : MEM_RESERVE,
    Protect: region.committed ? region.protect : 0,
    Type: TYPE_OF_KIND[vad.kind],
  };
}

interface Region {
  committed: boolean;
  protect: number;
  pages: number;
}

/** Win32 form of a page code for region comparison: -1 reserved, else PAGE_*. */
function win32Of(code: number): number {
  return code === NOT_COMMITTED ? -1 : mmProtectionToWin32(code);
}

function privateRegion(m: Machine, proc: Process, vad: Vad, vpn: number): Region {
  let key: number | undefined;
  let end = vpn - 1;
  scanPtes(m, proc, vpn, vad.endVpn, {
    absent(a, b) {
      const k = win32Of(absentPageCode(vad));
      if (key === undefined) key = k;
      if (k !== key) return true;
      end = b;
    },
    pte(v, lo, hi) {
      const k = win32Of(privatePageCode(m, vad, lo, hi));
      if (key === undefined) key = k;
      if (k !== key) return true;
      end = v;
    },
  });
  return { committed: key !== -1, protect: key === -1 || key === undefined ? 0 : key, pages: end - vpn + 1 };
}

function viewRegion(m: Machine, proc: Process, vad: Vad, vpn: number): Region {
  const provider = viewProvider(m);
  const stateOf = (v: number): [boolean, number] => {
    if (provider === undefined) return [true, mmProtectionToWin32(vad.protection)];
    const s = provider.pageState(m, proc, vad, v);
    return [s.committed, s.committed ? s.protect : 0];
  };
  const [committed, protect] = stateOf(vpn);
  let v = vpn + 1;
  while (v <= vad.endVpn) {
    const [c, p] = stateOf(v);
    if (c !== committed || p !== protect) break;
    v++;
  }
  return { committed, protect, pages: v - vpn };
}

/** The valid PTE of a slot (user or self-map), or undefined. */
function validPte(m: Machine, proc: Process, slot: number): [number, number] | undefined {
  const table = m.paging.tableOf(proc, slot, 1);
  if (table < 0) return undefined;
  const lo = m.paging.readLo(table, slot % 512);
  if ((lo & P) === 0) return undefined;
  return [lo, m.paging.readHi(table, slot % 512)];
}

function workingSetInformation(m: Machine, proc: Process, len: bigint): NtQueryResult {
  const wsl = proc.wsl;
  const blocks: WorkingSetBlock[] = [];
  for (let i = 0; i <= wsl.lastEntry; i++) {
    if (!wsl.isValid(i)) continue;
    const slot = slotOfWsle(wsl.lo[i], wsl.hi[i]);
    const pte = validPte(m, proc, slot);
    let protection = 0;
    let shareCount = 1;
    if (pte !== undefined) {
      const pfn = ptePfn(pte[0], pte[1]);
      protection = (m.pfn.originalPteLo[pfn] >>> 5) & 0x1f;
      shareCount = Math.min(7, m.pfn.u2[pfn]);
    }
    const shared = (wsl.lo[i] & WSLE_HASHED) !== 0 ? 1 : 0;
    const virtualPage = Number(((BigInt(wsl.hi[i]) << 32n) | BigInt(wsl.lo[i])) >> 12n);
    const block = (BigInt(virtualPage) << 12n) | BigInt(protection | (shareCount << 5) | (shared << 8));
    blocks.push({ VirtualPage: virtualPage, Protection: protection, ShareCount: shareCount, Shared: shared, Node: 0, Block: block });
  }
  const needed = 8n + 8n * BigInt(blocks.length);
  if (len < needed) return { status: STATUS_INFO_LENGTH_MISMATCH, returnLength: 8, NumberOfEntries: blocks.length };
  return { status: STATUS_SUCCESS, returnLength: Number(needed), NumberOfEntries: blocks.length, WorkingSetInfo: blocks };
}

function workingSetExInformation(m: Machine, proc: Process, len: bigint, addresses: readonly U64Arg[]): NtQueryResult {
  const count = Math.min(addresses.length, Number(len / 16n));
  const sys = systemLocksOf(m, proc);
  const out: WorkingSetExEntry[] = [];
  for (let k = 0; k < count; k++) {
    const va = Number(u64(addresses[k]));
    const entry: WorkingSetExEntry = { VirtualAddress: va, Valid: 0, ShareCount: 0, Win32Protection: 0, Shared: 0, Node: 0, Locked: 0, LargePage: 0, Attributes: 0 };
    if (va <= HIGHEST_USER_ADDRESS) {
      const slot = vpnOf(va);
      const pte = validPte(m, proc, slot);
      if (pte !== undefined) {
        const pfn = ptePfn(pte[0], pte[1]);
        const ws = m.pfn.u1[pfn];
        entry.Valid = 1;
        entry.ShareCount = Math.min(7, m.pfn.u2[pfn]);
        entry.Win32Protection = mmProtectionToWin32((m.pfn.originalPteLo[pfn] >>> 5) & 0x1f);
        entry.Shared = proc.wsl.isValid(ws) && (proc.wsl.lo[ws] & WSLE_HASHED) !== 0 ? 1 : 0;
        entry.Locked = proc.lockedVpns.has(slot) || sys.has(slot) ? 1 : 0;
        entry.Attributes = entry.Valid | (entry.ShareCount << 1) | (entry.Win32Protection << 4) | (entry.Shared << 15) | (entry.Locked << 22);
      }
    }
    out.push(entry);
  }
  return { status: STATUS_SUCCESS, returnLength: 16 * count, WorkingSetExInfo: out };
}

function mappedFileName(m: Machine, proc: Process, va: number): NtQueryResult {
  const vad = va <= HIGHEST_VAD_ADDRESS ? proc.vads.findContaining(vpnOf(va)) : undefined;
  if (vad === undefined || vad.kind === 'private') return { status: STATUS_INVALID_ADDRESS, returnLength: 0 };
  const provider = viewProvider(m);
  if (provider?.mappedFileName === undefined) return { status: STATUS_INVALID_ADDRESS, returnLength: 0 };
  const r = provider.mappedFileName(m, proc, vad);
  if (r.status !== STATUS_SUCCESS) return { status: r.status, returnLength: 0 };
  return { status: STATUS_SUCCESS, returnLength: 16 + 2 * (r.name.length + 1), FileName: r.name };
}
