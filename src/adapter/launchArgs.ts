/**
 * The `launch` arguments of a `vmm` debug session (what launch.json and the configuration
 * provider fill in), with validation that turns bad input into a clear message.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';

export interface VmmLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** Absolute path of the .vmm scenario. */
  program: string;
  /** Stop before the first statement (default true). */
  stopOnEntry?: boolean;
  /** Overrides of the scenario's `machine { }` block: sizes like "512M", "1G" or a number of bytes. */
  machine?: { ram?: string | number; pagefile?: string | number; colors?: number };
  /** Narrate memory-manager events in the Debug Console. */
  narrate?: boolean;
  /** Log DAP traffic. */
  trace?: boolean;
  /** Most statements the scenario may run (default 10,000,000). */
  stepBudget?: number;
}

const SIZE = /^\s*(\d+)\s*([KMGT]?)B?\s*$/i;
const MULT: Record<string, bigint> = { '': 1n, K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n };

/** Parses "512M", "1G", "65536" or a number; throws a readable Error otherwise. */
export function parseSize(v: string | number, what: string): bigint {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${what}: ${v} is not a size in bytes`);
    return BigInt(v);
  }
  const m = SIZE.exec(v);
  if (!m) throw new Error(`${what}: '${v}' is not a size (use bytes or a suffix, e.g. 512M, 1G)`);
  return BigInt(m[1]) * MULT[m[2].toUpperCase()];
}

export function validateLaunch(args: Partial<VmmLaunchArguments>): string | undefined {
  if (typeof args.program !== 'string' || args.program.length === 0) return "the launch configuration needs 'program': the path of a .vmm scenario";
  if (args.stopOnEntry !== undefined && typeof args.stopOnEntry !== 'boolean') return "'stopOnEntry' must be true or false";
  if (args.machine !== undefined && (typeof args.machine !== 'object' || args.machine === null)) return "'machine' must be an object such as { \"ram\": \"512M\" }";
  try {
    if (args.machine?.ram !== undefined) parseSize(args.machine.ram, 'machine.ram');
    if (args.machine?.pagefile !== undefined) parseSize(args.machine.pagefile, 'machine.pagefile');
  } catch (e) {
    return (e as Error).message;
  }
  if (args.stepBudget !== undefined && (!Number.isSafeInteger(args.stepBudget) || args.stepBudget <= 0)) return "'stepBudget' must be a positive integer";
  return undefined;
}
