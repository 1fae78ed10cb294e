/**
 * Narration: the journal retold in plain English, one short line per memory-manager event, for
 * people learning how the memory manager works. A whole page fault (FaultBegin … FaultEnd) becomes
 * ONE line — what was accessed, what kind of fault it was, the paging structures built on the way,
 * where the physical page came from, the PTE it ended with and how the working set changed. The
 * events between faults are grouped by who caused them (an API call, the CPU, a trim ...) and
 * summarised: ranges of PTE writes, page-list moves, commit charge, working-set size, VADs, TLB
 * flushes, process creation.
 *
 * Pure and deterministic: the same journal gives the same lines (no clock, no randomness). Where
 * an event does not carry a detail (why an access violation happened, a VAD's protection), the
 * narrator reads the machine's current state, which is the state right after the events when
 * narration follows execution, as the command line and the debugger use it.
 */
import { SELFMAP_INDEX, USER_LIMIT, entryVaOfSlot, hex, hexTick } from './addresses';
import { Access } from './faultHandler';
import { Step } from './faultSteps';
import { Actor, CommitCounter, EventKind, JournalEvent } from './journal';
import type { Machine } from './machine';
import { isSelfMapSlot } from './pagingStructures';
import { PAGE_LOCATION_NAMES, PageLocation } from './pfnDatabase';
import type { Process } from './process';
import { mmProtectionToWin32, protectionName, win32ProtectionName } from './protection';
import {
  ACCESSED, COPY_ON_WRITE, DIRTY, GLOBAL, HI_NX, P, PAT, PCD, PWT, PteKind, RW, SW_WRITE, US,
  classify, protectionOf, ptePfn, softwareWsIndex, toBig,
} from './pte';
import {
  STATUS_ACCESS_VIOLATION, STATUS_GUARD_PAGE_VIOLATION, STATUS_NO_MEMORY, STATUS_PAGE_FAULT_COPY_ON_WRITE,
  STATUS_PAGE_FAULT_DEMAND_ZERO, STATUS_PAGE_FAULT_GUARD_PAGE, STATUS_PAGE_FAULT_PAGING_FILE, STATUS_PAGE_FAULT_TRANSITION,
  STATUS_SUCCESS, ntSuccess, statusName,
} from './status';

export interface NarrationOptions {
  /**
   * Name of the API call that caused the events of actor `Api` in the range (e.g. 'VirtualFree'),
   * shown as "by VirtualFree"; without it they read "by an API call".
   */
  caller?: string;
}

// ---- small helpers (exported for views and tests) ------------------------------------------------

const SELFMAP_SLOT_PREFIX = SELFMAP_INDEX * 2 ** 27;
const USER_SLOTS = USER_LIMIT / 4096;
/** How far back `lines` looks for the FaultBegin of a fault that ends inside the range. */
const MAX_FAULT_EVENTS = 1 << 17;
/** PFNs listed by name in one line before "…". */
const MAX_LISTED = 4;
/** Address ranges listed in one PTE line before they are only counted. */
const MAX_RANGES = 3;

/** Words for the kinds of PTE `classify` returns. */
export const PTE_KIND_WORDS: Record<PteKind, string> = {
  valid: 'valid',
  zero: 'zero',
  demandZero: 'demand-zero',
  decommitted: 'decommitted',
  transition: 'transition',
  pagefile: 'paging file',
  prototype: 'prototype',
  subsection: 'subsection',
};

/** "0" for zero, otherwise the hex form of a 64-bit entry value. */
export function entryValue(lo: number, hi: number): string {
  return lo === 0 && hi === 0 ? '0' : hex(toBig(lo, hi));
}

/** `0x80 (demand-zero)`: an entry value with the format it is read as. */
export function describeEntry(lo: number, hi: number): string {
  return `${entryValue(lo, hi)} (${PTE_KIND_WORDS[classify(lo, hi)]})`;
}

/**
 * What the paging-structure entry held by the self-map slot `eSlot` maps: its level (1 = PTE,
 * 2 = PDE, 3 = PPE, 4 = PXE) and the first slot (VPN) of the range it covers.
 */
export function entryTarget(eSlot: number): { level: number; slot: number } {
  let level = 1;
  let s = eSlot;
  while (level < 4 && isSelfMapSlot(s)) {
    s = (s - SELFMAP_SLOT_PREFIX) * 512;
    level++;
  }
  return { level, slot: s };
}

/** The table an entry of `level` points to: a PDE maps a page table, and so on. */
const TABLE_BELOW = ['', 'page', 'PT', 'PD', 'PDPT'];
const ENTRY_NAMES = ['', 'PTE', 'PDE', 'PPE', 'PXE'];
/** Bytes covered by one entry of a level. */
const LEVEL_SPAN = [0, 4096, 4096 * 512, 4096 * 512 * 512, 4096 * 512 * 512 * 512];

