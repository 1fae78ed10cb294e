/**
 * The CPU side of memory access: translating a user-mode virtual address of the current process
 * through the TLB or a four-level walk (checking present, write, user and NX at every level and
 * setting accessed/dirty bits as the hardware does), raising a page fault to the memory manager
 * when the walk fails and retrying the access once the fault is resolved, and moving guest bytes.
 * The walk and the TLB are allocation-free; a failed access reports through `lastFault`.
 */
import { Access, FaultContext } from './faultHandler';
import { Actor, EventKind } from './journal';
import type { Machine } from './machine';
import { entryIndex, entrySlot } from './pagingStructures';
import { ACCESSED, DIRTY, HI_NX, P, RW, US, ptePfn } from './pte';
import { STATUS_ACCESS_VIOLATION, ntSuccess } from './status';
import { TLB_EXEC, TLB_USER, TLB_WRITE } from './tlb';
import { USER_LIMIT } from './addresses';

export interface GuestFault {
  status: number;
  va: number;
  access: Access;
}

/** Retries of one access before giving up (a resolved fault must make the next walk succeed). */
const MAX_RETRIES = 8;

export class Mmu {
  /** The fault that made the last access fail. */
  lastFault: GuestFault = { status: 0, va: 0, access: Access.Read };
  /** Optional observer of guest data accesses (data breakpoints); null when nobody watches. */
  accessHook: ((pa: number, va: number, size: number, access: Access) => void) | null = null;
  walks = 0;

  constructor(private readonly m: Machine) {}

  /**
   * One hardware walk for a user-mode access: returns the PFN, or -1 when a page fault must be
   * raised. On success the accessed bits (and the dirty bit for a write) are set and the
   * translation is cached.
   */
  private walk(slot: number, access: Access): number {
    const m = this.m;
    const phys = m.phys;
    this.walks++;
    let table = m.current.pml4Pfn;
    let user = true;
    let writable = true;
    let exec = true;
    for (let level = 4; level >= 1; level--) {
      const w = entryIndex(slot, level) * 2;
      const lo = phys.readWord(table, w);
      if ((lo & P) === 0) return -1;
      const hi = phys.readWord(table, w + 1);
      if ((lo & US) === 0) user = false;
      if ((lo & RW) === 0) writable = false;
      if ((hi & HI_NX) !== 0) exec = false;
      if (!user || (access === Access.Write && !writable) || (access === Access.Execute && !exec)) return -1;
      let nlo = lo;
      if ((lo & ACCESSED) === 0) nlo |= ACCESSED;
      if (level === 1 && access === Access.Write && (lo & DIRTY) === 0) nlo |= DIRTY;
      if (nlo !== lo) {
        // the CPU sets A/D itself: a PTE write by the hardware
        const prev = m.journal.actor;
        m.journal.actor = Actor.Cpu;
        m.paging.writeEntry(m.current, table, w / 2, entrySlot(slot, level), nlo >>> 0, hi);
        m.journal.actor = prev;
      }
      const next = ptePfn(lo, hi);
      if (level === 1) {
        const dirty = ((nlo & DIRTY) !== 0);
        m.tlb.fill(slot, next, (writable && dirty ? TLB_WRITE : 0) | TLB_USER | (exec ? TLB_EXEC : 0));
        return next;
      }
      table = next;
    }
    return -1;
  }

