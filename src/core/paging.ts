/**
 * Entry points of the paging machinery for the other layers (API services, scenario knobs,
 * debugger, CLI): working-set trimming and limits, the modified page writer, the zero page thread,
 * the balance set manager, the simulated clock, paging files and the performance counters.
 * Everything runs on the simulated clock and records into the machine's journal.
 */
import { Actor } from './journal';
import type { Machine } from './machine';

export {
  trimWorkingSet, trimAll, emptyWorkingSet, setWorkingSetLimits, balanceSetManager, ageWorkingSet, trimGoal,
  QUOTA_LIMITS_HARDWS_MIN_ENABLE, QUOTA_LIMITS_HARDWS_MIN_DISABLE, QUOTA_LIMITS_HARDWS_MAX_ENABLE,
  QUOTA_LIMITS_HARDWS_MAX_DISABLE, STATUS_BAD_WORKING_SET_LIMIT,
} from './workingSetManager';
export { runModifiedPageWriter } from './modifiedPageWriter';
export { performanceCounters, counterRates, type PerformanceCounters } from './performanceCounters';
export { makeTablesResident, peekPte } from './residency';
export { type PagingConfig, defaultPagingConfig } from './pager';

/** The zero page thread over the whole Free list (Free → Zeroed). Returns the pages zeroed. */
export function zeroFreePages(m: Machine): number {
  let n = 0;
  m.journal.as(Actor.ZeroPageThread, () => {
    while (m.allocator.zeroOneFreePage()) n++;
  });
  return n;
}

/** Advances the simulated clock by `ms` (Sleep / tick): due timed work runs in order. */
export function tick(m: Machine, ms: number): void {
  m.tick(ms);
}

/**
 * NtCreatePagingFile(name, MinimumSize, MaximumSize) with sizes in bytes: returns the NTSTATUS
 * (STATUS_TOO_MANY_PAGING_FILES, STATUS_INVALID_PARAMETER_2 / _3, STATUS_OBJECT_NAME_INVALID,
 * STATUS_SHARING_VIOLATION for a file already in use, or STATUS_SUCCESS). The privilege check
 * (SeCreatePagefilePrivilege) belongs to the API layer.
 */
export function createPagingFile(m: Machine, name: string, minBytes: number, maxBytes: number): number {
  return m.pager.createPagingFile(name, minBytes, maxBytes);
}
