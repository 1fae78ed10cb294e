/**
 * Answers the extension's custom requests (protocol.ts) from the machine and its journal, with
 * no side effects except the two explicit knobs (trim, modified page writer).
 */
import type { Machine } from '../core/machine';
import type { Process } from '../core/process';
import { explainTranslation, listCounts, pfnInfo } from '../core/inspection';
import { EventKind } from '../core/journal';
import { isSelfMapSlot } from '../core/pagingStructures';
import { protectionName } from '../core/protection';
import { statusName } from '../core/status';
import type { Vad } from '../core/vad';
import { ACCESS_NAMES } from '../core/faultHandler';
import { PAGE_LOCATION_NAMES } from '../core/pfnDatabase';
import type * as P from './protocol';
import { pteSummary } from './presenters/pte';

const hex = (n: number | bigint) => '0x' + n.toString(16);

function vadNode(proc: Process, v: Vad | undefined): P.VadNode | undefined {
  if (v === undefined) return undefined;
  return {
    start: hex(v.startVpn * 4096),
    end: hex((v.endVpn + 1) * 4096 - 1),
    protection: protectionName(v.protection),
    commit: v.commitCharge,
    kind: v.kind,
    memCommit: v.memCommit,
    level: proc.vads.level(v),
    left: vadNode(proc, v.left),
    right: vadNode(proc, v.right),
  };
}

export function addressSpace(m: Machine, proc: Process): P.AddressSpaceBody {
  return {
    process: { index: proc.index, pid: proc.pid, name: proc.name },
    processes: [...m.processes.values()].filter((p) => !p.terminated).map((p) => ({ index: p.index, pid: p.pid, name: p.name, current: p === m.current })),
    root: vadNode(proc, proc.vads.root),
    count: proc.vads.size,
  };
}

export function workingSet(m: Machine, proc: Process, limit = 5000): P.WorkingSetBody {
  const w = proc.wsl;
  const entries: P.WorkingSetEntry[] = [];
  let truncated = false;
  for (let i = 0; i <= w.lastEntry; i++) {
    if (!w.isValid(i)) continue;
    if (entries.length >= limit) {
      truncated = true;
      break;
    }
    const slot = w.slotAt(i);
    const va = w.value(i) & ~0xfffn;
    const kind = isSelfMapSlot(slot) ? 'pagingStructure' : va >= 0xfffff70000000000n ? 'hyperspace' : 'data';
    entries.push({ index: i, va: hex(va), age: w.age(i), kind, locked: proc.lockedVpns.has(slot) });
  }
  return { size: w.size, peak: w.peak, minimum: w.minimum, maximum: w.maximum, entries, truncated };
}

export function physicalMemory(m: Machine): P.PhysicalMemoryBody {
  const c = listCounts(m);
  return {
    totalPages: m.pfn.count,
    lists: [
      { name: 'Zeroed', count: c.zeroed },
      { name: 'Free', count: c.free },
      { name: 'Standby', count: c.standby, children: c.standbyByPriority.map((n, p) => ({ name: `priority ${p}`, count: n })) },
      { name: 'Modified', count: c.modified },
      { name: 'ModifiedNoWrite', count: c.modifiedNoWrite },
      { name: 'Bad', count: c.bad },
      { name: 'Active', count: c.active },
    ],
    available: c.available,
    commit: { charge: m.commit.charge, limit: m.commit.limit, peak: m.commit.peak },
  };
}

export function pageWalk(m: Machine, proc: Process, va: number): P.PageWalkBody {
  const t = explainTranslation(m, proc, va);
  const v = BigInt(va);
  const fmt = { hex: true };
  return {
    address: hex(va),
    resident: t.resident,
    physicalAddress: t.resident ? hex(t.physicalAddress) : undefined,
    reason: t.resident ? undefined : t.reason,
    indexes: { pml4: Number((v >> 39n) & 0x1ffn), pdpt: Number((v >> 30n) & 0x1ffn), pd: Number((v >> 21n) & 0x1ffn), pt: Number((v >> 12n) & 0x1ffn), offset: va % 4096 },
    levels: t.walk.map((e) => ({
      level: e.levelName,
      address: hex(e.address),
      raw: hex(e.raw),
      kind: e.kind,
      summary: pteSummary(e, fmt),
      fields: Object.fromEntries(Object.entries(e.decoded ?? {}).filter(([k]) => k !== 'raw' && k !== 'kind').map(([k, val]) => [k, typeof val === 'bigint' || typeof val === 'number' ? hex(val) : String(val)])),
    })),
  };
}

const FAULT_KIND_BY_STATUS: Record<number, string> = {
  0x110: 'transition (soft)',
  0x111: 'demand-zero',
  0x112: 'copy-on-write',
  0x113: 'guard (stack)',
  0x114: 'hard (paging file)',
  0x80000001: 'guard page',
  0xc0000005: 'access violation',
  0: 'resolved',
};

export function faultLog(m: Machine, limit = 2000): P.FaultLogBody {
  const faults: P.FaultLogEntry[] = [];
  const j = m.journal;
  const open = new Map<number, number>();
  for (const e of j.since(j.firstSeq)) {
    if (e.kind === EventKind.FaultBegin) open.set(e.proc, e.seq);
    else if (e.kind === EventKind.FaultEnd) {
      const b = open.get(e.proc);
      open.delete(e.proc);
      const status = e.newLo >>> 0;
      const p = m.processes.get(e.proc);
      faults.push({
        seq: b ?? e.seq,
        process: p ? `${p.name} (${p.pid})` : String(e.proc),
        address: hex(e.a),
        access: ACCESS_NAMES[e.sub] ?? String(e.sub),
        kind: FAULT_KIND_BY_STATUS[status] ?? statusName(status),
        status: statusName(status),
        resolution: status >= 0x80000000 ? `raised ${statusName(status)}` : 'resolved',
      });
    }
  }
  return { faults: faults.slice(-limit) };
}

const LOCATION_LETTERS = 'ZFSMNBAT';

export function memoryMap(m: Machine, cells = 4096): P.MemoryMapBody {
  const total = m.pfn.count;
  const perCell = Math.max(1, Math.ceil(total / cells));
  const n = Math.ceil(total / perCell);
  let out = '';
  const counts = new Uint32Array(8);
  for (let c = 0; c < n; c++) {
    counts.fill(0);
    const end = Math.min(total, (c + 1) * perCell);
    for (let p = c * perCell; p < end; p++) counts[m.pfn.location(p)]++;
    let best = 0;
    for (let k = 1; k < 8; k++) if (counts[k] > counts[best]) best = k;
    out += LOCATION_LETTERS[best];
  }
  return {
    totalPages: total,
    pagesPerCell: perCell,
    cells: out,
    legend: Object.fromEntries(PAGE_LOCATION_NAMES.map((name, i) => [LOCATION_LETTERS[i], name])),
  };
}

export function pfnEntry(m: Machine, pfn: number): P.PfnEntryBody {
  const i = pfnInfo(m, pfn);
  return {
    pfn,
    fields: Object.fromEntries(Object.entries(i).map(([k, v]) => [k, typeof v === 'bigint' ? hex(v) : typeof v === 'number' && k !== 'priority' ? hex(v) : String(v)])),
  };
}
