// Runs the benchmarks (`npm run bench`): bundles bench/*.bench.ts with esbuild, builds the host
// reference program with the machine's C compiler, and prints each figure with its target and the
// ratios measured side by side in this one run.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

mkdirSync('bench/out', { recursive: true });
await build({
  entryPoints: ['bench/all.ts'], outfile: 'bench/out/all.cjs', bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning',
});
const pages = 100000;
let hostNs;
try {
  execFileSync('cc', ['-O2', '-o', 'bench/out/host-demand-zero', 'bench/host-demand-zero.c']);
  hostNs = Number(execFileSync('bench/out/host-demand-zero', [String(pages), '5']).toString().trim());
} catch (e) {
  console.log(`host reference unavailable (${e.message.split('\n')[0]})`);
}
// memory is measured in a process of its own, before anything else allocated
const mem = execFileSync(process.execPath, ['--expose-gc', 'bench/out/all.cjs', JSON.stringify({ only: 'memory' })], { stdio: ['ignore', 'pipe', 'inherit'] });
const out = execFileSync(process.execPath, ['--expose-gc', 'bench/out/all.cjs', JSON.stringify({ pages, hostNs, memory: JSON.parse(mem.toString()) })], { stdio: ['ignore', 'pipe', 'inherit'] });
process.stdout.write(out);
