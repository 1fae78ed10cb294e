// Checks the constant tables (NTSTATUS, Win32 errors, PAGE_/MEM_/SEC_/SECTION_/FILE_MAP_ values,
// platform limits) and the protection-code helpers against the values in the reference notes.
// Test names carry the oracle ids of api-spec §12 ("api #n") and of the book notes ("book-A O-22").

import { strict as assert } from 'node:assert';
import * as status from '../../src/core/status';
import {
  ERROR_ACCESS_DENIED,
  ERROR_ALREADY_EXISTS,
  ERROR_BAD_EXE_FORMAT,
  ERROR_BAD_LENGTH,
  ERROR_COMMITMENT_LIMIT,
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_MAPPED_ALIGNMENT,
  ERROR_MR_MID_NOT_FOUND,
  ERROR_NAMES,
  ERROR_NOACCESS,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_NOT_LOCKED,
  ERROR_PARTIAL_COPY,
  ERROR_PRIVILEGE_NOT_HELD,
  ERROR_SUCCESS,
  NTSTATUS_NAMES,
  STATUS_ACCESS_VIOLATION,
  STATUS_COMMITMENT_LIMIT,
  STATUS_GUARD_PAGE_VIOLATION,
  STATUS_INVALID_PARAMETER_1,
  STATUS_INVALID_PARAMETER_12,
  STATUS_INVALID_PARAMETER_2,
  STATUS_INVALID_PARAMETER_3,
  STATUS_INVALID_PARAMETER_4,
  STATUS_INVALID_PARAMETER_5,
  STATUS_INVALID_PARAMETER_6,
  STATUS_OBJECT_NAME_EXISTS,
  STATUS_PAGE_FAULT_DEMAND_ZERO,
  STATUS_PAGE_FAULT_GUARD_PAGE,
  STATUS_SUCCESS,
  STATUS_WAS_LOCKED,
  ntError,
  ntInformation,
  ntStatusToWin32Error,
  ntSuccess,
  ntWarning,
  statusInvalidParameter,
  statusName,
  win32ErrorName,
} from '../../src/core/status';
import * as wc from '../../src/core/winconst';
import { PREDEFINED_CONSTANTS } from '../../src/core/winconst';
import {
  MM_DECOMMIT,
  MM_NOACCESS,
  MM_PROTECT_TO_PTE_MASK,
  PAT_MSR_WIN7,
  type AccessKind,
  accessAllowed,
  cacheAttributeOf,
  cacheKind,
  clearGuard,
  isDecommitMarker,
  isGuard,
  isValidWin32Protection,
  isWriteCopy,
  isWriteCopyCode,
  mmProtectionToWin32,
  patIndexOf,
  protectToPteMask,
  protectToPteMask64,
  protectionName,
  win32ProtectionName,
  win32ToMmProtection,
} from '../../src/core/protection';

const hex = (n: number): string => '0x' + (n >>> 0).toString(16).toUpperCase();

