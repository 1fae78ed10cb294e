// The `run --json` object. It exists so that tools (CI, the extension's test view) get one stable
// machine-readable summary of a run: how it ended, what it printed, the fault counts, counters,
// commit and page lists, and the error with its location.

import type { RunReport } from './runner';
import { faultCounts, inspect, type Json } from './report';
import { statusName } from '../core/status';

export interface JsonError {
  kind: string;
  message: string;
  file: string;
  line: number;
  column: number;
  status?: number;
  statusName?: string;
  /** Hex, as the scenario prints addresses (`0x1f0000`). */
  address?: string;
  access?: string;
}

export interface JsonReport {
  outcome: RunReport['outcome'];
  output: string[];
  /** Errors and warnings as `file:line:col: message`. */
  diagnostics: string[];
  /** The rest describe the machine at the end; null when the scenario could not be built. */
  faults: Record<string, number> | null;
  counters: Json;
  commit: Json;
  lists: Json;
  error?: JsonError;
  /** With --narrate: the narration lines, in event order (not interleaved with the output). */
  narration?: string[];
}

export function jsonReport(file: string, r: RunReport, narration?: string[]): JsonReport {
  const m = r.machine;
  const out: JsonReport = {
    outcome: r.outcome,
    output: r.output,
    diagnostics: r.diagnosticLines,
    faults: m ? faultCounts(m) : null,
    counters: m ? inspect(m, 'counters') : null,
    commit: m ? inspect(m, 'commit') : null,
    lists: m ? inspect(m, 'lists') : null,
  };
  if (r.outcome === 'diagnostics') {
    const d = r.diagnostics.find((x) => x.severity === 'error');
    if (d !== undefined) out.error = { kind: 'diagnostic', message: d.message, file, line: d.range.start.line, column: d.range.start.col };
  } else if (r.error !== undefined) {
    const e = r.error;
    const err: JsonError = { kind: e.kind, message: e.message, file: e.file, line: e.line, column: e.col };
    if (e.status !== undefined) {
      err.status = e.status >>> 0;
      err.statusName = statusName(e.status);
    }
    if (e.address !== undefined) err.address = '0x' + BigInt.asUintN(64, e.address).toString(16);
    if (e.access !== undefined) err.access = e.access;
    out.error = err;
  } else if (r.outcome !== 'ok') {
    out.error = { kind: 'internal', message: 'the run stopped without a result', file, line: 0, column: 0 };
  }
  if (narration !== undefined) out.narration = narration;
  return out;
}
