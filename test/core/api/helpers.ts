// Shared setup for the API tests: a fresh machine with its "main" process, guest accesses that
// report the exception a user-mode instruction would get, query shortcuts, raw PTE reads and a
// VirtualQuery walk of a whole address space.

import { strict as assert } from 'node:assert';
import { Access } from '../../../src/core/faultHandler';
import { Machine, type MachineConfig } from '../../../src/core/machine';
import type { Process } from '../../../src/core/process';
import { GetLastError, VirtualQuery, type MemoryBasicInformationRecord } from '../../../src/core/api/virtualMemory';
import { ERROR_INVALID_PARAMETER } from '../../../src/core/status';

export const SELF = -1;
export const hex = (x: number | bigint): string => '0x' + x.toString(16);

/** A fresh machine and its first (current) process. */
export function fresh(config: MachineConfig = {}): { m: Machine; p: Process } {
  const m = new Machine(config);
  const p = m.createProcess('main');
  return { m, p };
}

export interface Outcome {
  /** 0 when the access completed, else the exception code. */
  status: number;
  value: number;
  /** ExceptionInformation[0] (0 read, 1 write, 8 execute) and [1] (address) on an exception. */
  info0: number;
  info1: number;
}

function outcome(m: Machine, ok: boolean, value: number): Outcome {
  if (ok) return { status: 0, value, info0: 0, info1: 0 };
  const f = m.mmu.lastFault;
  return { status: f.status >>> 0, value: -1, info0: f.access, info1: f.va };
}

/** A guest byte read in the current process. */
export function read8(m: Machine, va: number): Outcome {
  const v = m.mmu.read8(va);
  return outcome(m, v >= 0, v);
}

/** A guest byte write in the current process. */
export function write8(m: Machine, va: number, value: number): Outcome {
  return outcome(m, m.mmu.write8(va, value), value);
}

/** An instruction fetch in the current process. */
export function exec(m: Machine, va: number): Outcome {
  return outcome(m, m.mmu.translate(va, Access.Execute) >= 0, 0);
}

export function readU32(m: Machine, va: number): number {
  let v = 0;
  for (let i = 3; i >= 0; i--) {
    const b = m.mmu.read8(va + i);
    assert.ok(b >= 0, `read of ${hex(va + i)} faulted`);
    v = v * 256 + b;
  }
  return v;
}

/** VirtualQuery that must succeed. */
export function q(m: Machine, va: number): MemoryBasicInformationRecord {
  const r = VirtualQuery(m, va);
  assert.notEqual(r, 0, `VirtualQuery(${hex(va)}) failed with ${m.current.lastError}`);
  return r as MemoryBasicInformationRecord;
}

/** Asserts a subset of the fields of a query record. */
export function assertRegion(m: Machine, va: number, expected: Partial<MemoryBasicInformationRecord>): MemoryBasicInformationRecord {
  const r = q(m, va);
  const actual: Partial<MemoryBasicInformationRecord> = {};
  for (const k of Object.keys(expected) as Array<keyof MemoryBasicInformationRecord>) actual[k] = r[k];
  assert.deepEqual(actual, expected, `query(${hex(va)})`);
  return r;
}

/** The raw PTE of a user address in a process ([lo, hi]), or undefined when its table is absent. */
export function pteOf(m: Machine, proc: Process, va: number): bigint | undefined {
  const slot = Math.floor(va / 4096);
  const table = m.paging.tableOf(proc, slot, 1);
  if (table < 0) return undefined;
  return (BigInt(m.paging.readHi(table, slot % 512)) << 32n) | BigInt(m.paging.readLo(table, slot % 512));
}

/** Walks the whole user space with VirtualQuery; checks contiguity and returns the regions. */
export function walkAddressSpace(m: Machine): MemoryBasicInformationRecord[] {
  const regions: MemoryBasicInformationRecord[] = [];
  let addr = 0;
  for (;;) {
    const r = VirtualQuery(m, addr);
    if (r === 0) break;
    assert.equal(r.BaseAddress, addr, 'regions are contiguous');
    assert.ok(r.RegionSize > 0 && r.RegionSize % 0x1000 === 0, 'region sizes are whole pages');
    regions.push(r);
    addr += r.RegionSize;
    assert.ok(regions.length < 100000, 'walk terminates');
  }
  assert.equal(addr, 0x7ffffff0000, 'the walk ends at MM_USER_PROBE_ADDRESS');
  assert.equal(GetLastError(m), ERROR_INVALID_PARAMETER);
  return regions;
}
