/**
 * Presents machine-wide state: page lists with their counts and members (Standby by priority,
 * Zeroed and Free by colour), counters, commit, and the PFN database.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Machine } from '../../core/machine';
import { listCounts } from '../../core/inspection';
import { Format, VariableStore, leaf, num, page } from '../variableStore';
import { pfnDatabaseVariable, pfnVariable } from './pfn';

function listVar(store: VariableStore, m: Machine, name: string, ids: number[], fmt: Format): DebugProtocol.Variable {
  const total = ids.reduce((s, id) => s + m.pfn.listTotal(id), 0);
  return {
    name,
    value: `${total} pages`,
    indexedVariables: total,
    variablesReference: total === 0 ? 0 : store.add((req) => {
      if (req.filter === 'named') return [];
      const members: number[] = [];
      const want = (req.start ?? 0) + (req.count || total);
      for (const id of ids) {
        for (const p of m.pfn.members(id)) {
          members.push(p);
          if (members.length >= want) break;
        }
        if (members.length >= want) break;
      }
      return page(members, req, (i) => pfnVariable(store, m, members[i], fmt, `[${i}] PFN ${num(members[i], fmt)}`));
    }),
  };
}

export function pageListsVariable(store: VariableStore, m: Machine, fmt: Format): DebugProtocol.Variable {
  const c = listCounts(m);
  const db = m.pfn;
  const colours = (base: number) => Array.from({ length: db.colors }, (_, k) => base + k);
  return {
    name: 'Page lists',
    value: `zeroed ${c.zeroed} free ${c.free} standby ${c.standby} modified ${c.modified} active ${c.active}`,
    evaluateName: 'lists()',
    variablesReference: store.add(() => [
      listVar(store, m, 'Zeroed', colours(db.listIdZeroed(0)), fmt),
      listVar(store, m, 'Free', colours(db.listIdFree(0)), fmt),
      {
        name: 'Standby',
        value: `${c.standby} pages [${c.standbyByPriority.join(' ')}]`,
        variablesReference: store.add(() => Array.from({ length: 8 }, (_, p) => listVar(store, m, `priority ${p}`, [db.listIdStandby(p)], fmt))),
      },
      listVar(store, m, 'Modified', [db.listIdModifiedProcess, db.listIdModifiedSystem], fmt),
      listVar(store, m, 'ModifiedNoWrite', [db.listIdModifiedNoWrite], fmt),
      listVar(store, m, 'Bad', [db.listIdBad], fmt),
      leaf('Active', String(c.active)),
      leaf('Available', String(c.available)),
    ]),
  };
}

export function countersVariable(store: VariableStore, m: Machine, fmt: Format): DebugProtocol.Variable {
  return {
    name: 'Counters',
    value: `faults ${m.counters.pageFaults}, demand-zero ${m.counters.demandZeroFaults}`,
    evaluateName: 'counters()',
    variablesReference: store.add(() => Object.entries(m.counters).map(([k, v]) => leaf(k, num(v as number, fmt)))),
  };
}

export function commitVariable(store: VariableStore, m: Machine, fmt: Format): DebugProtocol.Variable {
  return {
    name: 'Commit',
    value: `${m.commit.charge} / ${m.commit.limit} pages`,
    evaluateName: 'commit()',
    variablesReference: store.add(() => [
      leaf('charge', num(m.commit.charge, fmt)),
      leaf('limit', num(m.commit.limit, fmt)),
      leaf('peak', num(m.commit.peak, fmt)),
    ]),
  };
}

export function machineScope(store: VariableStore, m: Machine, fmt: Format): DebugProtocol.Variable[] {
  return [pageListsVariable(store, m, fmt), commitVariable(store, m, fmt), countersVariable(store, m, fmt), pfnDatabaseVariable(store, m, fmt), leaf('clock', `${m.clockMs} ms`)];
}
