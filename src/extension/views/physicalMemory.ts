/**
 * Physical Memory view: the page lists with their counts (Standby broken into its eight
 * priorities), the available pages and the commit charge against the commit limit.
 */
import { CustomRequest, type PhysicalMemoryBody } from '../../adapter/protocol';
import { count, pages, pagesToSize, type ViewNode, type ViewResult, type ViewSpec } from './model';

/** Theme colours of the page lists; the memory map uses the same ones (memoryMapModel.ts). */
export const LIST_COLOURS: Record<string, string> = {
  Zeroed: 'charts.green',
  Free: 'charts.blue',
  Standby: 'charts.yellow',
  Modified: 'charts.orange',
  ModifiedNoWrite: 'charts.purple',
  Bad: 'charts.foreground',
  Active: 'charts.red',
  Transition: 'charts.lines',
};

const LIST_TEXT: Record<string, string> = {
  Zeroed: 'free pages filled with zeroes, ready for demand-zero faults',
  Free: 'free pages with stale contents',
  Standby: 'clean pages removed from working sets; soft-faultable back, or repurposed',
  Modified: 'dirty pages removed from working sets, waiting for the modified page writer',
  ModifiedNoWrite: 'dirty pages that must not be written yet',
  Bad: 'pages that failed a check and are never used',
  Active: 'pages in use: in a working set, a page table, or locked',
};

function percent(part: number, whole: number): string {
  if (whole <= 0) return '';
  const p = (100 * part) / whole;
  return p === 0 ? '0%' : p < 0.1 ? '<0.1%' : `${p.toFixed(1)}%`;
}

export function buildPhysicalMemory(body: PhysicalMemoryBody): ViewResult {
  const total = body.totalPages;
  const nodes: ViewNode[] = body.lists.map((l) => ({
    id: `list:${l.name}`,
    label: l.name,
    description: `${pages(l.count)} · ${pagesToSize(l.count)} · ${percent(l.count, total)}`,
    tooltip: `${l.name} list: ${pages(l.count)} (${pagesToSize(l.count)})${LIST_TEXT[l.name] ? `\n${LIST_TEXT[l.name]}` : ''}`,
    icon: { id: 'circle-filled', color: LIST_COLOURS[l.name] },
    expanded: l.children !== undefined ? true : undefined,
    children: l.children?.map((c) => ({
      id: `list:${l.name}:${c.name}`,
      label: c.name,
      description: pages(c.count),
      icon: { id: 'circle-small-filled', color: LIST_COLOURS[l.name] },
    })),
    contextValue: 'vmmLab.pageList',
  }));
  nodes.push({
    id: 'available',
    label: 'Available',
    description: `${pages(body.available)} · ${pagesToSize(body.available)}`,
    tooltip: 'Zeroed + Free + Standby: pages that can be handed out without writing anything',
    icon: { id: 'pass' },
  });
  const c = body.commit;
  nodes.push({
    id: 'commit',
    label: 'Commit',
    description: `${count(c.charge)} / ${count(c.limit)} pages · ${percent(c.charge, c.limit)}`,
    tooltip: `commit charge ${pages(c.charge)} of a limit of ${pages(c.limit)} (RAM + paging files); peak ${pages(c.peak)}`,
    icon: { id: 'graph' },
    expanded: false,
    children: [
      { id: 'commit:charge', label: 'charge', description: `${pages(c.charge)} · ${pagesToSize(c.charge)}` },
      { id: 'commit:limit', label: 'limit', description: `${pages(c.limit)} · ${pagesToSize(c.limit)}` },
      { id: 'commit:peak', label: 'peak', description: `${pages(c.peak)} · ${pagesToSize(c.peak)}` },
    ],
  });
  return { nodes, description: `${pagesToSize(total)} RAM` };
}

export const physicalMemoryView: ViewSpec = {
  id: 'vmmLab.physicalMemory',
  emptyMessage: 'Start or pause a VMM scenario to see its page lists.',
  async load({ request }) {
    return buildPhysicalMemory((await request(CustomRequest.physicalMemory, {})) as PhysicalMemoryBody);
  },
};
