/**
 * Helpers for the scenario interpreter tests: build a run from text on a small machine, run it to
 * the end, collect what it prints.
 */
import { strict as assert } from 'node:assert';
import { createScenario } from '../../src/scenario/setup';
import type { ScenarioRun, RunOptions } from '../../src/scenario/run';
import type { StopResult } from '../../src/scenario/events';
import { formatDiagnostic } from '../../src/scenario/diagnostics';

export const FILE = 't.vmm';
export const SMALL = { ram: 16 << 20, pagefile: 16 << 20 };

export interface Ran {
  run: ScenarioRun;
  out: string[];
  result: StopResult;
}

/** Creates a run (asserting there is no error diagnostic). */
export function start(text: string, options: Omit<RunOptions, 'file' | 'source' | 'output'> = {}, overrides = SMALL): { run: ScenarioRun; out: string[] } {
  const out: string[] = [];
  const s = createScenario(text, FILE, overrides, { ...options, output: (t) => out.push(t) });
  const errors = s.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => formatDiagnostic(FILE, d)), [], 'unexpected diagnostics');
  assert.ok(s.run);
  return { run: s.run, out };
}

/** Runs a scenario to its end. */
export function runText(text: string, options: Omit<RunOptions, 'file' | 'source' | 'output'> = {}): Ran {
  const { run, out } = start(text, options);
  const result = run.resume();
  return { run, out, result };
}

/** Runs a scenario that must end normally; returns its output. */
export function output(text: string): string[] {
  const r = runText(text);
  assert.equal(r.result.reason, 'end', r.result.error?.text);
  return r.out;
}

/** Runs a scenario that must fail; returns the error text (`t.vmm:line:col: message`). */
export function failure(text: string, options: Omit<RunOptions, 'file' | 'source' | 'output'> = {}): string {
  const r = runText(text, options);
  assert.ok(r.result.reason === 'error' || r.result.reason === 'exception', `expected a failure, got ${r.result.reason}`);
  return r.result.error!.text;
}
