// The lab's inspection functions (contract §8): pxe/ppe/pde/pte, pfn, vad, translate, ws,
// wsContains, lists, commit, counters, faults. They read the machine through core/inspection and
// the core's data structures only: no faults, no accessed bits, no working-set changes, no journal
// events — so they are also allowed in watches and hovers.
//
// Record shapes:
//  - pxe/ppe/pde/pte(va): { level, levelName, address, raw, kind, ...decoded fields } where the
//    decoded fields are those of the entry's format (valid: valid, write, owner, accessed, dirty,
//    largePage, copyOnWrite, nx, pfn, softwareWsIndex...; software formats: protection,
//    pageFileNumber, pageFileOffset...; prototype: prototypeAddress...); `kind` is "absent" (and
//    only address/raw/kind/level are present) when a higher-level table does not exist;
//  - vad(va): { start, end, startVpn, endVpn, size, protection, commitCharge, privateMemory,
//    memCommit, type, allocationProtect } or null; `end` is the address of the LAST byte (inclusive,
//    like the VAD's EndingVpn), `size` the length in bytes; `type` is "private", "mapped" or "image".

import { slotOfVa } from '../../core/addresses';
import { listCounts, pageWalk, entryInfo, pfnInfo } from '../../core/inspection';
import type { Machine } from '../../core/machine';
import type { Process } from '../../core/process';
import { ptePfn } from '../../core/pte';
import { referenceProcess } from '../../core/api/handles';
import { statusName } from '../../core/status';
import { performanceCounters } from '../../core/paging';
import { fromHost, RecordValue, type Value } from '../values';
import { argError, intArg, u64Arg } from './args';
import type { Builtin, CallContext } from './types';

const PAGE = 4096n;

/** The process named by a handle argument (any access), or the call's current process when absent. */
export function processArg(args: Value[], i: number, ctx: CallContext): Process {
  if (args.length <= i || args[i] === null) return ctx.process;
  const h = intArg(args, i, ctx);
  const r = referenceProcess(ctx.machine, h, 0);
  if (r.object === undefined) throw argError(ctx, i, `is not a process handle (${statusName(r.status)})`);
  return r.object;
}

function entryRecord(m: Machine, proc: Process, va: bigint, level: number): RecordValue {
  const e = entryInfo(m, proc, slotOfVa(va), level);
  const fields: Array<[string, Value]> = [
    ['level', BigInt(level)],
    ['levelName', e.levelName],
    ['address', e.address],
    ['raw', e.raw],
    ['kind', e.kind],
  ];
  if (e.decoded !== undefined) {
    for (const [k, v] of Object.entries(e.decoded)) {
      if (k === 'raw' || k === 'kind') continue;
      fields.push([k === 'protoAddress' ? 'prototypeAddress' : k, fromHost(v)]);
    }
  }
  return new RecordValue(fields);
}

function entryBuiltin(name: string, level: number, what: string): Builtin {
  return {
    name,
    params: ['va'],
    doc: `The ${what} that maps va in the current process, decoded: { address, raw, kind, ...fields of its format } (no side effects).`,
    category: 'inspection',
    sideEffects: false,
    call(args, ctx) {
      return entryRecord(ctx.machine, ctx.process, u64Arg(args, 0, ctx), level);
    },
  };
}

const pfnBuiltin: Builtin = {
  name: 'pfn',
  params: ['n'],
  doc: 'The PFN database entry of physical page n as !pfn shows it: { location, shareCount, referenceCount, pteAddress, originalPte, modified, ... }.',
  category: 'inspection',
  sideEffects: false,
  call(args, ctx) {
    const n = intArg(args, 0, ctx);
    const count = ctx.machine.pfn.count;
    if (n < 0n || n >= BigInt(count)) throw argError(ctx, 0, `must be a page frame number between 0 and 0x${(count - 1).toString(16)}, got ${n}`);
    return fromHost(pfnInfo(ctx.machine, Number(n)));
  },
};

const vadBuiltin: Builtin = {
  name: 'vad',
  params: ['va'],
  doc: 'The VAD that contains va in the current process: { start, end (last byte), size, protection, commitCharge, privateMemory, memCommit, type }, or null.',
  category: 'inspection',
  sideEffects: false,
  call(args, ctx) {
    const va = u64Arg(args, 0, ctx);
    if (va >= 1n << 48n) return null;
    const v = ctx.process.vads.findContaining(Number(va / PAGE));
    if (v === undefined) return null;
    const start = BigInt(v.startVpn) * PAGE;
    const endExcl = BigInt(v.endVpn + 1) * PAGE;
    return new RecordValue([
      ['start', start],
      ['end', endExcl - 1n],
      ['startVpn', BigInt(v.startVpn)],
      ['endVpn', BigInt(v.endVpn)],
      ['size', endExcl - start],
      ['protection', BigInt(v.protection)],
      ['commitCharge', BigInt(v.commitCharge)],
      ['privateMemory', v.privateMemory],
      ['memCommit', v.memCommit],
      ['type', v.kind],
      ['allocationProtect', BigInt(v.allocationProtect)],
    ]);
  },
};