describe('core/status: NTSTATUS values (api-spec §3.1)', () => {
  const expected: Array<[string, number]> = [
    ['STATUS_SUCCESS', 0x00000000],
    ['STATUS_OBJECT_NAME_EXISTS', 0x40000000],
    ['STATUS_IMAGE_NOT_AT_BASE', 0x40000003],
    ['STATUS_IMAGE_MACHINE_TYPE_MISMATCH', 0x4000000e],
    ['STATUS_WAS_UNLOCKED', 0x40000017],
    ['STATUS_WAS_LOCKED', 0x40000019],
    ['STATUS_PAGE_FAULT_TRANSITION', 0x110],
    ['STATUS_PAGE_FAULT_DEMAND_ZERO', 0x111],
    ['STATUS_PAGE_FAULT_COPY_ON_WRITE', 0x112],
    ['STATUS_PAGE_FAULT_GUARD_PAGE', 0x113],
    ['STATUS_PAGE_FAULT_PAGING_FILE', 0x114],
    ['STATUS_GUARD_PAGE_VIOLATION', 0x80000001],
    ['STATUS_DATATYPE_MISALIGNMENT', 0x80000002],
    ['STATUS_BUFFER_OVERFLOW', 0x80000005],
    ['STATUS_PARTIAL_COPY', 0x8000000d],
    ['STATUS_INVALID_INFO_CLASS', 0xc0000003],
    ['STATUS_INFO_LENGTH_MISMATCH', 0xc0000004],
    ['STATUS_ACCESS_VIOLATION', 0xc0000005],
    ['STATUS_IN_PAGE_ERROR', 0xc0000006],
    ['STATUS_INVALID_HANDLE', 0xc0000008],
    ['STATUS_INVALID_PARAMETER', 0xc000000d],
    ['STATUS_NO_MEMORY', 0xc0000017],
    ['STATUS_CONFLICTING_ADDRESSES', 0xc0000018],
    ['STATUS_NOT_MAPPED_VIEW', 0xc0000019],
    ['STATUS_UNABLE_TO_FREE_VM', 0xc000001a],
    ['STATUS_UNABLE_TO_DELETE_SECTION', 0xc000001b],
    ['STATUS_INVALID_VIEW_SIZE', 0xc000001f],
    ['STATUS_INVALID_FILE_FOR_SECTION', 0xc0000020],
    ['STATUS_ALREADY_COMMITTED', 0xc0000021],
    ['STATUS_ACCESS_DENIED', 0xc0000022],
    ['STATUS_NOT_LOCKED', 0xc000002a],
    ['STATUS_NOT_COMMITTED', 0xc000002d],
    ['STATUS_OBJECT_NAME_COLLISION', 0xc0000035],
    ['STATUS_SECTION_TOO_BIG', 0xc0000040],
    ['STATUS_INVALID_PAGE_PROTECTION', 0xc0000045],
    ['STATUS_SECTION_NOT_IMAGE', 0xc0000049],
    ['STATUS_SECTION_PROTECTION', 0xc000004e],
    ['STATUS_PRIVILEGE_NOT_HELD', 0xc0000061],
    ['STATUS_SECTION_NOT_EXTENDED', 0xc0000087],
    ['STATUS_NOT_MAPPED_DATA', 0xc0000088],
    ['STATUS_FILE_INVALID', 0xc0000098],
    ['STATUS_FREE_VM_NOT_AT_BASE', 0xc000009f],
    ['STATUS_MEMORY_NOT_ALLOCATED', 0xc00000a0],
    ['STATUS_WORKING_SET_QUOTA', 0xc00000a1],
    ['STATUS_STACK_OVERFLOW', 0xc00000fd],
    ['STATUS_PROCESS_IS_TERMINATING', 0xc000010a],
    ['STATUS_MAPPED_FILE_SIZE_ZERO', 0xc000011e],
    ['STATUS_PAGEFILE_QUOTA_EXCEEDED', 0xc000012c],
    ['STATUS_COMMITMENT_LIMIT', 0xc000012d],
    ['STATUS_INVALID_ADDRESS', 0xc0000141],
    ['STATUS_MAPPED_ALIGNMENT', 0xc0000220],
    ['STATUS_HANDLE_NOT_CLOSABLE', 0xc0000235],
    ['STATUS_PTE_CHANGED', 0xc0000434],
  ];
  for (const [name, value] of expected) {
    it(`${name} = ${hex(value)}`, () => {
      assert.equal((status as unknown as Record<string, number>)[name], value);
      assert.equal(NTSTATUS_NAMES[value], name);
      assert.equal(statusName(value), name);
    });
  }

  it('api #9/#19/#31/#33/#80: STATUS_INVALID_PARAMETER_n = 0xC00000EE + n', () => {
    assert.equal(STATUS_INVALID_PARAMETER_1, 0xc00000ef);
    assert.equal(STATUS_INVALID_PARAMETER_2, 0xc00000f0);
    assert.equal(STATUS_INVALID_PARAMETER_3, 0xc00000f1);
    assert.equal(STATUS_INVALID_PARAMETER_4, 0xc00000f2);
    assert.equal(STATUS_INVALID_PARAMETER_5, 0xc00000f3);
    assert.equal(STATUS_INVALID_PARAMETER_6, 0xc00000f4);
    assert.equal(STATUS_INVALID_PARAMETER_12, 0xc00000fa);
    for (let n = 1; n <= 12; n++) {
      assert.equal(statusInvalidParameter(n), 0xc00000ee + n);
      assert.equal(statusName(0xc00000ee + n), `STATUS_INVALID_PARAMETER_${n}`);
      assert.equal(ntStatusToWin32Error(0xc00000ee + n), ERROR_INVALID_PARAMETER);
    }
    assert.throws(() => statusInvalidParameter(0), RangeError);
    assert.throws(() => statusInvalidParameter(13), RangeError);
  });

  it('book-B §18: fault-path codes 0x111 / 0x113 are success codes', () => {
    assert.equal(STATUS_PAGE_FAULT_DEMAND_ZERO, 0x111);
    assert.equal(STATUS_PAGE_FAULT_GUARD_PAGE, 0x113);
    assert.ok(ntSuccess(STATUS_PAGE_FAULT_GUARD_PAGE));
  });

  it('every exported STATUS_* constant has its name in NTSTATUS_NAMES, and only those', () => {
    const exported = Object.entries(status).filter(([k]) => k.startsWith('STATUS_'));
    assert.ok(exported.length >= 80);
    for (const [name, value] of exported) assert.equal(NTSTATUS_NAMES[value as number], name, name);
    assert.equal(Object.keys(NTSTATUS_NAMES).length, exported.length);
  });

  it('every exported ERROR_* constant has its name in ERROR_NAMES, and only those', () => {
    const exported = Object.entries(status).filter(([k]) => k.startsWith('ERROR_') && typeof status[k as keyof typeof status] === 'number');
    for (const [name, value] of exported) assert.equal(ERROR_NAMES[value as number], name, name);
    assert.equal(Object.keys(ERROR_NAMES).length, exported.length);
  });

  it('statusName falls back to 8-digit hex; accepts signed input', () => {
    assert.equal(statusName(0xc0001234), '0xC0001234');
    assert.equal(statusName(0xc0000005 | 0), 'STATUS_ACCESS_VIOLATION');
    assert.equal(statusName(0x12), '0x00000012');
  });

  it('api §2.6: NT_SUCCESS and severities', () => {
    assert.ok(ntSuccess(STATUS_SUCCESS));
    assert.ok(ntSuccess(STATUS_OBJECT_NAME_EXISTS));
    assert.ok(ntSuccess(STATUS_WAS_LOCKED));
    assert.ok(!ntSuccess(STATUS_GUARD_PAGE_VIOLATION));
    assert.ok(!ntSuccess(status.STATUS_PARTIAL_COPY));
    assert.ok(!ntSuccess(STATUS_ACCESS_VIOLATION));
    assert.ok(!ntSuccess(STATUS_ACCESS_VIOLATION | 0));
    assert.ok(ntInformation(STATUS_WAS_LOCKED) && !ntInformation(STATUS_SUCCESS));
    assert.ok(ntWarning(STATUS_GUARD_PAGE_VIOLATION) && !ntWarning(STATUS_ACCESS_VIOLATION));
    assert.ok(ntError(STATUS_COMMITMENT_LIMIT) && !ntError(STATUS_GUARD_PAGE_VIOLATION));
  });
});

