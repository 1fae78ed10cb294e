/**
 * The private virtual-memory services of the simulated Windows 7 x64 kernel and their Win32
 * wrappers, gathered in one import. Each service lives in its own module:
 *   allocate.ts   NtAllocateVirtualMemory            free.ts     NtFreeVirtualMemory
 *   protect.ts    NtProtectVirtualMemory             query.ts    NtQueryVirtualMemory
 *   lock.ts       NtLock/UnlockVirtualMemory, working-set limits
 *   readWrite.ts  NtRead/WriteVirtualMemory, NtFlushInstructionCache
 *   handles.ts    the object handle table            win32.ts    kernel32 wrappers
 *   commitCharge.ts, vadOps.ts, views.ts, common.ts  shared machinery and extension points
 *
 * Every service takes the machine first, then Windows' parameters in Windows' order (OUT
 * parameters become fields of the returned record). The calling thread is the current process's;
 * NtCurrentProcess() is the handle -1.
 */
export { NtAllocateVirtualMemory, commitPrivateRange, type NtAllocateResult } from './allocate';
export { NtFreeVirtualMemory, decommitRange, releaseAllPrivateMemory, releaseRange, type NtFreeResult } from './free';
export { NtProtectVirtualMemory, type NtProtectResult, type ProtectOptions } from './protect';
export {
  NtQueryVirtualMemory, basicInformation, defaultQueryLength, type MemoryBasicInformationRecord, type NtQueryResult,
  type QueryOptions, type WorkingSetBlock, type WorkingSetExEntry,
} from './query';
export {
  NtLockVirtualMemory, NtUnlockVirtualMemory, adjustWorkingSetSize, LOCK_RESERVE_PAGES, MINIMUM_WORKING_SET_PAGES,
  STATUS_BAD_WORKING_SET_LIMIT, type NtLockResult,
} from './lock';
export {
  NtReadVirtualMemory, NtWriteVirtualMemory, NtFlushInstructionCache, isGuardPage, type CallerBuffer, type NtReadResult,
  type NtWriteResult,
} from './readWrite';
export {
  chargeTogether, commitFits, pageTablePagesOfTree, pageTablePagesOwnedBy, PAGE_TABLE_SPANS, returnTogether,
} from './commitCharge';
export {
  countCommitted, insertVad, NOT_COMMITTED, privatePageCode, privatePageCodeAt, removeVad, scanPtes, setVadCommit, shrinkVad,
  type PteVisitor,
} from './vadOps';
export { setViewProvider, viewProvider, type ViewPageState, type ViewProvider } from './views';
export {
  apiState, grantPrivilege, revokePrivilege, SE_LOCK_MEMORY_PRIVILEGE, type U64Arg, type VadExtra,
} from './common';
export * from './handles';
export * from './win32';
