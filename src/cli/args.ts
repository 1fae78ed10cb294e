// Parsing the command line into a command and its options. It exists so that every subcommand
// gets the same treatment of flags (`--ram 512M` and `--ram=512M`, `--` ends the flags) and the
// same clear message for anything it does not know.

import { parseSize } from './sizes';

export type CommandName = 'run' | 'test' | 'check' | 'dap' | 'help' | 'version';

export interface ParsedArgs {
  command: CommandName;
  /** Positional arguments (files, paths). */
  positional: string[];
  ram?: number;
  pagefile?: number;
  json: boolean;
  narrate: boolean;
  port?: number;
  /** The command whose help was asked for (`vmm-lab run --help`, `vmm-lab help run`). */
  helpFor?: CommandName;
}

/** A command line that cannot be obeyed; the message says why. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: CommandName) {
    super(message);
    this.name = 'UsageError';
  }
}

type FlagKind = 'size' | 'bool' | 'port';

const FLAGS: Record<string, Partial<Record<CommandName, FlagKind>>> = {
  '--ram': { run: 'size', test: 'size' },
  '--pagefile': { run: 'size', test: 'size' },
  '--json': { run: 'bool' },
  '--narrate': { run: 'bool' },
  '--port': { dap: 'port' },
};

export const COMMANDS: readonly CommandName[] = ['run', 'test', 'check', 'dap', 'help', 'version'];

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const result: ParsedArgs = { command: 'help', positional: [], json: false, narrate: false };
  if (argv.length === 0) return result;
  const first = argv[0];
  if (first === '--help' || first === '-h') return result;
  if (first === '--version' || first === '-v') return { ...result, command: 'version' };
  if (first.startsWith('-')) throw new UsageError(`unknown option '${first}' (commands: run, test, check, dap; see vmm-lab --help)`);
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(`unknown command '${first}' (commands: run, test, check, dap; see vmm-lab --help)`);
  }
  const command = first as CommandName;
  result.command = command;
  let flagsDone = false;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (flagsDone || !arg.startsWith('-') || arg === '-') {
      result.positional.push(arg);
      continue;
    }
    if (arg === '--') {
      flagsDone = true;
      continue;
    }
    if (arg === '--help' || arg === '-h') {
      return { ...result, command: 'help', helpFor: command };
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const kind = FLAGS[name]?.[command];
    if (kind === undefined) {
      const where = FLAGS[name] === undefined ? '' : ` with '${command}'`;
      throw new UsageError(`unknown option '${name}'${where} (see vmm-lab ${command} --help)`, command);
    }
    if (kind === 'bool') {
      if (eq >= 0) throw new UsageError(`option '${name}' takes no value`, command);
      if (name === '--json') result.json = true;
      else result.narrate = true;
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`option '${name}' needs a value`, command);
      value = argv[++i];
    }
    if (kind === 'size') {
      const size = parseSize(value);
      if (size === undefined) throw new UsageError(`'${value}' is not a size for ${name} (examples: 512M, 1G, 64K, 65536)`, command);
      if (name === '--ram') result.ram = size;
      else result.pagefile = size;
    } else {
      const port = /^[0-9]+$/.test(value) ? Number(value) : NaN;
      if (!(port >= 0 && port <= 65535)) throw new UsageError(`'${value}' is not a port number for ${name}`, command);
      result.port = port;
    }
  }
  if (command === 'help') {
    const topic = result.positional[0];
    if (topic !== undefined) {
      if (!(COMMANDS as readonly string[]).includes(topic)) throw new UsageError(`no help for '${topic}' (commands: run, test, check, dap)`);
      result.helpFor = topic as CommandName;
    }
    result.positional = [];
  }
  if (command === 'run' && result.positional.length !== 1) {
    throw new UsageError(result.positional.length === 0 ? `'run' needs a scenario file (vmm-lab run FILE)` : `'run' takes one scenario file, got ${result.positional.length}`, command);
  }
  if ((command === 'test' || command === 'check') && result.positional.length === 0) {
    throw new UsageError(`'${command}' needs at least one ${command === 'test' ? 'file or directory' : 'scenario file'}`, command);
  }
  return result;
}
