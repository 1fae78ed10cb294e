/**
 * The page-fault handler (MmAccessFault and the resolvers it dispatches to) as an explicit step
 * machine. `begin` sets up a fault, `step` runs one named step (faultSteps.ts) and `run` loops to
 * the end: at full speed nothing is allocated per step; a debugger calls `step` itself and shows
 * the context between steps. Each step is journaled (FaultStep), so narration and time travel
 * can replay what happened.
 *
 * Scope of this module: the first-touch paths of book-B §7 — missing paging structures built
 * top-down, demand-zero resolution, access checks (the read-only first-touch double fault, guard
 * pages, NX, decommitted and reserved pages) — and the dispatch to the paging resolvers of
 * pagingFaults.ts (transition / soft faults, paging-file / hard faults with clustering, the
 * dirty-bit fault, collided faults, waiting for free pages), also at the upper levels of the
 * walk when a paging structure itself was paged out. Formats neither handles (prototype PTEs,
 * copy-on-write) are handed to `otherResolver`, which the section layer installs.
 *
 * Faults nest: `run` called while a stepped fault is suspended (a second thread faulting, e.g.
 * ReadProcessMemory from another process while the first waits for its in-page read) uses a
 * separate context and leaves the suspended one untouched.
 */
import { USER_LIMIT } from './addresses';
import { Step } from './faultSteps';
import { EventKind } from './journal';
import type { Machine } from './machine';
import { LIST_END } from './pfnDatabase';
import { entryIndex, entrySlot } from './pagingStructures';
import type { Process, FaultKind } from './process';
import type { InPageBlock } from './pager';
import { pagingStep } from './pagingFaults';
import { accessAllowed, cacheAttributeOf, isGuard, MM_NOACCESS, protectToPteMask } from './protection';
import { ACCESSED, COPY_ON_WRITE, DIRTY, HI_NX, P, RW, SW_WRITE, US, classify, demandZeroLo, pfnHi, pfnLo, protectionOf, ptePfn, withWsIndex, USER_TABLE_BITS } from './pte';
import {
  STATUS_ACCESS_VIOLATION, STATUS_GUARD_PAGE_VIOLATION, STATUS_PAGE_FAULT_DEMAND_ZERO, STATUS_SUCCESS,
} from './status';
import { WSLE_DIRECT } from './workingSet';

/** MmProtectToPteMask split into halves, so building a PTE allocates nothing. */
export const MASK_LO = Uint32Array.from({ length: 32 }, (_, i) => protectToPteMask(i).lo);
export const MASK_HI = Uint32Array.from({ length: 32 }, (_, i) => protectToPteMask(i).hi);

/**
 * Low half of the valid entry that maps `pfn`: a leaf PTE (target 1) from MmProtectToPteMask with
 * P, U/S and A, plus R/W and D when the page is writable and dirty; a user paging-structure entry
 * (target > 1) is …867 without NX.
 */
export function validEntryLo(pfn: number, protection: number, target: number, dirty: boolean): number {
  if (target > 1) return (pfnLo(pfn) | USER_TABLE_BITS) >>> 0;
  let lo = MASK_LO[protection] | pfnLo(pfn) | P | US | ACCESSED;
  if ((lo & SW_WRITE) !== 0 && dirty) lo |= RW | DIRTY;
  return lo >>> 0;
}

/** High half of that entry: the PFN's upper bits, and NX from the mask for a leaf PTE. */
export function validEntryHi(pfn: number, protection: number, target: number): number {
  return target > 1 ? pfnHi(pfn) : (MASK_HI[protection] | pfnHi(pfn)) >>> 0;
}

/** Both halves (for callers off the hot path). */
export function validEntry(pfn: number, protection: number, target: number, dirty: boolean): [number, number] {
  return [validEntryLo(pfn, protection, target, dirty), validEntryHi(pfn, protection, target)];
}

export const enum Access {
  Read = 0,
  Write = 1,
  Execute = 8,
}

export const ACCESS_NAMES: Record<number, string> = { 0: 'read', 1: 'write', 8: 'execute' };

