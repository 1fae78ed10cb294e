// Reading parts of values: `record.field` (plus `.length` of lists and strings) and
// `list[i]` / `string[i]` (the UTF-16 code unit at i), with the run-time errors a newcomer can act
// on ("cannot read field 'State' of 0 (did the call that produced it fail?)").

import type { Expr } from './ast';
import { ScriptError } from './runtimeErrors';
import { didYouMean } from './suggest';
import { asInteger, isList, RecordValue, typeName, type Value } from './values';

type Member = Extract<Expr, { kind: 'Member' }>;
type Index = Extract<Expr, { kind: 'Index' }>;

export function readMember(o: Value, e: Member): Value {
  if (o instanceof RecordValue) {
    const v = o.get(e.field);
    if (v !== undefined) return v;
    const names = [...o.fields.keys()];
    const hint = didYouMean(e.field, names);
    throw new ScriptError(`the record has no field '${e.field}'${hint !== '' ? hint : ` (its fields: ${names.join(', ')})`}`, e.fieldRange);
  }
  if (e.field === 'length' && (typeof o === 'string' || isList(o))) return BigInt(o.length);
  if (o === null || o === 0n) {
    throw new ScriptError(`cannot read field '${e.field}' of ${o === null ? 'null' : '0'} (did the call that produced it fail?)`, e.fieldRange);
  }
  throw new ScriptError(`cannot read field '${e.field}' of ${typeName(o)}`, e.fieldRange);
}

export function readIndex(o: Value, i: Value, e: Index): Value {
  const n = asInteger(i);
  if (n === undefined || i === null) throw new ScriptError(`an index must be an integer, got ${typeName(i)}`, e.index.range);
  if (typeof o === 'string' || isList(o)) {
    if (n < 0n || n >= BigInt(o.length)) {
      const what = typeof o === 'string' ? 'string' : 'list';
      throw new ScriptError(`index ${n} is out of range (the ${what} has ${o.length} element${o.length === 1 ? '' : 's'})`, e.index.range);
    }
    return typeof o === 'string' ? BigInt(o.charCodeAt(Number(n))) : o[Number(n)];
  }
  throw new ScriptError(`cannot index ${typeName(o)} (only lists and strings can be indexed)`, e.range);
}
