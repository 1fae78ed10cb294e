import { strict as assert } from 'node:assert';
import { failure, output, runText } from './runHelpers';
import { BUILTINS, scenarioCheckEnv } from '../../src/scenario/builtins/index';
import { PREDEFINED_CONSTANTS } from '../../src/core/winconst';
import { createScenario } from '../../src/scenario/setup';
import { checkInvariants } from '../../src/core/invariants';

const ALLOC = 'let p = VirtualAlloc(0, 64K, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)\n';

describe('scenario built-ins', () => {
  describe('registry', () => {
    it('every built-in has a doc, parameters and a category; the checker environment lists them', () => {
      const env = scenarioCheckEnv();
      for (const [name, b] of BUILTINS) {
        assert.equal(b.name, name);
        assert.ok(b.doc.length > 10, name);
        assert.ok(env.functions.has(name));
      }
      for (const name of ['read8', 'write64', 'touch', 'pte', 'pfn', 'vad', 'translate', 'ws', 'wsContains', 'lists', 'commit',
        'counters', 'faults', 'tick', 'Sleep', 'trim', 'trimAll', 'writeModifiedPages', 'zeroFreePages', 'balance', 'createFile',
        'VirtualAlloc', 'VirtualAllocEx', 'VirtualFree', 'VirtualFreeEx', 'VirtualProtect', 'VirtualProtectEx', 'VirtualQuery',
        'VirtualQueryEx', 'VirtualLock', 'VirtualUnlock', 'ReadProcessMemory', 'WriteProcessMemory', 'GetSystemInfo',
        'SetProcessWorkingSetSize', 'GetProcessWorkingSetSize', 'EmptyWorkingSet', 'CreateProcess', 'GetCurrentProcess',
        'TerminateProcess', 'GetLastError', 'LastStatus', 'NT_SUCCESS', 'NtAllocateVirtualMemory', 'NtFreeVirtualMemory',
        'NtProtectVirtualMemory', 'NtQueryVirtualMemory', 'NtCreateSection', 'NtMapViewOfSection', 'CreateFileMapping',
        'MapViewOfFile', 'CloseHandle', 'NtClose']) {
        assert.ok(BUILTINS.has(name), name);
      }
      assert.equal(env.constants.size, PREDEFINED_CONSTANTS.size);
      assert.ok(env.machineKeys.has('ram') && env.machineKeys.has('pagefile') && env.machineKeys.has('colors'));
    });

    it('inspection built-ins are marked free of side effects, memory and API calls are not', () => {
      for (const n of ['pte', 'pfn', 'vad', 'lists', 'counters', 'GetLastError', 'NT_SUCCESS']) assert.equal(BUILTINS.get(n)!.sideEffects, false, n);
      for (const n of ['read8', 'write8', 'touch', 'VirtualAlloc', 'tick', 'trim']) assert.equal(BUILTINS.get(n)!.sideEffects, true, n);
    });
  });

  describe('guest memory', () => {
    it('reads and writes little-endian values of every size', () => {
      assert.deepEqual(output(ALLOC + `
write64(p, 0x1122334455667788)
print read8(p), read16(p), read32(p), read64(p), read8(p + 7)
write16(p + 0x100, 0x12345)
print read16(p + 0x100), read8(p + 0x102)
write8(p, -1)
print read8(p)`), ['136 30600 0x55667788 0x1122334455667788 17', '9029 0', '255']);
    });

    it('multi-byte accesses may span two pages', () => {
      assert.deepEqual(output(ALLOC + `
write64(p + 0xffc, 0x0102030405060708)
print read64(p + 0xffc), read32(p + 0x1000), read32(p + 0xffc)`), ['0x102030405060708 0x1020304 0x5060708']);
    });

    it('a split store checks both pages before writing anything', () => {
      const r = runText(`let p = VirtualAlloc(0, 64K, MEM_RESERVE, PAGE_READWRITE)
VirtualAlloc(p, 4096, MEM_COMMIT, PAGE_READWRITE)
write32(p + 0xffc, 0x11111111)
expect STATUS_ACCESS_VIOLATION { write64(p + 0xffc, 0x2222222222222222) }
print read32(p + 0xffc)
write64(p + 0xffc, 1)`);
      assert.deepEqual(r.out, ['0x11111111']);
      assert.equal(r.result.error!.message, 'unhandled exception STATUS_ACCESS_VIOLATION (0xC0000005): write at 0x11000');
    });

    it('touch reads, writes (contents unchanged) or executes every page, and reports the faulting page', () => {
      assert.deepEqual(output(ALLOC + `
write8(p + 0x3000, 9)
print touch(p, 16K), touch(p + 1, 8K, "w"), read8(p + 0x3000), pte(p + 0x1000).dirty, pte(p + 0x2000).dirty
print faults().demandZero, touch(p, 0)`), ['4 3 9 true true', '4 0']);
      assert.equal(failure(ALLOC + 'touch(p, 128K)'), 't.vmm:2:1: unhandled exception STATUS_ACCESS_VIOLATION (0xC0000005): read at 0x20000');
      assert.equal(failure(ALLOC + 'touch(p, 4096, "x")'), 't.vmm:2:1: unhandled exception STATUS_ACCESS_VIOLATION (0xC0000005): execute at 0x10000');
    });

    it('fill, writeString and readString', () => {
      assert.deepEqual(output(ALLOC + `
fill(p + 0xff0, 0x20, 0x41)
print read8(p + 0xfef), read8(p + 0xff0), read8(p + 0x100f), read8(p + 0x1010)
writeString(p + 0xffe, "héllo")
print readString(p + 0xffe), readString(p + 0xffe, 3), read8(p + 0xffe + 6)`), ['0 65 65 0', 'héllo hé 0']);
    });

    it('guard pages raise STATUS_GUARD_PAGE_VIOLATION once', () => {
      assert.deepEqual(output(`let p = VirtualAlloc(0, 4096, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE | PAGE_GUARD)
expect STATUS_GUARD_PAGE_VIOLATION { read8(p) }
print read8(p)`), ['0']);
    });

    it('read-only and no-access pages, reserved pages, kernel addresses', () => {
      assert.deepEqual(output(`let p = VirtualAlloc(0, 64K, MEM_COMMIT | MEM_RESERVE, PAGE_READONLY)
print read8(p)
expect STATUS_ACCESS_VIOLATION { write8(p, 1) }
let r = VirtualAlloc(0, 64K, MEM_RESERVE, PAGE_READWRITE)
expect STATUS_ACCESS_VIOLATION { read8(r) }
expect STATUS_ACCESS_VIOLATION { read64(0xfffff68000000000) }
expect STATUS_ACCESS_VIOLATION { write8(-1, 0) }
print "ok"`), ['0', 'ok']);
    });
  });

  describe('inspection', () => {
    it('pte/pde/ppe/pxe records with the contract\'s fields', () => {
      assert.deepEqual(output(ALLOC + `
print pte(p).kind, pde(p).kind, pte(p).address
write8(p, 1)
let e = pte(p)
print e.kind, e.valid, e.write, e.dirty, e.accessed, e.nx, e.owner, e.pfn == translate(p) >> 12
print pde(p).kind, ppe(p).kind, pxe(p).kind, pxe(p).address
print pte(p + 0x1000).kind, pte(p + 0x1000).raw, pte(p + 0x1000).protection
VirtualFree(p + 0x2000, 4096, MEM_DECOMMIT)
print pte(p + 0x2000).kind`), [
        'absent absent 0xfffff68000000080',
        'valid true true true true true 1 true',
        'valid valid valid 0xfffff6fb7dbed000',
        'zero 0 0',
        'decommitted',
      ]);
    });

    it('pfn records, translate and wsContains', () => {
      const out = output(ALLOC + `
print translate(p), wsContains(p)
write8(p, 1)
let f = pfn(translate(p) >> 12)
print f.location, f.shareCount, f.referenceCount, f.pteAddress == pte(p).address, f.modified, f.priority, wsContains(p)
print translate(p + 0x123) & 0xfff`);
      assert.deepEqual(out, ['-1 false', 'Active 1 1 true true 5 true', '291']);
    });

    it('vad records (end is the last byte) and null outside any VAD', () => {
      assert.deepEqual(output(ALLOC + `
let v = vad(p + 0x5000)
print v.start == p, v.end == p + 64K - 1, v.size, v.protection, v.commitCharge, v.privateMemory, v.memCommit, v.type
print vad(0x1000)`), ['true true 0x10000 4 16 true true private', 'null']);
    });

    it('ws, lists, commit, counters, faults', () => {
      assert.deepEqual(output(ALLOC + `
let before = ws()
touch(p, 64K, "w")
let after = ws()
print after.size - before.size >= 16, after.peak >= after.size, after.minimum, after.maximum
let l = lists()
print l.standby == l.standbyByPriority[0] + l.standbyByPriority[1] + l.standbyByPriority[2] + l.standbyByPriority[3] + l.standbyByPriority[4] + l.standbyByPriority[5] + l.standbyByPriority[6] + l.standbyByPriority[7]
print commit().processCharge >= 16, commit().charge <= commit().limit
let c = counters()
print c.demandZeroFaults >= 16, c.availableBytes == l.available * 4096, c.commitLimit == commit().limit * 4096
print faults().demandZero, faults().total >= 16`), ['true true 50 345', 'true', 'true true', 'true true true', '16 true']);
    });

    it('ws(h) and faults(h) of another process', () => {
      assert.deepEqual(output(`let h = CreateProcess("other")
in h { let q = VirtualAlloc(0, 8K, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)
  touch(q, 8K) }
print faults(h).demandZero, faults().demandZero, ws(h).size > ws().size`), ['2 0 true']);
    });
  });

  describe('knobs', () => {
    it('tick and Sleep advance the simulated clock', () => {
      const r = runText('tick(250)\nSleep(1000)\nprint clock()');
      assert.deepEqual(r.out, ['1250']);
      assert.equal(r.run.machine.clockMs, 1250);
    });

    it('zeroFreePages moves the free list to the zeroed list', () => {
      assert.deepEqual(output('print zeroFreePages() >= 0, lists().free'), ['true 0']);
    });

    it('trim, writeModifiedPages and tick: a page goes Active → Modified → (write in flight) → Standby → back by a soft fault', () => {
      assert.deepEqual(output(ALLOC + `
touch(p, 64K, "w")
write8(p, 7)
let before = ws().size
print trim() >= 16, ws().size < before, pte(p).kind, lists().modified >= 16
let f = pte(p).pfn
print writeModifiedPages() >= 16, pfn(f).writeInProgress, pfn(f).location
tick(100)
print pfn(f).writeInProgress, pfn(f).location, lists().standby >= 16, counters().pagesWritten >= 16
print read8(p), faults().transition, pte(p).kind, pte(p).pfn == f
print trimAll() >= 0, balance() >= 0, clock()`), [
        'true true transition true',
        'true true Transition',
        'false Standby true true',
        '7 1 valid true',
        'true true 100',
      ]);
    });

    it('EmptyWorkingSet and NtCreatePagingFile', () => {
      assert.deepEqual(output(ALLOC + `
touch(p, 64K)
print EmptyWorkingSet(GetCurrentProcess()), wsContains(p)
let limit = commit().limit
print NtCreatePagingFile("D:/pagefile.sys", 16M, 32M).status, commit().limit - limit
print NtCreatePagingFile("", 16M, 32M).status == STATUS_OBJECT_NAME_INVALID`), ['true false', '0 4096', 'true']);
    });

    it('createFile is not supported yet', () => {
      assert.equal(failure('createFile("f", 4096)'), "t.vmm:1:1: 'createFile' is not supported yet (paging/sections land in a later version)");
    });
  });

  describe('Windows API', () => {
    it('VirtualAlloc / VirtualQuery / VirtualProtect / VirtualFree with last errors', () => {
      assert.deepEqual(output(`let p = VirtualAlloc(0, 100K, MEM_RESERVE, PAGE_READWRITE)
let q = VirtualAlloc(p + 0x1000, 8K, MEM_COMMIT, PAGE_READWRITE)
let m = VirtualQuery(q)
print q == p + 0x1000, m.BaseAddress == q, m.RegionSize, m.State == MEM_COMMIT, m.Protect == PAGE_READWRITE, m.Type == MEM_PRIVATE
print VirtualProtect(q, 4096, PAGE_READONLY) == PAGE_READWRITE, VirtualQuery(q).Protect == PAGE_READONLY
print VirtualAlloc(0, 4096, MEM_COMMIT, 0x12345), GetLastError() == ERROR_INVALID_PARAMETER, LastStatus() == STATUS_INVALID_PAGE_PROTECTION
print VirtualFree(p, 0, MEM_RELEASE), VirtualFree(p, 0, MEM_RELEASE), GetLastError() == ERROR_INVALID_ADDRESS, VirtualQuery(p).State == MEM_FREE
print VirtualQuery(0xffffffffffffffff), NT_SUCCESS(LastStatus()), NT_SUCCESS(0), NT_SUCCESS(0x40000000), NT_SUCCESS(STATUS_GUARD_PAGE_VIOLATION)`), [
        'true true 8192 true true true',
        'true true',
        '0 true true',
        'true false true true',
        '0 false true true false',
      ]);
    });

    it('native calls return { status, ...OUT parameters }', () => {
      assert.deepEqual(output(`let h = GetCurrentProcess()
let r = NtAllocateVirtualMemory(h, 0, 0, 5000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)
print r.status == STATUS_SUCCESS, r.size, r.base >= 0x10000
let pr = NtProtectVirtualMemory(h, r.base, 1, PAGE_NOACCESS)
print pr.status, pr.oldProtect == PAGE_READWRITE, pr.size
let qr = NtQueryVirtualMemory(h, r.base, MemoryBasicInformation)
print qr.status, qr.Protect == PAGE_NOACCESS, qr.returnLength
let bad = NtFreeVirtualMemory(h, r.base + 0x100000, 0, MEM_RELEASE)
print bad.status == STATUS_MEMORY_NOT_ALLOCATED || bad.status == STATUS_INVALID_PARAMETER || bad.status == STATUS_FREE_VM_NOT_AT_BASE, bad.status >= 0x80000000
let fr = NtFreeVirtualMemory(h, r.base, 0, MEM_RELEASE)
print fr.status, fr.size
print NtClose(0x1234).status == STATUS_INVALID_HANDLE`), [
        'true 8192 true', '0 true 4096', '0 true 48', 'true true', '0 8192', 'true',
      ]);
    });

    it('processes and handles: CreateProcess, ReadProcessMemory, WriteProcessMemory, CloseHandle', () => {
      assert.deepEqual(output(`let h = CreateProcess("target")
let p = VirtualAllocEx(h, 0, 64K, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)
print p > 0, VirtualQuery(p).State == MEM_FREE, VirtualQueryEx(h, p).State == MEM_COMMIT
let w = WriteProcessMemory(h, p + 8, 0x1122334455667788, 8)
print w, GetLastError() == 0 || true
let r = ReadProcessMemory(h, p + 8, 4)
print r.ok, r.bytesRead, r.value
in h { print read64(p + 8) }
let bad = ReadProcessMemory(h, 0x1000, 4)
print bad.ok, GetLastError() == ERROR_PARTIAL_COPY || GetLastError() == ERROR_NOACCESS
print CloseHandle(h), CloseHandle(h), GetLastError() == ERROR_INVALID_HANDLE`), [
        'true true true', 'true true', 'true 4 0x55667788', '0x1122334455667788', 'false true', 'true false true',
      ]);
    });

    it('VirtualLock / VirtualUnlock, NtLockVirtualMemory, working-set limits, NtRead/NtWriteVirtualMemory, query classes', () => {
      assert.deepEqual(output(ALLOC + `
print VirtualLock(p, 8K), wsContains(p), wsContains(p + 4096), wsContains(p + 8192)
print VirtualUnlock(p, 8K), VirtualUnlock(p, 8K), GetLastError() == ERROR_NOT_LOCKED
print NtLockVirtualMemory(GetCurrentProcess(), p, 100)
print SetProcessWorkingSetSize(GetCurrentProcess(), 1M, 4M), GetProcessWorkingSetSize(GetCurrentProcess())
print SetProcessWorkingSetSize(GetCurrentProcess(), 0, 4M), GetLastError() == ERROR_INVALID_PARAMETER
print NtWriteVirtualMemory(GetCurrentProcess(), p, 0x4142, 2), readString(p), NtReadVirtualMemory(GetCurrentProcess(), p, 2).value
let x = NtQueryVirtualMemory(GetCurrentProcess(), p, MemoryWorkingSetExInformation)
print x.status, x.WorkingSetExInfo[0].Valid, x.WorkingSetExInfo[0].Locked`), [
        'true true true false',
        'true false true',
        '{ status: 0, base: 0x10000, size: 4096 }',
        'true { min: 0x100000, max: 0x400000 }',
        'false true',
        '{ status: 0, bytesWritten: 2 } BA 16706',
        '0 1 1',
      ]);
    });

    it('GetSystemInfo and working-set sizes', () => {
      assert.deepEqual(output(`let si = GetSystemInfo()
print si.dwPageSize, si.dwAllocationGranularity, si.lpMinimumApplicationAddress, si.lpMaximumApplicationAddress
let s = GetProcessWorkingSetSize(GetCurrentProcess())
print s.min, s.max`), ['4096 0x10000 0x10000 0x7fffffeffff', '0x32000 0x159000']);
    });

    it('TerminateProcess of the current process is refused; another process is torn down', () => {
      assert.equal(failure('TerminateProcess(GetCurrentProcess())'), 't.vmm:1:1: a scenario cannot terminate the process it is running in');
      assert.deepEqual(output('let h = CreateProcess("x")\nprint TerminateProcess(h), TerminateProcess(h), LastStatus() == STATUS_PROCESS_IS_TERMINATING'), ['true false true']);
    });

    it('the machine stays consistent after a scenario exercising the API', () => {
      const r = runText(`let p = VirtualAlloc(0, 1M, MEM_RESERVE, PAGE_READWRITE)
VirtualAlloc(p, 256K, MEM_COMMIT, PAGE_READWRITE)
touch(p, 256K, "w")
VirtualFree(p + 64K, 64K, MEM_DECOMMIT)
VirtualProtect(p, 64K, PAGE_READONLY)
let h = CreateProcess("b")
in h { let q = VirtualAlloc(0, 64K, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)
  fill(q, 64K, 0xcc) }
VirtualFree(p, 0, MEM_RELEASE)`);
      assert.equal(r.result.reason, 'end', r.result.error?.text);
      assert.deepEqual(checkInvariants(r.run.machine), []);
    });
  });

  describe('machine block and overrides', () => {
    it('ram, pagefile and colors configure the machine; overrides win', () => {
      const s = createScenario('machine {\n  ram = 32M\n  pagefile = 0\n  colors = 16\n}\nprint 1', 'm.vmm');
      assert.ok(s.run);
      assert.equal(s.run.machine.config.ramBytes, 32 << 20);
      assert.equal(s.run.machine.config.pageFileBytes, 0);
      assert.equal(s.run.machine.config.colorMask, 15);
      assert.equal(s.run.currentProcess.name, 'main');
      const o = createScenario('machine { ram = 32M }', 'm.vmm', { ram: 8 << 20, pagefile: 4096n * 100n });
      assert.equal(o.run!.machine.config.ramBytes, 8 << 20);
      assert.equal(o.run!.machine.config.pageFileBytes, 409600);
      const d = createScenario('print 1', 'm.vmm');
      assert.equal(d.run!.machine.config.ramBytes, 512 << 20);
      assert.equal(d.run!.machine.config.pageFileBytes, 1 << 30);
    });

    it('bad machine values are diagnostics, not exceptions', () => {
      const s = createScenario('machine {\n  ram = 1K\n  colors = 3\n  pagefile = "x"\n}\n', 'm.vmm');
      assert.equal(s.run, undefined);
      assert.deepEqual(s.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.col}: ${d.message}`), [
        '2:9: ram must be between 1M and 16G, got 1024',
        '3:12: colors must be a power of two from 1 to 1024, got 3',
        "4:14: machine setting 'pagefile' must be a number, got a string",
      ]);
      const o = createScenario('print 1', 'm.vmm', { ram: 5 });
      assert.equal(o.run, undefined);
      assert.match(o.diagnostics[0].message, /^override: ram must be between 1M and 16G, got 5$/);
    });

    it('syntax and checker errors come back as diagnostics, with no run', () => {
      const s = createScenario('let p = VirtualAloc(0, 4096, MEM_COMMIT, PAGE_READWRITE)\nprint q', 'x.vmm');
      assert.equal(s.run, undefined);
      assert.deepEqual(s.diagnostics.map((d) => d.message), [
        "unknown function 'VirtualAloc' (did you mean 'VirtualAlloc'?)",
        "unknown variable 'q'",
      ]);
    });
  });
});
