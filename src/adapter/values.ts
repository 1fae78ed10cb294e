/**
 * Presents script values as DAP variables: integers in hex or decimal (addresses always hex), an
 * integer that is a user address expands into its translation and carries a memory reference,
 * records expand into their fields, lists into indexed items. Names are unique and each variable
 * gets an `evaluateName` so it can go to Watch.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Machine } from '../core/machine';
import type { Process } from '../core/process';
import { formatValue, isList, isRecord, type Value } from '../scenario/values';
import { translationVariable } from './presenters/translation';
import { vaReference } from './memoryReferences';
import { Format, VariableStore, leaf, num } from './variableStore';

const USER_LIMIT = 0x80000000000n;

export function valueText(v: Value, fmt: Format): string {
  if (typeof v === 'bigint') {
    if (v >= 0x10000n || fmt.hex) return num(v, { hex: true });
    return v.toString();
  }
  return formatValue(v, true);
}

/** Whether an integer looks like a user address worth translating (inside an allocation). */
export function isAddressLike(proc: Process, v: bigint): boolean {
  if (v < 0x10000n || v >= USER_LIMIT) return false;
  return proc.vads.findContaining(Number(v / 4096n)) !== undefined;
}

export function valueVariable(store: VariableStore, m: Machine, proc: Process, name: string, v: Value, fmt: Format, evaluateName?: string): DebugProtocol.Variable {
  if (typeof v === 'bigint' && isAddressLike(proc, v)) {
    const va = Number(v);
    const tr = translationVariable(store, m, proc, va, fmt, name);
    const variable: DebugProtocol.Variable = { ...tr, name, value: valueText(v, fmt), type: 'address', evaluateName, memoryReference: vaReference(proc, va), presentationHint: undefined };
    // "Break on Value Change" of an address watches the 8 bytes it points to (guest memory, not the script variable)
    return store.watch(variable, { kind: 'va', process: proc.index, start: va, length: 8 });
  }
  if (v !== null && typeof v === 'object' && isRecord(v)) {
    return {
      name,
      value: formatValue(v, true).slice(0, 200),
      type: 'record',
      evaluateName,
      namedVariables: v.fields.size,
      variablesReference: store.add(() => [...v.fields].map(([k, x]) => valueVariable(store, m, proc, k, x, fmt, evaluateName ? `${evaluateName}.${k}` : undefined))),
    };
  }
  if (v !== null && typeof v === 'object' && isList(v)) {
    const list = v;
    return {
      name,
      value: `[${list.length}]`,
      type: 'list',
      evaluateName,
      indexedVariables: list.length,
      variablesReference: store.add((req) => {
        if (req.filter === 'named') return [];
        const s = req.start ?? 0;
        const e = req.count ? Math.min(list.length, s + req.count) : list.length;
        const out: DebugProtocol.Variable[] = [];
        for (let i = s; i < e; i++) out.push(valueVariable(store, m, proc, `[${i}]`, list[i], fmt, evaluateName ? `${evaluateName}[${i}]` : undefined));
        return out;
      }),
    };
  }
  return { ...leaf(name, valueText(v, fmt)), evaluateName, type: typeof v === 'bigint' ? 'integer' : v === null ? 'null' : typeof v, presentationHint: undefined };
}
