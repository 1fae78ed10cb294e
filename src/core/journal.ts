/**
 * The event journal: every state change of the machine, in order, with a monotonically
 * increasing sequence number. Views, narration, data breakpoints and (later) time travel are
 * built on this stream rather than on the machine's internals.
 *
 * Events are stored column-wise in typed arrays (no object per event), so recording costs a few
 * array stores on the fault path. When the configured capacity is reached the oldest events are
 * overwritten (a ring); `firstSeq` tells which events are still available.
 */

export const enum EventKind {
  PteWrite = 1,
  PfnList = 2,
  PfnField = 3,
  WsleWrite = 4,
  VadInsert = 5,
  VadRemove = 6,
  VadChange = 7,
  Commit = 8,
  FaultBegin = 9,
  FaultStep = 10,
  FaultEnd = 11,
  ProcessCreate = 12,
  ProcessExit = 13,
  TlbFlush = 14,
  PageContent = 15,
  Clock = 16,
  Counter = 17,
}

export const EVENT_KIND_NAMES: Record<number, string> = {
  1: 'PteWrite', 2: 'PfnList', 3: 'PfnField', 4: 'WsleWrite', 5: 'VadInsert', 6: 'VadRemove', 7: 'VadChange',
  8: 'Commit', 9: 'FaultBegin', 10: 'FaultStep', 11: 'FaultEnd', 12: 'ProcessCreate', 13: 'ProcessExit',
  14: 'TlbFlush', 15: 'PageContent', 16: 'Clock', 17: 'Counter',
};

/** Who caused a change: shown by data breakpoints ("Valid 1→0 by working-set trim"). */
export const enum Actor {
  System = 0,
  Api = 1,
  Fault = 2,
  Cpu = 3,
  Trim = 4,
  ModifiedPageWriter = 5,
  Repurpose = 6,
  ZeroPageThread = 7,
  Process = 8,
}

export const ACTOR_NAMES: Record<number, string> = {
  0: 'system', 1: 'API call', 2: 'page fault', 3: 'CPU', 4: 'working-set trim', 5: 'modified page writer',
  6: 'standby repurposing', 7: 'zero page thread', 8: 'process manager',
};

/** Sub-identifiers for PfnField events. */
export const enum PfnFieldId {
  U1 = 0, // WsIndex / Flink
  U2 = 1, // ShareCount / Blink
  PteAddress = 2,
  ReferenceCount = 3,
  Flags = 4, // u3.e1 (PageLocation, Modified, WriteInProgress, ReadInProgress, CacheAttribute, Priority ...)
  OriginalPte = 5,
  PteFrame = 6,
  UsedPageTableEntries = 7,
}

/** Sub-identifiers for Commit events. */
export const enum CommitCounter {
  SystemCharge = 0,
  ProcessCharge = 1,
  VadCharge = 2,
  Limit = 3,
  PageFileQuota = 4,
}

export interface JournalEvent {
  seq: number;
  kind: EventKind;
  actor: Actor;
  proc: number;
  sub: number;
  a: number;
  oldLo: number;
  oldHi: number;
  newLo: number;
  newHi: number;
}

export class Journal {
  private cap: number;
  private kindCol: Uint8Array;
  private actorCol: Uint8Array;
  private procCol: Uint16Array;
  private subCol: Uint16Array;
  private aCol: Float64Array;
  private oldLoCol: Uint32Array;
  private oldHiCol: Uint32Array;
  private newLoCol: Uint32Array;
  private newHiCol: Uint32Array;
  /** Sequence number the next event gets (= number of events ever recorded). */
  nextSeq = 0;
  /** Who is acting now; stamped on each event. */
  actor: Actor = Actor.System;
  /** Synchronous observer (data breakpoints). Null when nobody watches: the hot path pays one test. */
  listener: ((seq: number) => void) | null = null;

