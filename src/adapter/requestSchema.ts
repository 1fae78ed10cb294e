/**
 * The shape of every request the adapter answers, checked before a handler runs, so a malformed
 * request (a missing field, a string where a number belongs, a negative count, a number too big
 * to be exact) gets an error response that says what is wrong, instead of an exception deep in a
 * handler. Handlers can then trust the types DebugProtocol declares.
 */

/** A field type: `int` (safe integer), `uint` (≥ 0), `string`, `bool`, `object`, `any`, a shape name, or `X[]`; `?` = optional. */
type FieldSpec = string;
type Shape = Record<string, FieldSpec>;

const SHAPES: Record<string, Shape> = {
  Source: { name: 'string?', path: 'string?', sourceReference: 'int?' },
  SourceBreakpoint: { line: 'int', column: 'int?', condition: 'string?', hitCondition: 'string?', logMessage: 'string?' },
  FunctionBreakpoint: { name: 'string', condition: 'string?', hitCondition: 'string?' },
  DataBreakpoint: { dataId: 'string', accessType: 'string?', condition: 'string?', hitCondition: 'string?' },
  ExceptionFilterOptions: { filterId: 'string', condition: 'string?', mode: 'string?' },
  ValueFormat: { hex: 'bool?' },
};

const THREAD: Shape = { threadId: 'int' };
const STEP: Shape = { threadId: 'int', singleThread: 'bool?', granularity: 'string?' };

/** Known requests; `null`: no arguments are needed (any object, or none, is accepted). */
export const REQUESTS: Record<string, Shape | null> = {
  initialize: { adapterID: 'string?', clientID: 'string?', linesStartAt1: 'bool?', columnsStartAt1: 'bool?', pathFormat: 'string?' },
  launch: { program: 'any?', noDebug: 'bool?' },
  attach: null,
  restart: { arguments: 'object?' },
  disconnect: { restart: 'bool?', terminateDebuggee: 'bool?' },
  terminate: { restart: 'bool?' },
  configurationDone: null,
  setBreakpoints: { source: 'Source', breakpoints: 'SourceBreakpoint[]?', lines: 'int[]?', sourceModified: 'bool?' },
  breakpointLocations: { source: 'Source', line: 'int', column: 'int?', endLine: 'int?', endColumn: 'int?' },
  setFunctionBreakpoints: { breakpoints: 'FunctionBreakpoint[]' },
  setExceptionBreakpoints: { filters: 'string[]', filterOptions: 'ExceptionFilterOptions[]?' },
  exceptionInfo: THREAD,
  continue: { threadId: 'int', singleThread: 'bool?' },
  next: STEP,
  stepIn: { ...STEP, targetId: 'int?' },
  stepOut: STEP,
  pause: THREAD,
  stepInTargets: { frameId: 'int' },
  threads: null,
  stackTrace: { threadId: 'int', startFrame: 'uint?', levels: 'uint?' },
  scopes: { frameId: 'int' },
  variables: { variablesReference: 'int', filter: 'string?', start: 'uint?', count: 'uint?', format: 'ValueFormat?' },
  source: { sourceReference: 'int', source: 'Source?' },
  evaluate: { expression: 'string', frameId: 'int?', context: 'string?', format: 'ValueFormat?' },
  completions: { text: 'string', column: 'int', line: 'int?', frameId: 'int?' },
  readMemory: { memoryReference: 'string', offset: 'int?', count: 'uint' },
  writeMemory: { memoryReference: 'string', offset: 'int?', allowPartial: 'bool?', data: 'string' },
  dataBreakpointInfo: { name: 'string', variablesReference: 'int?', frameId: 'int?', bytes: 'uint?', asAddress: 'bool?', mode: 'string?' },
  setDataBreakpoints: { breakpoints: 'DataBreakpoint[]' },
  cancel: { requestId: 'int?', progressId: 'string?' },
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'an integer' : Number.isFinite(v) ? 'a number' : String(v);
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function checkValue(v: unknown, spec: string, where: string): string | undefined {
  if (spec.endsWith('[]')) {
    if (!Array.isArray(v)) return `'${where}' must be an array, not ${typeOf(v)}`;
    const item = spec.slice(0, -2);
    for (let i = 0; i < v.length; i++) {
      const p = checkValue(v[i] as unknown, item, `${where}[${i}]`);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  switch (spec) {
    case 'any':
      return undefined;
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v) ? undefined : `'${where}' must be an integer, not ${typeOf(v)}`;
    case 'uint':
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? undefined : `'${where}' must be an integer ≥ 0, not ${typeof v === 'number' ? String(v) : typeOf(v)}`;
    case 'string':
      return typeof v === 'string' ? undefined : `'${where}' must be a string, not ${typeOf(v)}`;
    case 'bool':
      return typeof v === 'boolean' ? undefined : `'${where}' must be true or false, not ${typeOf(v)}`;
    case 'object':
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : `'${where}' must be an object, not ${typeOf(v)}`;
    default: {
      const shape = SHAPES[spec];
      if (shape === undefined) return undefined;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return `'${where}' must be an object, not ${typeOf(v)}`;
      return checkShape(v as Record<string, unknown>, shape, `${where}.`);
    }
  }
}

function checkShape(obj: Record<string, unknown>, shape: Shape, prefix: string): string | undefined {
  for (const [field, spec0] of Object.entries(shape)) {
    const optional = spec0.endsWith('?');
    const spec = optional ? spec0.slice(0, -1) : spec0;
    const v = obj[field];
    if (v === undefined) {
      if (!optional) return `'${prefix}${field}' is missing`;
      continue;
    }
    const p = checkValue(v, spec, prefix + field);
    if (p !== undefined) return p;
  }
  return undefined;
}

/** What is wrong with a request's arguments (undefined: nothing); custom `vmm/` requests need an object or nothing. */
export function checkRequest(command: unknown, args: unknown): string | undefined {
  if (typeof command !== 'string' || command.length === 0) return 'the request has no command';
  const shape = Object.prototype.hasOwnProperty.call(REQUESTS, command) ? REQUESTS[command] : undefined;
  if (shape === undefined && !command.startsWith('vmm/')) return `unknown request '${command}'`;
  if (args === undefined) {
    if (shape === null || shape === undefined) return undefined;
    const required = Object.entries(shape).find(([, s]) => !s.endsWith('?'));
    return required === undefined ? undefined : `'${command}' needs arguments ('${required[0]}' is missing)`;
  }
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return `the arguments of '${command}' must be an object, not ${typeOf(args)}`;
  return shape ? checkShape(args as Record<string, unknown>, shape, '') : undefined;
}