/** The names of the bits that differ between two valid entries: `+Accessed +Dirty`. */
export function bitChanges(oldLo: number, oldHi: number, newLo: number, newHi: number): string {
  const parts: string[] = [];
  const bits: Array<[number, string]> = [
    [RW, 'Write'], [US, 'Owner'], [PWT, 'WriteThrough'], [PCD, 'CacheDisable'], [ACCESSED, 'Accessed'],
    [DIRTY, 'Dirty'], [PAT, 'PAT'], [GLOBAL, 'Global'], [COPY_ON_WRITE, 'CopyOnWrite'], [SW_WRITE, 'SoftwareWrite'],
  ];
  for (const [bit, name] of bits) {
    if ((oldLo & bit) !== (newLo & bit)) parts.push(((newLo & bit) !== 0 ? '+' : '-') + name);
  }
  if ((oldHi & HI_NX) !== (newHi & HI_NX)) parts.push(((newHi & HI_NX) !== 0 ? '+' : '-') + 'NoExecute');
  if (ptePfn(oldLo, oldHi) !== ptePfn(newLo, newHi)) parts.push(`PFN 0x${ptePfn(newLo, newHi).toString(16)}`);
  if (softwareWsIndex(oldHi) !== softwareWsIndex(newHi)) parts.push(`WsIndex 0x${softwareWsIndex(newHi).toString(16)}`);
  return parts.length === 0 ? 'unchanged' : parts.join(' ');
}

/** "by VirtualFree", "by the CPU" ... */
function byWhom(actor: Actor, opts: NarrationOptions): string {
  switch (actor) {
    case Actor.Api: return opts.caller !== undefined ? `by ${opts.caller}` : 'by an API call';
    case Actor.Fault: return 'by the page fault handler';
    case Actor.Cpu: return 'by the CPU';
    case Actor.Trim: return 'by working-set trim';
    case Actor.ModifiedPageWriter: return 'by the modified page writer';
    case Actor.Repurpose: return 'by standby repurposing';
    case Actor.ZeroPageThread: return 'by the zero page thread';
    case Actor.Process: return 'by the process manager';
    default: return 'by the system';
  }
}

const ACCESS_PHRASE: Record<number, string> = { [Access.Read]: 'read from', [Access.Write]: 'write to', [Access.Execute]: 'execute at' };

const listName = (loc: number): string => PAGE_LOCATION_NAMES[loc] ?? `location ${loc}`;

/** `0x1f0000-0x1f3fff, 0x200000` for a sorted list of slots (contiguous runs merged). */
function slotRanges(slots: number[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < slots.length) {
    let j = i;
    while (j + 1 < slots.length && slots[j + 1] === slots[j] + 1) j++;
    out.push(i === j ? hex(slots[i] * 4096) : `${hex(slots[i] * 4096)}-${hex(slots[j] * 4096 + 4095)}`);
    i = j + 1;
  }
  return out;
}

function pfnList(pfns: number[]): string {
  const shown = pfns.slice(0, MAX_LISTED).map((p) => hex(p));
  if (pfns.length > MAX_LISTED) shown.push('…');
  return shown.join(', ');
}

const RANKS: Record<string, number> = { clock: 0, vad: 0, tlb: 0, pt: 1, pte: 1, take: 2, move: 2, ws: 3, commit: 4 };

/** `PAGE_READWRITE` for a 5-bit protection code (the debugger-style name when there is none). */
export function win32Name(code: number): string {
  try {
    return win32ProtectionName(mmProtectionToWin32(code));
  } catch {
    try {
      return protectionName(code);
    } catch {
      return `protection ${code}`;
    }
  }
}

const pluralPages = (n: number): string => (n === 1 ? '1 page' : `${n} pages`);
const signed = (n: number): string => (n >= 0 ? `+${n}` : `${n}`);

// ---- the narrator --------------------------------------------------------------------------------

/** A paging structure built or deleted: its level (of the entry that maps it), page and the range it serves. */
interface TableRef {
  level: number;
  pfn: number;
  base: number;
  span: number;
}

/** `PDPT (PFN 0x47), PD (PFN 0x48), 2 PTs (PFN 0x49, 0x4a) for 0x0-0x3fffff`. */
function describeTables(tables: TableRef[]): string {
  const levels: number[] = [];
  for (const t of tables) if (!levels.includes(t.level)) levels.push(t.level);
  const parts = levels.map((level) => {
    const of = tables.filter((t) => t.level === level);
    const name = TABLE_BELOW[level];
    return of.length === 1 ? `${name} (PFN ${hex(of[0].pfn)})` : `${of.length} ${name}s (PFN ${pfnList(of.map((t) => t.pfn))})`;
  });
  const lowest = Math.min(...levels);
  const low = tables.filter((t) => t.level === lowest);
  const start = Math.min(...low.map((t) => t.base));
  const end = Math.max(...low.map((t) => t.base + t.span - 1));
  return `${parts.join(', ')} for ${hex(start)}-${hex(end)}`;
}

