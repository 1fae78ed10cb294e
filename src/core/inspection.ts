/**
 * Side-effect-free views of the machine for the lab functions, the debugger and tests: the
 * PXE/PPE/PDE/PTE of an address decoded, a page-walk explanation, a PFN entry as !pfn shows
 * it, list counts. Nothing here faults, sets accessed bits or touches a working set.
 */
import { entryVaOfSlot, mmpfnAddress, vaOfSlot } from './addresses';
import type { Machine } from './machine';
import { entryIndex, entrySlot, LEVEL_NAMES } from './pagingStructures';
import { LIST_END, PAGE_LOCATION_NAMES, PageLocation, E1_READ_IN_PROGRESS, E1_WRITE_IN_PROGRESS, U4_DISCARD, U4_PROTOTYPE_PTE } from './pfnDatabase';
import type { Process } from './process';
import { DecodedPte, P, decodePte, ptePfn, toBig } from './pte';
import { protectionName } from './protection';

export type EntryKind = DecodedPte['kind'] | 'absent';

export interface EntryInfo {
  level: number;
  levelName: string;
  /** Virtual address of the entry in the self-map. */
  address: bigint;
  raw: bigint;
  kind: EntryKind;
  decoded: DecodedPte | undefined;
  /** PFN of the table page that holds the entry (-1 when absent). */
  tablePfn: number;
  index: number;
}

/** The level-`level` entry (4 = PXE ... 1 = PTE) that maps `slot` in `proc`. */
export function entryInfo(m: Machine, proc: Process, slot: number, level: number): EntryInfo {
  const eSlot = entrySlot(slot, level);
  const table = m.paging.tableOf(proc, slot, level);
  const index = entryIndex(slot, level);
  const address = entryVaOfSlot(eSlot);
  if (table < 0) return { level, levelName: LEVEL_NAMES[level], address, raw: 0n, kind: 'absent', decoded: undefined, tablePfn: -1, index };
  const lo = m.paging.readLo(table, index);
  const hi = m.paging.readHi(table, index);
  const decoded = decodePte(lo, hi, true);
  return { level, levelName: LEVEL_NAMES[level], address, raw: toBig(lo, hi), kind: decoded.kind, decoded, tablePfn: table, index };
}

/** All four entries of a walk, PXE first. */
export function pageWalk(m: Machine, proc: Process, slot: number): EntryInfo[] {
  return [4, 3, 2, 1].map((l) => entryInfo(m, proc, slot, l));
}

export interface Translation {
  resident: boolean;
  physicalAddress: number;
  /** Why the page is not resident, in words, when it is not. */
  reason: string;
  walk: EntryInfo[];
}

/** Explains the translation of a user VA without changing anything. */
export function explainTranslation(m: Machine, proc: Process, va: number): Translation {
  const slot = Math.floor(va / 4096);
  const walk = pageWalk(m, proc, slot);
  for (const e of walk) {
    if (e.kind === 'valid') continue;
    const vad = proc.vads.findContaining(slot);
    let reason: string;
    switch (e.kind) {
      case 'absent':
      case 'zero':
        if (vad === undefined) reason = 'no VAD: the address is free (access violation)';
        else if (!vad.memCommit && e.level === 1) reason = 'reserved, not committed (access violation)';
        else if (!vad.memCommit) reason = `reserved; the ${e.levelName === 'PTE' ? 'PTE' : 'page table'} does not exist yet (access violation)`;
        else reason = `demand-zero: committed (VAD protection ${protectionName(vad.protection)}), not touched yet${e.level > 1 ? `; the ${e.levelName} is not built yet` : ''}`;
        break;
      case 'demandZero':
        reason = `demand-zero: committed with protection ${protectionName(Number(e.decoded!.protection))}, not touched yet`;
        break;
      case 'decommitted':
        reason = 'decommitted (access violation)';
        break;
      case 'transition':
        reason = `transition: PFN 0x${Number(e.decoded!.pfn).toString(16)} is on the ${PAGE_LOCATION_NAMES[m.pfn.location(Number(e.decoded!.pfn))]} list (soft fault)`;
        break;
      case 'pagefile':
        reason = `in paging file ${e.decoded!.pageFileNumber} at page 0x${Number(e.decoded!.pageFileOffset).toString(16)} (hard fault)`;
        break;
      case 'prototype':
        reason = 'prototype: shared section page, resolved through the prototype PTE';
        break;
      default:
        reason = e.kind;
    }
    return { resident: false, physicalAddress: -1, reason: `${e.levelName}: ${reason}`, walk };
  }
  const leaf = walk[3].decoded!;
  const pa = Number(leaf.pfn) * 4096 + (va % 4096);
  return { resident: true, physicalAddress: pa, reason: '', walk };
}