  /**
   * Translates a user-mode access of the current process, taking and resolving page faults as
   * needed. Returns the physical address, or -1 with `lastFault` set when the access raises an
   * exception (access violation, guard page, ...).
   */
  translate(va: number, access: Access): number {
    const m = this.m;
    if (!(va >= 0 && va < USER_LIMIT)) {
      // non-canonical or kernel address from user mode: the fault is never resolved
      m.counters.pageFaults++;
      m.counters.accessViolations++;
      this.lastFault = { status: STATUS_ACCESS_VIOLATION, va, access };
      return -1;
    }
    const slot = Math.floor(va / 4096);
    const offset = va - slot * 4096;
    const tlb = m.tlb;
    const i = tlb.lookup(slot);
    if (i >= 0) {
      const f = tlb.flags[i];
      if ((access === Access.Read || (access === Access.Write && (f & TLB_WRITE) !== 0) || (access === Access.Execute && (f & TLB_EXEC) !== 0))) {
        tlb.hits++;
        return tlb.pfn[i] * 4096 + offset;
      }
    }
    tlb.misses++;
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const pfn = this.walk(slot, access);
      if (pfn >= 0) return pfn * 4096 + offset;
      m.counters.pageFaults++;
      const prev = m.journal.actor;
      m.journal.actor = Actor.Fault;
      const status = m.faults.run(m.current, va, access, true);
      m.journal.actor = prev;
      if (!ntSuccess(status)) {
        if (status === STATUS_ACCESS_VIOLATION) m.counters.accessViolations++;
        else m.counters.guardPageFaults++;
        this.lastFault = { status, va, access };
        return -1;
      }
    }
    this.lastFault = { status: STATUS_ACCESS_VIOLATION, va, access };
    return -1;
  }

  /**
   * The same translation as `translate`, but a page fault is run one named step at a time: the
   * generator yields the fault context before every step, so a debugger can pause inside the
   * memory manager. Returns the physical address or -1 (with `lastFault` set).
   */
  *translateSteps(va: number, access: Access): Generator<FaultContext, number, void> {
    const m = this.m;
    if (!(va >= 0 && va < USER_LIMIT)) return this.translate(va, access);
    const slot = Math.floor(va / 4096);
    const offset = va - slot * 4096;
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const i = m.tlb.lookup(slot);
      if (i >= 0 && (access === Access.Read || (m.tlb.flags[i] & (access === Access.Write ? TLB_WRITE : TLB_EXEC)) !== 0)) {
        return m.tlb.pfn[i] * 4096 + offset;
      }
      const pfn = this.walk(slot, access);
      if (pfn >= 0) return pfn * 4096 + offset;
      m.counters.pageFaults++;
      const prev = m.journal.actor;
      const ctx = m.faults.begin(m.current, va, access, true);
      while (m.faults.active) {
        yield ctx;
        m.journal.actor = Actor.Fault;
        m.faults.step();
        m.journal.actor = prev;
      }
      if (!ntSuccess(ctx.status)) {
        if (ctx.status === STATUS_ACCESS_VIOLATION) m.counters.accessViolations++;
        else m.counters.guardPageFaults++;
        this.lastFault = { status: ctx.status, va, access };
        return -1;
      }
    }
    this.lastFault = { status: STATUS_ACCESS_VIOLATION, va, access };
    return -1;
  }

  /** Reads one byte (user mode); -1 when the access faults. */
  read8(va: number): number {
    const pa = this.translate(va, Access.Read);
    if (pa < 0) return -1;
    if (this.accessHook !== null) this.accessHook(pa, va, 1, Access.Read);
    return this.m.phys.readByte(Math.floor(pa / 4096), pa % 4096);
  }

  /** Writes one byte (user mode); false when the access faults. */
  write8(va: number, value: number): boolean {
    const pa = this.translate(va, Access.Write);
    if (pa < 0) return false;
    if (this.accessHook !== null) this.accessHook(pa, va, 1, Access.Write);
    const pfn = Math.floor(pa / 4096);
    const off = pa % 4096;
    const m = this.m;
    const old = m.phys.readByte(pfn, off);
    if (old !== (value & 0xff)) {
      m.phys.writeByte(pfn, off, value);
      m.journal.record(EventKind.PageContent, m.current.index, 1, pa, old, 0, value & 0xff, 0);
    }
    return true;
  }

  /**
   * Reads `length` bytes into `out` (little-endian guest memory). Stops at the first faulting
   * page: returns the number of bytes read.
   */
  readBytes(va: number, out: Uint8Array, length = out.length): number {
    let done = 0;
    while (done < length) {
      const cur = va + done;
      const pa = this.translate(cur, Access.Read);
      if (pa < 0) return done;
      const pfn = Math.floor(pa / 4096);
      let off = pa % 4096;
      const n = Math.min(length - done, 4096 - off);
      if (this.accessHook !== null) this.accessHook(pa, cur, n, Access.Read);
      for (let k = 0; k < n; k++) out[done + k] = this.m.phys.readByte(pfn, off++);
      done += n;
    }
    return done;
  }

  /** Writes bytes; stops at the first faulting page and returns the number written. */
  writeBytes(va: number, data: Uint8Array, length = data.length): number {
    let done = 0;
    const m = this.m;
    while (done < length) {
      const cur = va + done;
      const pa = this.translate(cur, Access.Write);
      if (pa < 0) return done;
      const pfn = Math.floor(pa / 4096);
      const off0 = pa % 4096;
      const n = Math.min(length - done, 4096 - off0);
      if (this.accessHook !== null) this.accessHook(pa, cur, n, Access.Write);
      let changed = false;
      for (let k = 0; k < n; k++) {
        const off = off0 + k;
        const v = data[done + k];
        if (m.phys.readByte(pfn, off) !== v) {
          m.phys.writeByte(pfn, off, v);
          changed = true;
        }
      }
      if (changed) m.journal.record(EventKind.PageContent, m.current.index, n, pa, 0, 0, 0, 0);
      done += n;
    }
    return done;
  }

  /**
   * Touches one byte in every page of [va, va + size): a read, a read-modify-write (contents
   * unchanged) or an instruction fetch. Returns the number of pages touched before a fault.
   */
  touch(va: number, size: number, access: Access): number {
    if (size <= 0) return 0;
    const first = Math.floor(va / 4096);
    const last = Math.floor((va + size - 1) / 4096);
    for (let s = first; s <= last; s++) {
      const a = s === first ? va : s * 4096;
      if (access === Access.Write) {
        const pa = this.translate(a, Access.Read);
        if (pa < 0) return s - first;
        const pw = this.translate(a, Access.Write);
        if (pw < 0) return s - first;
        if (this.accessHook !== null) this.accessHook(pw, a, 1, Access.Write);
      } else {
        const pa = this.translate(a, access);
        if (pa < 0) return s - first;
        if (this.accessHook !== null) this.accessHook(pa, a, 1, access);
      }
    }
    return last - first + 1;
  }
}
