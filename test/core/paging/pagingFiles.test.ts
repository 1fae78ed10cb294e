import { strict as assert } from 'node:assert';
import { Machine } from '../../../src/core/machine';
import { createPagingFile, runModifiedPageWriter, trimWorkingSet } from '../../../src/core/paging';
import { MAX_PAGING_FILES, PagingFile } from '../../../src/core/pagingFile';
import { STATUS_SHARING_VIOLATION } from '../../../src/core/pager';
import { CommitCounter, EventKind } from '../../../src/core/journal';
import { decodePte } from '../../../src/core/pte';
import {
  STATUS_INVALID_PARAMETER_2, STATUS_INVALID_PARAMETER_3, STATUS_OBJECT_NAME_INVALID, STATUS_SUCCESS, STATUS_TOO_MANY_PAGING_FILES,
} from '../../../src/core/status';
import { MB, assertClean, commit, info, pfnOf, pte, read, setup, swapOut, write } from './helpers';

describe('paging: paging files (NtCreatePagingFile, api-spec §6.16; book-C §6.4)', () => {
  it('the first paging file comes from MachineConfig.pageFileBytes; 0 means none; the commit limit is RAM + its size', () => {
    const m = new Machine({ ramBytes: 16 * MB, pageFileBytes: 64 * MB });
    const f = m.pager.files[0]!;
    assert.deepEqual([f.number, f.size, f.minimumSize, f.maximumSize, f.freeSpace], [0, 16384, 16384, 16384, 16383]);
    assert.equal(m.commit.limit, m.pfn.count - m.bootPages + 16384);
    const none = new Machine({ ramBytes: 16 * MB, pageFileBytes: 0 });
    assert.equal(none.pager.fileCount, 0);
    assert.equal(none.commit.limit, none.pfn.count - none.bootPages);
  });

  it('O-H1 commit limit = usable physical pages + paging-file pages (130,942 + 1 GB = 393,086; 229,246 + 1 GB = 491,390)', () => {
    for (const [usable, limit] of [[130942, 393086], [229246, 491390]]) {
      const probe = new Machine({ ramBytes: 16 * MB, pageFileBytes: 0 });
      const m = new Machine({ ramBytes: (usable + probe.bootPages) * 4096, pageFileBytes: 1024 * MB });
      assert.equal(m.commit.limit, limit);
    }
  });

  it('NtCreatePagingFile status codes: sizes, 17th file, names; success raises the commit limit by the minimum size', () => {
    const { m } = setup();
    const limit = m.commit.limit;
    assert.equal(createPagingFile(m, 'E:\\pagefile.sys', 0xfffff, 2 * MB), STATUS_INVALID_PARAMETER_2);
    assert.equal(createPagingFile(m, 'E:\\pagefile.sys', 2 * MB, MB), STATUS_INVALID_PARAMETER_3);
    assert.equal(createPagingFile(m, 'E:\\pagefile.sys', 2 * MB, 2 ** 45), STATUS_INVALID_PARAMETER_3);
    assert.equal(createPagingFile(m, 'E:\\pagefile.sys', 2 ** 45, 2 ** 45), STATUS_INVALID_PARAMETER_2);
    assert.equal(createPagingFile(m, '', 2 * MB, 2 * MB), STATUS_OBJECT_NAME_INVALID);
    assert.equal(createPagingFile(m, '\\??\\C:\\PAGEFILE.SYS', 2 * MB, 2 * MB), STATUS_SHARING_VIOLATION);
    assert.equal(m.commit.limit, limit);
    const from = m.journal.nextSeq;
    assert.equal(createPagingFile(m, 'E:\\pagefile.sys', 2 * MB + 1, 8 * MB), STATUS_SUCCESS); // rounded up to pages
    assert.equal(m.pager.files[1]!.size, 513);
    assert.equal(m.commit.limit, limit + 513);
    assert.ok([...m.journal.since(from)].some((e) => e.kind === EventKind.Commit && e.sub === CommitCounter.Limit));
    for (let i = 2; i < MAX_PAGING_FILES; i++) assert.equal(createPagingFile(m, `F${i}:\\p.sys`, MB, MB), STATUS_SUCCESS);
    assert.equal(m.pager.fileCount, 16);
    assert.equal(createPagingFile(m, 'Z:\\p.sys', MB, MB), STATUS_TOO_MANY_PAGING_FILES);
  });

  it('page 0 of a file is never used (PageFileHigh 0 = no copy); runs are contiguous first-fit from the hint; freed pages are reused', () => {
    const f = new PagingFile(3, 'x', 300, 300);
    assert.equal(f.isAllocated(0), true);
    assert.equal(f.allocateRun(4), 1);
    assert.equal(f.allocateRun(2), 5);
    f.release(2);
    assert.equal(f.allocateRun(2), 7);
    assert.equal(f.allocateRun(300), -1);
    assert.deepEqual([...f.allocatedOffsets()], [1, 3, 4, 5, 6, 7, 8]);
    assert.equal(f.inUse, 8);
    f.hint = 299;
    assert.equal(f.allocateRun(1), 299);
    assert.equal(f.allocateRun(1), 2); // wrapped, first fit
  });

  it('the writer spreads requests round robin over the paging files; PageFileLow names the file', () => {
    const { m, p } = setup();
    assert.equal(createPagingFile(m, 'E:\\pagefile.sys', 16 * MB, 16 * MB), STATUS_SUCCESS);
    commit(m, p, 0x200000, 2);
    commit(m, p, 0x400000, 2);
    write(m, p, 0x200000, 1);
    write(m, p, 0x400000, 2);
    trimWorkingSet(m, p);
    runModifiedPageWriter(m);
    const files = [0x200000, 0x400000].map((va) => Number((info(m, pfnOf(m, p, va)).originalPte >> 1n) & 0xfn));
    assert.deepEqual(files, [0, 1]);
    m.tick(100);
    swapOut(m, p, 0x400000, 1, 9, false);
    const v = pte(m, p, 0x400000)!;
    const d = decodePte(Number(v & 0xffffffffn), Number(v >> 32n));
    assert.deepEqual([d.kind, d.pageFileNumber, d.protection], ['pagefile', 1, 4]);
    assert.equal(read(m, p, 0x400000), 2);
    assertClean(m);
  });

  it('a paging file grows towards its maximum when full; the commit limit follows', () => {
    const { m, p } = setup({ pageFileBytes: MB, pageFileMaxBytes: 8 * MB });
    const f = m.pager.files[0]!;
    const limit = m.commit.limit;
    commit(m, p, 0x200000, 400);
    for (let k = 0; k < 400; k++) write(m, p, 0x200000 + k * 4096, 1);
    trimWorkingSet(m, p);
    runModifiedPageWriter(m);
    assert.ok(f.size > 256);
    assert.equal(m.commit.limit, limit + (f.size - 256));
    assert.ok(m.pager.stats.pagingFileGrowths > 0);
    m.tick(1000);
    assert.equal(m.pfn.modifiedTotal, 0);
    assertClean(m);
  });

  it('a full paging file that cannot grow: the writer stops, pages stay Modified, nothing is lost', () => {
    const { m, p } = setup({ pageFileBytes: MB });
    commit(m, p, 0x200000, 400);
    for (let k = 0; k < 400; k++) write(m, p, 0x200000 + k * 4096, k & 0xff);
    trimWorkingSet(m, p);
    runModifiedPageWriter(m);
    m.tick(1000);
    assert.equal(m.pager.files[0]!.freeSpace, 0);
    assert.equal(m.pfn.modifiedTotal, 400 - 255);
    for (let k = 0; k < 400; k++) assert.equal(read(m, p, 0x200000 + k * 4096), k & 0xff);
    assertClean(m);
  });

  it('contents are stored sparsely: only pages written with data hold host memory', () => {
    const { m, p } = setup();
    commit(m, p, 0x200000, 8);
    for (let k = 0; k < 8; k++) read(m, p, 0x200000 + k * 4096); // zero pages
    write(m, p, 0x200000 + 3 * 4096, 1);
    trimWorkingSet(m, p);
    runModifiedPageWriter(m);
    const f = m.pager.files[0]!;
    assert.equal(f.inUse - 1, 8);
    assert.equal(f.store.residentPages, 1);
  });
});