/** Physical address of a user VA, or -1 when not resident and valid (the lab's translate()). */
export function translateQuiet(m: Machine, proc: Process, va: number): number {
  let table = proc.pml4Pfn;
  const slot = Math.floor(va / 4096);
  for (let l = 4; l >= 1; l--) {
    const i = entryIndex(slot, l);
    const lo = m.phys.readWord(table, i * 2);
    if ((lo & P) === 0) return -1;
    table = ptePfn(lo, m.phys.readWord(table, i * 2 + 1));
  }
  return table * 4096 + (va % 4096);
}

export interface PfnInfo {
  pfn: number;
  address: bigint;
  location: string;
  shareCount: number;
  referenceCount: number;
  wsIndex: number;
  flink: number;
  blink: number;
  pteAddress: bigint;
  originalPte: bigint;
  modified: boolean;
  writeInProgress: boolean;
  readInProgress: boolean;
  priority: number;
  pteFrame: number;
  color: number;
  cacheAttribute: number;
  usedPageTableEntries: number;
  prototypePte: boolean;
  /** u1.Event of a page being read in: the in-page block (one per read); 0 otherwise. */
  inPageEvent: number;
  /** PteAddress bit 1: the page is freed when its paging I/O completes. */
  discardOnCompletion: boolean;
}

/** A PFN database entry with its union members named for its state (what !pfn shows). */
export function pfnInfo(m: Machine, pfn: number): PfnInfo {
  const db = m.pfn;
  const loc = db.location(pfn);
  const listed = db.listIdOf(pfn) !== 0xffff;
  // a page in I/O is unlinked but keeps its list state; book-B §2.4 calls it Transition
  const inIo = (db.e1[pfn] & (E1_WRITE_IN_PROGRESS | E1_READ_IN_PROGRESS)) !== 0 && loc !== PageLocation.Active;
  return {
    pfn,
    address: mmpfnAddress(pfn),
    location: inIo ? 'Transition' : PAGE_LOCATION_NAMES[loc],
    shareCount: listed ? 0 : db.u2[pfn],
    referenceCount: db.referenceCount[pfn],
    wsIndex: loc === PageLocation.Active ? db.u1[pfn] : 0,
    flink: listed ? db.u1[pfn] : 0,
    blink: listed ? db.u2[pfn] : 0,
    pteAddress: entryVaOfSlot(db.pteSlot[pfn]) | ((db.u4Flags[pfn] & U4_DISCARD) !== 0 ? 2n : 0n),
    originalPte: toBig(db.originalPteLo[pfn], db.originalPteHi[pfn]),
    modified: db.isModified(pfn),
    writeInProgress: (db.e1[pfn] & E1_WRITE_IN_PROGRESS) !== 0,
    readInProgress: (db.e1[pfn] & E1_READ_IN_PROGRESS) !== 0,
    priority: db.priority(pfn),
    pteFrame: db.pteFrame[pfn],
    color: db.color(pfn),
    cacheAttribute: db.cacheAttribute(pfn),
    usedPageTableEntries: db.usedPageTableEntries[pfn],
    prototypePte: (db.u4Flags[pfn] & U4_PROTOTYPE_PTE) !== 0,
    inPageEvent: (db.e1[pfn] & E1_READ_IN_PROGRESS) !== 0 ? db.u1[pfn] : 0,
    discardOnCompletion: (db.u4Flags[pfn] & U4_DISCARD) !== 0,
  };
}

export interface ListCounts {
  zeroed: number;
  free: number;
  standby: number;
  standbyByPriority: number[];
  modified: number;
  modifiedNoWrite: number;
  bad: number;
  active: number;
  available: number;
}

export function listCounts(m: Machine): ListCounts {
  const db = m.pfn;
  const standbyByPriority = Array.from({ length: 8 }, (_, p) => db.listTotal(db.listIdStandby(p)));
  return {
    zeroed: db.zeroedTotal,
    free: db.freeTotal,
    standby: db.standbyTotal,
    standbyByPriority,
    modified: db.modifiedTotal,
    modifiedNoWrite: db.locationTotals[PageLocation.ModifiedNoWrite],
    bad: db.locationTotals[PageLocation.Bad],
    active: db.locationCounts[PageLocation.Active],
    available: db.availablePages,
  };
}

/** The VA a PFN's PTE maps (PteAddress << 9, sign-extended). */
export function mappedVaOfPfn(m: Machine, pfn: number): bigint {
  return vaOfSlot(m.pfn.pteSlot[pfn]);
}

export { LIST_END };
