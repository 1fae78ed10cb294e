/**
 * Source and function breakpoints: line breakpoints snap to statement starts (the only places a
 * scenario can stop), with conditions, hit counts and logpoints; function breakpoints name either
 * a Windows API / built-in (stop before a statement that calls it) or a memory-manager routine
 * (stop at its first step inside a page fault).
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Expr, Program, Stmt } from '../scenario/ast';
import { forEachStatement } from '../scenario/ast';
import { resolve as resolvePath } from 'node:path';
import { ROUTINE_NAMES } from '../core/faultSteps';

export interface LineBreakpoint {
  id: number;
  line: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  hits: number;
}

export interface FunctionBreakpoint {
  id: number;
  name: string;
  kind: 'call' | 'routine';
  condition?: string;
  hitCondition?: string;
  hits: number;
}

/** Statement start lines of a program, and the first statement of each line. */
export function statementLines(program: Program): Map<number, Stmt> {
  const lines = new Map<number, Stmt>();
  forEachStatement(program, (s: Stmt) => {
    const l = s.range.start.line;
    if (s.kind === 'Fn' || s.kind === 'Block') return;
    const prev = lines.get(l);
    if (prev === undefined || s.range.start.offset < prev.range.start.offset) lines.set(l, s);
  });
  return lines;
}

/** Whether a hit count satisfies a hit condition: `N`, `== N`, `>= N`, `> N`, `% N`. */
export function hitConditionMet(cond: string | undefined, hits: number): boolean | string {
  if (cond === undefined || cond.trim() === '') return true;
  const m = /^\s*(==|>=|>|<=|<|%)?\s*(\d+)\s*$/.exec(cond);
  if (!m) return `hit condition '${cond}' is not understood (use N, >= N, == N or % N)`;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>':
      return hits > n;
    case '<':
      return hits < n;
    case '<=':
      return hits <= n;
    case '%':
      return n > 0 && hits % n === 0;
    case '==':
      return hits === n;
    default:
      return hits >= n;
  }
}

/** The callee names a statement calls directly (not inside nested blocks). */
export function calleesOf(stmt: Stmt): Set<string> {
  const out = new Set<string>();
  const visit = (e: Expr | null | undefined): void => {
    if (e === null || e === undefined) return;
    switch (e.kind) {
      case 'Call':
        out.add(e.callee);
        e.args.forEach(visit);
        return;
      case 'Unary':
        visit(e.operand);
        return;
      case 'Binary':
        visit(e.left);
        visit(e.right);
        return;
      case 'Member':
        visit(e.object);
        return;
      case 'Index':
        visit(e.object);
        visit(e.index);
        return;
      case 'Paren':
        visit(e.expr);
        return;
      default:
        return;
    }
  };
  switch (stmt.kind) {
    case 'Let':
      visit(stmt.init);
      break;
    case 'Assign':
      visit(stmt.value);
      break;
    case 'ExprStmt':
      visit(stmt.expr);
      break;
    case 'If':
    case 'While':
      visit(stmt.cond);
      break;
    case 'For':
      visit(stmt.from);
      visit(stmt.to);
      visit(stmt.step);
      break;
    case 'Return':
      visit(stmt.value);
      break;
    case 'Assert':
      visit(stmt.cond);
      visit(stmt.message);
      break;
    case 'Expect':
      visit(stmt.status);
      break;
    case 'Print':
      stmt.args.forEach(visit);
      break;
    case 'In':
      visit(stmt.process);
      break;
    default:
      break;
  }
  return out;
}

interface Requested {
  id: number;
  bp: DebugProtocol.SourceBreakpoint;
}

/** A path as a map key: absolute, normalised, case-folded where the file system folds case. */
export function pathKey(path: string): string {
  const p = resolvePath(path);
  return process.platform === 'win32' || process.platform === 'darwin' ? p.toLowerCase() : p;
}

export class BreakpointStore {
  /** What the client asked for, per source path (breakpoints may arrive before the launch). */
  private requested = new Map<string, Requested[]>();
  private lines = new Map<number, LineBreakpoint>();
  functions: FunctionBreakpoint[] = [];
  private nextId = 1;
  private programKey: string | undefined;
  private stmtLines: Map<number, Stmt> = new Map();
  private readonly calleeCache = new Map<number, Set<string>>();

  /** The scenario being debugged (launch, restart): resolves the breakpoints already requested. */
  setProgram(program: Program, path: string): DebugProtocol.Breakpoint[] {
    this.stmtLines = statementLines(program);
    this.calleeCache.clear();
    this.programKey = pathKey(path);
    const out: DebugProtocol.Breakpoint[] = [];
    for (const [key, reqs] of this.requested) out.push(...(key === this.programKey ? this.resolve() : reqs.map((r) => this.elsewhere(r))));
    return out;
  }

  /** Statement-start lines in [from, to] (breakpointLocations) of a source; none for other files. */
  locations(path: string | undefined, from: number, to: number): number[] {
    if (path === undefined || pathKey(path) !== this.programKey) return [];
    return [...this.stmtLines.keys()].filter((l) => l >= from && l <= to).sort((a, b) => a - b);
  }

