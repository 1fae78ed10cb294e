/**
 * Variable references for one stop: each expandable value registers a function that produces
 * its children (optionally a page of indexed children), and gets an integer reference. The store
 * is cleared at every stop, as DAP allows, so references never leak across stops.
 *
 * Presenters also say what a variable watches when it is the subject of a data breakpoint (a PTE,
 * a PFN entry, a counter, guest memory): `watch(variable, target)`. When the variable is handed
 * out as a child of a reference, the store remembers `(reference, name) → target`, which is how
 * `dataBreakpointInfo {variablesReference, name}` — VS Code's right-click on a Variables row —
 * finds what to watch without re-evaluating anything.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DataTarget } from './dataTarget';
import { dataId } from './dataTarget';

export interface ChildRequest {
  filter?: 'indexed' | 'named';
  start?: number;
  count?: number;
}

export type ChildrenProvider = (req: ChildRequest) => DebugProtocol.Variable[];

export class VariableStore {
  private readonly providers = new Map<number, ChildrenProvider>();
  private readonly targets = new WeakMap<DebugProtocol.Variable, DataTarget>();
  private readonly byName = new Map<string, DataTarget>();
  private next = 1;
  /** Whether a data breakpoint is armed on a dataId (adds the `hasDataBreakpoint` attribute). */
  watched: (dataId: string) => boolean = () => false;

  add(provider: ChildrenProvider): number {
    const ref = this.next++;
    this.providers.set(ref, provider);
    return ref;
  }

  has(ref: number): boolean {
    return this.providers.has(ref);
  }

  /** Marks what a variable watches as a data breakpoint; returns the variable. */
  watch<V extends DebugProtocol.Variable>(v: V, target: DataTarget): V {
    this.targets.set(v, target);
    return v;
  }

  /** The children of a reference (a page of them); undefined for an unknown reference. */
  children(ref: number, req: ChildRequest): DebugProtocol.Variable[] | undefined {
    const p = this.providers.get(ref);
    if (p === undefined) return undefined;
    const vars = p(req);
    for (const v of vars) this.adopt(ref, v);
    return vars;
  }

  /** Registers the data target of a variable handed out under `ref` (0: an evaluate result). */
  adopt(ref: number, v: DebugProtocol.Variable): void {
    const t = this.targets.get(v);
    if (t === undefined) return;
    this.byName.set(`${ref}\u0000${v.name}`, t);
    if (this.watched(dataId(t))) {
      const attributes = [...(v.presentationHint?.attributes ?? []), 'hasDataBreakpoint'];
      v.presentationHint = { ...v.presentationHint, attributes };
    }
  }

  /** What the child `name` of `ref` watches, if it was handed out in this stop. */
  targetOf(ref: number, name: string): DataTarget | undefined {
    return this.byName.get(`${ref}\u0000${name}`);
  }

  /** The target registered for a variable object (evaluate results). */
  targetOfVariable(v: DebugProtocol.Variable): DataTarget | undefined {
    return this.targets.get(v);
  }

  reset(): void {
    this.providers.clear();
    this.byName.clear();
    this.next = 1;
  }

  get size(): number {
    return this.providers.size;
  }
}

/** Presentation options shared by every presenter (the Toggle Hex/Decimal command flips `hex`). */
export interface Format {
  hex: boolean;
}

export function num(v: number | bigint, fmt: Format): string {
  if (!fmt.hex) return v.toString();
  const b = typeof v === 'bigint' ? v : BigInt(v);
  return b < 0n ? '-0x' + (-b).toString(16) : '0x' + b.toString(16);
}

/** 64-bit value as WinDbg prints it: 0xfffff680`00000e00. */
export function hex64(v: bigint): string {
  const s = (v & 0xffffffffffffffffn).toString(16).padStart(16, '0');
  return `0x${s.slice(0, 8)}\`${s.slice(8)}`;
}

export function leaf(name: string, value: string, extra: Partial<DebugProtocol.Variable> = {}): DebugProtocol.Variable {
  return { name, value, variablesReference: 0, presentationHint: { attributes: ['readOnly'] }, ...extra };
}

/** Applies DAP paging (start/count) to an indexed list. */
export function page<T>(items: readonly T[] | number, req: ChildRequest, make: (i: number) => DebugProtocol.Variable): DebugProtocol.Variable[] {
  const total = typeof items === 'number' ? items : items.length;
  const start = Math.max(0, req.start ?? 0);
  const end = Math.min(total, req.count === undefined || req.count === 0 ? total : start + req.count);
  const out: DebugProtocol.Variable[] = [];
  for (let i = start; i < end; i++) out.push(make(i));
  return out;
}
