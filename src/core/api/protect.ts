/**
 * NtProtectVirtualMemory (api-spec §6.3): all-or-nothing protection change of committed pages of
 * one allocation. OldProtect is the first page's full protection (GUARD / NOCACHE bits included).
 * Locked pages that become PAGE_NOACCESS or guard pages are unlocked (STATUS_WAS_UNLOCKED).
 */
import { Actor } from '../journal';
import type { Machine } from '../machine';
import { setPageProtection } from '../memoryOps';
import { isGuard, isValidWin32Protection, isWriteCopy, MM_NOACCESS, mmProtectionToWin32, win32ToMmProtection } from '../protection';
import {
  STATUS_ACCESS_VIOLATION, STATUS_CONFLICTING_ADDRESSES, STATUS_INVALID_PAGE_PROTECTION, STATUS_INVALID_PARAMETER_2,
  STATUS_INVALID_PARAMETER_3, STATUS_INVALID_PARAMETER_4, STATUS_NOT_COMMITTED, STATUS_NOT_SUPPORTED,
  STATUS_PROCESS_IS_TERMINATING, STATUS_SUCCESS, STATUS_WAS_UNLOCKED,
} from '../status';
import { PROCESS_VM_OPERATION } from '../winconst';
import {
  HIGHEST_USER_ADDRESS, isTerminating, lastByte, pageDown, systemLocksOf, u32, u64, type U64Arg, vadExtra, vpnOf,
} from './common';
import { type HandleValue, referenceProcess } from './handles';
import { absentPageCode, NOT_COMMITTED, privatePageCode, privatePageCodeAt, scanPtes } from './vadOps';
import { viewProvider } from './views';

export interface NtProtectResult {
  status: number;
  /** Out *BaseAddress (page aligned); the input on failure. */
  base: number;
  /** Out *RegionSize; the input on failure. */
  size: number;
  /** Out *OldProtect: the first page's protection before the change; 0 on failure. */
  oldProtect: number;
}

export interface ProtectOptions {
  /** Pass a NULL (or unwritable) OldProtect pointer: the call fails with STATUS_ACCESS_VIOLATION. */
  nullOldProtect?: boolean;
}

/** NtProtectVirtualMemory(ProcessHandle, *BaseAddress, *RegionSize, NewProtect, *OldProtect). */
export function NtProtectVirtualMemory(
  m: Machine, processHandle: HandleValue, baseAddress: U64Arg, regionSize: U64Arg, newProtect: U64Arg, opts: ProtectOptions = {},
): NtProtectResult {
  return m.journal.as(Actor.Api, () => protect(m, processHandle, baseAddress, regionSize, newProtect, opts));
}

function protect(m: Machine, processHandle: HandleValue, baseAddress: U64Arg, regionSize: U64Arg, newProtect: U64Arg, opts: ProtectOptions): NtProtectResult {
  const base = u64(baseAddress);
  const size = u64(regionSize);
  const prot = u32(newProtect);
  const fail = (status: number): NtProtectResult => ({ status, base: Number(base), size: Number(size), oldProtect: 0 });

  if (!isValidWin32Protection(prot)) return fail(STATUS_INVALID_PAGE_PROTECTION);
  if (opts.nullOldProtect === true) return fail(STATUS_ACCESS_VIOLATION);
  if (base > BigInt(HIGHEST_USER_ADDRESS)) return fail(STATUS_INVALID_PARAMETER_2);
  if (BigInt(HIGHEST_USER_ADDRESS) - base < size) return fail(STATUS_INVALID_PARAMETER_3);
  if (size === 0n) return fail(STATUS_INVALID_PARAMETER_3);
  const ref = referenceProcess(m, processHandle, PROCESS_VM_OPERATION);
  if (ref.object === undefined) return fail(ref.status);
  const proc = ref.object;
  const b = Number(base);
  const start = pageDown(b);
  const end = lastByte(b, Number(size));
  if (isTerminating(proc)) return fail(STATUS_PROCESS_IS_TERMINATING);

  const first = vpnOf(start);
  const last = vpnOf(end);
  const vad = proc.vads.findContaining(first);
  if (vad === undefined || vad.endVpn < last) return fail(STATUS_CONFLICTING_ADDRESSES);
  const ok = (oldProtect: number, status = STATUS_SUCCESS): NtProtectResult => ({ status, base: start, size: end - start + 1, oldProtect });
  const extra = vadExtra(m, vad);
  if (extra.physical === true || extra.largePages === true) {
    // AWE and large-page protections cannot change; asking for the same one is accepted
    const cur = vad.allocationProtect;
    return prot === cur ? ok(cur) : fail(STATUS_CONFLICTING_ADDRESSES);
  }
  if (vad.kind !== 'private') {
    const provider = viewProvider(m);
    if (provider === undefined) return fail(STATUS_NOT_SUPPORTED);
    const r = provider.protect(m, proc, vad, first, last, prot);
    return r.status === STATUS_SUCCESS || r.status === STATUS_WAS_UNLOCKED ? ok(r.oldProtect, r.status) : fail(r.status);
  }

  if (isWriteCopy(prot)) return fail(STATUS_INVALID_PARAMETER_4);
  let allCommitted = true;
  scanPtes(m, proc, first, last, {
    absent() {
      if (absentPageCode(vad) === NOT_COMMITTED) {
        allCommitted = false;
        return true;
      }
    },
    pte(_vpn, lo, hi) {
      if (privatePageCode(m, vad, lo, hi) === NOT_COMMITTED) {
        allCommitted = false;
        return true;
      }
    },
  });
  if (!allCommitted) return fail(STATUS_NOT_COMMITTED);

  const oldProtect = mmProtectionToWin32(privatePageCodeAt(m, proc, vad, first));
  const code = win32ToMmProtection(prot);
  const unlocking = code === MM_NOACCESS || isGuard(code);
  let unlocked = false;
  const sys = systemLocksOf(m, proc);
  for (let vpn = first; vpn <= last; vpn++) {
    if (unlocking && (proc.lockedVpns.has(vpn) || sys.has(vpn))) {
      proc.lockedVpns.delete(vpn);
      sys.delete(vpn);
      unlocked = true;
    }
    setPageProtection(m, proc, vpn, code);
  }
  return ok(oldProtect, unlocked ? STATUS_WAS_UNLOCKED : STATUS_SUCCESS);
}