const translateBuiltin: Builtin = {
  name: 'translate',
  params: ['va'],
  doc: 'The physical address va maps to in the current process, or -1 when the page is not resident and valid (no side effects).',
  category: 'inspection',
  sideEffects: false,
  call(args, ctx) {
    const va = u64Arg(args, 0, ctx);
    const walk = pageWalk(ctx.machine, ctx.process, slotOfVa(va));
    for (const e of walk) if (e.kind !== 'valid') return -1n;
    const leaf = walk[3];
    const pfn = ptePfn(Number(leaf.raw & 0xffffffffn), Number(leaf.raw >> 32n));
    return BigInt(pfn) * PAGE + (va % PAGE);
  },
};

const wsBuiltin: Builtin = {
  name: 'ws',
  params: ['h?'],
  doc: 'The working set of a process (default: the current one): { size, peak, minimum, maximum, firstDynamic, lastEntry } in pages / entry indexes.',
  category: 'inspection',
  sideEffects: false,
  call(args, ctx) {
    const p = processArg(args, 0, ctx);
    const w = p.wsl;
    return fromHost({ size: w.size, peak: w.peak, minimum: w.minimum, maximum: w.maximum, firstDynamic: w.firstDynamic, lastEntry: w.lastEntry });
  },
};

const wsContainsBuiltin: Builtin = {
  name: 'wsContains',
  params: ['va'],
  doc: 'Whether the page of va is in the working set of the current process.',
  category: 'inspection',
  sideEffects: false,
  call(args, ctx) {
    const va = u64Arg(args, 0, ctx);
    const m = ctx.machine;
    const slot = slotOfVa(va);
    const leaf = entryInfo(m, ctx.process, slot, 1);
    if (leaf.kind !== 'valid') return false;
    for (const e of pageWalk(m, ctx.process, slot)) if (e.kind !== 'valid') return false;
    const pfn = ptePfn(Number(leaf.raw & 0xffffffffn), Number(leaf.raw >> 32n));
    const index = m.pfn.u1[pfn];
    const wsl = ctx.process.wsl;
    return wsl.isValid(index) && wsl.slotAt(index) === slot;
  },
};

const listsBuiltin: Builtin = {
  name: 'lists',
  params: [],
  doc: 'Page counts of the physical page lists: { zeroed, free, standby, standbyByPriority, modified, modifiedNoWrite, bad, active, available }.',
  category: 'inspection',
  sideEffects: false,
  call(_args, ctx) {
    return fromHost(listCounts(ctx.machine));
  },
};

const commitBuiltin: Builtin = {
  name: 'commit',
  params: [],
  doc: 'Commit accounting in pages: { charge, limit, peak, processCharge } (processCharge: the current process).',
  category: 'inspection',
  sideEffects: false,
  call(_args, ctx) {
    const c = ctx.machine.commit;
    return fromHost({ charge: c.charge, limit: c.limit, peak: c.peak, processCharge: ctx.process.commitCharge });
  },
};

const countersBuiltin: Builtin = {
  name: 'counters',
  params: [],
  doc: 'The memory performance counters since boot (book-D §12-13): availableBytes, committedBytes, commitLimit, modifiedPageListBytes... (bytes) and pageFaults, demandZeroFaults, transitionFaults, pageReads, pageWrites, pagesRead, pagesWritten... (counts).',
  category: 'inspection',
  sideEffects: false,
  call(_args, ctx) {
    const m = ctx.machine;
    const fields = new Map<string, Value>();
    for (const [k, v] of Object.entries(performanceCounters(m))) fields.set(k, BigInt(Math.trunc(v)));
    fields.set('commitPeakBytes', BigInt(m.commit.peak) * PAGE);
    for (const [k, v] of Object.entries(m.counters)) {
      if (typeof v === 'number' && !fields.has(k)) fields.set(k, BigInt(Math.trunc(v)));
    }
    return new RecordValue(fields);
  },
};

const faultsBuiltin: Builtin = {
  name: 'faults',
  params: ['h?'],
  doc: 'Page faults taken by a process (default: the current one): { total, demandZero, transition, hard, copyOnWrite, prototype, dirtyBit, pagingStructure, guard, accessViolation }.',
  category: 'inspection',
  sideEffects: false,
  call(args, ctx) {
    const p = processArg(args, 0, ctx);
    const fields: Array<[string, Value]> = [['total', BigInt(p.pageFaultCount)]];
    for (const [k, n] of Object.entries(p.faultsByKind())) fields.push([k, BigInt(n)]);
    return new RecordValue(fields);
  },
};

const clockBuiltin: Builtin = {
  name: 'clock',
  params: [],
  doc: 'The simulated time since boot, in milliseconds.',
  category: 'inspection',
  sideEffects: false,
  call(_args, ctx) {
    return BigInt(Math.trunc(ctx.machine.clockMs));
  },
};

export const INSPECTION_BUILTINS: readonly Builtin[] = [
  entryBuiltin('pxe', 4, 'PML4 entry (PXE)'),
  entryBuiltin('ppe', 3, 'page-directory-pointer entry (PPE)'),
  entryBuiltin('pde', 2, 'page-directory entry (PDE)'),
  entryBuiltin('pte', 1, 'page-table entry (PTE)'),
  pfnBuiltin, vadBuiltin, translateBuiltin, wsBuiltin, wsContainsBuiltin, listsBuiltin, commitBuiltin,
  countersBuiltin, faultsBuiltin, clockBuiltin,
];
