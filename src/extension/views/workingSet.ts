/**
 * Working Set view: a header row (size, peak, minimum, maximum) and one row per working-set list
 * entry (index, VA, kind, age, locked). Big working sets are paged: entries go into folders of
 * WS_GROUP_SIZE rows ("entries 0-499", …) that VS Code renders only when opened.
 */
import { CustomRequest, type WorkingSetBody, type WorkingSetEntry } from '../../adapter/protocol';
import { count, pages, pagesToSize, type ViewNode, type ViewResult, type ViewSpec } from './model';

export const WS_GROUP_SIZE = 500;

const KIND_TEXT: Record<WorkingSetEntry['kind'], string> = {
  data: 'data',
  pagingStructure: 'page table',
  hyperspace: 'hyperspace',
};
const KIND_ICON: Record<WorkingSetEntry['kind'], string> = {
  data: 'symbol-variable',
  pagingStructure: 'list-tree',
  hyperspace: 'globe',
};

export function wsEntryRow(e: WorkingSetEntry): ViewNode {
  const kind = KIND_TEXT[e.kind] ?? e.kind;
  return {
    id: `wsle:${e.va}`,
    label: `[${e.index}] ${e.va}`,
    description: `${kind} · age ${e.age}${e.locked ? ' · locked' : ''}`,
    tooltip: `WSLE ${e.index}: VA ${e.va}\nkind: ${kind}\nage: ${e.age} (trim passes survived without being accessed)\nlocked: ${e.locked ? 'yes (VirtualLock)' : 'no'}`,
    icon: e.locked ? { id: 'lock', color: 'charts.yellow' } : { id: KIND_ICON[e.kind] ?? 'circle-small' },
    contextValue: `vmmLab.wsEntry.${e.kind}`,
    address: e.kind === 'data' ? e.va : undefined,
  };
}

export function buildWorkingSet(body: WorkingSetBody, groupSize = WS_GROUP_SIZE): ViewResult {
  const header: ViewNode = {
    id: 'ws:header',
    label: `Size ${pages(body.size)} (${pagesToSize(body.size)})`,
    description: `peak ${count(body.peak)} · min ${count(body.minimum)} · max ${count(body.maximum)}`,
    tooltip: `Working set: ${pages(body.size)}\npeak: ${pages(body.peak)}\nminimum: ${pages(body.minimum)}\nmaximum: ${pages(body.maximum)}`,
    icon: { id: 'dashboard' },
    expanded: false,
    children: [
      { id: 'ws:size', label: 'size', description: pages(body.size) },
      { id: 'ws:peak', label: 'peak', description: pages(body.peak) },
      { id: 'ws:minimum', label: 'minimum', description: pages(body.minimum) },
      { id: 'ws:maximum', label: 'maximum', description: pages(body.maximum) },
    ],
  };
  const rows = body.entries.map(wsEntryRow);
  const nodes: ViewNode[] = [header];
  if (rows.length <= groupSize) nodes.push(...rows);
  else {
    for (let g = 0; g * groupSize < rows.length; g++) {
      const slice = rows.slice(g * groupSize, (g + 1) * groupSize);
      const first = body.entries[g * groupSize]!.index;
      const last = body.entries[g * groupSize + slice.length - 1]!.index;
      nodes.push({
        id: `ws:group:${g}`,
        label: `entries ${g * groupSize}-${g * groupSize + slice.length - 1}`,
        description: `WSLE [${first}]-[${last}]`,
        icon: { id: 'folder' },
        expanded: false,
        children: slice,
      });
    }
  }
  if (body.truncated) {
    nodes.push({ id: 'ws:truncated', label: `… only the first ${count(body.entries.length)} entries are listed`, icon: { id: 'info' } });
  }
  return { nodes, description: `${pages(body.size)}` };
}

export const workingSetView: ViewSpec = {
  id: 'vmmLab.workingSet',
  emptyMessage: 'Start or pause a VMM scenario to see the working set of its process.',
  async load({ request }) {
    return buildWorkingSet((await request(CustomRequest.workingSet, {})) as WorkingSetBody);
  },
};