/** What one fault's events say (see Narrator.faultFacts). */
interface FaultFacts {
  proc: number;
  va: number;
  access: number;
  slot: number;
  status: number;
  steps: Set<number>;
  /** The step that failed (the one before ReleaseWs), -1 when none ran. */
  failedStep: number;
  /** The last write of the faulting PTE. */
  leaf: JournalEvent | undefined;
  /** Paging structures of the address made valid on the way: built new, or restored. */
  tables: Array<{ level: number; pfn: number; restored: boolean }>;
  /** Pages unlinked from a list during the fault, and the list's location. */
  taken: Map<number, number>;
  repurposed: boolean;
  wsDelta: number;
  /** PTEs that an in-page read of this fault put in transition (its cluster). */
  readSlots: Set<number>;
  /** Simulated time spent waiting (disk reads, free pages). */
  waitedMs: number;
  /** Pages trimmed from working sets, and taken by the modified page writer, during the fault. */
  trimmed: number;
  written: number;
}

/** A group of similar events of one run, narrated as one line. */
interface Group {
  /** Lines of a run come in this order: VADs and TLB, PTEs, page lists, working set, commit. */
  rank: number;
  first: number;
  render: () => string | undefined;
}

export class Narrator {
  /** Process index whose lines carry no `[name]` prefix: the first process ("main"). */
  mainProcess = 1;

  /** End of the last range narrated, and the FaultBegin still open at that end (= lastEnd when none). */
  private lastEnd = -1;
  private pendingFault = -1;

  constructor(private readonly m: Machine) {}

  /**
   * Narration of the events in [fromSeq, toSeq) (toSeq defaults to the end of the journal). A fault
   * is narrated, whole, by the call whose range holds its FaultEnd: a fault that ends in the range
   * but began before it is included, a fault still in progress at toSeq is left for a later call.
   */
  lines(fromSeq: number, toSeq?: number, opts: NarrationOptions = {}): string[] {
    const j = this.m.journal;
    const end = Math.min(toSeq ?? j.nextSeq, j.nextSeq);
    const from = Math.max(fromSeq, j.firstSeq);
    if (from >= end) return [];
    // a caller that narrates range after range needs no search for a fault in progress
    let s: number;
    if (from === this.lastEnd) s = this.pendingFault >= j.firstSeq && this.pendingFault < from ? this.pendingFault : from;
    else s = this.faultStartBefore(from);
    this.lastEnd = end;
    this.pendingFault = end;
    const out: string[] = [];
    let run: JournalEvent[] = [];
    const flush = (): void => {
      if (run.length > 0) out.push(...this.runLines(run, opts));
      run = [];
    };
    while (s < end) {
      const kind = j.kindAt(s);
      if (kind === EventKind.FaultBegin) {
        flush();
        const f = this.faultAt(s, end);
        if (f === undefined) {
          this.pendingFault = s; // still in progress: narrated by the call that sees its end
          break;
        }
        out.push(...f.lines);
        s = f.next;
        continue;
      }
      if (kind === EventKind.FaultEnd || kind === EventKind.FaultStep) {
        s++; // the rest of a fault whose beginning is no longer in the journal
        continue;
      }
      const ev = j.get(s)!;
      const startsOwnRun = ev.kind === EventKind.ProcessCreate || ev.kind === EventKind.ProcessExit;
      if (run.length > 0 && (ev.actor !== run[0].actor || startsOwnRun)) flush();
      run.push(ev);
      s++;
    }
    flush();
    return out;
  }

  /**
   * The fault that begins at `begin`: its line (after the lines of faults nested in it, which end
   * first) and the sequence number after its FaultEnd; undefined when it has not ended before `end`.
   */
  private faultAt(begin: number, end: number): { lines: string[]; next: number } | undefined {
    const j = this.m.journal;
    const events: JournalEvent[] = [j.get(begin)!];
    const lines: string[] = [];
    let k = begin + 1;
    while (k < end) {
      const kind = j.kindAt(k);
      if (kind === EventKind.FaultBegin) {
        const nested = this.faultAt(k, end);
        if (nested === undefined) return undefined;
        lines.push(...nested.lines);
        k = nested.next;
        continue;
      }
      events.push(j.get(k)!);
      if (kind === EventKind.FaultEnd) {
        lines.push(this.prefix(events[0].proc) + this.faultLine(events));
        return { lines, next: k + 1 };
      }
      k++;
    }
    return undefined;
  }

  /** If `seq` lies inside a fault, the sequence number of its (outermost) FaultBegin; otherwise `seq`. */
  private faultStartBefore(seq: number): number {
    const j = this.m.journal;
    const stop = Math.max(j.firstSeq, seq - MAX_FAULT_EVENTS);
    let depth = 0;
    let open = seq;
    for (let s = seq - 1; s >= stop; s--) {
      const k = j.kindAt(s);
      if (k === EventKind.FaultEnd) depth++;
      else if (k === EventKind.FaultBegin) {
        if (depth === 0) open = s;
        else depth--;
      }
    }
    return open;
  }

