/**
 * Paging benchmark (issue: paging): a thrashing workload on a 64 MB machine — one process whose
 * working set is 4× RAM, every page written once (demand-zero faults, then trimming, the modified
 * page writer and standby repurposing keep it going) and then swept repeatedly (hard faults with
 * clustered reads, soft faults on the prefetched pages, dirty-bit faults). Reports simulated page
 * faults per second of host time, and the host cost of one hard fault and of one demand-zero
 * fault measured in the same run. A fault's cost is the host time spent inside it minus the time
 * spent running timed work while it waited (the clock advancing: disk completions, the balance
 * set manager), which belongs to the system rather than to the fault.
 */
import { Machine } from '../src/core/machine';
import { makeVad } from '../src/core/vad';
import type { Access } from '../src/core/faultHandler';
import type { Process } from '../src/core/process';
import type { PagingConfig } from '../src/core/pager';

export interface PagingFigures {
  ramMb: number;
  workingSetPages: number;
  sweeps: number;
  faults: number;
  faultsPerHostSecond: number;
  hardFaults: number;
  hardFaultNs: number;
  demandZeroFaults: number;
  demandZeroNs: number;
  softFaults: number;
  softFaultNs: number;
  pagesPerHardFault: number;
  simulatedSeconds: number;
  stats: Record<string, number>;
}

const now = (): number => Number(process.hrtime.bigint());

export function pagingFigures(sweeps = 3, paging: Partial<PagingConfig> = {}): PagingFigures {
  const ramBytes = 64 << 20;
  const m = new Machine({ ramBytes, pageFileBytes: 512 << 20, journalCapacity: 1 << 20, paging });
  const p = m.createProcess('thrash');
  const pages = (4 * ramBytes) / 4096;
  const startVpn = 0x10000;
  p.vads.insert(makeVad({ startVpn, endVpn: startVpn + pages - 1, protection: 4, memCommit: true, privateMemory: true, commitCharge: pages }));
  m.chargeCommit(p, pages);

  // time spent advancing the clock (timed system work) is measured separately
  let clockNs = 0;
  const pager = m.pager;
  const advance = pager.advanceTo.bind(pager);
  pager.advanceTo = (t: number): void => {
    const t0 = now();
    advance(t);
    clockNs += now() - t0;
  };
  const totals = { demandZero: [0, 0], hard: [0, 0], transition: [0, 0], other: [0, 0] } as Record<string, [number, number]>;
  const faults = m.faults;
  const run = faults.run.bind(faults);
  faults.run = (proc: Process, va: number, access: Access, user: boolean): number => {
    const c0 = clockNs;
    const t0 = now();
    const status = run(proc, va, access, user);
    const ns = now() - t0 - (clockNs - c0);
    const ctx = faults.ctx;
    const key = ctx.retry ? 'other' : ctx.kind === 'demandZero' || ctx.kind === 'hard' || ctx.kind === 'transition' ? ctx.kind : 'other';
    totals[key][0]++;
    totals[key][1] += ns;
    return status;
  };

  const t0 = now();
  const faults0 = m.counters.pageFaults;
  for (let s = 0; s < sweeps; s++) {
    for (let i = 0; i < pages; i++) {
      const va = (startVpn + i) * 4096;
      if (!m.mmu.write8(va + (i & 0xfff), (i + s) & 0xff | 1)) throw new Error(`write failed at page ${i}: 0x${m.mmu.lastFault.status.toString(16)}`);
    }
  }
  const hostNs = now() - t0;
  const nFaults = m.counters.pageFaults - faults0;
  return {
    ramMb: ramBytes >> 20,
    workingSetPages: pages,
    sweeps,
    faults: nFaults,
    faultsPerHostSecond: nFaults / (hostNs / 1e9),
    hardFaults: totals.hard[0],
    hardFaultNs: totals.hard[1] / Math.max(1, totals.hard[0]),
    demandZeroFaults: totals.demandZero[0],
    demandZeroNs: totals.demandZero[1] / Math.max(1, totals.demandZero[0]),
    softFaults: totals.transition[0],
    softFaultNs: totals.transition[1] / Math.max(1, totals.transition[0]),
    pagesPerHardFault: m.counters.pagesRead / Math.max(1, m.counters.pageReads),
    simulatedSeconds: m.clockMs / 1000,
    stats: { ...m.pager.stats },
  };
}
