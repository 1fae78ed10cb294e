/**
 * Page Walk view: the four-level translation of the selected address (hovered in the editor,
 * picked in the Fault Log or typed with "Enter Address…"): the VA split into its table indexes,
 * each level's entry (raw value, kind, decoded fields as children) and the physical address, or
 * why the page is not resident. Reading never changes the machine.
 */
import { CustomRequest, type PageWalkBody } from '../../adapter/protocol';
import { type ViewNode, type ViewResult, type ViewSpec } from './model';

const LEVEL_TABLE: Record<string, { table: string; index: keyof PageWalkBody['indexes'] }> = {
  PXE: { table: 'PML4', index: 'pml4' },
  PPE: { table: 'PDPT', index: 'pdpt' },
  PDE: { table: 'PD', index: 'pd' },
  PTE: { table: 'PT', index: 'pt' },
};

const hex = (n: number) => `0x${n.toString(16)}`;

/** Accepts what a user types: 0x-hex (with ` or _ separators), plain hex with a-f, or decimal. */
export function parseAddressInput(text: string): string | undefined {
  const t = text.trim().replace(/[`_]/g, '');
  if (/^0x[0-9a-f]+$/i.test(t)) return `0x${BigInt(t).toString(16)}`;
  if (/^\d+$/.test(t)) return `0x${BigInt(t).toString(16)}`;
  if (/^[0-9a-f]+$/i.test(t) && /[a-f]/i.test(t)) return `0x${BigInt(`0x${t}`).toString(16)}`;
  return undefined;
}

/** Why an input is not an address (for the input box), or undefined when it is one. */
export function validateAddressInput(text: string): string | undefined {
  const a = parseAddressInput(text);
  if (a === undefined) return 'Type a virtual address, e.g. 0x10000 or 0x7ff`fffe0000.';
  if (BigInt(a) >= 0x800_0000_0000n) return 'Only user-mode addresses (below 0x80000000000) have a walk here.';
  return undefined;
}

/** The VA of a memory reference the adapter hands out for a hovered address ("va:1:0x10000" → "0x10000"). */
export function hoveredAddress(memoryReference: string | undefined): string | undefined {
  const m = /^va:\d+:(0x[0-9a-f]+)$/i.exec(memoryReference ?? '');
  return m ? `0x${BigInt(m[1]!).toString(16)}` : undefined;
}

export function buildPageWalk(body: PageWalkBody): ViewResult {
  const ix = body.indexes;
  const va: ViewNode = {
    id: 'walk:va',
    label: `VA ${body.address}`,
    description: `PML4 ${ix.pml4} · PDPT ${ix.pdpt} · PD ${ix.pd} · PT ${ix.pt} · offset ${hex(ix.offset)}`,
    tooltip: 'bits 47-39 index the PML4, 38-30 the PDPT, 29-21 the PD, 20-12 the PT; 11-0 are the byte offset in the page',
    icon: { id: 'symbol-numeric' },
    expanded: false,
    children: [
      { id: 'walk:va:pml4', label: 'PML4 index', description: `${ix.pml4} (${hex(ix.pml4)})`, tooltip: 'bits 47-39' },
      { id: 'walk:va:pdpt', label: 'PDPT index', description: `${ix.pdpt} (${hex(ix.pdpt)})`, tooltip: 'bits 38-30' },
      { id: 'walk:va:pd', label: 'PD index', description: `${ix.pd} (${hex(ix.pd)})`, tooltip: 'bits 29-21' },
      { id: 'walk:va:pt', label: 'PT index', description: `${ix.pt} (${hex(ix.pt)})`, tooltip: 'bits 20-12' },
      { id: 'walk:va:offset', label: 'offset', description: `${ix.offset} (${hex(ix.offset)})`, tooltip: 'bits 11-0' },
    ],
  };
  const levels = body.levels.map((l): ViewNode => {
    const t = LEVEL_TABLE[l.level];
    const index = t ? ix[t.index] : undefined;
    const fieldRows = Object.entries(l.fields).map(([k, v]) => ({ id: `walk:${l.level}:field:${k}`, label: k, description: v }));
    const absent = l.kind === 'absent';
    return {
      id: `walk:${l.level}`,
      label: `${l.level}${index !== undefined ? ` [${index}]` : ''}`,
      description: l.summary,
      tooltip: `${l.level}${t ? ` (entry ${index} of the ${t.table})` : ''} at ${l.address}\n${l.summary}`,
      icon: absent ? { id: 'circle-slash', color: 'disabledForeground' } : l.kind === 'valid' ? { id: 'pass-filled', color: 'charts.green' } : { id: 'circle-large-outline', color: 'charts.yellow' },
      expanded: false,
      children: absent
        ? [{ id: `walk:${l.level}:absent`, label: 'not there', description: l.summary }]
        : [
            { id: `walk:${l.level}:address`, label: 'entry address', description: l.address },
            { id: `walk:${l.level}:raw`, label: 'raw', description: l.raw },
            { id: `walk:${l.level}:kind`, label: 'kind', description: l.kind },
            ...fieldRows,
          ],
      contextValue: `vmmLab.walkEntry.${l.kind}`,
    };
  });
  const result: ViewNode = body.resident
    ? { id: 'walk:result', label: `PA ${body.physicalAddress ?? '?'}`, description: 'resident', icon: { id: 'check', color: 'charts.green' }, tooltip: `VA ${body.address} → PA ${body.physicalAddress ?? '?'}` }
    : { id: 'walk:result', label: 'not resident', description: body.reason ?? '', icon: { id: 'warning', color: 'charts.orange' }, tooltip: `VA ${body.address}: ${body.reason ?? 'not resident'}` };
  return {
    nodes: [va, ...levels, result],
    description: body.resident ? `${body.address} → ${body.physicalAddress ?? '?'}` : `${body.address}: not resident`,
  };
}

export const pageWalkView: ViewSpec = {
  id: 'vmmLab.pageWalk',
  emptyMessage: 'Hover an address in the scenario, select a fault, or use "Enter Address…" (the view\'s title bar) to walk it.',
  async load({ request, address }) {
    if (address === undefined) return { nodes: [], message: this.emptyMessage };
    return buildPageWalk((await request(CustomRequest.pageWalk, { address })) as PageWalkBody);
  },
};
