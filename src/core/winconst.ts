// Windows 7 x64 constants shared by every layer of the simulator: page protections, allocation
// and free types, section attributes and access rights, information classes, and the platform
// limits of the user address space. It also assembles PREDEFINED_CONSTANTS, the table of Windows
// names that scenario scripts can use directly (values as bigint, like every script integer).

import { ERROR_BY_NAME, NTSTATUS_BY_NAME } from './status';

// ---------------------------------------------------------------------------------------------
// Platform (api-spec §1)
// ---------------------------------------------------------------------------------------------

export const PAGE_SIZE = 0x1000;
export const PAGE_SHIFT = 12;
export const ALLOCATION_GRANULARITY = 0x10000;
export const LARGE_PAGE_SIZE = 0x200000;
export const MM_LOWEST_USER_ADDRESS = 0x10000;
export const MM_HIGHEST_USER_ADDRESS = 0x7FFFFFEFFFF;
/** No allocation may end above this (= MM_HIGHEST_USER_ADDRESS - 64 KB). */
export const MM_HIGHEST_VAD_ADDRESS = 0x7FFFFFDFFFF;
/** Start of the 64 KB no-access band at the top of user space. */
export const MM_USER_PROBE_ADDRESS = 0x7FFFFFF0000;
/** User-mode address of the read-only shared page present in every process. */
export const KUSER_SHARED_DATA = 0x7ffe0000;
/** Win7 x64 MmSystemRangeStart (beyond 2^53, hence bigint). */
export const MM_SYSTEM_RANGE_START = 0xffff080000000000n;
export const MM_MAXIMUM_ZERO_BITS = 53;
export const MAX_PAGING_FILES = 16;
export const MIN_PAGING_FILE_SIZE = 0x100000;
export const SIZEOF_MEMORY_BASIC_INFORMATION = 48;
export const SIZEOF_SECTION_BASIC_INFORMATION = 24;
export const SIZEOF_SECTION_IMAGE_INFORMATION = 64;
/** GetSystemInfo().wProcessorArchitecture for x64. */
export const PROCESSOR_ARCHITECTURE_AMD64 = 9;

/** The invalid handle; also NtCurrentProcess() / GetCurrentProcess() as a handle value. */
export const INVALID_HANDLE_VALUE = -1;
export const NT_CURRENT_PROCESS = -1;

// ---------------------------------------------------------------------------------------------
// PAGE_* protections (api-spec §2.1)
// ---------------------------------------------------------------------------------------------

export const PAGE_NOACCESS = 0x01;
export const PAGE_READONLY = 0x02;
export const PAGE_READWRITE = 0x04;
export const PAGE_WRITECOPY = 0x08;
export const PAGE_EXECUTE = 0x10;
export const PAGE_EXECUTE_READ = 0x20;
export const PAGE_EXECUTE_READWRITE = 0x40;
export const PAGE_EXECUTE_WRITECOPY = 0x80;
export const PAGE_GUARD = 0x100;
export const PAGE_NOCACHE = 0x200;
export const PAGE_WRITECOMBINE = 0x400;
/** Later-Windows flags, named so scripts can check that Windows 7 rejects them. */
export const PAGE_TARGETS_INVALID = 0x40000000;
export const PAGE_REVERT_TO_FILE_MAP = 0x80000000;

// ---------------------------------------------------------------------------------------------
// MEM_* allocation / free types, states, region types (api-spec §2.2)
// ---------------------------------------------------------------------------------------------

export const MEM_COMMIT = 0x00001000;
export const MEM_RESERVE = 0x00002000;
export const MEM_DECOMMIT = 0x00004000;
export const MEM_RELEASE = 0x00008000;
export const MEM_FREE = 0x00010000;
export const MEM_PRIVATE = 0x00020000;
export const MEM_MAPPED = 0x00040000;
export const MEM_RESET = 0x00080000;
export const MEM_TOP_DOWN = 0x00100000;
export const MEM_WRITE_WATCH = 0x00200000;
export const MEM_PHYSICAL = 0x00400000;
export const MEM_ROTATE = 0x00800000;
export const MEM_IMAGE = 0x01000000;
/** Windows 8+ allocation type; same bit as MEM_IMAGE; invalid as an AllocationType on Win7. */
export const MEM_RESET_UNDO = 0x01000000;
export const MEM_LARGE_PAGES = 0x20000000;
export const MEM_DOS_LIM = 0x40000000;
export const MEM_4MB_PAGES = 0x80000000;

