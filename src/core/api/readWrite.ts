/**
 * NtReadVirtualMemory / NtWriteVirtualMemory (api-spec §6.11, §6.12): byte-exact copies between
 * the caller and a target address space. The target side runs through the MMU with the target
 * attached (KeStackAttachProcess), so demand-zero and other resolvable faults are taken there as
 * the kernel's own accesses would take them. Guard pages are treated as inaccessible and keep
 * their guard bit (checked before touching, the page is never accessed). Reserved, free and
 * no-access pages stop a read with STATUS_PARTIAL_COPY (0 bytes when the first page is bad); a
 * write first probes every destination page for write (Windows 7: any failure is
 * STATUS_ACCESS_VIOLATION with nothing written).
 *
 * The caller's buffer is either host memory (a Uint8Array, what scripts use) or an address in the
 * calling process's own address space.
 */
import { Access } from '../faultHandler';
import { Actor } from '../journal';
import type { Machine } from '../machine';
import type { Process } from '../process';
import { isGuard } from '../protection';
import {
  STATUS_ACCESS_VIOLATION, STATUS_PARTIAL_COPY, STATUS_PROCESS_IS_TERMINATING, STATUS_SUCCESS,
} from '../status';
import { PAGE_GUARD, PROCESS_VM_READ, PROCESS_VM_WRITE } from '../winconst';
import { HIGHEST_USER_ADDRESS, isTerminating, PAGE, u64, type U64Arg, vpnOf } from './common';
import { CURRENT_PROCESS_HANDLE, handleBits, type HandleValue, referenceProcess } from './handles';
import { privatePageCodeAt, NOT_COMMITTED } from './vadOps';
import { viewProvider } from './views';

/** The caller's side of a copy: host bytes, or an address in the calling process. */
export type CallerBuffer = Uint8Array | U64Arg;

export interface NtReadResult {
  status: number;
  /** *NumberOfBytesRead. */
  bytesRead: number;
  /** The bytes delivered (also copied into a host buffer when one was given). */
  data: Uint8Array;
}

export interface NtWriteResult {
  status: number;
  /** *NumberOfBytesWritten. */
  bytesWritten: number;
}

/** A page of the target that a kernel copy must treat as inaccessible without touching it. */
export function isGuardPage(m: Machine, proc: Process, vpn: number): boolean {
  const vad = proc.vads.findContaining(vpn);
  if (vad === undefined) return false;
  if (vad.kind === 'private') {
    const code = privatePageCodeAt(m, proc, vad, vpn);
    return code !== NOT_COMMITTED && isGuard(code);
  }
  const provider = viewProvider(m);
  if (provider === undefined) return isGuard(vad.protection);
  const s = provider.pageState(m, proc, vad, vpn);
  return s.committed && (s.protect & PAGE_GUARD) !== 0;
}

/** Reads [va, va + length) of the current address space, stopping before a guard page. */
function readCurrent(m: Machine, va: number, out: Uint8Array, length: number): number {
  const proc = m.current;
  let done = 0;
  while (done < length) {
    const cur = va + done;
    const n = Math.min(length - done, PAGE - (cur % PAGE));
    if (isGuardPage(m, proc, vpnOf(cur))) break;
    const got = m.mmu.readBytes(cur, out.subarray(done), n);
    done += got;
    if (got < n) break;
  }
  return done;
}

/** Range check of a user-mode caller (ProbeForRead/Write of both sides): true when bad. */
function badRange(start: bigint, size: bigint): boolean {
  const end = start + size;
  return end > (1n << 64n) - 1n || end > BigInt(HIGHEST_USER_ADDRESS);
}

/**
 * NtReadVirtualMemory(ProcessHandle, BaseAddress, Buffer, BufferSize, NumberOfBytesRead).
 * `buffer` may be omitted: the bytes are returned in `data`.
 */