  private proc(index: number): Process | undefined {
    return this.m.processByIndex(index);
  }

  private prefix(procIndex: number): string {
    if (procIndex === 0 || procIndex === this.mainProcess) return '';
    const p = this.proc(procIndex);
    return `[${p?.name ?? `process ${procIndex}`}] `;
  }

  // ---- faults --------------------------------------------------------------------------------------

  /** One line for a whole fault: `events` runs from its FaultBegin to its FaultEnd. */
  faultLine(events: JournalEvent[]): string {
    const f = this.faultFacts(events);
    const parts: string[] = [this.faultKind(f)];
    f.tables.sort((x, y) => y.level - x.level);
    const built = f.tables.filter((t) => !t.restored);
    const restored = f.tables.filter((t) => t.restored);
    if (built.length > 0) parts.push('built ' + built.map((b) => `${TABLE_BELOW[b.level]} (PFN ${hex(b.pfn)})`).join(', '));
    if (restored.length > 0) parts.push('restored ' + restored.map((b) => `${TABLE_BELOW[b.level]} (PFN ${hex(b.pfn)})`).join(', '));
    const leaf = f.leaf;
    if (leaf !== undefined && (leaf.newLo & P) !== 0 && (leaf.oldLo & P) === 0) {
      const pfn = ptePfn(leaf.newLo, leaf.newHi);
      const from = f.taken.get(pfn);
      if (from === undefined) parts.push(`PFN ${hex(pfn)}`);
      else if (f.status === STATUS_PAGE_FAULT_TRANSITION) parts.push(`PFN ${hex(pfn)} taken back from the ${listName(from)} list`);
      else if (from === PageLocation.Standby && f.repurposed) parts.push(`PFN ${hex(pfn)} repurposed from the Standby list`);
      else parts.push(`PFN ${hex(pfn)} taken from the ${listName(from)} list`);
    }
    if (leaf !== undefined) parts.push(`PTE ${hexTick(entryVaOfSlot(f.slot))} = ${describeEntry(leaf.newLo, leaf.newHi)}`);
    if (f.waitedMs > 0) parts.push(`waited ${f.waitedMs} ms`);
    if (f.wsDelta !== 0) parts.push(`working set ${signed(f.wsDelta)}`);
    return `${ACCESS_PHRASE[f.access] ?? 'access to'} ${hex(f.va)}: ${parts.join(', ')}`;
  }

  /** What the events of one fault (nested faults excluded) say happened. */
  private faultFacts(events: JournalEvent[]): FaultFacts {
    const begin = events[0];
    const proc = begin.proc;
    const slot = Math.floor(begin.a / 4096);
    const f: FaultFacts = {
      proc, va: begin.a, access: begin.sub, slot, status: events[events.length - 1].newLo >>> 0,
      steps: new Set(), failedStep: -1, leaf: undefined, tables: [], taken: new Map(), repurposed: false,
      wsDelta: 0, readSlots: new Set(), waitedMs: 0, trimmed: 0, written: 0,
    };
    let lastStep = -1;
    let clockFrom = -1;
    let clockTo = -1;
    for (const ev of events) {
      switch (ev.kind) {
        case EventKind.FaultStep:
          f.steps.add(ev.sub);
          if (ev.sub === Step.ReleaseWs || ev.sub === Step.TrapReturn) {
            if (f.failedStep < 0) f.failedStep = lastStep;
          } else lastStep = ev.sub;
          break;
        case EventKind.PteWrite: {
          if (ev.actor === Actor.Trim && (ev.oldLo & P) !== 0 && (ev.newLo & P) === 0) f.trimmed++;
          if (ev.proc !== proc) break;
          const t = entryTarget(ev.a);
          if (t.level === 1 && (ev.newLo & P) === 0 && classify(ev.newLo, ev.newHi) === 'transition' && classify(ev.oldLo, ev.oldHi) === 'pagefile') {
            f.readSlots.add(ev.a); // a page of an in-page read (the faulting one or a prefetched one)
          }
          if (ev.a === slot) {
            f.leaf = ev;
            break;
          }
          const span = LEVEL_SPAN[t.level];
          if (t.level > 1 && t.slot < USER_SLOTS && Math.floor((slot * 4096) / span) === Math.floor((t.slot * 4096) / span)
            && (ev.oldLo & P) === 0 && (ev.newLo & P) !== 0) {
            f.tables.push({ level: t.level, pfn: ptePfn(ev.newLo, ev.newHi), restored: ev.oldLo !== 0 || ev.oldHi !== 0 });
          }
          break;
        }
        case EventKind.PfnList:
          if (ev.oldHi === 1 && ev.newHi === 0 && !f.taken.has(ev.a)) f.taken.set(ev.a, this.m.pfn.locationOfList(ev.sub));
          if (ev.actor === Actor.Repurpose) f.repurposed = true;
          if (ev.actor === Actor.ModifiedPageWriter && ev.oldHi === 1 && ev.newHi === 0) f.written++;
          break;
        case EventKind.WsleWrite:
          if (ev.proc === proc) f.wsDelta += (ev.newLo & 1) - (ev.oldLo & 1);
          break;
        case EventKind.Clock:
          if (clockFrom < 0) clockFrom = ev.oldLo;
          clockTo = ev.newLo;
          break;
        default:
          break;
      }
    }
    if (clockFrom >= 0) f.waitedMs = clockTo - clockFrom;
    return f;
  }