// ---------------------------------------------------------------------------------------------
// SEC_* section attributes (api-spec §2.3)
// ---------------------------------------------------------------------------------------------

export const SEC_BASED = 0x00200000;
export const SEC_NO_CHANGE = 0x00400000;
export const SEC_FILE = 0x00800000;
export const SEC_IMAGE = 0x01000000;
export const SEC_PROTECTED_IMAGE = 0x02000000;
export const SEC_RESERVE = 0x04000000;
export const SEC_COMMIT = 0x08000000;
export const SEC_NOCACHE = 0x10000000;
export const SEC_GLOBAL = 0x20000000;
export const SEC_WRITECOMBINE = 0x40000000;
export const SEC_LARGE_PAGES = 0x80000000;

// ---------------------------------------------------------------------------------------------
// Access rights (api-spec §2.4)
// ---------------------------------------------------------------------------------------------

export const STANDARD_RIGHTS_REQUIRED = 0x000f0000;

export const SECTION_QUERY = 0x0001;
export const SECTION_MAP_WRITE = 0x0002;
export const SECTION_MAP_READ = 0x0004;
export const SECTION_MAP_EXECUTE = 0x0008;
export const SECTION_EXTEND_SIZE = 0x0010;
/** Not part of SECTION_ALL_ACCESS. */
export const SECTION_MAP_EXECUTE_EXPLICIT = 0x0020;
export const SECTION_ALL_ACCESS = 0x000f001f;

export const FILE_MAP_COPY = 0x0001;
export const FILE_MAP_WRITE = 0x0002;
export const FILE_MAP_READ = 0x0004;
export const FILE_MAP_EXECUTE = 0x0020;
export const FILE_MAP_ALL_ACCESS = 0x000f001f;

export const PROCESS_VM_OPERATION = 0x0008;
export const PROCESS_VM_READ = 0x0010;
export const PROCESS_VM_WRITE = 0x0020;
export const PROCESS_QUERY_INFORMATION = 0x0400;

// ---------------------------------------------------------------------------------------------
// Enumerations and small constants (api-spec §2.5)
// ---------------------------------------------------------------------------------------------

/** SECTION_INHERIT */
export const ViewShare = 1;
export const ViewUnmap = 2;

/** NtLockVirtualMemory / NtUnlockVirtualMemory MapType */
export const MAP_PROCESS = 1;
export const MAP_SYSTEM = 2;

/** OBJECT_ATTRIBUTES.Attributes */
export const OBJ_INHERIT = 0x02;
export const OBJ_PERMANENT = 0x10;
export const OBJ_EXCLUSIVE = 0x20;
export const OBJ_CASE_INSENSITIVE = 0x40;
export const OBJ_OPENIF = 0x80;

/** MEMORY_INFORMATION_CLASS (classes 5 and up exist only from Windows 8). */
export const MemoryBasicInformation = 0;
export const MemoryWorkingSetInformation = 1;
export const MemoryMappedFilenameInformation = 2;
export const MemorySectionName = 2;
export const MemoryRegionInformation = 3;
export const MemoryWorkingSetExInformation = 4;
export const MemorySharedCommitInformation = 5;
export const MemoryImageInformation = 6;
export const MemoryRegionInformationEx = 7;
export const MemoryPrivilegedBasicInformation = 8;
export const MemoryEnclaveImageInformation = 9;
export const MemoryBasicInformationCapped = 10;

/** SECTION_INFORMATION_CLASS */
export const SectionBasicInformation = 0;
export const SectionImageInformation = 1;
export const SectionRelocationInformation = 2;

/** ExceptionInformation[0] of a memory-fault exception record. */
export const EXCEPTION_READ_FAULT = 0;
export const EXCEPTION_WRITE_FAULT = 1;
export const EXCEPTION_EXECUTE_FAULT = 8;

// ---------------------------------------------------------------------------------------------
// Names predefined in scenario scripts
// ---------------------------------------------------------------------------------------------

