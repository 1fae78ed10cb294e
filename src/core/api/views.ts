/**
 * Extension point for mapped and image views. The private-memory services handle every VAD of
 * kind 'private' themselves; when a request lands in a VAD of another kind they ask the provider
 * the section layer installs with `setViewProvider`. Without a provider (no section support yet)
 * queries report view pages as committed with the VAD's protection, and commit/protect inside a
 * view fail with STATUS_NOT_SUPPORTED. Freeing inside a view never needs the provider: it is always
 * STATUS_UNABLE_TO_DELETE_SECTION.
 */
import type { Machine } from '../machine';
import type { Process } from '../process';
import type { Vad } from '../vad';
import { apiState } from './common';

export interface ViewPageState {
  /** Committed in this view (or committed in the section by another sharer). */
  committed: boolean;
  /** The view-local Win32 protection including GUARD/NOCACHE bits; 0 when reserved. */
  protect: number;
}

export interface ViewProvider {
  /** State of one page of a view, without side effects (query, protect pre-checks). */
  pageState(m: Machine, proc: Process, vad: Vad, vpn: number): ViewPageState;
  /**
   * NtAllocateVirtualMemory(MEM_COMMIT) inside a view; [startVpn, endVpn] lies inside `vad`.
   * Performs api-spec §6.1 commit-path step 7 and returns its NTSTATUS.
   */
  commit(m: Machine, proc: Process, vad: Vad, startVpn: number, endVpn: number, protect: number): number;
  /**
   * NtProtectVirtualMemory inside a view (api-spec §6.3 step 7); [startVpn, endVpn] lies inside
   * `vad`. Returns the status and the first page's old protection.
   */
  protect(m: Machine, proc: Process, vad: Vad, startVpn: number, endVpn: number, newProtect: number): { status: number; oldProtect: number };
  /** MemoryMappedFilenameInformation for an address inside a view. */
  mappedFileName?(m: Machine, proc: Process, vad: Vad): { status: number; name: string };
}

export function setViewProvider(m: Machine, provider: ViewProvider | undefined): void {
  apiState(m).viewProvider = provider;
}

export function viewProvider(m: Machine): ViewProvider | undefined {
  return apiState(m).viewProvider;
}
