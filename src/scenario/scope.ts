// Variable environments of a running scenario: one `Scope` per executed block (block scoping),
// chained to the enclosing block's scope; a function body's chain ends at the global scope (the
// top-level block), never at its caller's. It exists so that the interpreter and the debugger's
// variables view walk the same structure.

import type { Value } from './values';

export type ScopeKind = 'global' | 'function' | 'block' | 'loop' | 'console';

const EMPTY: ReadonlyMap<string, Value> = new Map();

export class Scope {
  /** Created on the first declaration (most loop-body scopes never declare anything). */
  private map: Map<string, Value> | null = null;
  constructor(
    readonly parent: Scope | null,
    readonly kind: ScopeKind,
    /** What the debugger shows as the scope's name ("Globals", "Locals of f", "Block at 3:5"). */
    readonly label: string,
  ) {}

  /** This scope's own variables. */
  get vars(): ReadonlyMap<string, Value> {
    return this.map ?? EMPTY;
  }

  has(name: string): boolean {
    return this.map !== null && this.map.has(name);
  }

  /** The value of the nearest variable of that name, or undefined when none is visible. */
  lookup(name: string): Value | undefined {
    for (let s: Scope | null = this as Scope | null; s !== null; s = s.parent) {
      if (s.map === null) continue;
      const v = s.map.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Assigns the nearest visible variable of that name; false when there is none. */
  assign(name: string, value: Value): boolean {
    for (let s: Scope | null = this as Scope | null; s !== null; s = s.parent) {
      if (s.map !== null && s.map.has(name)) {
        s.map.set(name, value);
        return true;
      }
    }
    return false;
  }

  declare(name: string, value: Value): void {
    (this.map ??= new Map()).set(name, value);
  }

  /** The scopes from this one out to the outermost, innermost first. */
  chain(): Scope[] {
    const out: Scope[] = [];
    for (let s: Scope | null = this as Scope | null; s !== null; s = s.parent) out.push(s);
    return out;
  }

  /** Every visible variable, inner names hiding outer ones. */
  visible(): Map<string, Value> {
    const out = new Map<string, Value>();
    for (let s: Scope | null = this as Scope | null; s !== null; s = s.parent) {
      for (const [k, v] of s.vars) if (!out.has(k)) out.set(k, v);
    }
    return out;
  }
}
