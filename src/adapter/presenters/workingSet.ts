/**
 * Presents a process's working set: the _MMWSL header fields and the WSLE array (indexed, so a
 * 100,000-entry working set pages), each entry decoded (VA, Valid, Direct, Hashed, Protection,
 * Age) or shown as a free-list link.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Process } from '../../core/process';
import { WSLE_DIRECT, WSLE_HASHED, WSLE_VALID, FREE_TAIL_NEXT } from '../../core/workingSet';
import { Format, VariableStore, hex64, leaf, num, page } from '../variableStore';

export function wsleSummary(proc: Process, i: number, fmt: Format): string {
  const w = proc.wsl;
  const v = w.value(i);
  const lo = w.lo[i];
  if (lo & WSLE_VALID) {
    const va = v & ~0xfffn;
    const flags = [(lo & WSLE_DIRECT) ? 'Direct' : '', (lo & WSLE_HASHED) ? 'Hashed' : ''].filter(Boolean).join(' ');
    return `${hex64(v)}  VA ${hex64(va)} ${flags} age ${w.age(i)}`;
  }
  const next = w.hi[i];
  return `${hex64(v)}  free, next ${next === FREE_TAIL_NEXT ? 'end' : num(next, fmt)}`;
}

export function workingSetVariable(store: VariableStore, proc: Process, fmt: Format): DebugProtocol.Variable {
  const w = proc.wsl;
  return {
    name: 'Working set',
    value: `${w.size} pages (peak ${w.peak}, min ${w.minimum}, max ${w.maximum})`,
    evaluateName: 'ws()',
    variablesReference: store.add(() => {
      const entries = w.lastInitializedWsle + 1;
      return [
        leaf('WorkingSetSize', num(w.size, fmt)),
        leaf('PeakWorkingSetSize', num(w.peak, fmt)),
        leaf('MinimumWorkingSetSize', num(w.minimum, fmt)),
        leaf('MaximumWorkingSetSize', num(w.maximum, fmt)),
        leaf('FirstFree', w.firstFree === FREE_TAIL_NEXT ? 'none' : num(w.firstFree, fmt)),
        leaf('FirstDynamic', num(w.firstDynamic, fmt)),
        leaf('LastEntry', num(w.lastEntry, fmt)),
        leaf('LastInitializedWsle', num(w.lastInitializedWsle, fmt)),
        {
          name: 'Wsle',
          value: `${entries} entries at 0xfffff700\`01080488`,
          indexedVariables: entries,
          variablesReference: store.add((req) =>
            req.filter === 'named' ? [] : page(entries, req, (i) => leaf(`[${num(i, fmt)}]`, wsleSummary(proc, i, fmt), { type: '_MMWSLE' })),
          ),
        },
      ];
    }),
  };
}
