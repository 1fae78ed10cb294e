/**
 * TerminateProcess / NtTerminateProcess for another process: its private memory is released as
 * NtFreeVirtualMemory(MEM_RELEASE) would (commitment and page-table charges go back), then the
 * rest of its address space — paging structures, hyperspace, the PML4 — is freed, and the process
 * is marked terminated (its handles stay valid but every service now fails with
 * STATUS_PROCESS_IS_TERMINATING).
 */
import { Actor, EventKind } from '../journal';
import type { Machine } from '../machine';
import { destroyAddressSpace } from '../memoryOps';
import { STATUS_ACCESS_DENIED, STATUS_PROCESS_IS_TERMINATING, STATUS_SUCCESS, ntSuccess } from '../status';
import { setLastNtError } from './common';
import { releaseAllPrivateMemory } from './free';
import { PROCESS_TERMINATE, referenceProcess, type HandleValue } from './handles';

/** NtTerminateProcess: the NTSTATUS. The calling process cannot terminate itself here. */
export function NtTerminateProcess(m: Machine, hProcess: HandleValue): number {
  const ref = referenceProcess(m, hProcess, PROCESS_TERMINATE);
  if (!ntSuccess(ref.status) || ref.object === undefined) return ref.status;
  const proc = ref.object;
  if (proc.terminated || proc.terminating) return STATUS_PROCESS_IS_TERMINATING;
  if (proc === m.current) return STATUS_ACCESS_DENIED;
  releaseAllPrivateMemory(m, proc);
  proc.terminating = true;
  m.journal.as(Actor.Process, () => {
    m.attached(proc, () => destroyAddressSpace(m, proc));
    m.journal.record(EventKind.ProcessExit, proc.index, 0, proc.pid, 0, 0, 0, 0);
  });
  proc.terminated = true;
  return STATUS_SUCCESS;
}

/** Win32 TerminateProcess: true, or false with the last error set. */
export function TerminateProcess(m: Machine, hProcess: HandleValue): boolean {
  const status = NtTerminateProcess(m, hProcess);
  if (!ntSuccess(status)) {
    setLastNtError(m, status);
    return false;
  }
  return true;
}
