/**
 * Presents _MMPFN entries (one page's PFN database entry with its union members named for the
 * page's state, as !pfn shows them) and the PFN database itself as an indexed collection, paged so
 * a 16 GB machine's four million entries open instantly.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Machine } from '../../core/machine';
import { pfnInfo } from '../../core/inspection';
import { Format, VariableStore, hex64, leaf, num, page } from '../variableStore';

export function pfnSummary(m: Machine, pfn: number, fmt: Format): string {
  const i = pfnInfo(m, pfn);
  const flags = [i.modified ? 'M' : '', i.writeInProgress ? 'W' : '', i.readInProgress ? 'R' : ''].join('');
  if (i.location === 'Active') return `Active share ${i.shareCount} ref ${i.referenceCount} ws ${num(i.wsIndex, fmt)} pte ${hex64(i.pteAddress)}${flags ? ' ' + flags : ''}`;
  if (i.location === 'Zeroed' || i.location === 'Free') return `${i.location} colour ${num(i.color, fmt)}`;
  return `${i.location} ref ${i.referenceCount} pte ${hex64(i.pteAddress)} orig ${hex64(i.originalPte)}${flags ? ' ' + flags : ''}`;
}

/** One _MMPFN; a data-breakpoint subject (any field or list change of that entry). */
export function pfnVariable(store: VariableStore, m: Machine, pfn: number, fmt: Format, name = `[${num(pfn, fmt)}]`): DebugProtocol.Variable {
  const v: DebugProtocol.Variable = {
    name,
    value: pfnSummary(m, pfn, fmt),
    type: '_MMPFN',
    evaluateName: `pfn(0x${pfn.toString(16)})`,
    memoryReference: `pa:0x${(pfn * 4096).toString(16)}`,
    variablesReference: store.add(() => {
      const i = pfnInfo(m, pfn);
      return [
        leaf('address', hex64(i.address)),
        leaf('PageLocation', i.location),
        leaf(i.location === 'Active' ? 'u1.WsIndex' : 'u1.Flink', num(i.location === 'Active' ? i.wsIndex : i.flink, fmt)),
        leaf(i.location === 'Active' ? 'u2.ShareCount' : 'u2.Blink', num(i.location === 'Active' ? i.shareCount : i.blink, fmt)),
        leaf('PteAddress', hex64(i.pteAddress)),
        leaf('ReferenceCount', num(i.referenceCount, fmt)),
        leaf('OriginalPte', hex64(i.originalPte)),
        leaf('PteFrame', num(i.pteFrame, fmt)),
        leaf('Modified', String(i.modified)),
        leaf('WriteInProgress', String(i.writeInProgress)),
        leaf('ReadInProgress', String(i.readInProgress)),
        leaf('Priority', String(i.priority)),
        leaf('CacheAttribute', String(i.cacheAttribute)),
        leaf('Colour', num(i.color, fmt)),
        leaf('UsedPageTableEntries', num(i.usedPageTableEntries, fmt)),
      ];
    }),
    presentationHint: { attributes: ['readOnly'] },
  };
  return store.watch(v, { kind: 'pfn', pfn });
}

/**
 * The whole PFN database as one indexed collection: VS Code groups it into ranges ([0..99],
 * [100..199], … growing ×100 for big machines) and asks for one page at a time, so a 16 GB
 * machine's four million entries open instantly; only the entries shown are decoded.
 */
export function pfnDatabaseVariable(store: VariableStore, m: Machine, fmt: Format): DebugProtocol.Variable {
  const count = m.pfn.count;
  return {
    name: 'PFN database',
    value: `${count} entries (${(count * 4096) / 1024 / 1024} MB of RAM)`,
    indexedVariables: count,
    variablesReference: store.add((req) => (req.filter === 'named' ? [] : page(count, req, (i) => pfnVariable(store, m, i, fmt)))),
  };
}
