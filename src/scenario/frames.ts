// The call stack and the variable scopes as the debugger shows them: the script's frames
// (top-level script, functions, `in` blocks) and, while stopped inside a page fault, synthetic
// kernel frames for the routines of the fault handler (KiPageFault → MmAccessFault → ... as
// STEP_INFO names them), innermost first.

import type { Stmt } from './ast';
import { ACCESS_NAMES, type FaultContext } from '../core/faultHandler';
import { routineListings, STEP_INFO, type Step } from '../core/faultSteps';
import type { Process } from '../core/process';
import { toBig } from '../core/pte';
import { statusName } from '../core/status';
import type { Frame, FrameKind } from './interpreter';
import { Scope } from './scope';
import type { Value } from './values';

export interface StackFrameView {
  /** Position in the list (0 = innermost); what `scopes(frameIndex)` and `evaluate` take. */
  index: number;
  kind: FrameKind | 'kernel';
  /** Script file name, function name, `in <process>`, or the kernel routine. */
  name: string;
  /** Script frames: the statement the frame is at (null before its first statement). */
  node: Stmt | null;
  /** Script frames: 1-based line/column of that statement. Kernel frames: 1-based line of the step in the routine's listing (routineListings). */
  line: number;
  col: number;
  process: Process;
  /** Kernel frames: the fault step this routine is at, and its one-line description. */
  step?: Step;
  label?: string;
}

export interface ScopeView {
  name: string;
  kind: Scope['kind'] | 'fault';
  variables: Map<string, Value>;
}

let listings: Map<string, Step[]> | undefined;

function listingLine(routine: string, step: Step): number {
  listings ??= routineListings();
  const steps = listings.get(routine) ?? [];
  const exact = steps.indexOf(step);
  if (exact >= 0) return exact + 1;
  // an outer routine: the last of its steps before the current one (its call site)
  let best = 0;
  steps.forEach((s, i) => {
    if (s < step) best = i;
  });
  return best + 1;
}

/** Kernel frames of the fault in progress at `step`, innermost first. */
export function kernelFrames(step: Step, ctx: FaultContext): Array<Omit<StackFrameView, 'index'>> {
  const info = STEP_INFO[step];
  if (info === undefined) return [];
  const out: Array<Omit<StackFrameView, 'index'>> = [];
  for (let i = info.frames.length - 1; i >= 0; i--) {
    const routine = info.frames[i];
    const innermost = i === info.frames.length - 1;
    out.push({
      kind: 'kernel',
      name: routine,
      node: null,
      line: listingLine(routine, step),
      col: 1,
      process: ctx.proc,
      step,
      label: innermost ? info.label : undefined,
    });
  }
  return out;
}

export function scriptFrameViews(frames: readonly Frame[]): Array<Omit<StackFrameView, 'index'>> {
  const out: Array<Omit<StackFrameView, 'index'>> = [];
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i];
    out.push({
      kind: f.kind,
      name: f.name,
      node: f.node,
      line: f.node?.range.start.line ?? f.entry?.range.start.line ?? 1,
      col: f.node?.range.start.col ?? f.entry?.range.start.col ?? 1,
      process: f.process,
    });
  }
  return out;
}

/** The fault context as variables (the kernel frames' scope). */
export function faultVariables(ctx: FaultContext, step: Step): Map<string, Value> {
  const v = new Map<string, Value>();
  v.set('va', BigInt(ctx.va));
  v.set('access', ACCESS_NAMES[ctx.access] ?? String(ctx.access));
  v.set('step', BigInt(step));
  v.set('stepLabel', STEP_INFO[step]?.label ?? '');
  v.set('process', ctx.proc.name);
  v.set('level', BigInt(ctx.level));
  v.set('target', BigInt(ctx.target));
  v.set('pte', toBig(ctx.pteLo, ctx.pteHi));
  v.set('newPte', toBig(ctx.workLo, ctx.workHi));
  v.set('protection', BigInt(ctx.protection));
  v.set('pfn', BigInt(ctx.pfn));
  v.set('color', BigInt(ctx.color));
  v.set('wsIndex', BigInt(ctx.wsIndex));
  v.set('kind', ctx.kind);
  v.set('status', BigInt(ctx.status >>> 0));
  v.set('statusName', statusName(ctx.status));
  return v;
}

/** A scope holding the fault context, chained to the script scope the fault happened in. */
export function faultScope(ctx: FaultContext, step: Step, parent: Scope): Scope {
  const s = new Scope(parent, 'console', 'Fault context');
  for (const [k, x] of faultVariables(ctx, step)) s.declare(k, x);
  return s;
}

/** The scopes visible in a script frame, innermost first. */
export function scopeViews(scope: Scope): ScopeView[] {
  return scope.chain().map((s) => ({ name: s.label, kind: s.kind, variables: new Map(s.vars) }));
}
