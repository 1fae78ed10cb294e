/**
 * Presents a process's page tables as PML4 → PDPT → PD → PT. Each table shows its present
 * (non-zero) entries as named children, so the interesting ones are visible at once, and all 512
 * entries as indexed children reachable by paging. An entry that points at a lower table expands
 * into a `fields` node (its raw value decoded) and that table; a PTE (or an entry that is not
 * valid) expands into its decoded fields. Kernel-only entries of the PML4 (self-map, hyperspace,
 * system) are shown but not expanded further. Each entry is a data-breakpoint subject (the entry
 * itself) and can be added to Watch (`pte(0x…)`, `pde(0x…)`, …).
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Machine } from '../../core/machine';
import type { Process } from '../../core/process';
import { decodePte, ptePfn, P, toBig } from '../../core/pte';
import type { EntryInfo } from '../../core/inspection';
import { hex64, Format, VariableStore, num, page } from '../variableStore';
import { pteFields, pteSummary } from './pte';
import { entryVaOfSlot, vaOfSlot } from '../../core/addresses';
import { entrySlot } from '../../core/pagingStructures';

const LEVEL = ['', 'PT', 'PD', 'PDPT', 'PML4'];
const ENTRY = ['', 'PTE', 'PDE', 'PPE', 'PXE'];
const SPAN = [0, 1, 512, 512 * 512, 512 * 512 * 512];

function entryVar(store: VariableStore, m: Machine, proc: Process, table: number, level: number, baseSlot: number, i: number, fmt: Format): DebugProtocol.Variable {
  const lo = m.paging.readLo(table, i);
  const hi = m.paging.readHi(table, i);
  const decoded = decodePte(lo, hi, true);
  const slot = level === 4 ? i * SPAN[4] : baseSlot + i * SPAN[level];
  const eSlot = entrySlot(slot, level);
  const va = vaOfSlot(slot);
  const info: EntryInfo = { level, levelName: ENTRY[level], address: entryVaOfSlot(eSlot), raw: toBig(lo, hi), kind: decoded.kind, decoded, tablePfn: table, index: i };
  const user = level < 4 || i < 0x100;
  const expandable = (lo & P) !== 0 && level > 1 && user;
  let ref: number;
  if (expandable) {
    const next = ptePfn(lo, hi);
    ref = store.add((req) => {
      if (req.filter === 'indexed') return page(512, req, (k) => entryVar(store, m, proc, next, level - 1, slot, k, fmt));
      const fields: DebugProtocol.Variable = {
        name: 'fields',
        value: hex64(info.raw),
        presentationHint: { kind: 'virtual', attributes: ['readOnly'] },
        variablesReference: store.add(() => pteFields(info, fmt)),
      };
      return [fields, ...presentEntries(store, m, proc, next, level - 1, slot, fmt)];
    });
  } else ref = store.add(() => pteFields(info, fmt));
  const v: DebugProtocol.Variable = {
    name: `[${num(i, fmt)}] ${hex64(va)}`,
    value: pteSummary(info, fmt),
    type: info.levelName,
    evaluateName: user ? `${ENTRY[level].toLowerCase()}(0x${va.toString(16)})` : undefined,
    memoryReference: `pa:0x${(table * 4096 + i * 8).toString(16)}`,
    variablesReference: ref,
    indexedVariables: expandable ? 512 : undefined,
    namedVariables: expandable ? 1 + presentCount(m, ptePfn(lo, hi)) : undefined,
    presentationHint: { attributes: ['readOnly'] },
  };
  return store.watch(v, { kind: 'pte', process: proc.index, slot: eSlot });
}

/** Non-zero entries of a table (VS Code shows this many named children before the indexed chunks). */
function presentCount(m: Machine, table: number): number {
  let n = 0;
  for (let i = 0; i < 512; i++) if ((m.paging.readLo(table, i) | m.paging.readHi(table, i)) !== 0) n++;
  return n;
}

function presentEntries(store: VariableStore, m: Machine, proc: Process, table: number, level: number, baseSlot: number, fmt: Format): DebugProtocol.Variable[] {
  const present: DebugProtocol.Variable[] = [];
  for (let i = 0; i < 512; i++) {
    if ((m.paging.readLo(table, i) | m.paging.readHi(table, i)) !== 0) present.push(entryVar(store, m, proc, table, level, baseSlot, i, fmt));
  }
  return present;
}

function tableVar(store: VariableStore, m: Machine, proc: Process, table: number, level: number, baseSlot: number, fmt: Format): number {
  return store.add((req) => {
    if (req.filter === 'indexed') return page(512, req, (i) => entryVar(store, m, proc, table, level, baseSlot, i, fmt));
    return presentEntries(store, m, proc, table, level, baseSlot, fmt);
  });
}

export function pageTablesVariable(store: VariableStore, m: Machine, proc: Process, fmt: Format): DebugProtocol.Variable {
  return {
    name: 'Page tables',
    value: `${LEVEL[4]} at PFN ${num(proc.pml4Pfn, fmt)} (CR3 ${num(proc.cr3, { hex: true })})`,
    type: LEVEL[4],
    indexedVariables: 512,
    namedVariables: presentCount(m, proc.pml4Pfn),
    memoryReference: `pa:0x${proc.cr3.toString(16)}`,
    variablesReference: tableVar(store, m, proc, proc.pml4Pfn, 4, 0, fmt),
  };
}