describe('core/status: Win32 errors and RtlNtStatusToDosError (api-spec §3.1)', () => {
  const errors: Array<[string, number]> = [
    ['ERROR_SUCCESS', 0],
    ['ERROR_FILE_NOT_FOUND', 2],
    ['ERROR_PATH_NOT_FOUND', 3],
    ['ERROR_ACCESS_DENIED', 5],
    ['ERROR_INVALID_HANDLE', 6],
    ['ERROR_NOT_ENOUGH_MEMORY', 8],
    ['ERROR_OUTOFMEMORY', 14],
    ['ERROR_BAD_LENGTH', 24],
    ['ERROR_NOT_SUPPORTED', 50],
    ['ERROR_UNEXP_NET_ERR', 59],
    ['ERROR_INVALID_PARAMETER', 87],
    ['ERROR_INVALID_NAME', 123],
    ['ERROR_NOT_LOCKED', 158],
    ['ERROR_ALREADY_EXISTS', 183],
    ['ERROR_BAD_EXE_FORMAT', 193],
    ['ERROR_MORE_DATA', 234],
    ['ERROR_PARTIAL_COPY', 299],
    ['ERROR_INVALID_ADDRESS', 487],
    ['ERROR_PAGEFILE_QUOTA_EXCEEDED', 567],
    ['ERROR_NOACCESS', 998],
    ['ERROR_SWAPERROR', 999],
    ['ERROR_FILE_INVALID', 1006],
    ['ERROR_MAPPED_ALIGNMENT', 1132],
    ['ERROR_PRIVILEGE_NOT_HELD', 1314],
    ['ERROR_NO_SYSTEM_RESOURCES', 1450],
    ['ERROR_WORKING_SET_QUOTA', 1453],
    ['ERROR_PAGEFILE_QUOTA', 1454],
    ['ERROR_COMMITMENT_LIMIT', 1455],
    ['ERROR_NOT_ENOUGH_QUOTA', 1816],
  ];
  for (const [name, value] of errors) {
    it(`${name} = ${value}`, () => {
      assert.equal((status as unknown as Record<string, number>)[name], value);
      assert.equal(ERROR_NAMES[value], name);
      assert.equal(win32ErrorName(value), name);
    });
  }

  // [status, win32, oracle]
  const mapping: Array<[number, number, string]> = [
    [0xc000012d, ERROR_COMMITMENT_LIMIT, 'api #118'],
    [0xc0000045, ERROR_INVALID_PARAMETER, 'api #16'],
    [0xc00000f2, ERROR_INVALID_PARAMETER, 'api #9'],
    [0xc0000018, ERROR_INVALID_ADDRESS, 'api #22'],
    [0xc000002d, ERROR_INVALID_ADDRESS, 'api #11'],
    [0xc0000017, ERROR_NOT_ENOUGH_MEMORY, 'api #32'],
    [0xc000009f, ERROR_INVALID_ADDRESS, 'api #46'],
    [0xc00000a0, ERROR_INVALID_ADDRESS, 'api #47'],
    [0xc000001b, ERROR_INVALID_PARAMETER, 'api #86'],
    [0xc0000019, ERROR_INVALID_ADDRESS, 'api #99'],
    [0xc0000005, ERROR_NOACCESS, 'api #52'],
    [0xc000002a, ERROR_NOT_LOCKED, 'api #64'],
    [0xc0000004, ERROR_BAD_LENGTH, 'api #68'],
    [0xc000000d, ERROR_INVALID_PARAMETER, 'api #69'],
    [0xc0000220, ERROR_MAPPED_ALIGNMENT, 'api #81'],
    [0xc000004e, ERROR_INVALID_PARAMETER, 'api #82'],
    [0xc0000022, ERROR_ACCESS_DENIED, 'api #95'],
    [0xc000001f, ERROR_ACCESS_DENIED, 'api §6.7 view too large'],
    [0xc0000034, ERROR_FILE_NOT_FOUND, 'api #100'],
    [0x40000000, ERROR_ALREADY_EXISTS, 'api #101'],
    [0xc0000035, ERROR_ALREADY_EXISTS, 'api #101'],
    [0xc0000021, ERROR_ACCESS_DENIED, 'api #103'],
    [0xc0000020, ERROR_BAD_EXE_FORMAT, 'api #80'],
    [0x8000000d, ERROR_PARTIAL_COPY, 'api #108'],
    [0xc0000061, ERROR_PRIVILEGE_NOT_HELD, 'api #127'],
    [0xc0000008, ERROR_INVALID_HANDLE, 'api #128'],
    [0xc0000024, ERROR_INVALID_HANDLE, 'api §3.1'],
    [0xc000009a, 1450, 'api §3.1'],
    [0xc00000a1, 1453, 'api §3.1'],
    [0xc000012c, 567, 'api §3.1'],
    [0xc0000044, 1816, 'api §3.1'],
    [0xc0000087, 14, 'api §3.1'],
    [0xc0000141, 59, 'api §3.1'],
    [0xc000011e, 1006, 'api §3.1'],
    [0xc0000098, 1006, 'api §3.1'],
    [0xc0000006, 999, 'api §3.1'],
    [0x80000005, 234, 'api §3.1'],
    [0x80000002, ERROR_NOACCESS, 'api §3.1'],
    [0xc0000033, 123, 'api §3.1'],
    [0xc000003a, 3, 'api §3.1'],
    [0xc000010a, ERROR_ACCESS_DENIED, 'api §3.1'],
    [0xc0000235, ERROR_INVALID_HANDLE, 'api §3.1'],
    [0xc00000bb, 50, 'api §3.1'],
  ];
  for (const [st, err, oracle] of mapping) {
    it(`${oracle}: ${statusName(st)} -> ${err}`, () => {
      assert.equal(ntStatusToWin32Error(st), err);
      assert.equal(ntStatusToWin32Error(st | 0), err, 'signed input');
    });
  }

  it('api #61: STATUS_GUARD_PAGE_VIOLATION 0x80000001 passes through unchanged', () => {
    assert.equal(ntStatusToWin32Error(0x80000001), 0x80000001);
    assert.equal(win32ErrorName(0x80000001), 'STATUS_GUARD_PAGE_VIOLATION');
  });

  it('success codes without a dedicated error map to ERROR_SUCCESS', () => {
    assert.equal(ntStatusToWin32Error(STATUS_SUCCESS), ERROR_SUCCESS);
    assert.equal(ntStatusToWin32Error(STATUS_WAS_LOCKED), ERROR_SUCCESS);
    assert.equal(ntStatusToWin32Error(status.STATUS_WAS_UNLOCKED), ERROR_SUCCESS);
    assert.equal(ntStatusToWin32Error(status.STATUS_IMAGE_NOT_AT_BASE), ERROR_SUCCESS);
    assert.equal(ntStatusToWin32Error(STATUS_PAGE_FAULT_DEMAND_ZERO), ERROR_SUCCESS);
  });

  it('unknown failures -> ERROR_MR_MID_NOT_FOUND; NTWIN32 facility; 0xD… like 0xC…; customer codes', () => {
    assert.equal(ntStatusToWin32Error(0xc0001234), ERROR_MR_MID_NOT_FOUND);
    assert.equal(ntStatusToWin32Error(0xc0070057), 87);
    assert.equal(ntStatusToWin32Error(0xd0000005), ERROR_NOACCESS);
    assert.equal(ntStatusToWin32Error(0xe0000001), 0xe0000001);
  });
});