  private faultKind(f: FaultFacts): string {
    const n = f.readSlots.size;
    switch (f.status) {
      case STATUS_PAGE_FAULT_DEMAND_ZERO: return 'demand-zero fault';
      case STATUS_PAGE_FAULT_TRANSITION: return 'soft fault (the page was still in memory)';
      case STATUS_PAGE_FAULT_PAGING_FILE:
        if (n === 0) return 'hard fault: the page was read from the paging file';
        return `hard fault: read ${pluralPages(n)} from the paging file${n > 1 ? ` (${n - 1} prefetched to the Standby list)` : ''}`;
      case STATUS_PAGE_FAULT_COPY_ON_WRITE: return 'copy-on-write fault';
      case STATUS_PAGE_FAULT_GUARD_PAGE:
      case STATUS_GUARD_PAGE_VIOLATION: return 'guard page: its guard bit is cleared and STATUS_GUARD_PAGE_VIOLATION raised';
      case STATUS_ACCESS_VIOLATION: return `access violation: ${this.violationReason(f.failedStep, f.proc, f.slot, f.access)}`;
      case STATUS_NO_MEMORY: return 'no physical page left (STATUS_NO_MEMORY)';
      case STATUS_SUCCESS:
        if (f.steps.has(Step.DbWritePte)) {
          return f.steps.has(Step.DbRelease) ? 'dirty-bit fault: the clean page becomes dirty, its paging-file copy is released' : 'dirty-bit fault: the clean page becomes dirty';
        }
        if (f.steps.has(Step.TfCollidedWait)) return 'collided fault: waited for the in-page read of the same page already under way';
        if (f.steps.has(Step.WaitForPages)) {
          const done: string[] = [];
          if (f.trimmed > 0) done.push(`${pluralPages(f.trimmed)} trimmed from working sets`);
          if (f.written > 0) done.push(`${pluralPages(f.written)} written to the paging file`);
          return `no free page: waited${done.length > 0 ? ` (${done.join(', ')})` : ''}, the access is retried`;
        }
        if (f.steps.has(Step.HfComplete)) return 'hard fault: the PTE changed during the read, the access is retried';
        return f.leaf !== undefined || f.tables.length > 0 ? 'fault resolved' : 'nothing to do: already resolved';
      default:
        return ntSuccess(f.status) ? `fault resolved (${statusName(f.status)})` : `failed with ${statusName(f.status)}`;
    }
  }

  /** Why an access violation happened, from the step that failed (and the address's current state). */
  private violationReason(step: number, procIndex: number, slot: number, access: number): string {
    const proc = this.proc(procIndex);
    switch (step) {
      case Step.CheckAddress:
        return 'the address is not in user space';
      case Step.CvaResult: {
        const vad = proc?.vads.findContaining(slot);
        return vad === undefined ? 'the address is free (no VAD)' : 'the address is reserved, not committed';
      }
      case Step.ReadPte:
        return 'the page is decommitted';
      case Step.CheckValid:
        if (access === Access.Write) return 'the page is read-only';
        if (access === Access.Execute) return 'the page is not executable (NX)';
        return 'the page is kernel-only';
      case Step.AccessCheck: {
        const prot = proc === undefined ? -1 : this.currentProtection(proc, slot);
        if (prot < 0) return `the page's protection does not allow a ${access === Access.Write ? 'write' : 'read'}`;
        if ((prot & 7) === 0 || prot === 0x18) return `the page is ${win32Name(prot)}`;
        return `${win32Name(prot)} does not allow a ${access === Access.Write ? 'write' : access === Access.Execute ? 'execute' : 'read'}`;
      }
      default:
        return 'the memory manager cannot resolve this access';
    }
  }

  /** Protection of a page as its (non-valid) PTE or its VAD says now; -1 when unknown. */
  private currentProtection(proc: Process, slot: number): number {
    const table = this.m.paging.tableOf(proc, slot, 1);
    if (table >= 0) {
      const lo = this.m.paging.readLo(table, slot & 511);
      const hi = this.m.paging.readHi(table, slot & 511);
      if ((lo & P) === 0 && (lo !== 0 || hi !== 0)) return protectionOf(lo);
      if ((lo & P) !== 0) return (this.m.pfn.originalPteLo[ptePfn(lo, hi)] >>> 5) & 0x1f;
    }
    const vad = proc.vads.findContaining(slot);
    return vad === undefined ? -1 : vad.protection;
  }

