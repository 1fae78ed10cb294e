/**
 * The scopes of a stack frame: the fault context (kernel frames), Locals (the script's variables,
 * innermost scope first), CPU/MMU, Process (VADs, working set, page tables, commit) and Machine
 * (page lists, PFN database, counters). The last two are marked expensive so stepping stays fast.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Machine } from '../core/machine';
import type { Process } from '../core/process';
import type { ScenarioRun } from '../scenario/run';
import { Format, VariableStore, leaf, num } from './variableStore';
import { valueVariable } from './values';
import { vadTreeVariable } from './presenters/vad';
import { workingSetVariable } from './presenters/workingSet';
import { pageTablesVariable } from './presenters/pageTables';
import { machineScope } from './presenters/machineView';
import { hex64 } from './variableStore';
import { entryInfo } from '../core/inspection';
import { pteVariable } from './presenters/pte';
import { statusName } from '../core/status';

export function frameScopes(store: VariableStore, run: ScenarioRun, frameIndex: number, fmt: Format): DebugProtocol.Scope[] {
  const m = run.machine;
  const views = run.scopes(frameIndex);
  const stack = run.callStack();
  const frame = stack[frameIndex];
  const proc: Process = frame?.process ?? m.current;
  const out: DebugProtocol.Scope[] = [];
  const locals = views.filter((v) => v.kind !== 'fault');
  const fault = views.find((v) => v.kind === 'fault');
  if (fault !== undefined) {
    out.push({
      name: 'Fault context',
      expensive: false,
      variablesReference: store.add(() => faultContextVariables(store, run, fmt)),
    });
  }
  out.push({
    name: 'Locals',
    presentationHint: 'locals',
    expensive: false,
    variablesReference: store.add(() => {
      const seen = new Set<string>();
      const vars: DebugProtocol.Variable[] = [];
      for (const s of locals) {
        for (const [k, v] of s.variables) {
          if (seen.has(k)) continue;
          seen.add(k);
          vars.push(valueVariable(store, m, proc, k, v, fmt, k));
        }
      }
      return vars;
    }),
  });
  out.push({ name: 'CPU/MMU', presentationHint: 'registers', expensive: false, variablesReference: store.add(() => cpuVariables(m, fmt)) });
  out.push(processScope(store, m, proc, fmt));
  out.push({ name: 'Machine', expensive: true, variablesReference: store.add(() => machineScope(store, m, fmt)) });
  return out;
}

/** The Process scope of a process: VADs, working set, page tables, commit, faults (expensive). */
export function processScope(store: VariableStore, m: Machine, proc: Process, fmt: Format): DebugProtocol.Scope {
  return { name: `Process ${proc.name} (pid ${proc.pid})`, expensive: true, variablesReference: store.add(() => processVariables(store, m, proc, fmt)) };
}

function faultContextVariables(store: VariableStore, run: ScenarioRun, fmt: Format): DebugProtocol.Variable[] {
  const ev = run.lastEvent;
  if (ev === undefined || ev.kind !== 'fault') return [];
  const c = ev.ctx;
  const m = run.machine;
  const vars: DebugProtocol.Variable[] = [
    leaf('address', num(c.va, { hex: true }), { evaluateName: `0x${c.va.toString(16)}` }),
    leaf('access', ['read', 'write', '', '', '', '', '', '', 'execute'][c.access]),
    leaf('process', `${c.proc.name} (${c.proc.pid})`),
    leaf('kind', c.kind),
    leaf('level', ['', 'PTE', 'PDE', 'PPE', 'PXE'][c.level] ?? String(c.level)),
    leaf('PTE read (before)', hex64((BigInt(c.pteHi >>> 0) << 32n) | BigInt(c.pteLo >>> 0))),
    leaf('PTE being built', hex64((BigInt(c.workHi >>> 0) << 32n) | BigInt(c.workLo >>> 0))),
    leaf('protection', num(c.protection, fmt)),
    leaf('pfn', c.pfn < 0 ? 'none yet' : num(c.pfn, fmt)),
    leaf('colour', num(c.color, fmt)),
    leaf('wsIndex', num(c.wsIndex, fmt)),
    leaf('status', statusName(c.status)),
  ];
  vars.push(pteVariable(store, entryInfo(m, c.proc, c.slot, 1), 'PTE now', fmt, `pte(0x${c.va.toString(16)})`, c.proc));
  return vars;
}

function cpuVariables(m: Machine, fmt: Format): DebugProtocol.Variable[] {
  const p = m.current;
  const f = m.mmu.lastFault;
  return [
    leaf('current process', `${p.name} (pid ${p.pid})`),
    leaf('CR3', num(p.cr3, { hex: true })),
    leaf('CR2 (last faulting address)', num(f.va, { hex: true })),
    leaf('last fault status', f.status === 0 ? 'none' : statusName(f.status)),
    leaf('TLB hits', num(m.tlb.hits, fmt)),
    leaf('TLB misses', num(m.tlb.misses, fmt)),
    leaf('TLB flushes', num(m.tlb.flushes, fmt)),
    leaf('clock', `${m.clockMs} ms`),
  ];
}

function processVariables(store: VariableStore, m: Machine, proc: Process, fmt: Format): DebugProtocol.Variable[] {
  return [
    vadTreeVariable(store, proc, fmt),
    workingSetVariable(store, m, proc, fmt),
    pageTablesVariable(store, m, proc, fmt),
    {
      name: 'Commit',
      value: `${proc.commitCharge} pages (peak ${proc.commitPeak})`,
      variablesReference: store.add(() => [
        leaf('charge', num(proc.commitCharge, fmt), { evaluateName: 'commit().processCharge' }),
        leaf('data pages', num(proc.privateCommitPages, fmt)),
        leaf('page-table pages', num(proc.pageTableCommitPages, fmt)),
        leaf('peak', num(proc.commitPeak, fmt)),
      ]),
    },
    {
      name: 'Faults',
      value: `${proc.pageFaultCount} page fault${proc.pageFaultCount === 1 ? '' : 's'}`,
      variablesReference: store.add(() => Object.entries(proc.faultsByKind()).map(([k, v]) => leaf(k, num(v, fmt)))),
    },
  ];
}