describe('core/winconst: flag values (api-spec §1, §2)', () => {
  const values: Record<string, number> = {
    PAGE_NOACCESS: 0x01, PAGE_READONLY: 0x02, PAGE_READWRITE: 0x04, PAGE_WRITECOPY: 0x08,
    PAGE_EXECUTE: 0x10, PAGE_EXECUTE_READ: 0x20, PAGE_EXECUTE_READWRITE: 0x40, PAGE_EXECUTE_WRITECOPY: 0x80,
    PAGE_GUARD: 0x100, PAGE_NOCACHE: 0x200, PAGE_WRITECOMBINE: 0x400,
    MEM_COMMIT: 0x1000, MEM_RESERVE: 0x2000, MEM_DECOMMIT: 0x4000, MEM_RELEASE: 0x8000, MEM_FREE: 0x10000,
    MEM_PRIVATE: 0x20000, MEM_MAPPED: 0x40000, MEM_RESET: 0x80000, MEM_TOP_DOWN: 0x100000,
    MEM_WRITE_WATCH: 0x200000, MEM_PHYSICAL: 0x400000, MEM_ROTATE: 0x800000, MEM_IMAGE: 0x1000000,
    MEM_LARGE_PAGES: 0x20000000, MEM_DOS_LIM: 0x40000000, MEM_4MB_PAGES: 0x80000000,
    SEC_BASED: 0x200000, SEC_NO_CHANGE: 0x400000, SEC_FILE: 0x800000, SEC_IMAGE: 0x1000000,
    SEC_PROTECTED_IMAGE: 0x2000000, SEC_RESERVE: 0x4000000, SEC_COMMIT: 0x8000000, SEC_NOCACHE: 0x10000000,
    SEC_GLOBAL: 0x20000000, SEC_WRITECOMBINE: 0x40000000, SEC_LARGE_PAGES: 0x80000000,
    SECTION_QUERY: 1, SECTION_MAP_WRITE: 2, SECTION_MAP_READ: 4, SECTION_MAP_EXECUTE: 8,
    SECTION_EXTEND_SIZE: 0x10, SECTION_MAP_EXECUTE_EXPLICIT: 0x20, SECTION_ALL_ACCESS: 0xf001f,
    STANDARD_RIGHTS_REQUIRED: 0xf0000,
    FILE_MAP_COPY: 1, FILE_MAP_WRITE: 2, FILE_MAP_READ: 4, FILE_MAP_EXECUTE: 0x20, FILE_MAP_ALL_ACCESS: 0xf001f,
    PROCESS_VM_OPERATION: 8, PROCESS_VM_READ: 0x10, PROCESS_VM_WRITE: 0x20, PROCESS_QUERY_INFORMATION: 0x400,
    ViewShare: 1, ViewUnmap: 2, MAP_PROCESS: 1, MAP_SYSTEM: 2,
    OBJ_INHERIT: 2, OBJ_PERMANENT: 0x10, OBJ_EXCLUSIVE: 0x20, OBJ_CASE_INSENSITIVE: 0x40, OBJ_OPENIF: 0x80,
    MemoryBasicInformation: 0, MemoryWorkingSetInformation: 1, MemoryMappedFilenameInformation: 2,
    MemoryRegionInformation: 3, MemoryWorkingSetExInformation: 4, MemoryBasicInformationCapped: 10,
    SectionBasicInformation: 0, SectionImageInformation: 1,
  };
  for (const [name, value] of Object.entries(values)) {
    it(`${name} = ${hex(value)}`, () => {
      assert.equal((wc as unknown as Record<string, number>)[name], value);
      assert.equal(PREDEFINED_CONSTANTS.get(name), BigInt(value));
    });
  }

  it('api §2.4: SECTION_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | the five map/query/extend rights', () => {
    assert.equal(
      wc.SECTION_ALL_ACCESS,
      wc.STANDARD_RIGHTS_REQUIRED | wc.SECTION_QUERY | wc.SECTION_MAP_WRITE | wc.SECTION_MAP_READ | wc.SECTION_MAP_EXECUTE | wc.SECTION_EXTEND_SIZE,
    );
    assert.equal(wc.SECTION_ALL_ACCESS & wc.SECTION_MAP_EXECUTE_EXPLICIT, 0);
  });

  it('api #125: GetSystemInfo platform values', () => {
    assert.equal(wc.PAGE_SIZE, 4096);
    assert.equal(wc.ALLOCATION_GRANULARITY, 65536);
    assert.equal(wc.MM_LOWEST_USER_ADDRESS, 0x10000);
    assert.equal(wc.MM_HIGHEST_USER_ADDRESS, 0x7ffffffffff - 0x10000);
    assert.equal(wc.MM_HIGHEST_USER_ADDRESS, 2 ** 43 - 0x10000 - 1);
    assert.equal(wc.PROCESSOR_ARCHITECTURE_AMD64, 9);
  });

  it('api §1: address-space limits', () => {
    assert.equal(wc.MM_HIGHEST_VAD_ADDRESS, wc.MM_HIGHEST_USER_ADDRESS - 0x10000);
    assert.equal(wc.MM_HIGHEST_VAD_ADDRESS.toString(16), '7fffffdffff');
    assert.equal(wc.MM_USER_PROBE_ADDRESS.toString(16), '7ffffff0000');
    assert.equal(wc.MM_USER_PROBE_ADDRESS, wc.MM_HIGHEST_USER_ADDRESS + 1);
    assert.equal(wc.KUSER_SHARED_DATA, 0x7ffe0000);
    assert.equal(wc.MM_SYSTEM_RANGE_START, 0xffff080000000000n);
    assert.equal(wc.LARGE_PAGE_SIZE, 0x200000);
    assert.equal(wc.MM_MAXIMUM_ZERO_BITS, 53);
    assert.equal(wc.MAX_PAGING_FILES, 16);
    assert.equal(wc.MIN_PAGING_FILE_SIZE, 256 * wc.PAGE_SIZE);
    assert.equal(wc.SIZEOF_MEMORY_BASIC_INFORMATION, 0x30);
    assert.equal(wc.SIZEOF_SECTION_BASIC_INFORMATION, 0x18);
  });
});

