/**
 * Shared test helpers: a small machine, and a way to lay out private VADs directly (core tests
 * that must not depend on the API layer), plus an assertion that the invariant checker is happy.
 */
import { strict as assert } from 'node:assert';
import { Machine, MachineConfig } from '../src/core/machine';
import { checkInvariants } from '../src/core/invariants';
import { makeVad, Vad } from '../src/core/vad';
import type { Process } from '../src/core/process';

export function smallMachine(config: MachineConfig = {}): Machine {
  return new Machine({ ramBytes: 64 * 1024 * 1024, pageFileBytes: 64 * 1024 * 1024, ...config });
}

/** Inserts a private VAD (reserve, or reserve+commit when memCommit) and charges its commit. */
export function privateVad(m: Machine, proc: Process, startVa: number, pages: number, protection: number, memCommit = true): Vad {
  const v = makeVad({
    startVpn: startVa / 4096,
    endVpn: startVa / 4096 + pages - 1,
    protection,
    memCommit,
    privateMemory: true,
    commitCharge: memCommit ? pages : 0,
    allocationProtect: 0,
  });
  proc.vads.insert(v);
  if (memCommit) assert.ok(m.chargeCommit(proc, pages));
  return v;
}

export function assertInvariants(m: Machine): void {
  assert.deepEqual(checkInvariants(m), []);
}

export const h = (v: bigint | number): string => '0x' + v.toString(16);