/** The resolver MiDispatchFault chooses for the entry being resolved. */
export const enum Resolver {
  DemandZero = 0,
  Transition = 1,
  PageFile = 2,
}

/** Everything the handler knows about the fault in progress (shown by the debugger). */
export class FaultContext {
  proc!: Process;
  va = 0;
  slot = 0;
  access: Access = Access.Read;
  user = true;
  step: Step = Step.Done;
  status = STATUS_SUCCESS;
  /** Level being checked on the way down (4 = PXE ... 1 = PTE). */
  level = 4;
  /** Level of the entry being made valid by the demand-zero steps (1 = the leaf PTE). */
  target = 1;
  /** Table that holds the entry of the level being checked (below the PML4). */
  walkTable = -1;
  /** Table page, index and self-map slot of the entry being resolved. */
  table = -1;
  index = 0;
  eSlot = 0;
  /** PTE value as read (before), and the new value being built. */
  pteLo = 0;
  pteHi = 0;
  workLo = 0;
  workHi = 0;
  protection = 0;
  pfn = -1;
  color = 0;
  wsIndex = 0;
  kind: FaultKind = 'demandZero';
  /** Whether this fault already set the UMPB bit of the page table it builds. */
  umpbNoted = false;
  /** Set when the fault resolved nothing and the access is simply retried. */
  retry = false;
  /** The resolver for the entry being resolved (set by CheckLevel / ReadPte / CvaResult). */
  resolver: Resolver = Resolver.DemandZero;
  /** Whether the page being mapped by a transition or hard fault ends up dirty. */
  dirty = false;
  /** The in-page read of a hard fault (null otherwise). */
  block: InPageBlock | null = null;
  /** The transition PTE the hard fault wrote for the faulting page (MiIsFaultPteIntact compares). */
  ioPteLo = 0;
  ioPteHi = 0;
  /** The paging-file location a dirty-bit fault is releasing (an OriginalPte value). */
  oldLo = 0;
  oldHi = 0;
  /** Cluster of a hard fault: first and last PTE index in the table, and which are included. */
  clusterFirst = 0;
  clusterLast = 0;
  readonly clusterIncluded = new Uint8Array(512);
  readonly clusterPfn = new Int32Array(512);
  /** Journal sequence number of the FaultBegin event. */
  beginSeq = 0;
}

/**
 * MiAllocateWsle: MiDoReplacement (a hard working-set maximum replaces an entry; a large working
 * set in a system that is repurposing standby pages trims itself, book-B §10.6), then a free
 * working-set entry for the page being mapped.
 */
export function allocateWsle(m: Machine, c: FaultContext): void {
  const wsl = c.proc.wsl;
  if (c.proc.maximumWorkingSetHard || wsl.size - wsl.firstDynamic > m.forcedTrimThreshold) m.doReplacement(c.proc);
  m.ensureWsleAvailable(c.proc);
  c.wsIndex = wsl.allocate(c.eSlot, WSLE_DIRECT);
}

/** A resolver for PTE formats this module does not handle (installed by the section layer). */
export type OtherResolver = (ctx: FaultContext) => Step;

export class FaultHandler {
  /** The fault being run or stepped (a nested `run` temporarily uses another context). */
  ctx = new FaultContext();
  /** Suspended outer faults while a nested fault runs (innermost last). */
  private readonly outer: FaultContext[] = [];
  private readonly spare: FaultContext[] = [];
  otherResolver: OtherResolver | null = null;
  /** Called before each step when set (debugger pause points, breakpoints on routines). */
  onStep: ((ctx: FaultContext) => void) | null = null;

  constructor(private readonly m: Machine) {}

  get active(): boolean {
    return this.ctx.step !== Step.Done;
  }

  /** Every fault in progress: the current one and the suspended outer ones. */
  activeContexts(): FaultContext[] {
    const all = this.outer.filter((c) => c.step !== Step.Done);
    if (this.ctx.step !== Step.Done) all.push(this.ctx);
    return all;
  }