describe('core/winconst: PREDEFINED_CONSTANTS', () => {
  it('holds every STATUS_* and ERROR_* name with unsigned bigint values', () => {
    for (const [value, name] of Object.entries(NTSTATUS_NAMES)) assert.equal(PREDEFINED_CONSTANTS.get(name), BigInt(value), name);
    for (const [value, name] of Object.entries(ERROR_NAMES)) assert.equal(PREDEFINED_CONSTANTS.get(name), BigInt(value), name);
    assert.equal(PREDEFINED_CONSTANTS.get('STATUS_ACCESS_VIOLATION'), 0xc0000005n);
    assert.equal(PREDEFINED_CONSTANTS.get('STATUS_COMMITMENT_LIMIT'), 0xc000012dn);
    assert.equal(PREDEFINED_CONSTANTS.get('ERROR_COMMITMENT_LIMIT'), 1455n);
  });

  it('holds every exported PAGE_/MEM_/SEC_/SECTION_/FILE_MAP_ constant', () => {
    const prefixes = /^(PAGE_|MEM_|SEC_|SECTION_|FILE_MAP_)/;
    const names = Object.keys(wc).filter((k) => prefixes.test(k));
    assert.ok(names.length >= 50, `only ${names.length} names`);
    for (const name of names) {
      const value = (wc as unknown as Record<string, number | bigint>)[name]!;
      assert.equal(PREDEFINED_CONSTANTS.get(name), BigInt(value), name);
    }
    assert.equal(PREDEFINED_CONSTANTS.get('MEM_4MB_PAGES'), 0x80000000n);
    assert.equal(PREDEFINED_CONSTANTS.get('SEC_LARGE_PAGES'), 0x80000000n);
    assert.equal(PREDEFINED_CONSTANTS.get('PAGE_REVERT_TO_FILE_MAP'), 0x80000000n);
  });

  it('INVALID_HANDLE_VALUE = -1n', () => {
    assert.equal(PREDEFINED_CONSTANTS.get('INVALID_HANDLE_VALUE'), -1n);
    assert.equal(wc.INVALID_HANDLE_VALUE, -1);
  });

  it('all values are bigints', () => {
    for (const [name, value] of PREDEFINED_CONSTANTS) assert.equal(typeof value, 'bigint', name);
  });
});

