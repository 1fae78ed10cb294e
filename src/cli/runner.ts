// Running one scenario file to its end for the command line: read it, build it (with the
// command-line overrides of its machine block), run it, and classify how it ended. Guest output
// and, on request, narration of the memory manager's events are handed to callbacks in the order
// they happened. It exists so that `run` (plain, --narrate, --json) and `test` share one runner.

import { readFileSync } from 'node:fs';
import { Narrator } from '../core/narration';
import type { Machine } from '../core/machine';
import { childNodes, type Node, type Stmt } from '../scenario/ast';
import { BUILTINS } from '../scenario/builtins/index';
import { formatDiagnostic, hasErrors, type Diagnostic } from '../scenario/diagnostics';
import type { RunError } from '../scenario/runtimeErrors';
import { createScenario, type MachineOverrides } from '../scenario/setup';

export type Outcome = 'ok' | 'assertion' | 'exception' | 'error' | 'diagnostics';

export interface RunRequest {
  file: string;
  /** The scenario's text; read from `file` when absent. */
  text?: string;
  ram?: number;
  pagefile?: number;
  /** Receives each line the scenario prints. */
  onOutput?: (line: string) => void;
  /** Receives the diagnostics (warnings, when the scenario can run) before it runs. */
  onDiagnostics?: (lines: string[]) => void;
  /** When set, receives narration lines, interleaved with the output in event order. */
  onNarration?: (line: string) => void;
}

export interface RunReport {
  outcome: Outcome;
  /** Every diagnostic (errors and warnings) of the scenario. */
  diagnostics: Diagnostic[];
  /** The same, as `file:line:col: message`. */
  diagnosticLines: string[];
  output: string[];
  /** Why the run failed (assertion, exception, run-time error). */
  error?: RunError;
  /** The machine as the scenario left it (absent when it could not be built). */
  machine?: Machine;
}

/** The scenario file could not be read. */
export class ReadError extends Error {}

export function readScenario(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : e instanceof Error ? e.message : String(e);
    throw new ReadError(`cannot read ${file}: ${why}`);
  }
}

const API_CATEGORIES = new Set(['win32', 'native']);
const STATEMENT_KINDS = new Set(['Let', 'Assign', 'ExprStmt', 'If', 'While', 'For', 'Break', 'Continue', 'Fn', 'Return', 'Assert', 'Expect', 'Print', 'In', 'Block', 'Machine']);

/**
 * The Windows API function a statement calls (in its own expressions, not in nested blocks), for
 * narration's "by VirtualFree"; undefined when it calls none.
 */
export function apiCallOf(stmt: Stmt): string | undefined {
  if (apiCallCache.has(stmt)) return apiCallCache.get(stmt);
  const name = findApiCall(stmt);
  apiCallCache.set(stmt, name);
  return name;
}

const apiCallCache = new WeakMap<Stmt, string | undefined>();

function findApiCall(stmt: Stmt): string | undefined {
  const stack: Node[] = childNodes(stmt).filter((n) => !STATEMENT_KINDS.has(n.kind));
  const found: Array<{ offset: number; name: string }> = [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind === 'Call') {
      const b = BUILTINS.get(n.callee);
      if (b !== undefined && API_CATEGORIES.has(b.category)) found.push({ offset: n.range.start.offset, name: n.callee });
    }
    for (const k of childNodes(n)) if (!STATEMENT_KINDS.has(k.kind)) stack.push(k);
  }
  found.sort((a, b) => a.offset - b.offset);
  return found[0]?.name;
}

/** Runs a scenario to its end. Throws ReadError when the file cannot be read. */
export function runScenario(req: RunRequest): RunReport {
  const text = req.text ?? readScenario(req.file);
  const output: string[] = [];
  let flushNarration = (): void => {};
  const overrides: MachineOverrides = {};
  if (req.ram !== undefined) overrides.ram = req.ram;
  if (req.pagefile !== undefined) overrides.pagefile = req.pagefile;
  const setup = createScenario(text, req.file, overrides, {
    output: (line) => {
      flushNarration();
      output.push(line);
      req.onOutput?.(line);
    },
  });
  const diagnostics = setup.diagnostics;
  const diagnosticLines = diagnostics.map((d) => formatDiagnostic(req.file, d));
  const run = setup.run;
  req.onDiagnostics?.(diagnosticLines);
  if (run === undefined || hasErrors(diagnostics)) return { outcome: 'diagnostics', diagnostics, diagnosticLines, output };
  const m = run.machine;

  const onNarration = req.onNarration;
  let caller: string | undefined;
  if (onNarration !== undefined) {
    const narrator = new Narrator(m);
    let from = m.journal.firstSeq;
    flushNarration = () => {
      for (const line of narrator.lines(from, undefined, caller === undefined ? {} : { caller })) onNarration(line);
      from = m.journal.nextSeq;
    };
  }
  const result = run.resume((ev) => {
    if (onNarration !== undefined && ev.kind === 'statement') {
      flushNarration();
      caller = apiCallOf(ev.node);
    }
    return false;
  });
  flushNarration();
  const base = { diagnostics, diagnosticLines, output, machine: m };
  switch (result.reason) {
    case 'end':
      return { outcome: 'ok', ...base };
    case 'exception':
      return { outcome: 'exception', error: result.error, ...base };
    case 'error':
      return { outcome: result.error?.kind === 'assertion' ? 'assertion' : 'error', error: result.error, ...base };
    default:
      // resume() without stop conditions only ends in one of the above
      return { outcome: 'error', ...base };
  }
}