  // ---- runs of events outside faults --------------------------------------------------------------

  private runLines(run: JournalEvent[], opts: NarrationOptions): string[] {
    const first = run[0];
    if (first.kind === EventKind.ProcessCreate) return [this.processCreateLine(run)];
    if (first.kind === EventKind.ProcessExit) return [this.processExitLine(run)];

    const groups = new Map<string, Group>();
    const by = byWhom(first.actor, opts);
    const group = (key: string, seq: number, make: () => () => string | undefined): void => {
      if (!groups.has(key)) groups.set(key, { rank: RANKS[key.slice(0, key.indexOf('|'))] ?? 9, first: seq, render: make() });
    };

    // pages unlinked in this run, so a later insert or mapping can say where they came from
    const unlinked = new Map<number, number>();
    const inserted = new Set<number>();
    const mappedPfns = new Set<number>();
    for (const ev of run) {
      if (ev.kind === EventKind.PfnList && ev.oldHi === 0 && ev.newHi === 1) inserted.add(ev.a);
      if (ev.kind === EventKind.PteWrite && (ev.newLo & P) !== 0 && (ev.oldLo & P) === 0) mappedPfns.add(ptePfn(ev.newLo, ev.newHi));
    }

    // accumulators filled while walking the run
    const pteGroups = new Map<string, { proc: number; slots: number[]; olds: string[]; news: string[]; oldKind: string; newKind: string; change?: string }>();
    const moves = new Map<string, { from: number; to: number; pfns: number[] }>();
    const tableGroups = new Map<string, TableRef[]>();
    const takes = new Map<number, number[]>();
    const wsDelta = new Map<number, number>();
    const commit = { sysOld: -1, sysNew: -1, procs: new Map<number, [number, number]>() };
    const clock = { from: -1, to: -1 };

    for (const ev of run) {
      switch (ev.kind) {
        case EventKind.PteWrite:
          this.notePte(ev, by, group, pteGroups, tableGroups);
          break;
        case EventKind.PfnList:
          if (ev.oldHi === 1 && ev.newHi === 0) {
            if (!unlinked.has(ev.a)) unlinked.set(ev.a, this.m.pfn.locationOfList(ev.sub));
            if (!inserted.has(ev.a) && !mappedPfns.has(ev.a)) {
              const from = this.m.pfn.locationOfList(ev.sub);
              const list = takes.get(from) ?? [];
              if (list.length === 0) takes.set(from, list);
              list.push(ev.a);
              const why = first.actor === Actor.ModifiedPageWriter ? ' to be written to the paging file' : '';
              group(`take|${from}`, ev.seq, () => () => {
                const pf = takes.get(from)!;
                const what = pf.length === 1 ? `PFN ${hex(pf[0])}` : `${pluralPages(pf.length)} (PFN ${pfnList(pf)})`;
                return `${what} taken off the ${listName(from)} list${why} ${by}`;
              });
            }
          } else {
            const from = unlinked.get(ev.a) ?? ev.oldLo;
            const to = ev.newLo;
            const key = `move|${from}|${to}`;
            let mv = moves.get(key);
            if (mv === undefined) {
              mv = { from, to, pfns: [] };
              moves.set(key, mv);
            }
            mv.pfns.push(ev.a);
            const m = mv;
            group(key, ev.seq, () => () => {
              const what = m.pfns.length === 1 ? `PFN ${hex(m.pfns[0])}` : `${pluralPages(m.pfns.length)} (PFN ${pfnList(m.pfns)})`;
              const fromWord = m.from === m.to ? '' : `${listName(m.from)} → `;
              return `${what}: ${fromWord}${listName(m.to)} list ${by}`;
            });
          }
          break;
        case EventKind.WsleWrite: {
          const d = (ev.newLo & 1) - (ev.oldLo & 1);
          wsDelta.set(ev.proc, (wsDelta.get(ev.proc) ?? 0) + d);
          const procIndex = ev.proc;
          group(`ws|${procIndex}`, ev.seq, () => () => {
            const n = wsDelta.get(procIndex) ?? 0;
            return n === 0 ? undefined : `${this.prefix(procIndex)}working set ${signed(n)}`;
          });
          break;
        }
        case EventKind.Commit:
          if (ev.sub === CommitCounter.SystemCharge) {
            if (commit.sysOld < 0) commit.sysOld = ev.oldLo;
            commit.sysNew = ev.newLo;
          } else if (ev.sub === CommitCounter.ProcessCharge) {
            const c = commit.procs.get(ev.proc);
            commit.procs.set(ev.proc, [c === undefined ? ev.oldLo : c[0], ev.newLo]);
          }
          group('commit|', ev.seq, () => () => this.commitLine(commit));
          break;
        case EventKind.VadInsert:
        case EventKind.VadRemove:
        case EventKind.VadChange: {
          const line = this.prefix(ev.proc) + this.vadLine(ev, by);
          group(`vad|${ev.seq}`, ev.seq, () => () => line);
          break;
        }
        case EventKind.Clock: {
          // simulated time advanced: one line for the run, from its first start to its last end
          if (clock.from < 0) clock.from = ev.oldLo;
          clock.to = ev.newLo;
          group('clock|', ev.seq, () => () => `time ${clock.from} → ${clock.to} ms`);
          break;
        }
        case EventKind.TlbFlush: {
          const line = this.tlbLine(ev);
          group(`tlb|${ev.seq}`, ev.seq, () => () => line);
          break;
        }
        default:
          break; // PfnField, PageContent, Clock, Counter and stray steps are details of the above
      }
    }
    return [...groups.values()]
      .sort((a, b) => a.rank - b.rank || a.first - b.first)
      .map((g) => g.render())
      .filter((l): l is string => l !== undefined);
  }