describe('core/protection: validity of PAGE_* values (api-spec §4.1)', () => {
  const invalid: Array<[number, string]> = [
    [0, 'api #16: zero'],
    [0x06, 'api #16: READONLY|READWRITE'],
    [0x12, 'api #16: READONLY|EXECUTE'],
    [0x84, 'api §4.1: READWRITE|EXECUTE_WRITECOPY'],
    [0x804, 'api #16: bit 0x800'],
    [0x101, 'api #17: NOACCESS|GUARD'],
    [0x304, 'api #17: RW|GUARD|NOCACHE'],
    [0x504, 'api §4.1 rule 3: RW|GUARD|WRITECOMBINE'],
    [0x201, 'api #17: NOACCESS|NOCACHE'],
    [0x604, 'api #17: RW|NOCACHE|WRITECOMBINE'],
    [0x401, 'api §4.1 rule 5: NOACCESS|WRITECOMBINE'],
    [0x03, 'api §4.1 rule 2: two bits in the low nibble'],
    [0x30, 'api §4.1 rule 2: two bits in the high nibble'],
    [0x100, 'GUARD alone'],
    [0x200, 'NOCACHE alone'],
    [0x40000004, 'PAGE_TARGETS_INVALID (Windows 10) on Win7'],
    [-1, 'negative'],
    [1.5, 'not an integer'],
  ];
  for (const [p, why] of invalid) {
    it(`${why} (${p < 0 || !Number.isInteger(p) ? p : hex(p)}) is invalid`, () => {
      assert.equal(isValidWin32Protection(p), false);
      assert.equal(win32ToMmProtection(p), -1);
    });
  }

  const valid: Array<[number, string]> = [
    [0x01, 'NOACCESS'],
    [0x02, 'READONLY'],
    [0x04, 'READWRITE'],
    [0x08, 'WRITECOPY'],
    [0x10, 'EXECUTE'],
    [0x20, 'EXECUTE_READ'],
    [0x40, 'EXECUTE_READWRITE'],
    [0x80, 'EXECUTE_WRITECOPY'],
    [0x104, 'api #17: RW|GUARD'],
    [0x204, 'api §4.1: RW|NOCACHE'],
    [0x404, 'RW|WRITECOMBINE'],
    [0x240, 'ERW|NOCACHE'],
    [0x120, 'ER|GUARD'],
  ];
  for (const [p, why] of valid) {
    it(`${why} (${hex(p)}) is valid`, () => {
      assert.equal(isValidWin32Protection(p), true);
      assert.notEqual(win32ToMmProtection(p), -1);
    });
  }

  it('exhaustive: exactly the 8 bases x modifiers allowed by rules 1-5 are valid', () => {
    let count = 0;
    for (let p = 0; p < 0x1000; p++) if (isValidWin32Protection(p)) count++;
    // 7 accessible bases x {none, GUARD, NOCACHE, WRITECOMBINE} + NOACCESS alone
    assert.equal(count, 7 * 4 + 1);
  });
});

