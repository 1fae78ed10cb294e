/**
 * Address Space view: the VAD tree of a process as the AVL tree it is (root, then left and right
 * children), one row per VAD: `0x10000-0x1ffff Private READWRITE commit 16`, its depth in the
 * description. With several processes, one top row per process; the current one is expanded and
 * the others load their VADs when expanded.
 */
import { CustomRequest, type AddressSpaceBody, type VadNode } from '../../adapter/protocol';
import { count, type Requester, type ViewNode, type ViewResult, type ViewSpec } from './model';

/** The names WinDbg's !vad prints for the protection codes (protectionName → "READWRITE"). */
const PROTECTION_WORDS: Record<string, string> = {
  ZeroAccess: 'NO_ACCESS',
  NoAccess: 'NO_ACCESS',
  ReadOnly: 'READONLY',
  Execute: 'EXECUTE',
  ExecuteRead: 'EXECUTE_READ',
  ReadWrite: 'READWRITE',
  WriteCopy: 'WRITECOPY',
  ReadWriteExecute: 'EXECUTE_READWRITE',
  ExecuteWriteCopy: 'EXECUTE_WRITECOPY',
  Decommitted: 'DECOMMIT',
};
const PROTECTION_PREFIXES = ['NoCache', 'Guard', 'WriteCombine'];

/** "ReadWrite" → "READWRITE", "GuardReadWrite" → "GUARD READWRITE", unknown names upper-cased. */
export function protectionWord(name: string): string {
  for (const p of PROTECTION_PREFIXES) {
    if (name.startsWith(p) && name.length > p.length) return `${p.toUpperCase()} ${protectionWord(name.slice(p.length))}`;
  }
  return PROTECTION_WORDS[name] ?? name.toUpperCase();
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function vadLabel(v: VadNode): string {
  return `${v.start}-${v.end} ${capitalise(v.kind)} ${protectionWord(v.protection)} commit ${v.commit}`;
}

/** The rows of one VAD subtree; `side` says which child of its parent it is. */
export function vadRows(processIndex: number, v: VadNode, side?: 'left' | 'right'): ViewNode {
  const children: ViewNode[] = [];
  if (v.left) children.push(vadRows(processIndex, v.left, 'left'));
  if (v.right) children.push(vadRows(processIndex, v.right, 'right'));
  const pagesSpanned = Math.round((Number(BigInt(v.end)) + 1 - Number(BigInt(v.start))) / 4096);
  return {
    id: `vad:${processIndex}:${v.start}`,
    label: vadLabel(v),
    description: `level ${v.level}${side ? ` · ${side}` : v.level === 0 ? ' · root' : ''}`,
    tooltip: [
      `VAD ${v.start}-${v.end} (${count(pagesSpanned)} pages)`,
      `kind: ${v.kind}`,
      `protection: ${v.protection}`,
      `commit charge: ${v.commit} pages`,
      `MemCommit: ${v.memCommit ? 'yes (committed when reserved)' : 'no'}`,
      `AVL level: ${v.level}`,
    ].join('\n'),
    icon: { id: v.kind === 'image' ? 'file-binary' : v.kind === 'mapped' ? 'file-symlink-file' : 'symbol-namespace' },
    expanded: true,
    children,
    contextValue: 'vmmLab.vad',
    address: v.start,
    detail: `VAD ${v.start}-${v.end}: ${v.kind}, ${v.protection}, commit ${v.commit}, level ${v.level}`,
  };
}

function processLabel(p: { pid: number; name: string }): string {
  return `${p.name} (pid ${p.pid})`;
}

/** Rows of the view from one addressSpace body; `loadOther` fetches another process's VADs. */
export function buildAddressSpace(body: AddressSpaceBody, loadOther?: (processIndex: number) => Promise<ViewNode[]>): ViewResult {
  const own = body.root ? [vadRows(body.process.index, body.root)] : [];
  const description = `${processLabel(body.process)} · ${body.count} VAD${body.count === 1 ? '' : 's'}`;
  if (body.processes.length <= 1) {
    return { nodes: own, description, message: body.root ? undefined : 'No VADs: the process has not reserved any memory yet.' };
  }
  const nodes = body.processes.map((p): ViewNode => {
    const shown = p.index === body.process.index;
    return {
      id: `process:${p.index}`,
      label: processLabel(p),
      description: shown ? `${body.count} VAD${body.count === 1 ? '' : 's'}${p.current ? ' · current' : ''}` : p.current ? 'current' : undefined,
      icon: { id: p.current ? 'debug-stackframe-focused' : 'server-process' },
      expanded: shown,
      children: shown ? own : undefined,
      load: shown || loadOther === undefined ? undefined : () => loadOther(p.index),
      contextValue: 'vmmLab.process',
    };
  });
  return { nodes, description };
}

async function fetchAddressSpace(request: Requester, process?: number): Promise<AddressSpaceBody> {
  return (await request(CustomRequest.addressSpace, process === undefined ? {} : { process })) as AddressSpaceBody;
}

export const addressSpaceView: ViewSpec = {
  id: 'vmmLab.addressSpace',
  emptyMessage: 'Start or pause a VMM scenario to see its VAD tree.',
  async load({ request }) {
    const body = await fetchAddressSpace(request);
    return buildAddressSpace(body, async (index) => {
      const other = await fetchAddressSpace(request, index);
      return other.root ? [vadRows(other.process.index, other.root)] : [{ id: `process:${index}:none`, label: 'no VADs' }];
    });
  },
};
