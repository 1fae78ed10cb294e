/**
 * Helpers for the paging tests: a small machine, private VADs inserted directly (as
 * test/helpers.ts does), raw PTE and _MMPFN reads, and the usual page life-cycle moves (dirty a
 * page, trim it, let the modified page writer write it, make it repurposed).
 */
import { strict as assert } from 'node:assert';
import { Machine, type MachineConfig } from '../../../src/core/machine';
import { checkInvariants } from '../../../src/core/invariants';
import { makeVad } from '../../../src/core/vad';
import type { Process } from '../../../src/core/process';
import { pfnInfo, type PfnInfo } from '../../../src/core/inspection';
import { ptePfn, toBig } from '../../../src/core/pte';
import { runModifiedPageWriter, trimWorkingSet } from '../../../src/core/paging';
import { trimWorkingSetEntry } from '../../../src/core/workingSetOps';
import { Actor } from '../../../src/core/journal';
import { destroyAddressSpace } from '../../../src/core/memoryOps';
import { classify } from '../../../src/core/pte';

export const MB = 1024 * 1024;

/** A machine with 16 MB of RAM and a 64 MB paging file unless told otherwise. */
export function pagingMachine(config: MachineConfig = {}): Machine {
  return new Machine({ ramBytes: 16 * MB, pageFileBytes: 64 * MB, ...config });
}

/** A machine and its first process. */
export function setup(config: MachineConfig = {}): { m: Machine; p: Process } {
  const m = pagingMachine(config);
  const p = m.createProcess('main');
  return { m, p };
}

/** Inserts a committed private VAD of `pages` pages at `va` (protection: MM code, 4 = RW). */
export function commit(m: Machine, proc: Process, va: number, pages: number, protection = 4): void {
  proc.vads.insert(makeVad({ startVpn: va / 4096, endVpn: va / 4096 + pages - 1, protection, memCommit: true, privateMemory: true, commitCharge: pages }));
  assert.ok(m.chargeCommit(proc, pages));
}

/** Raw 64-bit PTE of a user VA, or undefined when its page table is not resident. */
export function pte(m: Machine, proc: Process, va: number): bigint | undefined {
  const slot = Math.floor(va / 4096);
  const table = m.paging.tableOf(proc, slot, 1);
  if (table < 0) return undefined;
  return toBig(m.paging.readLo(table, slot & 511), m.paging.readHi(table, slot & 511));
}

export function pteLo(m: Machine, proc: Process, va: number): number {
  return Number((pte(m, proc, va) ?? 0n) & 0xffffffffn);
}

/** PFN named by the (valid or transition) PTE of a VA. */
export function pfnOf(m: Machine, proc: Process, va: number): number {
  const slot = Math.floor(va / 4096);
  const table = m.paging.tableOf(proc, slot, 1);
  assert.ok(table >= 0, 'page table not resident');
  return ptePfn(m.paging.readLo(table, slot & 511), m.paging.readHi(table, slot & 511));
}

export function info(m: Machine, pfn: number): PfnInfo {
  return pfnInfo(m, pfn);
}

/** WS index of the page mapped at `va` (from its _MMPFN). */
export function wsIndexOf(m: Machine, proc: Process, va: number): number {
  return m.pfn.u1[pfnOf(m, proc, va)];
}

/** Trims exactly the page at `va` from its working set. */
export function trimPage(m: Machine, proc: Process, va: number): void {
  assert.ok(trimWorkingSetEntry(m, proc, wsIndexOf(m, proc, va), Actor.Trim), `trim of 0x${va.toString(16)} refused`);
}

/** Writes `value` at `va` in `proc` (switching to it). */
export function write(m: Machine, proc: Process, va: number, value: number): void {
  m.switchTo(proc);
  assert.ok(m.mmu.write8(va, value), `write of 0x${va.toString(16)} failed: 0x${m.mmu.lastFault.status.toString(16)}`);
}

export function read(m: Machine, proc: Process, va: number): number {
  m.switchTo(proc);
  const v = m.mmu.read8(va);
  assert.ok(v >= 0, `read of 0x${va.toString(16)} failed: 0x${m.mmu.lastFault.status.toString(16)}`);
  return v;
}

/** Page at `va` written, trimmed to Modified, written by the MPW, completed: on Standby. */
export function makeStandby(m: Machine, proc: Process, va: number, value = 0x5a): number {
  write(m, proc, va, value);
  trimPage(m, proc, va);
  runModifiedPageWriter(m);
  m.tick(100);
  const pfn = pfnOf(m, proc, va);
  assert.equal(info(m, pfn).location, 'Standby');
  return pfn;
}

/** Every page of a range trimmed, written and on Standby. */
export function pageOutRange(m: Machine, proc: Process): void {
  trimWorkingSet(m, proc);
  runModifiedPageWriter(m);
  m.tick(1000);
}

/**
 * Repurposes every Standby page — demand-zero faults in a scratch process take the Zeroed and
 * Free pages, then the Standby ones — and then tears the scratch process down, so its pages go
 * back to the Free list. The pages that were on Standby are now only in the paging file.
 */
export function repurposeAllStandby(m: Machine): void {
  const db = m.pfn;
  const prev = m.hasCurrent ? m.current : undefined;
  const scratch = m.createProcess('scratch' + m.processes.size);
  m.switchTo(scratch);
  const need = db.availablePages + 64;
  commit(m, scratch, 0x40000000, need);
  let i = 0;
  while (db.standbyTotal > 0 && i < need) {
    assert.ok(m.mmu.write8(0x40000000 + i * 4096, 1), 'scratch write failed');
    i++;
  }
  if (prev !== undefined) m.switchTo(prev);
  destroyAddressSpace(m, scratch);
  scratch.terminated = true;
  m.returnCommit(scratch, scratch.commitCharge);
}

/**
 * Writes `value + k` into page k of [va, va + pages), takes the pages out of the working set,
 * has them written, and repurposes them: afterwards their PTEs are paging-file PTEs.
 */
export function swapOut(m: Machine, proc: Process, va: number, pages: number, value = 1, write_ = true): void {
  if (write_) for (let k = 0; k < pages; k++) write(m, proc, va + k * 4096, (value + k) & 0xff);
  for (let k = 0; k < pages; k++) {
    const lo = pteLo(m, proc, va + k * 4096);
    if ((lo & 1) !== 0) trimPage(m, proc, va + k * 4096);
  }
  runModifiedPageWriter(m);
  m.tick(1000);
  repurposeAllStandby(m);
  for (let k = 0; k < pages; k++) {
    const v = pte(m, proc, va + k * 4096) ?? 0n;
    assert.equal(classify(Number(v & 0xffffffffn), Number(v >> 32n)), 'pagefile', `page ${k} not in the paging file`);
  }
}

export function assertClean(m: Machine): void {
  assert.deepEqual(checkInvariants(m), []);
}

export const hex = (v: bigint | number): string => '0x' + v.toString(16);

/** The expected raw valid PTE of a private page: NX, WS index, PFN, low bits. */
export function validPte(pfn: number, wsIndex: number, low: number, nx = true): bigint {
  return (nx ? 1n << 63n : 0n) | (BigInt(wsIndex & 0x7ff) << 52n) | (BigInt(pfn) << 12n) | BigInt(low);
}
