/**
 * Presents a process's page tables as PML4 → PDPT → PD → PT. Each table shows its present
 * entries as named children (so the interesting ones are visible at once) and all 512 entries as
 * indexed children reachable by paging. Kernel-only entries of the PML4 (self-map, hyperspace,
 * system) are shown but not expanded further.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Machine } from '../../core/machine';
import type { Process } from '../../core/process';
import { decodePte, ptePfn, P, toBig } from '../../core/pte';
import { hex64, Format, VariableStore, num, page } from '../variableStore';
import { pteSummary } from './pte';
import { entryVaOfSlot, vaOfSlot } from '../../core/addresses';
import { entrySlot } from '../../core/pagingStructures';

const LEVEL = ['', 'PT', 'PD', 'PDPT', 'PML4'];
const SPAN = [0, 1, 512, 512 * 512, 512 * 512 * 512];

function entryVar(store: VariableStore, m: Machine, proc: Process, table: number, level: number, baseSlot: number, i: number, fmt: Format): DebugProtocol.Variable {
  const lo = m.paging.readLo(table, i);
  const hi = m.paging.readHi(table, i);
  const decoded = decodePte(lo, hi, true);
  const slot = level === 4 ? i * SPAN[4] : baseSlot + i * SPAN[level];
  const eSlot = entrySlot(slot, level);
  const va = vaOfSlot(slot);
  const info = { level, levelName: ['', 'PTE', 'PDE', 'PPE', 'PXE'][level], address: entryVaOfSlot(eSlot), raw: toBig(lo, hi), kind: decoded.kind, decoded, tablePfn: table, index: i };
  const expandable = (lo & P) !== 0 && level > 1 && !(level === 4 && i >= 0x100);
  return {
    name: `[${num(i, fmt)}] ${hex64(va)}`,
    value: pteSummary(info, fmt),
    type: info.levelName,
    memoryReference: `pa:0x${(table * 4096 + i * 8).toString(16)}`,
    variablesReference: expandable ? tableVar(store, m, proc, ptePfn(lo, hi), level - 1, slot, fmt) : 0,
    indexedVariables: expandable ? 512 : undefined,
    presentationHint: { attributes: ['readOnly'] },
  };
}

function tableVar(store: VariableStore, m: Machine, proc: Process, table: number, level: number, baseSlot: number, fmt: Format): number {
  return store.add((req) => {
    if (req.filter === 'indexed') return page(512, req, (i) => entryVar(store, m, proc, table, level, baseSlot, i, fmt));
    const present: DebugProtocol.Variable[] = [];
    for (let i = 0; i < 512; i++) {
      const lo = m.paging.readLo(table, i);
      const hi = m.paging.readHi(table, i);
      if ((lo | hi) !== 0) present.push(entryVar(store, m, proc, table, level, baseSlot, i, fmt));
    }
    if (req.filter === 'named') return present;
    return present;
  });
}

export function pageTablesVariable(store: VariableStore, m: Machine, proc: Process, fmt: Format): DebugProtocol.Variable {
  return {
    name: 'Page tables',
    value: `PML4 at PFN ${num(proc.pml4Pfn, fmt)} (CR3 ${num(proc.cr3, fmt)})`,
    type: LEVEL[4],
    indexedVariables: 512,
    memoryReference: `pa:0x${proc.cr3.toString(16)}`,
    variablesReference: tableVar(store, m, proc, proc.pml4Pfn, 4, 0, fmt),
  };
}
