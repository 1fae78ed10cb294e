/**
 * Variable references for one stop: each expandable value registers a function that produces
 * its children (optionally a page of indexed children), and gets an integer reference. The store
 * is cleared at every stop, as DAP allows, so references never leak across stops.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';

export interface ChildRequest {
  filter?: 'indexed' | 'named';
  start?: number;
  count?: number;
}

export type ChildrenProvider = (req: ChildRequest) => DebugProtocol.Variable[];

export class VariableStore {
  private readonly providers = new Map<number, ChildrenProvider>();
  private next = 1;

  add(provider: ChildrenProvider): number {
    const ref = this.next++;
    this.providers.set(ref, provider);
    return ref;
  }

  children(ref: number, req: ChildRequest): DebugProtocol.Variable[] | undefined {
    const p = this.providers.get(ref);
    return p === undefined ? undefined : p(req);
  }

  reset(): void {
    this.providers.clear();
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