  begin(proc: Process, va: number, access: Access, user: boolean): FaultContext {
    const c = this.ctx;
    c.proc = proc;
    c.va = va;
    c.slot = Math.floor(va / 4096);
    c.access = access;
    c.user = user;
    c.status = STATUS_SUCCESS;
    c.level = 4;
    c.target = 1;
    c.pfn = -1;
    c.table = -1;
    c.kind = 'demandZero';
    c.umpbNoted = false;
    c.resolver = Resolver.DemandZero;
    c.block = null;
    c.retry = false;
    c.step = Step.Trap;
    c.beginSeq = this.m.journal.record(EventKind.FaultBegin, proc.index, access, va, 0, 0, 0, 0);
    return c;
  }

  /** Runs the fault to its end and returns the NTSTATUS MmAccessFault returned. */
  run(proc: Process, va: number, access: Access, user: boolean): number {
    if (this.ctx.step === Step.Done) {
      this.begin(proc, va, access, user);
      while (this.ctx.step !== Step.Done) this.step();
      return this.ctx.status;
    }
    // another fault is suspended mid-way: this one runs on a context of its own
    const suspended = this.ctx;
    this.outer.push(suspended);
    this.ctx = this.spare.pop() ?? new FaultContext();
    try {
      this.begin(proc, va, access, user);
      while (this.ctx.step !== Step.Done) this.step();
      return this.ctx.status;
    } finally {
      this.spare.push(this.ctx);
      this.ctx = this.outer.pop()!;
    }
  }

  private fail(status: number, kind: FaultKind): Step {
    this.ctx.status = status;
    this.ctx.kind = kind;
    return Step.ReleaseWs;
  }