  private notePte(
    ev: JournalEvent,
    by: string,
    group: (key: string, seq: number, make: () => () => string | undefined) => void,
    pteGroups: Map<string, { proc: number; slots: number[]; olds: string[]; news: string[]; oldKind: string; newKind: string; change?: string }>,
    tableGroups: Map<string, TableRef[]>,
  ): void {
    const t = entryTarget(ev.a);
    if (t.slot >= USER_SLOTS) return; // kernel-owned entries (hyperspace, working-set list) are not narrated
    const pre = this.prefix(ev.proc);
    const oldValid = (ev.oldLo & P) !== 0;
    const newValid = (ev.newLo & P) !== 0;
    if (t.level > 1) {
      const span = LEVEL_SPAN[t.level];
      const base = Math.floor((t.slot * 4096) / span) * span;
      const built = !oldValid && newValid && ev.oldLo === 0 && ev.oldHi === 0;
      const deleted = oldValid && !newValid && ev.newLo === 0 && ev.newHi === 0;
      if (built || deleted) {
        // every table built (or deleted) in the run: one line, PDPT / PD / PT in the order they came
        const key = `${built ? 'built' : 'deleted'}|${ev.proc}`;
        let list = tableGroups.get(key);
        if (list === undefined) {
          list = [];
          tableGroups.set(key, list);
        }
        list.push({ level: t.level, pfn: built ? ptePfn(ev.newLo, ev.newHi) : ptePfn(ev.oldLo, ev.oldHi), base, span });
        const tables = list;
        group(`pt|${key}`, ev.seq, () => () => `${pre}${built ? 'built' : 'deleted'} ${describeTables(tables)} ${by}`);
        return;
      }
      let line: string;
      if (oldValid && newValid) line = `${pre}${ENTRY_NAMES[t.level]} of ${hex(base)}: ${bitChanges(ev.oldLo, ev.oldHi, ev.newLo, ev.newHi)} ${by}`;
      else line = `${pre}${ENTRY_NAMES[t.level]} of ${hex(base)}: ${entryValue(ev.oldLo, ev.oldHi)} → ${describeEntry(ev.newLo, ev.newHi)} ${by}`;
      group(`pt|${ev.seq}`, ev.seq, () => () => line);
      return;
    }
    const oldKind = classify(ev.oldLo, ev.oldHi);
    const newKind = classify(ev.newLo, ev.newHi);
    const change = oldValid && newValid ? bitChanges(ev.oldLo, ev.oldHi, ev.newLo, ev.newHi) : undefined;
    // values that hold a PFN differ page by page: such PTEs are grouped by kind, others by value
    const oldKey = oldKind === 'valid' || oldKind === 'transition' ? oldKind : entryValue(ev.oldLo, ev.oldHi);
    const newKey = newKind === 'valid' || newKind === 'transition' ? newKind : entryValue(ev.newLo, ev.newHi);
    const key = `pte|${ev.proc}|${oldKey}|${newKey}|${change ?? ''}`;
    let g = pteGroups.get(key);
    if (g === undefined) {
      g = { proc: ev.proc, slots: [], olds: [], news: [], oldKind: PTE_KIND_WORDS[oldKind], newKind: PTE_KIND_WORDS[newKind], change };
      pteGroups.set(key, g);
    }
    if (!g.slots.includes(t.slot)) g.slots.push(t.slot);
    g.olds.push(entryValue(ev.oldLo, ev.oldHi));
    g.news.push(entryValue(ev.newLo, ev.newHi));
    const gg = g;
    group(key, ev.seq, () => () => {
      const slots = [...gg.slots].sort((a, b) => a - b);
      const ranges = slotRanges(slots);
      const where = slots.length === 1
        ? `PTE of ${ranges[0]}`
        : ranges.length <= MAX_RANGES
          ? `PTEs of ${ranges.join(', ')} (${slots.length} pages)`
          : `PTEs of ${slots.length} pages in ${ranges.length} ranges from ${hex(slots[0] * 4096)}`;
      if (gg.change !== undefined) return `${pre}${where}: ${gg.change} ${by}`;
      const same = (xs: string[]): boolean => xs.every((x) => x === xs[0]);
      const oldText = same(gg.olds) ? gg.olds[0] : gg.oldKind;
      const newText = same(gg.news) ? `${gg.news[0]} (${gg.newKind})` : gg.newKind;
      return `${pre}${where}: ${oldText} → ${newText} ${by}`;
    });
  }

