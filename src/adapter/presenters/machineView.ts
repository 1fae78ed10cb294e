/**
 * Presents machine-wide state: page lists with their counts and members (Standby by priority,
 * Zeroed and Free by colour), commit, the memory counters and performance counters, the paging
 * files and the PFN database. Counts and counters are data-breakpoint subjects ("break when
 * commit.charge changes") and can be added to Watch (`lists().zeroed`, `counters().pageFaults`).
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Machine } from '../../core/machine';
import { listCounts } from '../../core/inspection';
import type { PagingFile } from '../../core/pagingFile';
import { performanceCounters } from '../../core/performanceCounters';
import { Format, VariableStore, leaf, num, page } from '../variableStore';
import { pfnDatabaseVariable, pfnVariable } from './pfn';

function listVar(store: VariableStore, m: Machine, name: string, ids: number[], fmt: Format, counter?: string): DebugProtocol.Variable {
  const total = ids.reduce((s, id) => s + m.pfn.listTotal(id), 0);
  const v: DebugProtocol.Variable = {
    name,
    value: `${total} pages`,
    indexedVariables: total,
    evaluateName: counter === undefined ? undefined : `lists().${counter}`,
    variablesReference: total === 0 ? 0 : store.add((req) => {
      if (req.filter === 'named') return [];
      // members are walked from the head of the list up to the page asked for (never the whole list)
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
  return counter === undefined ? v : store.watch(v, { kind: 'counter', name: `lists.${counter}` });
}

export function pageListsVariable(store: VariableStore, m: Machine, fmt: Format): DebugProtocol.Variable {
  const c = listCounts(m);
  const db = m.pfn;
  const colours = (base: number) => Array.from({ length: db.colors }, (_, k) => base + k);
  const count = (name: keyof typeof c & string, value: number) => store.watch(leaf(name[0].toUpperCase() + name.slice(1), num(value, fmt), { evaluateName: `lists().${name}` }), { kind: 'counter', name: `lists.${name}` });
  return {
    name: 'Page lists',
    value: `zeroed ${c.zeroed} free ${c.free} standby ${c.standby} modified ${c.modified} active ${c.active}`,
    evaluateName: 'lists()',
    variablesReference: store.add(() => [
      listVar(store, m, 'Zeroed', colours(db.listIdZeroed(0)), fmt, 'zeroed'),
      listVar(store, m, 'Free', colours(db.listIdFree(0)), fmt, 'free'),
      store.watch(
        {
          name: 'Standby',
          value: `${c.standby} pages [${c.standbyByPriority.join(' ')}]`,
          evaluateName: 'lists().standby',
          variablesReference: store.add(() => Array.from({ length: 8 }, (_, p) => listVar(store, m, `priority ${p}`, [db.listIdStandby(p)], fmt))),
        },
        { kind: 'counter', name: 'lists.standby' },
      ),
      listVar(store, m, 'Modified', [db.listIdModifiedProcess, db.listIdModifiedSystem], fmt, 'modified'),
      listVar(store, m, 'ModifiedNoWrite', [db.listIdModifiedNoWrite], fmt, 'modifiedNoWrite'),
      listVar(store, m, 'Bad', [db.listIdBad], fmt, 'bad'),
      count('active', c.active),
      count('available', c.available),
    ]),
  };
}

export function countersVariable(store: VariableStore, m: Machine, fmt: Format): DebugProtocol.Variable {
  return {
    name: 'Counters',
    value: `faults ${m.counters.pageFaults}, demand-zero ${m.counters.demandZeroFaults}`,
    evaluateName: 'counters()',
    variablesReference: store.add(() =>
      Object.entries(m.counters).map(([k, v]) => store.watch(leaf(k, num(v as number, fmt), { evaluateName: `counters().${k}` }), { kind: 'counter', name: `counters.${k}` })),
    ),
  };
}

export function performanceCountersVariable(store: VariableStore, m: Machine, fmt: Format): DebugProtocol.Variable {
  const pc = performanceCounters(m);
  return {
    name: 'Performance counters',
    value: `available ${pc.availableBytes / 1048576} MB, committed ${pc.committedBytes / 1048576} MB`,
    variablesReference: store.add(() =>
      Object.entries(performanceCounters(m)).map(([k, v]) => store.watch(leaf(k, num(v, fmt), { evaluateName: `counters().${k}` }), { kind: 'counter', name: `perf.${k}` })),
    ),
  };
}

export function commitVariable(store: VariableStore, m: Machine, fmt: Format): DebugProtocol.Variable {
  const field = (name: 'charge' | 'limit' | 'peak') => store.watch(leaf(name, num(m.commit[name], fmt), { evaluateName: `commit().${name}` }), { kind: 'counter', name: `commit.${name}` });
  return {
    name: 'Commit',
    value: `${m.commit.charge} / ${m.commit.limit} pages`,
    evaluateName: 'commit()',
    variablesReference: store.add(() => [field('charge'), field('limit'), field('peak')]),
  };
}

function pagingFileVariable(store: VariableStore, f: PagingFile, fmt: Format): DebugProtocol.Variable {
  return {
    name: `[${f.number}] ${f.name}`,
    value: `${f.inUse} of ${f.size} pages in use (min ${f.minimumSize}, max ${f.maximumSize})`,
    type: '_MMPAGING_FILE',
    variablesReference: store.add(() => {
      const used = f.inUse - 1; // page 0 is reserved
      return [
        leaf('PageFileNumber', num(f.number, fmt)),
        leaf('PageFileName', f.name),
        leaf('Size', num(f.size, fmt)),
        leaf('MinimumSize', num(f.minimumSize, fmt)),
        leaf('MaximumSize', num(f.maximumSize, fmt)),
        leaf('FreeSpace', num(f.freeSpace, fmt)),
        leaf('PeakUsage', num(f.peakUsage, fmt)),
        leaf('BitmapHint', num(f.hint, fmt)),
        leaf('LastAllocationSize', num(f.lastAllocationSize, fmt)),
        {
          name: 'pages in use',
          value: `${used}`,
          indexedVariables: used,
          presentationHint: { kind: 'virtual' },
          variablesReference: used <= 0 ? 0 : store.add((req) => {
            if (req.filter === 'named') return [];
            // walked from the start of the bitmap up to the page asked for
            const start = req.start ?? 0;
            const end = start + (req.count || used);
            const out: DebugProtocol.Variable[] = [];
            let k = 0;
            for (const off of f.allocatedOffsets()) {
              if (k >= end) break;
              if (k >= start) out.push(leaf(`[${k}]`, `page ${num(off, { hex: true })}${f.store.hasContent(off) ? '' : ' (no data)'}`));
              k++;
            }
            return out;
          }),
        },
      ];
    }),
  };
}

export function pagingFilesVariable(store: VariableStore, m: Machine, fmt: Format): DebugProtocol.Variable {
  const files = m.pager.files.filter((f): f is PagingFile => f !== undefined);
  return {
    name: 'Paging files',
    value: files.length === 0 ? 'none' : `${files.length} file${files.length === 1 ? '' : 's'}, ${files.reduce((s, f) => s + f.size, 0)} pages`,
    variablesReference: files.length === 0 ? 0 : store.add(() => files.map((f) => pagingFileVariable(store, f, fmt))),
  };
}

export function machineScope(store: VariableStore, m: Machine, fmt: Format): DebugProtocol.Variable[] {
  return [
    pageListsVariable(store, m, fmt),
    commitVariable(store, m, fmt),
    countersVariable(store, m, fmt),
    performanceCountersVariable(store, m, fmt),
    pagingFilesVariable(store, m, fmt),
    pfnDatabaseVariable(store, m, fmt),
    leaf('clock', `${m.clockMs} ms`, { evaluateName: 'clock()' }),
  ];
}