  /** Executes the current step and moves to the next one. */
  step(): void {
    const c = this.ctx;
    const m = this.m;
    if (this.onStep !== null) this.onStep(c);
    m.journal.record(EventKind.FaultStep, c.proc.index, c.step, c.va, 0, 0, 0, 0);
    switch (c.step) {
      case Step.Trap:
        c.step = Step.CallAccessFault;
        return;
      case Step.CallAccessFault:
        c.proc.pageFaultCount++;
        c.step = Step.CheckAddress;
        return;
      case Step.CheckAddress:
        // user-mode code may only touch the user range (non-canonical addresses never get here
        // as numbers: the caller maps them to this same failure)
        c.step = c.va < 0 || c.va >= USER_LIMIT ? this.fail(STATUS_ACCESS_VIOLATION, 'accessViolation') : Step.AcquireWs;
        if (c.step === Step.ReleaseWs) c.step = Step.TrapReturn;
        return;
      case Step.AcquireWs:
        c.level = 4;
        c.step = Step.CheckLevel;
        return;
      case Step.CheckLevel: {
        // the table holding this level's entry: the PML4, or the page the entry above names
        const table = c.level === 4 ? c.proc.pml4Pfn : c.walkTable;
        const i = entryIndex(c.slot, c.level);
        const lo = m.paging.readLo(table, i);
        const hi = m.paging.readHi(table, i);
        if (lo & P) {
          c.walkTable = ptePfn(lo, hi);
          c.level--;
          c.step = c.level === 1 ? Step.ReadPte : Step.CheckLevel;
          return;
        }
        c.table = table;
        c.index = i;
        c.eSlot = entrySlot(c.slot, c.level);
        c.pteLo = lo;
        c.pteHi = hi;
        c.target = c.level;
        if (lo === 0 && hi === 0) {
          c.step = Step.CvaLookup;
          return;
        }
        // a paged-out paging structure: restored by the same resolvers as a leaf (book-C §8.4)
        const k = classify(lo, hi);
        if (k === 'transition' || k === 'pagefile') {
          c.protection = 4;
          c.resolver = k === 'transition' ? Resolver.Transition : Resolver.PageFile;
          c.step = Step.Dispatch;
          return;
        }
        c.step = this.other(c);
        return;
      }
      case Step.CvaLookup:
        c.step = Step.CvaResult;
        return;
      case Step.CvaResult: {
        const vad = c.proc.vads.findContaining(c.slot);
        if (vad === undefined || !vad.memCommit) {
          c.step = this.fail(STATUS_ACCESS_VIOLATION, 'accessViolation');
          return;
        }
        if (vad.kind !== 'private') {
          c.step = this.other(c);
          return;
        }
        c.resolver = Resolver.DemandZero;
        if (c.target > 1) {
          // a paging structure on the way down: build it (MiResolveDemandZeroFault again)
          c.kind = 'pagingStructure';
          c.protection = 4;
          // the UMPB bit of the page table to come is set (and its page mapped) first
          if (!c.umpbNoted) {
            m.notePageTableCreated(c.proc, c.slot);
            c.umpbNoted = true;
          }
          c.step = Step.Dispatch;
          return;
        }
        c.protection = vad.protection;
        if ((c.protection & 7) === 0 || c.protection === MM_NOACCESS || isGuard(c.protection)) {
          // these need the access check even though the PTE is zero
          c.pteLo = demandZeroLo(c.protection);
          c.pteHi = 0;
          c.step = Step.AccessCheck;
          return;
        }
        // no access check here: a write to a read-only page is mapped first and faults again
        c.step = Step.Dispatch;
        return;
      }
      case Step.ReadPte: {
        const table = c.walkTable;
        c.table = table;
        c.index = c.slot & 511;
        c.eSlot = c.slot;
        c.target = 1;
        c.pteLo = m.paging.readLo(table, c.index);
        c.pteHi = m.paging.readHi(table, c.index);
        switch (classify(c.pteLo, c.pteHi)) {
          case 'valid':
            c.step = Step.CheckValid;
            return;
          case 'zero':
            c.step = Step.CvaLookup;
            return;
          case 'demandZero':
            c.protection = protectionOf(c.pteLo);
            c.resolver = Resolver.DemandZero;
            c.step = Step.AccessCheck;
            return;
          case 'transition':
            c.protection = protectionOf(c.pteLo);
            c.resolver = Resolver.Transition;
            c.step = Step.AccessCheck;
            return;
          case 'pagefile':
            c.protection = protectionOf(c.pteLo);
            c.resolver = Resolver.PageFile;
            c.step = Step.AccessCheck;
            return;
          case 'decommitted':
            c.step = this.fail(STATUS_ACCESS_VIOLATION, 'accessViolation');
            return;
          default:
            c.step = this.other(c);
            return;
        }
      }
      case Step.CheckValid: {
        const lo = c.pteLo;
        if (c.user && (lo & US) === 0) {
          c.step = this.fail(STATUS_ACCESS_VIOLATION, 'accessViolation');
          return;
        }
        if (c.access === Access.Write && (lo & RW) === 0) {
          if ((lo & SW_WRITE) !== 0) {
            // a clean writable page: the dirty-bit fault (book-C §5.2)
            c.kind = 'dirtyBit';
            c.step = Step.DbClearPageFile;
          } else if ((lo & COPY_ON_WRITE) !== 0) {
            c.kind = 'copyOnWrite';
            c.step = this.other(c);
          } else c.step = this.fail(STATUS_ACCESS_VIOLATION, 'accessViolation');
          return;
        }
        if (c.access === Access.Execute && (c.pteHi & HI_NX) !== 0) {
          c.step = this.fail(STATUS_ACCESS_VIOLATION, 'accessViolation');
          return;
        }
        // nothing to do: another path already resolved it (the retried access will succeed)
        c.status = STATUS_SUCCESS;
        c.step = Step.ReleaseWs;
        return;
      }
      case Step.AccessCheck: {
        const prot = protectionOf(c.pteLo);
        c.protection = prot;
        if ((prot & 7) === 0 || prot === MM_NOACCESS) {
          c.step = this.fail(STATUS_ACCESS_VIOLATION, 'accessViolation');
          return;
        }
        // MiAccessCheck does not look at execute permission: an instruction fetch from a
        // non-executable page is caught by the second fault, after mapping.
        const kindName = c.access === Access.Write ? 'write' : 'read';
        if (!accessAllowed(prot & 7, kindName)) {
          c.step = this.fail(STATUS_ACCESS_VIOLATION, 'accessViolation');
          return;
        }
        if (isGuard(prot)) {
          const cleared = prot & ~0x10;
          m.paging.writeEntry(c.proc, c.table, c.index, c.eSlot, demandZeroLo(cleared) | (c.pteLo & ~0x3e0), c.pteHi);
          if (c.resolver === Resolver.Transition) {
            // the page keeps its protection in OriginalPte too
            const pfn = ptePfn(c.pteLo, c.pteHi);
            m.pfn.setOriginalPte(pfn, ((m.pfn.originalPteLo[pfn] & ~0x3e0) | demandZeroLo(cleared)) >>> 0, m.pfn.originalPteHi[pfn]);
          }
          c.step = this.fail(STATUS_GUARD_PAGE_VIOLATION, 'guard');
          return;
        }
        c.step = Step.Dispatch;
        return;
      }
      case Step.Dispatch:
        c.step = c.resolver === Resolver.DemandZero ? Step.DzColor : c.resolver === Resolver.Transition ? Step.TfReadPfn : Step.PfCluster;
        return;
      case Step.DzColor:
        c.proc.nextPageColor = (c.proc.nextPageColor + 1) & 0xffff;
        c.color = c.proc.nextPageColor & m.pfn.colorMask;
        c.step = Step.DzTakePage;
        return;
      case Step.DzTakePage: {
        const pfn = m.takePageForFault(c);
        if (pfn === LIST_END) {
          // no page on any list: MiEnsureAvailablePageOrWait
          c.step = Step.WaitForPages;
          return;
        }
        c.pfn = pfn;
        c.step = Step.InitPfn;
        return;
      }
      case Step.InitPfn: {
        const db = m.pfn;
        const pfn = c.pfn;
        const cache = cacheAttributeOf(c.protection);
        // a page whose caching type changes needs every TLB flushed first (KeFlushTb, book-B §7.9)
        if (cache !== db.cacheAttribute(pfn)) m.tlb.flushAll();
        m.initPagePfn(pfn, c.target === 1 ? demandZeroLo(c.protection) : demandZeroLo(4), c.table, c.eSlot, c.protection, c.proc.pagePriority);
        c.step = Step.DzBuildPte;
        return;
      }
      case Step.DzBuildPte:
        // a demand-zero page has no paging-file copy: writable pages are born dirty
        c.workLo = validEntryLo(c.pfn, c.protection, c.target, true);
        c.workHi = validEntryHi(c.pfn, c.protection, c.target);
        c.step = Step.WsleTake;
        return;
      case Step.WsleTake:
        allocateWsle(m, c);
        c.step = Step.WsleStore;
        return;
      case Step.WsleStore:
        m.pfn.setU1(c.pfn, c.wsIndex);
        c.workHi = withWsIndex(c.workHi, c.wsIndex);
        c.step = Step.DzWritePte;
        return;
      case Step.DzWritePte:
        m.paging.writeEntry(c.proc, c.table, c.index, c.eSlot, c.workLo, c.workHi);
        if (c.target === 1) {
          c.status = STATUS_PAGE_FAULT_DEMAND_ZERO;
          c.kind = 'demandZero';
          m.counters.demandZeroFaults++;
          c.step = Step.ReleaseWs;
        } else {
          m.counters.pagingStructureFaults++;
          c.walkTable = c.pfn;
          c.level = c.target - 1;
          c.step = c.level === 1 ? Step.ReadPte : Step.CheckLevel;
        }
        return;
      case Step.ReleaseWs:
        c.step = Step.TrapReturn;
        return;
      case Step.TrapReturn:
        // a fault that only waited (for pages, or for a changed PTE) is retried and counted then
        if (!c.retry) c.proc.countFault(c.kind);
        m.journal.record(EventKind.FaultEnd, c.proc.index, c.access, c.va, 0, 0, c.status, 0);
        c.step = Step.Done;
        return;
      case Step.Done:
        return;
      default:
        c.step = pagingStep(m, c);
    }
  }

  /** Formats this module does not resolve go to the paging layer, or fail clearly. */
  private other(c: FaultContext): Step {
    if (this.otherResolver !== null) return this.otherResolver(c);
    throw new Error(`internal: no resolver for a ${classify(c.pteLo, c.pteHi)} PTE (fault kind ${c.kind}) at 0x${c.va.toString(16)}`);
  }
}
