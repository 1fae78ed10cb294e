/**
 * Presents the translation of a virtual address without touching the machine: `VA → PA` when the
 * page is resident, otherwise why it is not (demand-zero, transition, paging file, prototype, no
 * VAD), expandable into the VA's index fields and the four-level walk.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Machine } from '../../core/machine';
import type { Process } from '../../core/process';
import { explainTranslation } from '../../core/inspection';
import { Format, VariableStore, hex64, leaf } from '../variableStore';
import { pteVariable } from './pte';

export function translationText(m: Machine, proc: Process, va: number): string {
  if (!(va >= 0 && va < 0x80000000000)) return `VA ${hex64(BigInt(Math.max(0, va)))}: not a user address`;
  const t = explainTranslation(m, proc, va);
  return t.resident ? `VA ${hex64(BigInt(va))} → PA 0x${t.physicalAddress.toString(16)}` : `VA ${hex64(BigInt(va))}: not resident — ${t.reason}`;
}

export function translationVariable(store: VariableStore, m: Machine, proc: Process, va: number, fmt: Format, name = 'translation'): DebugProtocol.Variable {
  const user = va >= 0 && va < 0x80000000000;
  return {
    name,
    value: translationText(m, proc, va),
    memoryReference: user ? `va:${proc.index}:0x${va.toString(16)}` : undefined,
    variablesReference: user
      ? store.add(() => {
          const t = explainTranslation(m, proc, va);
          const v = BigInt(va);
          const idx = (shift: bigint) => Number((v >> shift) & 0x1ffn);
          const out: DebugProtocol.Variable[] = [
            leaf('VA bits', `PML4 ${idx(39n).toString(16)} | PDPT ${idx(30n).toString(16)} | PD ${idx(21n).toString(16)} | PT ${idx(12n).toString(16)} | offset ${(va % 4096).toString(16)}`),
          ];
          for (const e of t.walk) out.push(pteVariable(store, e, e.levelName, fmt, `${e.levelName.toLowerCase()}(0x${va.toString(16)})`, proc));
          out.push(leaf(t.resident ? 'physical address' : 'not resident', t.resident ? `0x${t.physicalAddress.toString(16)}` : t.reason));
          return out;
        })
      : 0,
    presentationHint: { attributes: ['readOnly'] },
  };
}