  private commitLine(c: { sysOld: number; sysNew: number; procs: Map<number, [number, number]> }): string | undefined {
    const parts: string[] = [];
    const procParts = [...c.procs.entries()]
      .filter(([, [o, n]]) => o !== n)
      .map(([p, [o, n]]) => `${this.proc(p)?.name ?? `process ${p}`} ${o} → ${n}`);
    if (c.sysOld >= 0 && c.sysOld !== c.sysNew) parts.push(`commit charge ${c.sysOld} → ${c.sysNew} ${c.sysNew === 1 ? 'page' : 'pages'}`);
    if (parts.length === 0 && procParts.length === 0) return undefined;
    if (parts.length === 0) return `process commit ${procParts.join(', ')} pages`;
    return procParts.length > 0 ? `${parts[0]} (${procParts.join(', ')})` : parts[0];
  }

  /**
   * A VAD event, as the API layer journals it (core/api/vadOps.ts): a = first VPN, the old and new
   * halves hold (startVpn, endVpn) of the range before and after (zero when there is none).
   */
  private vadLine(ev: JournalEvent, by: string): string {
    const range = (s: number, e: number): string => `${hex(s * 4096)}-${hex(e * 4096 + 4095)}`;
    const proc = this.proc(ev.proc);
    const liveAt = (start: number) => {
      const v = proc?.vads.findContaining(start);
      return v !== undefined && v.startVpn === start ? v : undefined;
    };
    const details = (start: number): string => {
      const vad = liveAt(start);
      if (vad === undefined) return '';
      return ` (${vad.kind}, ${win32Name(vad.protection)})`;
    };
    switch (ev.kind) {
      case EventKind.VadInsert: {
        const vad = liveAt(ev.newLo);
        const what = vad !== undefined && vad.kind !== 'private' ? 'mapped' : vad !== undefined && vad.memCommit ? 'reserved and committed' : 'reserved';
        return `VAD ${range(ev.newLo, ev.newHi)} ${what}${details(ev.newLo)} ${by}`;
      }
      case EventKind.VadRemove:
        return `VAD ${range(ev.oldLo, ev.oldHi)} released ${by}`;
      default:
        if (ev.newLo >= ev.oldLo && ev.newHi <= ev.oldHi) return `VAD ${range(ev.oldLo, ev.oldHi)} shrunk to ${range(ev.newLo, ev.newHi)} ${by}`;
        return `VAD ${range(ev.oldLo, ev.oldHi)} changed to ${range(ev.newLo, ev.newHi)}${details(ev.newLo)} ${by}`;
    }
  }

  private tlbLine(ev: JournalEvent): string {
    const p = this.proc(ev.proc);
    if (ev.sub === 0 && p !== undefined) return `switched to process '${p.name}' (CR3 ${hex(ev.a)}): TLB flushed`;
    return 'TLB flushed';
  }

  private processCreateLine(run: JournalEvent[]): string {
    const ev = run[0];
    const p = this.proc(ev.proc);
    let pages = 0;
    for (const e of run) if (e.kind === EventKind.PfnList && e.oldHi === 1 && e.newHi === 0) pages++;
    const name = p?.name ?? `process ${ev.proc}`;
    const cr3 = p !== undefined ? `, CR3 ${hex(p.cr3)}` : '';
    return `process '${name}' created (PID ${ev.a}${cr3}): ${pluralPages(pages)} for its PML4, hyperspace and working-set list`;
  }

  private processExitLine(run: JournalEvent[]): string {
    const ev = run[0];
    const p = this.proc(ev.proc);
    let freed = 0;
    for (const e of run) if (e.kind === EventKind.PfnList && e.oldHi === 0 && e.newHi === 1) freed++;
    return `process '${p?.name ?? `process ${ev.proc}`}' exited: ${pluralPages(freed)} returned to the lists`;
  }
}

/** Every line of narration for the whole journal (tests, the `--narrate` runner's final flush). */
export function narrateAll(m: Machine, opts: NarrationOptions = {}): string[] {
  return new Narrator(m).lines(m.journal.firstSeq, undefined, opts);
}