describe('core/protection: PAGE_* <-> 5-bit code', () => {
  const table3: Array<[number, number, string]> = [
    [0x40, 6, 'EXECUTE_READWRITE'],
    [0x20, 3, 'EXECUTE_READ'],
    [0x04, 4, 'READWRITE'],
    [0x02, 1, 'READONLY'],
    [0x204, 0x0c, 'READWRITE|NOCACHE'],
    [0x404, 0x1c, 'READWRITE|WRITECOMBINE'],
  ];
  for (const [p, code, name] of table3) {
    it(`book-A O-22 / Table 3: ${name} -> ${hex(code)}, software PTE ${hex(code << 5)}`, () => {
      assert.equal(win32ToMmProtection(p), code);
      assert.equal(mmProtectionToWin32(code), p);
    });
  }

  it('api §2.1: remaining codes (EXECUTE 2, WRITECOPY 5, EXECUTE_WRITECOPY 7, NOACCESS 0x18, GUARD +0x10)', () => {
    assert.equal(win32ToMmProtection(0x10), 2);
    assert.equal(win32ToMmProtection(0x08), 5);
    assert.equal(win32ToMmProtection(0x80), 7);
    assert.equal(win32ToMmProtection(0x01), 0x18);
    assert.equal(win32ToMmProtection(0x104), 0x14);
    assert.equal(win32ToMmProtection(0x102), 0x11);
    assert.equal(MM_NOACCESS, 0x18);
    assert.equal(MM_DECOMMIT, 0x10);
  });

  it('round trip for every valid PAGE_* value', () => {
    for (let p = 0; p < 0x800; p++) {
      if (!isValidWin32Protection(p)) continue;
      assert.equal(mmProtectionToWin32(win32ToMmProtection(p)), p, hex(p));
    }
  });

  it('access-kind-0 codes read back as PAGE_NOACCESS', () => {
    for (const code of [0, 0x08, 0x10, 0x18]) assert.equal(mmProtectionToWin32(code), 0x01);
  });

  it('rejects codes outside 0..31', () => {
    assert.throws(() => mmProtectionToWin32(32), RangeError);
    assert.throws(() => protectToPteMask(-1), RangeError);
    assert.throws(() => protectionName(0.5), RangeError);
  });

  it('api §4.2: isWriteCopy / isWriteCopyCode', () => {
    assert.ok(isWriteCopy(0x08) && isWriteCopy(0x80) && isWriteCopy(0x108));
    assert.ok(!isWriteCopy(0x04) && !isWriteCopy(0x40) && !isWriteCopy(0x01));
    assert.ok(isWriteCopyCode(5) && isWriteCopyCode(7) && isWriteCopyCode(0x15));
    assert.ok(!isWriteCopyCode(4) && !isWriteCopyCode(6));
  });

  it('book-B O17 / book-A §10.7: guard = bits 4:3 = 10 on an accessible code; 0x10 alone is decommit', () => {
    assert.ok(isGuard(0x14));
    assert.ok(isGuard(0x11));
    assert.ok(!isGuard(0x10));
    assert.ok(!isGuard(0x04) && !isGuard(0x0c) && !isGuard(0x1c) && !isGuard(0x18));
    assert.equal(clearGuard(0x14), 0x04);
    assert.equal(clearGuard(0x10), 0x10);
    assert.equal(clearGuard(0x1c), 0x1c);
    assert.ok(isDecommitMarker(0x10) && !isDecommitMarker(0x14));
  });
});

describe('core/protection: caching (book-B §7.9, §8.5)', () => {
  it('book-B O18: NOCACHE -> non-cached, CacheAttribute 0, PCD', () => {
    assert.equal(cacheKind(0x0c), 'noncached');
    assert.equal(cacheAttributeOf(0x0c), 0);
    assert.equal(patIndexOf(0x0c), 2);
    assert.equal(protectToPteMask(0x0c).lo & 0x98, 0x10);
  });

  it('book-B O18: WRITECOMBINE -> write-combined, CacheAttribute 2, PWT', () => {
    assert.equal(cacheKind(0x1c), 'writecombined');
    assert.equal(cacheAttributeOf(0x1c), 2);
    assert.equal(patIndexOf(0x1c), 1);
    assert.equal(protectToPteMask(0x1c).lo & 0x98, 0x08);
  });

  it('book-B O18: plain and guard codes are cached (WB), CacheAttribute 1, no cache bits', () => {
    for (const code of [0x04, 0x14, 0x01, 0x11, 0x06]) {
      assert.equal(cacheKind(code), 'cached');
      assert.equal(cacheAttributeOf(code), 1);
      assert.equal(patIndexOf(code), 0);
      assert.equal(protectToPteMask(code).lo & 0x98, 0);
    }
  });

  it('book-B §8.5: PAT MSR value, and the PAT entries selected are WB / UC- / WC', () => {
    assert.equal(PAT_MSR_WIN7, 0x0007010600070106n);
    const entry = (i: number): bigint => (PAT_MSR_WIN7 >> BigInt(8 * i)) & 0xffn;
    assert.equal(entry(patIndexOf(0x04)), 0x06n);
    assert.equal(entry(patIndexOf(0x0c)), 0x07n);
    assert.equal(entry(patIndexOf(0x1c)), 0x01n);
  });
});

