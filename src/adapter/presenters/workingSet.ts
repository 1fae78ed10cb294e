/**
 * Presents a process's working set: the _MMWSL header fields and the WSLE array (indexed, so a
 * 100,000-entry working set pages: only the entries asked for are decoded), each entry expanding
 * into its raw value and decoded fields (VA, Valid, Direct, Hashed, Protection, Age) and the PTE
 * of its page, or shown as a free-list link.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Machine } from '../../core/machine';
import { entryInfo } from '../../core/inspection';
import type { Process } from '../../core/process';
import { FREE_HEAD_PREV, FREE_TAIL_NEXT, WSLE_AGE_SHIFT, WSLE_DIRECT, WSLE_HASHED, WSLE_PROTECTION_SHIFT, WSLE_VALID } from '../../core/workingSet';
import { Format, VariableStore, hex64, leaf, num, page } from '../variableStore';
import { pteVariable } from './pte';

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

function wsleVariable(store: VariableStore, m: Machine, proc: Process, i: number, fmt: Format): DebugProtocol.Variable {
  const w = proc.wsl;
  const lo = w.lo[i];
  const valid = (lo & WSLE_VALID) !== 0;
  return {
    name: `[${num(i, fmt)}]`,
    value: wsleSummary(proc, i, fmt),
    type: '_MMWSLE',
    presentationHint: { attributes: ['readOnly'] },
    variablesReference: store.add(() => {
      const v = w.value(i);
      if (!valid) {
        const prev = lo >>> 1;
        const next = w.hi[i];
        return [
          leaf('raw', hex64(v)),
          leaf('Free', 'true (even value: a free-list link)'),
          leaf('PreviousFree', prev === FREE_HEAD_PREV ? 'none (head)' : num(prev, fmt)),
          leaf('NextFree', next === FREE_TAIL_NEXT ? 'none (tail)' : num(next, fmt)),
        ];
      }
      const slot = w.slotAt(i);
      const va = v & ~0xfffn;
      const out = [
        leaf('raw', hex64(v)),
        leaf('VirtualAddress', hex64(va)),
        leaf('Valid', '1'),
        leaf('Hashed', (lo & WSLE_HASHED) ? '1' : '0'),
        leaf('Direct', (lo & WSLE_DIRECT) ? '1' : '0'),
        leaf('Protection', num((lo >>> WSLE_PROTECTION_SHIFT) & 0x1f, fmt)),
        leaf('Age', num((lo >>> WSLE_AGE_SHIFT) & 0x7, fmt)),
        leaf('Locked', String(proc.lockedVpns.has(slot))),
      ];
      const user = va < 0x80000000000n;
      out.push(pteVariable(store, entryInfo(m, proc, slot, 1), 'PTE', fmt, user ? `pte(0x${va.toString(16)})` : undefined, proc));
      return out;
    }),
  };
}

export function workingSetVariable(store: VariableStore, m: Machine, proc: Process, fmt: Format): DebugProtocol.Variable {
  const w = proc.wsl;
  return {
    name: 'Working set',
    value: `${w.size} pages (peak ${w.peak}, min ${w.minimum}, max ${w.maximum})`,
    evaluateName: 'ws()',
    variablesReference: store.add(() => {
      const entries = w.lastInitializedWsle + 1;
      return [
        leaf('WorkingSetSize', num(w.size, fmt), { evaluateName: 'ws().size' }),
        leaf('PeakWorkingSetSize', num(w.peak, fmt), { evaluateName: 'ws().peak' }),
        leaf('MinimumWorkingSetSize', num(w.minimum, fmt), { evaluateName: 'ws().minimum' }),
        leaf('MaximumWorkingSetSize', num(w.maximum, fmt), { evaluateName: 'ws().maximum' }),
        leaf('FirstFree', w.firstFree === FREE_TAIL_NEXT ? 'none' : num(w.firstFree, fmt)),
        leaf('FirstDynamic', num(w.firstDynamic, fmt), { evaluateName: 'ws().firstDynamic' }),
        leaf('LastEntry', num(w.lastEntry, fmt), { evaluateName: 'ws().lastEntry' }),
        leaf('LastInitializedWsle', num(w.lastInitializedWsle, fmt)),
        {
          name: 'Wsle',
          value: `${entries} entries at 0xfffff700\`01080488`,
          indexedVariables: entries,
          presentationHint: { kind: 'virtual' },
          variablesReference: store.add((req) => (req.filter === 'named' ? [] : page(entries, req, (i) => wsleVariable(store, m, proc, i, fmt)))),
        },
      ];
    }),
  };
}