export function NtReadVirtualMemory(
  m: Machine, processHandle: HandleValue, baseAddress: U64Arg, buffer: CallerBuffer | undefined, bufferSize: U64Arg,
): NtReadResult {
  return m.journal.as(Actor.Api, () => {
    const base = u64(baseAddress);
    const size = u64(bufferSize);
    const empty = new Uint8Array(0);
    const guestBuffer = buffer !== undefined && !(buffer instanceof Uint8Array) ? u64(buffer) : undefined;
    if (badRange(base, size)) return { status: STATUS_ACCESS_VIOLATION, bytesRead: 0, data: empty };
    if (guestBuffer !== undefined && badRange(guestBuffer, size)) return { status: STATUS_ACCESS_VIOLATION, bytesRead: 0, data: empty };
    if (buffer instanceof Uint8Array && BigInt(buffer.length) < size) return { status: STATUS_ACCESS_VIOLATION, bytesRead: 0, data: empty };
    if (size === 0n) return { status: STATUS_SUCCESS, bytesRead: 0, data: empty };
    const ref = referenceProcess(m, processHandle, PROCESS_VM_READ);
    if (ref.object === undefined) return { status: ref.status, bytesRead: 0, data: empty };
    const proc = ref.object;
    if (isTerminating(proc)) return { status: STATUS_PROCESS_IS_TERMINATING, bytesRead: 0, data: empty };
    const n = Number(size);
    const tmp = new Uint8Array(n);
    const done = m.attached(proc, () => readCurrent(m, Number(base), tmp, n));
    const data = tmp.subarray(0, done);
    if (buffer instanceof Uint8Array) buffer.set(data);
    else if (guestBuffer !== undefined && done > 0) {
      const written = m.mmu.writeBytes(Number(guestBuffer), data, done);
      if (written < done) return { status: STATUS_ACCESS_VIOLATION, bytesRead: 0, data: empty };
    }
    return { status: done < n ? STATUS_PARTIAL_COPY : STATUS_SUCCESS, bytesRead: done, data };
  });
}

/**
 * NtWriteVirtualMemory(ProcessHandle, BaseAddress, Buffer, BufferSize, NumberOfBytesWritten).
 * The kernel service never changes protections (WriteProcessMemory does, around it).
 */
export function NtWriteVirtualMemory(
  m: Machine, processHandle: HandleValue, baseAddress: U64Arg, buffer: CallerBuffer, bufferSize: U64Arg,
): NtWriteResult {
  return m.journal.as(Actor.Api, () => {
    const base = u64(baseAddress);
    const size = u64(bufferSize);
    const guestBuffer = !(buffer instanceof Uint8Array) ? u64(buffer) : undefined;
    if (badRange(base, size)) return { status: STATUS_ACCESS_VIOLATION, bytesWritten: 0 };
    if (guestBuffer !== undefined && badRange(guestBuffer, size)) return { status: STATUS_ACCESS_VIOLATION, bytesWritten: 0 };
    if (buffer instanceof Uint8Array && BigInt(buffer.length) < size) return { status: STATUS_ACCESS_VIOLATION, bytesWritten: 0 };
    if (size === 0n) return { status: STATUS_SUCCESS, bytesWritten: 0 };
    const ref = referenceProcess(m, processHandle, PROCESS_VM_WRITE);
    if (ref.object === undefined) return { status: ref.status, bytesWritten: 0 };
    const proc = ref.object;
    if (isTerminating(proc)) return { status: STATUS_PROCESS_IS_TERMINATING, bytesWritten: 0 };
    const n = Number(size);
    const b = Number(base);
    // the source, read in the caller's context
    let src: Uint8Array;
    let avail: number;
    if (buffer instanceof Uint8Array) {
      src = buffer.subarray(0, n);
      avail = n;
    } else {
      src = new Uint8Array(n);
      avail = readCurrent(m, Number(guestBuffer), src, n);
    }
    if (avail === 0) return { status: STATUS_PARTIAL_COPY, bytesWritten: 0 };
    // probe the whole destination for write, page by page, in the target
    const probed = m.attached(proc, () => {
      for (let v = vpnOf(b); v <= vpnOf(b + n - 1); v++) {
        if (isGuardPage(m, proc, v)) return false;
        if (m.mmu.touch(Math.max(b, v * PAGE), 1, Access.Write) !== 1) return false;
      }
      return true;
    });
    if (!probed) return { status: STATUS_ACCESS_VIOLATION, bytesWritten: 0 };
    const written = m.attached(proc, () => m.mmu.writeBytes(b, src, avail));
    return { status: written < n ? STATUS_PARTIAL_COPY : STATUS_SUCCESS, bytesWritten: written };
  });
}

/**
 * NtFlushInstructionCache(ProcessHandle, BaseAddress, Length): x64 caches are coherent, so this
 * only validates the handle (another process needs PROCESS_VM_WRITE).
 */
export function NtFlushInstructionCache(m: Machine, processHandle: HandleValue, _baseAddress: U64Arg = 0, _length: U64Arg = 0): number {
  const access = handleBits(processHandle) === CURRENT_PROCESS_HANDLE ? 0 : PROCESS_VM_WRITE;
  return referenceProcess(m, processHandle, access).status;
}