describe('core/protection: MmProtectToPteMask (book-B §7.8, §8.5; api-spec §9.3)', () => {
  it('book-B §7.8: mask[4] (ReadWrite) = 0x80000000_00000800', () => {
    assert.deepEqual(protectToPteMask(4), { lo: 0x800, hi: 0x80000000 });
    assert.equal(protectToPteMask64(4), 0x8000000000000800n);
    assert.equal(MM_PROTECT_TO_PTE_MASK[4], 0x8000000000000800n);
  });

  it('book-B §7.8: mask[1] (ReadOnly) = 0x80000000_00000000', () => {
    assert.deepEqual(protectToPteMask(1), { lo: 0, hi: 0x80000000 });
  });

  it('executable kinds have no NX; ExecuteReadWrite has software Write', () => {
    assert.deepEqual(protectToPteMask(2), { lo: 0, hi: 0 });
    assert.deepEqual(protectToPteMask(3), { lo: 0, hi: 0 });
    assert.deepEqual(protectToPteMask(6), { lo: 0x800, hi: 0 });
  });

  it('api §9.3 / book-C §10.11: write-copy kinds carry CopyOnWrite (bit 9), not software Write', () => {
    assert.deepEqual(protectToPteMask(5), { lo: 0x200, hi: 0x80000000 });
    assert.deepEqual(protectToPteMask(7), { lo: 0x200, hi: 0 });
  });

  it('never sets hardware R/W (bit 1), PAT (bit 7) or bits outside {3,4,9,11,63}', () => {
    assert.equal(MM_PROTECT_TO_PTE_MASK.length, 32);
    for (let code = 0; code < 32; code++) {
      const { lo, hi } = protectToPteMask(code);
      assert.equal(lo & ~(0x08 | 0x10 | 0x200 | 0x800), 0, hex(code));
      assert.ok(hi === 0 || hi === 0x80000000, hex(code));
      assert.equal(MM_PROTECT_TO_PTE_MASK[code], (BigInt(hi) << 32n) | BigInt(lo));
    }
  });

  it('book-B §8.5: cache bits depend only on bits 4:3; NX and write bits only on the access kind', () => {
    for (let code = 0; code < 32; code++) {
      const base = protectToPteMask(code & 7);
      const m = protectToPteMask(code);
      assert.equal(m.hi, base.hi, hex(code));
      assert.equal(m.lo & 0xa00, base.lo & 0xa00, hex(code));
    }
    assert.deepEqual(protectToPteMask(0x0c), { lo: 0x810, hi: 0x80000000 });
    assert.deepEqual(protectToPteMask(0x1c), { lo: 0x808, hi: 0x80000000 });
    assert.deepEqual(protectToPteMask(0x14), { lo: 0x800, hi: 0x80000000 });
  });

  it('api #121: a touched READWRITE page (PFN 0x12345) rebuilds to PTE 0x8000000012345867', () => {
    // Valid | Owner | Accessed, plus Dirty1 | Dirty because the mask has software Write.
    const mask = protectToPteMask64(4);
    let pte = mask | (0x12345n << 12n) | 0x1n | 0x4n | 0x20n;
    if ((mask & 0x800n) !== 0n) pte |= 0x2n | 0x40n;
    assert.equal(pte, 0x8000000012345867n);
  });
});

describe('core/protection: access matrix (api-spec §4.3)', () => {
  // code -> [read, write, execute]
  const matrix: Array<[number, string, [boolean, boolean, boolean]]> = [
    [0x18, 'PAGE_NOACCESS', [false, false, false]],
    [0x01, 'PAGE_READONLY', [true, false, false]],
    [0x02, 'PAGE_EXECUTE (book-A O-23: readable)', [true, false, true]],
    [0x03, 'PAGE_EXECUTE_READ', [true, false, true]],
    [0x04, 'PAGE_READWRITE', [true, true, false]],
    [0x05, 'PAGE_WRITECOPY', [true, true, false]],
    [0x06, 'PAGE_EXECUTE_READWRITE', [true, true, true]],
    [0x07, 'PAGE_EXECUTE_WRITECOPY', [true, true, true]],
    [0x10, 'decommitted marker', [false, false, false]],
    [0x00, 'zero access', [false, false, false]],
    [0x14, 'READWRITE|GUARD (base protection)', [true, true, false]],
    [0x0c, 'READWRITE|NOCACHE', [true, true, false]],
    [0x1e, 'EXECUTE_READWRITE|WRITECOMBINE', [true, true, true]],
  ];
  const kinds: AccessKind[] = ['read', 'write', 'execute'];
  for (const [code, name, expected] of matrix) {
    it(`${name} (${hex(code)}): R/W/X = ${expected.map((b) => (b ? 'ok' : 'AV')).join('/')}`, () => {
      kinds.forEach((k, i) => assert.equal(accessAllowed(code, k), expected[i], k));
    });
  }
});

describe('core/protection: names', () => {
  it('book-A O-20 / book-C §1.4: debugger names (4 ReadWrite, 6 ReadWriteExecute, 0x10 Decommitted)', () => {
    assert.equal(protectionName(4), 'ReadWrite');
    assert.equal(protectionName(6), 'ReadWriteExecute');
    assert.equal(protectionName(0x10), 'Decommitted');
    assert.equal(protectionName(1), 'ReadOnly');
    assert.equal(protectionName(3), 'ExecuteRead');
    assert.equal(protectionName(5), 'WriteCopy');
    assert.equal(protectionName(0x18), 'NoAccess');
    assert.equal(protectionName(0), 'ZeroAccess');
    assert.equal(protectionName(0x0c), 'NoCacheReadWrite');
    assert.equal(protectionName(0x14), 'GuardReadWrite');
    assert.equal(protectionName(0x1c), 'WriteCombineReadWrite');
  });

  it('all 32 codes have distinct names', () => {
    const names = new Set<string>();
    for (let code = 0; code < 32; code++) names.add(protectionName(code));
    assert.equal(names.size, 32);
  });

  it('win32ProtectionName', () => {
    assert.equal(win32ProtectionName(0x104), 'PAGE_READWRITE|PAGE_GUARD');
    assert.equal(win32ProtectionName(0x01), 'PAGE_NOACCESS');
    assert.equal(win32ProtectionName(0), '0');
    assert.equal(win32ProtectionName(0x1004), 'PAGE_READWRITE|0x1000');
  });
});