const WIN_CONSTANTS: Readonly<Record<string, number | bigint>> = {
  // PAGE_*
  PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY, PAGE_EXECUTE, PAGE_EXECUTE_READ,
  PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY, PAGE_GUARD, PAGE_NOCACHE, PAGE_WRITECOMBINE,
  PAGE_TARGETS_INVALID, PAGE_REVERT_TO_FILE_MAP,
  // MEM_*
  MEM_COMMIT, MEM_RESERVE, MEM_DECOMMIT, MEM_RELEASE, MEM_FREE, MEM_PRIVATE, MEM_MAPPED, MEM_RESET,
  MEM_TOP_DOWN, MEM_WRITE_WATCH, MEM_PHYSICAL, MEM_ROTATE, MEM_IMAGE, MEM_RESET_UNDO, MEM_LARGE_PAGES,
  MEM_DOS_LIM, MEM_4MB_PAGES,
  // SEC_*
  SEC_BASED, SEC_NO_CHANGE, SEC_FILE, SEC_IMAGE, SEC_PROTECTED_IMAGE, SEC_RESERVE, SEC_COMMIT,
  SEC_NOCACHE, SEC_GLOBAL, SEC_WRITECOMBINE, SEC_LARGE_PAGES,
  // SECTION_*, FILE_MAP_*, PROCESS_*
  STANDARD_RIGHTS_REQUIRED,
  SECTION_QUERY, SECTION_MAP_WRITE, SECTION_MAP_READ, SECTION_MAP_EXECUTE, SECTION_EXTEND_SIZE,
  SECTION_MAP_EXECUTE_EXPLICIT, SECTION_ALL_ACCESS,
  FILE_MAP_COPY, FILE_MAP_WRITE, FILE_MAP_READ, FILE_MAP_EXECUTE, FILE_MAP_ALL_ACCESS,
  PROCESS_VM_OPERATION, PROCESS_VM_READ, PROCESS_VM_WRITE, PROCESS_QUERY_INFORMATION,
  // enumerations
  ViewShare, ViewUnmap, MAP_PROCESS, MAP_SYSTEM,
  OBJ_INHERIT, OBJ_PERMANENT, OBJ_EXCLUSIVE, OBJ_CASE_INSENSITIVE, OBJ_OPENIF,
  MemoryBasicInformation, MemoryWorkingSetInformation, MemoryMappedFilenameInformation, MemorySectionName,
  MemoryRegionInformation, MemoryWorkingSetExInformation, MemorySharedCommitInformation,
  MemoryImageInformation, MemoryRegionInformationEx, MemoryPrivilegedBasicInformation,
  MemoryEnclaveImageInformation, MemoryBasicInformationCapped,
  SectionBasicInformation, SectionImageInformation, SectionRelocationInformation,
  EXCEPTION_READ_FAULT, EXCEPTION_WRITE_FAULT, EXCEPTION_EXECUTE_FAULT,
  // platform
  PAGE_SIZE, PAGE_SHIFT, ALLOCATION_GRANULARITY, LARGE_PAGE_SIZE, MM_LOWEST_USER_ADDRESS, MM_HIGHEST_USER_ADDRESS,
  MM_HIGHEST_VAD_ADDRESS, MM_USER_PROBE_ADDRESS, KUSER_SHARED_DATA, MM_SYSTEM_RANGE_START,
  INVALID_HANDLE_VALUE,
};

function buildPredefined(): ReadonlyMap<string, bigint> {
  const map = new Map<string, bigint>();
  const add = (name: string, value: number | bigint): void => {
    if (map.has(name)) throw new Error(`duplicate predefined constant ${name}`);
    map.set(name, BigInt(value));
  };
  for (const [name, value] of NTSTATUS_BY_NAME) add(name, value);
  for (const [name, value] of ERROR_BY_NAME) add(name, value);
  for (const [name, value] of Object.entries(WIN_CONSTANTS)) add(name, value);
  return map;
}

/**
 * Every STATUS_*, ERROR_*, PAGE_*, MEM_*, SEC_*, SECTION_*, FILE_MAP_* name (plus process rights,
 * the small enumerations of api-spec §2.5, the platform limits and INVALID_HANDLE_VALUE = -1)
 * with its Windows value. NTSTATUS values are unsigned (STATUS_ACCESS_VIOLATION = 0xC0000005n).
 */
export const PREDEFINED_CONSTANTS: ReadonlyMap<string, bigint> = buildPredefined();
