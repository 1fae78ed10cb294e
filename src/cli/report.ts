// The machine's state as the `--json` report shows it. Counters, commit and page lists come from
// the scenario's own inspection built-ins (`counters()`, `commit()`, `lists()`), so the JSON has
// exactly the names and values a scenario sees; fault counts are summed over every process.

import type { Machine } from '../core/machine';
import { FAULT_KINDS } from '../core/process';
import { BUILTINS } from '../scenario/builtins/index';
import type { CallContext } from '../scenario/builtins/types';
import { isList, isRecord, type Value } from '../scenario/values';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A scenario value as JSON: integers as numbers (hex strings beyond 2^53), records as objects. */
export function toJson(v: Value): Json {
  if (typeof v === 'bigint') return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : '0x' + BigInt.asUintN(64, v).toString(16);
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (isList(v)) return v.map(toJson);
  if (isRecord(v)) {
    const o: { [key: string]: Json } = {};
    for (const [k, x] of v.fields) o[k] = toJson(x);
    return o;
  }
  return String(v);
}

const NOWHERE = { start: { line: 0, col: 0, offset: 0 }, end: { line: 0, col: 0, offset: 0 } };

/** Calls an inspection built-in (no arguments, no side effects) in the machine's current process. */
export function inspect(m: Machine, name: string): Json {
  const builtin = BUILTINS.get(name);
  if (builtin === undefined || builtin.sideEffects) throw new Error(`internal: no inspection built-in '${name}'`);
  const ctx: CallContext = { machine: m, process: m.current, builtin, range: NOWHERE, statement: null, depth: 0 };
  return toJson(builtin.call([], ctx));
}

/** Resolved faults by kind, summed over every process, plus `total` (page faults taken). */
export function faultCounts(m: Machine): Record<string, number> {
  const out: Record<string, number> = { total: 0 };
  for (const k of FAULT_KINDS) out[k] = 0;
  for (const p of m.processes.values()) {
    out.total += p.pageFaultCount;
    const byKind = p.faultsByKind();
    for (const k of FAULT_KINDS) out[k] += byKind[k];
  }
  return out;
}