  /** The statement line a requested line snaps to: itself, or the next statement start. */
  snap(line: number): number | undefined {
    let best: number | undefined;
    for (const l of this.stmtLines.keys()) if (l >= line && (best === undefined || l < best)) best = l;
    return best;
  }

  /** setBreakpoints for one source (replaces that source's breakpoints). */
  setLineBreakpoints(path: string | undefined, bps: DebugProtocol.SourceBreakpoint[]): DebugProtocol.Breakpoint[] {
    if (path === undefined) {
      return bps.map((bp) => ({ verified: false, line: bp.line, message: 'breakpoints can only be set in the scenario file (use a function breakpoint on a memory-manager routine instead)', reason: 'failed' }) as DebugProtocol.Breakpoint);
    }
    const key = pathKey(path);
    const old = this.requested.get(key) ?? [];
    const reqs = bps.map((bp) => {
      const prev = old.find((r) => r.bp.line === bp.line);
      if (prev !== undefined) old.splice(old.indexOf(prev), 1);
      return { id: prev?.id ?? this.nextId++, bp };
    });
    if (reqs.length === 0) this.requested.delete(key);
    else this.requested.set(key, reqs);
    if (key === this.programKey) return this.resolve();
    if (this.programKey === undefined) return reqs.map((r) => ({ id: r.id, verified: false, line: r.bp.line, message: 'the scenario is not loaded yet', reason: 'pending' }) as DebugProtocol.Breakpoint);
    return reqs.map((r) => this.elsewhere(r));
  }

  private elsewhere(r: Requested): DebugProtocol.Breakpoint {
    return { id: r.id, verified: false, line: r.bp.line, message: 'this file is not the scenario being debugged', reason: 'failed' } as DebugProtocol.Breakpoint;
  }

  /** Rebuilds the line table of the program's source (hit counts survive per line). */
  private resolve(): DebugProtocol.Breakpoint[] {
    const old = this.lines;
    this.lines = new Map();
    const reqs = this.programKey === undefined ? [] : this.requested.get(this.programKey) ?? [];
    return reqs.map(({ id, bp }) => {
      const line = this.snap(bp.line);
      if (line === undefined) return { id, verified: false, line: bp.line, message: 'no statement at or after this line', reason: 'failed' } as DebugProtocol.Breakpoint;
      const hc = hitConditionMet(bp.hitCondition, 0);
      if (typeof hc === 'string') return { id, verified: false, line, message: hc, reason: 'failed' } as DebugProtocol.Breakpoint;
      if (!this.lines.has(line)) {
        const prev = old.get(line);
        this.lines.set(line, { id, line, condition: bp.condition, hitCondition: bp.hitCondition, logMessage: bp.logMessage, hits: prev?.hits ?? 0 });
      }
      return { id, verified: true, line } as DebugProtocol.Breakpoint;
    });
  }

  setFunctionBreakpoints(bps: DebugProtocol.FunctionBreakpoint[], knownCalls: ReadonlySet<string>): DebugProtocol.Breakpoint[] {
    const old = this.functions;
    this.functions = [];
    return bps.map((bp) => {
      const name = bp.name.trim();
      const kind = ROUTINE_NAMES.includes(name) ? 'routine' : knownCalls.has(name) ? 'call' : undefined;
      if (kind === undefined) {
        return { verified: false, message: `'${name}' is neither a built-in nor a memory-manager routine (${ROUTINE_NAMES.join(', ')})`, reason: 'failed' } as DebugProtocol.Breakpoint;
      }
      const hc = hitConditionMet(bp.hitCondition, 0);
      if (typeof hc === 'string') return { verified: false, message: hc, reason: 'failed' } as DebugProtocol.Breakpoint;
      const prev = old.find((f) => f.name === name);
      const b: FunctionBreakpoint = { id: prev?.id ?? this.nextId++, name, kind, condition: bp.condition, hitCondition: bp.hitCondition, hits: prev?.hits ?? 0 };
      this.functions.push(b);
      return { id: b.id, verified: true };
    });
  }

  /** The first statement that starts on a line (where a line breakpoint stops). */
  firstStatementOn(line: number): Stmt | undefined {
    return this.stmtLines.get(line);
  }

  lineBreakpoint(line: number): LineBreakpoint | undefined {
    return this.lines.get(line);
  }

  get hasRoutineBreakpoints(): boolean {
    return this.functions.some((f) => f.kind === 'routine');
  }

  callBreakpointsFor(stmt: Stmt): FunctionBreakpoint[] {
    if (!this.functions.some((f) => f.kind === 'call')) return [];
    let c = this.calleeCache.get(stmt.id);
    if (c === undefined) {
      c = calleesOf(stmt);
      this.calleeCache.set(stmt.id, c);
    }
    return this.functions.filter((f) => f.kind === 'call' && c.has(f.name));
  }

  routineBreakpointsFor(routine: string): FunctionBreakpoint[] {
    return this.functions.filter((f) => f.kind === 'routine' && f.name === routine);
  }

  clearHits(): void {
    for (const b of this.lines.values()) b.hits = 0;
    for (const f of this.functions) f.hits = 0;
  }
}
