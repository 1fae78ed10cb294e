/**
 * Fault Log view: every page fault of the run, newest first, with its kind, address, access and
 * how it was resolved. A fault's children list its details; selecting it shows the address in the
 * Page Walk view and the details as the view's message.
 */
import { CustomRequest, type FaultLogBody, type FaultLogEntry } from '../../adapter/protocol';
import { type ViewNode, type ViewResult, type ViewSpec } from './model';

export function faultSentence(f: FaultLogEntry): string {
  return `Fault #${f.seq} in ${f.process}: ${f.access} of ${f.address} — ${f.kind} (${f.status}), ${f.resolution}.`;
}

export function faultRow(f: FaultLogEntry): ViewNode {
  const raised = f.resolution !== 'resolved';
  const detail = faultSentence(f);
  const d = (k: string, v: string): ViewNode => ({ id: `fault:${f.seq}:${k}`, label: k, description: v, address: f.address, detail });
  return {
    id: `fault:${f.seq}`,
    label: `${f.address} ${f.access}`,
    description: `${f.kind} · ${f.resolution}`,
    tooltip: detail,
    icon: raised ? { id: 'error', color: 'errorForeground' } : { id: 'zap', color: 'charts.blue' },
    expanded: false,
    children: [d('kind', f.kind), d('address', f.address), d('access', f.access), d('process', f.process), d('status', f.status), d('resolution', f.resolution), d('journal seq', String(f.seq))],
    contextValue: raised ? 'vmmLab.fault.raised' : 'vmmLab.fault',
    address: f.address,
    detail,
  };
}

export function buildFaultLog(body: FaultLogBody): ViewResult {
  const n = body.faults.length;
  return {
    nodes: [...body.faults].reverse().map(faultRow),
    description: `${n} fault${n === 1 ? '' : 's'}`,
    message: n === 0 ? 'No page faults yet.' : undefined,
  };
}

export const faultLogView: ViewSpec = {
  id: 'vmmLab.faultLog',
  emptyMessage: 'Start or pause a VMM scenario to see its page faults.',
  async load({ request }) {
    return buildFaultLog((await request(CustomRequest.faultLog, {})) as FaultLogBody);
  },
};
