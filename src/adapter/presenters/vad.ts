/**
 * Presents a process's VADs as the AVL tree they are (root first, left/right subtrees as
 * children), each with its range, protection, commit charge and flags, plus a flat list sorted by
 * address for quick scanning.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Process } from '../../core/process';
import { protectionName } from '../../core/protection';
import { Vad, vadFlagsWord } from '../../core/vad';
import { Format, VariableStore, hex64, leaf, num } from '../variableStore';

const hex = (n: number): string => '0x' + n.toString(16);

export function vadSummary(v: Vad, _fmt?: Format): string {
  const start = v.startVpn * 4096;
  const end = (v.endVpn + 1) * 4096 - 1;
  const kind = v.kind === 'private' ? 'Private' : v.kind === 'mapped' ? 'Mapped' : 'Mapped Exe';
  return `${hex(start)}-${hex(end)} ${kind} ${protectionName(v.protection)} commit ${v.commitCharge}${v.memCommit ? ' MemCommit' : ''}`;
}

export function vadVariable(store: VariableStore, proc: Process, v: Vad, fmt: Format, name: string, withSubtrees: boolean): DebugProtocol.Variable {
  return {
    name,
    value: vadSummary(v, fmt),
    type: '_MMVAD_SHORT',
    evaluateName: `vad(0x${(v.startVpn * 4096).toString(16)})`,
    variablesReference: store.add(() => {
      const out: DebugProtocol.Variable[] = [
        leaf('StartingVpn', num(v.startVpn, fmt)),
        leaf('EndingVpn', num(v.endVpn, fmt)),
        leaf('start', hex(v.startVpn * 4096)),
        leaf('end', hex((v.endVpn + 1) * 4096 - 1)),
        leaf('Protection', `${num(v.protection, fmt)} (${protectionName(v.protection)})`),
        leaf('CommitCharge', num(v.commitCharge, fmt)),
        leaf('MemCommit', String(v.memCommit)),
        leaf('PrivateMemory', String(v.privateMemory)),
        leaf('type', v.kind),
        leaf('u.VadFlags', hex64(vadFlagsWord(v))),
        leaf('level', String(proc.vads.level(v))),
      ];
      if (withSubtrees) {
        if (v.left) out.push(vadVariable(store, proc, v.left, fmt, `left ${hex(v.left.startVpn * 4096)}`, true));
        if (v.right) out.push(vadVariable(store, proc, v.right, fmt, `right ${hex(v.right.startVpn * 4096)}`, true));
      }
      return out;
    }),
    presentationHint: { attributes: ['readOnly'] },
  };
}

export function vadTreeVariable(store: VariableStore, proc: Process, fmt: Format): DebugProtocol.Variable {
  const root = proc.vads.root;
  return {
    name: 'VADs',
    value: `${proc.vads.size} VADs${root ? `, root ${hex(root.startVpn * 4096)}` : ''}`,
    evaluateName: undefined,
    variablesReference: store.add(() => {
      const out: DebugProtocol.Variable[] = [];
      if (root) out.push(vadVariable(store, proc, root, fmt, 'tree (root)', true));
      const count = proc.vads.size;
      out.push({
        name: 'by address',
        value: `${count}`,
        indexedVariables: count,
        presentationHint: { kind: 'virtual' },
        variablesReference: store.add((req) => {
          if (req.filter === 'named') return [];
          // walked in address order up to the page asked for
          const s = req.start ?? 0;
          const e = req.count ? Math.min(count, s + req.count) : count;
          const page: DebugProtocol.Variable[] = [];
          let k = 0;
          for (const v of proc.vads.inOrder()) {
            if (k >= e) break;
            if (k >= s) page.push(vadVariable(store, proc, v, fmt, `[${k}] ${hex(v.startVpn * 4096)}`, false));
            k++;
          }
          return page;
        }),
      });
      return out;
    }),
  };
}
