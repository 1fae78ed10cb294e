/**
 * Presents one paging-structure entry (PXE, PPE, PDE or PTE): a one-line summary with the raw
 * value, and children that decode it with the field names of the format in force (valid,
 * transition, demand-zero, paging file, prototype, decommitted). `evaluateName` lets users add it
 * to Watch; `memoryReference` points at the entry itself in physical memory.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { slotOfEntryVa } from '../../core/addresses';
import type { EntryInfo } from '../../core/inspection';
import type { Process } from '../../core/process';
import { protectionName } from '../../core/protection';
import { pteFlagLetters, loOf, hiOf } from '../../core/pte';
import { Format, VariableStore, hex64, leaf, num } from '../variableStore';

export function pteSummary(e: EntryInfo, fmt: Format): string {
  if (e.kind === 'absent') return `absent (the ${e.level === 4 ? 'PML4' : 'table above'} entry is not valid)`;
  const raw = hex64(e.raw);
  const d = e.decoded!;
  switch (e.kind) {
    case 'valid':
      return `${raw}  valid ${pteFlagLetters(loOf(e.raw), hiOf(e.raw))}  PFN ${num(Number(d.pfn), fmt)}`;
    case 'zero':
      return `${raw}  zero`;
    case 'demandZero':
      return `${raw}  demand-zero, ${protectionName(Number(d.protection))}`;
    case 'decommitted':
      return `${raw}  decommitted`;
    case 'transition':
      return `${raw}  transition PFN ${num(Number(d.pfn), fmt)}, ${protectionName(Number(d.protection))}`;
    case 'pagefile':
      return `${raw}  paging file ${d.pageFileNumber} page ${num(Number(d.pageFileOffset), fmt)}, ${protectionName(Number(d.protection))}`;
    case 'prototype':
      return `${raw}  prototype${d.viaVad ? ' (via VAD)' : ''}, ${protectionName(Number(d.protection))}`;
    default:
      return `${raw}  ${e.kind}`;
  }
}

/** The decoded fields of an entry: its address, raw value, format and the fields of that format. */
export function pteFields(e: EntryInfo, fmt: Format): DebugProtocol.Variable[] {
  const out: DebugProtocol.Variable[] = [leaf('address', hex64(e.address)), leaf('raw', hex64(e.raw)), leaf('kind', e.kind)];
  if (e.tablePfn >= 0) out.push(leaf('table', `PFN ${num(e.tablePfn, fmt)} [${num(e.index, fmt)}]`));
  if (e.decoded) {
    for (const [k, v] of Object.entries(e.decoded)) {
      if (k === 'raw' || k === 'kind') continue;
      let value: string;
      if (typeof v === 'bigint') value = hex64(v);
      else if (typeof v === 'number') value = k === 'protection' ? `${num(v, fmt)} (${protectionName(v)})` : num(v, fmt);
      else value = String(v);
      out.push(leaf(k, value));
    }
  }
  return out;
}

/**
 * One entry as a variable. With `proc`, the variable is a data-breakpoint subject: "Break on Value
 * Change" watches the entry itself (any writer), even while its table does not exist yet.
 */
export function pteVariable(store: VariableStore, e: EntryInfo, name: string, fmt: Format, evaluateName?: string, proc?: Process): DebugProtocol.Variable {
  const children = () => pteFields(e, fmt);
  const pa = e.tablePfn >= 0 ? e.tablePfn * 4096 + e.index * 8 : undefined;
  const v: DebugProtocol.Variable = {
    name,
    value: pteSummary(e, fmt),
    type: e.levelName,
    evaluateName,
    variablesReference: store.add(children),
    memoryReference: pa === undefined ? undefined : `pa:0x${pa.toString(16)}`,
    presentationHint: { attributes: ['readOnly'] },
  };
  return proc === undefined ? v : store.watch(v, { kind: 'pte', process: proc.index, slot: slotOfEntryVa(e.address) });
}