  constructor(readonly maxEvents = 1 << 21, initial = 1 << 14) {
    if ((maxEvents & (maxEvents - 1)) !== 0 || (initial & (initial - 1)) !== 0) throw new RangeError('journal sizes must be powers of two');
    this.cap = Math.min(initial, maxEvents);
    this.kindCol = new Uint8Array(this.cap);
    this.actorCol = new Uint8Array(this.cap);
    this.procCol = new Uint16Array(this.cap);
    this.subCol = new Uint16Array(this.cap);
    this.aCol = new Float64Array(this.cap);
    this.oldLoCol = new Uint32Array(this.cap);
    this.oldHiCol = new Uint32Array(this.cap);
    this.newLoCol = new Uint32Array(this.cap);
    this.newHiCol = new Uint32Array(this.cap);
  }

  /** Oldest sequence number still stored. */
  get firstSeq(): number {
    return this.nextSeq > this.cap && this.cap === this.maxEvents ? this.nextSeq - this.cap : 0;
  }

  private grow(): void {
    const n = Math.min(this.cap * 2, this.maxEvents);
    const g = <T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const x = make(n);
      x.set(old as never);
      return x;
    };
    this.kindCol = g(this.kindCol, (k) => new Uint8Array(k));
    this.actorCol = g(this.actorCol, (k) => new Uint8Array(k));
    this.procCol = g(this.procCol, (k) => new Uint16Array(k));
    this.subCol = g(this.subCol, (k) => new Uint16Array(k));
    this.aCol = g(this.aCol, (k) => new Float64Array(k));
    this.oldLoCol = g(this.oldLoCol, (k) => new Uint32Array(k));
    this.oldHiCol = g(this.oldHiCol, (k) => new Uint32Array(k));
    this.newLoCol = g(this.newLoCol, (k) => new Uint32Array(k));
    this.newHiCol = g(this.newHiCol, (k) => new Uint32Array(k));
    this.cap = n;
  }

  record(kind: EventKind, proc: number, sub: number, a: number, oldLo: number, oldHi: number, newLo: number, newHi: number): number {
    const seq = this.nextSeq;
    if (seq >= this.cap && this.cap < this.maxEvents) this.grow();
    const i = seq & (this.cap - 1);
    this.kindCol[i] = kind;
    this.actorCol[i] = this.actor;
    this.procCol[i] = proc;
    this.subCol[i] = sub;
    this.aCol[i] = a;
    this.oldLoCol[i] = oldLo;
    this.oldHiCol[i] = oldHi;
    this.newLoCol[i] = newLo;
    this.newHiCol[i] = newHi;
    this.nextSeq = seq + 1;
    if (this.listener !== null) this.listener(seq);
    return seq;
  }

  /** Decodes one stored event (allocates; for views and tests, not for hot paths). */
  get(seq: number): JournalEvent | undefined {
    if (seq < this.firstSeq || seq >= this.nextSeq) return undefined;
    const i = seq & (this.cap - 1);
    return {
      seq,
      kind: this.kindCol[i] as EventKind,
      actor: this.actorCol[i] as Actor,
      proc: this.procCol[i],
      sub: this.subCol[i],
      a: this.aCol[i],
      oldLo: this.oldLoCol[i],
      oldHi: this.oldHiCol[i],
      newLo: this.newLoCol[i],
      newHi: this.newHiCol[i],
    };
  }

  kindAt(seq: number): EventKind {
    return this.kindCol[seq & (this.cap - 1)] as EventKind;
  }

  /** Events from `fromSeq` (inclusive) to the end. */
  *since(fromSeq: number): Generator<JournalEvent> {
    for (let s = Math.max(fromSeq, this.firstSeq); s < this.nextSeq; s++) yield this.get(s)!;
  }

  /** Runs `fn` with `actor` stamped on the events it causes. */
  as<T>(actor: Actor, fn: () => T): T {
    const prev = this.actor;
    this.actor = actor;
    try {
      return fn();
    } finally {
      this.actor = prev;
    }
  }
}
