// From a scenario's text to a run that is ready to go: parse, check (with the built-ins'
// environment), build the machine its `machine { }` block describes — launch configurations and
// command-line flags override it — and create the process "main" the scenario starts in.
//
// Machine keys (contract §4 plus this implementation's):
//   ram      = physical memory in bytes, 1M .. 16G (default 512M); rounded down to whole pages;
//   pagefile = size of the first paging file in bytes, 0 .. 16T (default 1G; 0 = none); today it
//              only adds to the commit limit (paging files land in a later version);
//   colors   = number of page colours, a power of two 1 .. 1024 (default 64, the book's machine).

import type { Expr, Machine as MachineBlock, Program } from './ast';
import { check } from './checker';
import { makeDiagnostic, sortDiagnostics, hasErrors, type Diagnostic } from './diagnostics';
import { parseScenario } from './index';
import { DEFAULT_PAGEFILE, DEFAULT_RAM, Machine } from '../core/machine';
import { PREDEFINED_CONSTANTS } from '../core/winconst';
import { binaryOp, unaryOp } from './operators';
import { ScriptError } from './runtimeErrors';
import { ScenarioRun, type RunOptions } from './run';
import { scenarioCheckEnv, BUILTINS } from './builtins/index';
import { asInteger, formatInt, typeName, type Value } from './values';

export interface MachineOverrides {
  /** Physical memory in bytes. */
  ram?: number | bigint;
  /** Size of the first paging file in bytes (0 = none). */
  pagefile?: number | bigint;
  /** Number of page colours (a power of two). */
  colors?: number | bigint;
}

export interface ScenarioSetup {
  /** Every diagnostic of the parser, the checker and the machine block, in source order. */
  diagnostics: Diagnostic[];
  /** The run, when there is no error. */
  run?: ScenarioRun;
  program: Program;
}

const MIN_RAM = 1n << 20n;
const MAX_RAM = 16n << 30n;
const MAX_PAGEFILE = 16n << 40n;

/** Evaluates a machine-block value: literals, operators and constants only. */
function constantValue(e: Expr): Value {
  switch (e.kind) {
    case 'IntLit':
    case 'StrLit':
    case 'Bool':
      return e.value;
    case 'Null':
      return null;
    case 'Ident': {
      const c = PREDEFINED_CONSTANTS.get(e.name);
      if (c === undefined) throw new ScriptError(`unknown constant '${e.name}'`, e.range);
      return c;
    }
    case 'Paren':
      return constantValue(e.expr);
    case 'Unary':
      return unaryOp(e.op, constantValue(e.operand), e.range);
    case 'Binary':
      return binaryOp(e.op, constantValue(e.left), constantValue(e.right), e.opRange);
    default:
      throw new ScriptError('the machine block can only use numbers, operators and constants', e.range);
  }
}

interface MachineSettings {
  ram: bigint;
  pagefile: bigint;
  colors: bigint;
}

function readMachineBlock(block: MachineBlock | null, diags: Diagnostic[]): MachineSettings {
  const s: MachineSettings = { ram: BigInt(DEFAULT_RAM), pagefile: BigInt(DEFAULT_PAGEFILE), colors: 64n };
  if (block === null) return s;
  for (const entry of block.entries) {
    if (entry.key !== 'ram' && entry.key !== 'pagefile' && entry.key !== 'colors') continue; // the checker reported it
    let v: Value;
    try {
      v = constantValue(entry.value);
    } catch (e) {
      if (!(e instanceof ScriptError)) throw e;
      diags.push(makeDiagnostic('error', e.message, e.range ?? entry.value.range, 'machine-value'));
      continue;
    }
    const n = asInteger(v);
    if (n === undefined || typeof v === 'boolean' || v === null) {
      diags.push(makeDiagnostic('error', `machine setting '${entry.key}' must be a number, got ${typeName(v)}`, entry.value.range, 'machine-value'));
      continue;
    }
    const problem = checkSetting(entry.key, n);
    if (problem !== undefined) {
      diags.push(makeDiagnostic('error', problem, entry.value.range, 'machine-value'));
      continue;
    }
    s[entry.key] = n;
  }
  return s;
}

/** Why a setting's value is not acceptable, or undefined. */
function checkSetting(key: 'ram' | 'pagefile' | 'colors', n: bigint): string | undefined {
  switch (key) {
    case 'ram':
      if (n < MIN_RAM || n > MAX_RAM) return `ram must be between 1M and 16G, got ${formatInt(n)}`;
      return undefined;
    case 'pagefile':
      if (n < 0n || n > MAX_PAGEFILE) return `pagefile must be between 0 (no paging file) and 16T, got ${formatInt(n)}`;
      return undefined;
    case 'colors':
      if (n < 1n || n > 1024n || (n & (n - 1n)) !== 0n) return `colors must be a power of two from 1 to 1024, got ${formatInt(n)}`;
      return undefined;
  }
}

function applyOverrides(s: MachineSettings, o: MachineOverrides, diags: Diagnostic[], program: Program): void {
  for (const key of ['ram', 'pagefile', 'colors'] as const) {
    const raw = o[key];
    if (raw === undefined) continue;
    const n = typeof raw === 'bigint' ? raw : Number.isInteger(raw) ? BigInt(raw) : undefined;
    const problem = n === undefined ? `${key} must be an integer, got ${raw}` : checkSetting(key, n);
    if (problem !== undefined) {
      diags.push(makeDiagnostic('error', `override: ${problem}`, { start: program.range.start, end: program.range.start }, 'machine-override'));
      continue;
    }
    s[key] = n!;
  }
}

/**
 * Parses and checks a scenario and, when it has no error, builds its machine (with `overrides`
 * applied over the `machine { }` block), creates the process "main" and returns the run. Never
 * throws on a bad scenario: problems come back as diagnostics.
 */
export function createScenario(text: string, file = 'scenario.vmm', overrides: MachineOverrides = {}, options: Omit<RunOptions, 'file' | 'source'> = {}): ScenarioSetup {
  const { program, diagnostics } = parseScenario(text);
  const builtins = options.builtins ?? BUILTINS;
  const diags = [...diagnostics, ...check(program, scenarioCheckEnv(builtins))];
  if (hasErrors(diags)) return { diagnostics: sortDiagnostics(diags), program };
  const settings = readMachineBlock(program.machine, diags);
  applyOverrides(settings, overrides, diags, program);
  if (hasErrors(diags)) return { diagnostics: sortDiagnostics(diags), program };
  let machine: Machine;
  try {
    machine = new Machine({
      ramBytes: Number(settings.ram),
      pageFileBytes: Number(settings.pagefile),
      colorMask: Number(settings.colors) - 1,
    });
  } catch (e) {
    const range = program.machine?.range ?? { start: program.range.start, end: program.range.start };
    diags.push(makeDiagnostic('error', `cannot build the machine: ${e instanceof Error ? e.message : String(e)}`, range, 'machine-value'));
    return { diagnostics: sortDiagnostics(diags), program };
  }
  machine.createProcess('main');
  const run = new ScenarioRun(program, machine, { ...options, file, source: text, builtins });
  return { diagnostics: sortDiagnostics(diags), run, program };
}
