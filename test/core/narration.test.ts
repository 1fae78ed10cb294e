import { strict as assert } from 'node:assert';
import { Access } from '../../src/core/faultHandler';
import { Actor } from '../../src/core/journal';
import { Machine } from '../../src/core/machine';
import { deleteEmptyTables, freePte, writeDemandZeroPtes } from '../../src/core/memoryOps';
import { bitChanges, describeEntry, entryTarget, narrateAll, Narrator } from '../../src/core/narration';
import { P, ACCESSED } from '../../src/core/pte';
import { trimWorkingSetEntry } from '../../src/core/workingSetOps';
import { insertVad, removeVad } from '../../src/core/api/vadOps';
import { runModifiedPageWriter } from '../../src/core/modifiedPageWriter';
import { tick } from '../../src/core/paging';
import { trimWorkingSet } from '../../src/core/workingSetManager';
import { makeVad } from '../../src/core/vad';
import { privateVad, smallMachine } from '../helpers';

/** A machine with process 'main' whose creation has been narrated already; `next()` narrates what happened since. */
function setup(): { m: Machine; next: (caller?: string) => string[] } {
  const m = smallMachine();
  m.createProcess('main');
  const n = new Narrator(m);
  let from = m.journal.nextSeq;
  const next = (caller?: string): string[] => {
    const lines = n.lines(from, undefined, caller === undefined ? {} : { caller });
    from = m.journal.nextSeq;
    return lines;
  };
  return { m, next };
}

describe('narration', () => {
  it('process creation is one line, then the switch to its address space', () => {
    const m = smallMachine();
    m.createProcess('main');
    assert.deepEqual(narrateAll(m), [
      "process 'main' created (PID 256, CR3 0x41000): 5 pages for its PML4, hyperspace and working-set list",
      "switched to process 'main' (CR3 0x41000): TLB flushed",
    ]);
  });

  it('a first touch is one line: the paging structures built, the page, the PTE, the working set', () => {
    const { m, next } = setup();
    privateVad(m, m.current, 0x1f0000, 16, 4);
    assert.deepEqual(next(), ['commit charge 0 → 16 pages (main 0 → 16)']);
    m.mmu.translate(0x1f0000, Access.Write);
    assert.deepEqual(next(), [
      'write to 0x1f0000: demand-zero fault, built PDPT (PFN 0x47), PD (PFN 0x48), PT (PFN 0x49), PFN 0x4a taken from the Zeroed list, '
        + 'PTE 0xfffff680`00000f80 = 0x809000000004a867 (valid), working set +5',
    ]);
    m.mmu.translate(0x1f1000, Access.Read);
    assert.deepEqual(next(), [
      'read from 0x1f1000: demand-zero fault, PFN 0x4b taken from the Zeroed list, PTE 0xfffff680`00000f88 = 0x80a000000004b867 (valid), working set +1',
    ]);
    // a TLB hit or a valid walk is no event at all
    m.mmu.translate(0x1f1000, Access.Read);
    assert.deepEqual(next(), []);
  });

  it('access violations say why: reserved, free, read-only, decommitted, NX, no access', () => {
    const { m, next } = setup();
    const p = m.current;
    privateVad(m, p, 0x400000, 4, 4, false);
    m.mmu.translate(0x400000, Access.Read);
    assert.deepEqual(next(), ['read from 0x400000: access violation: the address is reserved, not committed']);
    m.mmu.translate(0x7000000, Access.Write);
    assert.deepEqual(next(), ['write to 0x7000000: access violation: the address is free (no VAD)']);

    // the read-only first-touch double fault: mapped by the first fault, refused by the second
    privateVad(m, p, 0x500000, 1, 1);
    next();
    m.mmu.translate(0x500000, Access.Write);
    assert.deepEqual(next(), [
      'write to 0x500000: demand-zero fault, built PDPT (PFN 0x47), PD (PFN 0x48), PT (PFN 0x49), PFN 0x4a taken from the Zeroed list, '
        + 'PTE 0xfffff680`00002800 = 0x809000000004a025 (valid), working set +5',
      'write to 0x500000: access violation: the page is read-only',
    ]);

    privateVad(m, p, 0x1f0000, 2, 4);
    m.mmu.touch(0x1f0000, 0x2000, Access.Read);
    next();
    m.journal.as(Actor.Api, () => freePte(m, p, 0x1f0, 0x200));
    assert.deepEqual(next('VirtualFree'), [
      'PTE of 0x1f0000: 0x80b000000004c867 → 0x200 (decommitted) by VirtualFree',
      'PFN 0x4c: Active → Free list by VirtualFree',
      'working set -1',
    ]);
    m.mmu.translate(0x1f0000, Access.Read);
    assert.deepEqual(next(), ['read from 0x1f0000: access violation: the page is decommitted']);
    m.mmu.translate(0x1f1000, Access.Execute);
    assert.deepEqual(next(), ['execute at 0x1f1000: access violation: the page is not executable (NX)']);

    privateVad(m, p, 0x600000, 1, 0x18);
    next();
    m.mmu.translate(0x600000, Access.Read);
    assert.deepEqual(next(), ['read from 0x600000: access violation: the page is PAGE_NOACCESS, built PT (PFN 0x4e), working set +1']);
  });

  it('a guard page: the guard bit goes, the exception is raised, the next touch maps the page', () => {
    const { m, next } = setup();
    privateVad(m, m.current, 0x600000, 1, 0x14);
    next();
    m.mmu.translate(0x600000, Access.Read);
    assert.deepEqual(next(), [
      'read from 0x600000: guard page: its guard bit is cleared and STATUS_GUARD_PAGE_VIOLATION raised, '
        + 'built PDPT (PFN 0x47), PD (PFN 0x48), PT (PFN 0x49), PTE 0xfffff680`00003000 = 0x80 (demand-zero), working set +4',
    ]);
    m.mmu.translate(0x600000, Access.Read);
    assert.deepEqual(next(), [
      'read from 0x600000: demand-zero fault, PFN 0x4a taken from the Zeroed list, PTE 0xfffff680`00003000 = 0x809000000004a867 (valid), working set +1',
    ]);
  });

  it('API work is summarised: PTE ranges, list moves, working set, commit', () => {
    const { m, next } = setup();
    const p = m.current;
    privateVad(m, p, 0x1f0000, 4, 4);
    m.mmu.touch(0x1f0000, 0x4000, Access.Write);
    next();
    m.journal.as(Actor.Api, () => {
      for (let s = 0x1f0; s < 0x1f4; s++) freePte(m, p, s, 0x200);
      m.returnCommit(p, 4);
    });
    assert.deepEqual(next('VirtualFree'), [
      'PTEs of 0x1f0000-0x1f3fff (4 pages): valid → 0x200 (decommitted) by VirtualFree',
      '4 pages (PFN 0x4a, 0x4b, 0x4c, 0x4d): Active → Free list by VirtualFree',
      'working set -4',
      'commit charge 4 → 0 pages (main 4 → 0)',
    ]);
    // non-contiguous pages are listed as ranges
    m.journal.as(Actor.Api, () => {
      for (const s of [0x1f0, 0x1f2]) freePte(m, p, s, 0);
    });
    assert.deepEqual(next(), ['PTEs of 0x1f0000, 0x1f2000 (2 pages): 0x200 → 0 (zero) by an API call']);
  });

  it('paging structures an API call builds or deletes are one line each', () => {
    const { m, next } = setup();
    const p = m.current;
    privateVad(m, p, 0x10000, 16, 4, false);
    next();
    m.journal.as(Actor.Api, () => writeDemandZeroPtes(m, p, 0x10, 0x12, 4));
    assert.deepEqual(next('VirtualAlloc'), [
      'built PDPT (PFN 0x47), PD (PFN 0x48), PT (PFN 0x49) for 0x0-0x1fffff by VirtualAlloc',
      'PTEs of 0x10000-0x12fff (3 pages): 0 → 0x80 (demand-zero) by VirtualAlloc',
      'working set +4',
    ]);
    m.journal.as(Actor.Api, () => {
      for (let s = 0x10; s <= 0x12; s++) freePte(m, p, s, 0);
      deleteEmptyTables(m, p, 0x10);
    });
    assert.deepEqual(next('VirtualFree'), [
      'PTEs of 0x10000-0x12fff (3 pages): 0x80 → 0 (zero) by VirtualFree',
      'deleted PT (PFN 0x49), PD (PFN 0x48), PDPT (PFN 0x47) for 0x0-0x1fffff by VirtualFree',
      '3 pages (PFN 0x49, 0x48, 0x47): Active → Free list by VirtualFree',
      'working set -3',
    ]);
  });

  it('VAD events, as the API layer journals them', () => {
    const { m, next } = setup();
    const p = m.current;
    m.journal.as(Actor.Api, () => insertVad(m, p, makeVad({ startVpn: 0x530, endVpn: 0x852f, protection: 4 })));
    assert.deepEqual(next('VirtualAlloc'), ['VAD 0x530000-0x852ffff reserved (private, PAGE_READWRITE) by VirtualAlloc']);
    m.journal.as(Actor.Api, () => removeVad(m, p, p.vads.findContaining(0x530)!));
    assert.deepEqual(next('VirtualFree'), ['VAD 0x530000-0x852ffff released by VirtualFree']);
  });

  it('a trim: the PTE goes to transition and the dirty page to the Modified list', () => {
    const { m, next } = setup();
    const p = m.current;
    privateVad(m, p, 0x1f0000, 1, 4);
    const pa = m.mmu.translate(0x1f0000, Access.Write);
    next();
    assert.ok(trimWorkingSetEntry(m, p, m.pfn.u1[Math.floor(pa / 4096)]));
    assert.deepEqual(next(), [
      'PTE of 0x1f0000: 0x809000000004a867 → 0x809000000004a886 (transition) by working-set trim',
      'PFN 0x4a: Active → Modified list by working-set trim',
      'working set -1',
    ]);
  });

  it('paging: trim, soft fault, modified page writer, dirty-bit fault', () => {
    const { m, next } = setup();
    const p = m.current;
    privateVad(m, p, 0x100000, 4, 4);
    for (let i = 0; i < 4; i++) m.mmu.translate(0x100000 + i * 4096, Access.Write);
    next();
    trimWorkingSet(m, p);
    assert.deepEqual(next(), [
      'PTEs of 0x100000-0x103fff (4 pages): valid → transition by working-set trim',
      '4 pages (PFN 0x4a, 0x4b, 0x4c, 0x4d): Active → Modified list by working-set trim',
      'working set -4',
    ]);
    m.mmu.translate(0x100000, Access.Read);
    assert.deepEqual(next(), [
      'read from 0x100000: soft fault (the page was still in memory), PFN 0x4a taken back from the Modified list, '
        + 'PTE 0xfffff680`00000800 = 0x80c000000004a867 (valid), working set +1',
    ]);
    runModifiedPageWriter(m);
    assert.deepEqual(next(), ['3 pages (PFN 0x4b, 0x4c, 0x4d) taken off the Modified list to be written to the paging file by the modified page writer']);
    tick(m, 100);
    assert.deepEqual(next(), [
      'time 0 → 9 ms',
      '3 pages (PFN 0x4b, 0x4c, 0x4d): Modified → Standby list by the modified page writer',
      'time 9 → 100 ms',
    ]);
    m.mmu.translate(0x101000, Access.Read);
    assert.deepEqual(next(), [
      'read from 0x101000: soft fault (the page was still in memory), PFN 0x4b taken back from the Standby list, '
        + 'PTE 0xfffff680`00000808 = 0x80b000000004b825 (valid), working set +1',
    ]);
    m.mmu.translate(0x101000, Access.Write);
    assert.deepEqual(next(), [
      'write to 0x101000: dirty-bit fault: the clean page becomes dirty, its paging-file copy is released, PTE 0xfffff680`00000808 = 0x80b000000004b867 (valid)',
    ]);
  });

  it('paging: memory pressure, repurposed standby pages and a clustered hard fault', () => {
    const m = new Machine({ ramBytes: 1 << 20, pageFileBytes: 4 << 20 });
    const p = m.createProcess('main');
    privateVad(m, p, 0x100000, 512, 4);
    const n = new Narrator(m);
    let from = m.journal.nextSeq;
    for (let i = 0; i < 400; i++) assert.ok(m.mmu.translate(0x100000 + i * 4096, Access.Write) >= 0);
    const lines = n.lines(from);
    from = m.journal.nextSeq;
    const waits = lines.filter((l) => l.includes('no free page'));
    assert.ok(waits.length > 0);
    assert.match(waits[0], /^write to 0x[0-9a-f]+: no free page: waited \(\d+ pages trimmed from working sets, \d+ pages written to the paging file\), the access is retried, waited \d+ ms, working set -\d+$/);
    assert.ok(lines.some((l) => /demand-zero fault, PFN 0x[0-9a-f]+ repurposed from the Standby list/.test(l)));
    m.mmu.translate(0x100000, Access.Read);
    const hard = n.lines(from);
    assert.equal(hard.length, 1);
    assert.match(hard[0], /^read from 0x100000: hard fault: read \d+ pages from the paging file \(\d+ prefetched to the Standby list\), PFN 0x[0-9a-f]+ (taken from|repurposed from) the \w+ list, PTE 0xfffff680`00000800 = 0x[0-9a-f]+ \(valid\), waited \d+ ms, working set \+1$/);
  });

  it('the CPU setting the accessed bit is narrated as a bit change', () => {
    const { m, next } = setup();
    const p = m.current;
    privateVad(m, p, 0x1f0000, 1, 4);
    m.mmu.translate(0x1f0000, Access.Read);
    const table = m.paging.tableOf(p, 0x1f0, 1);
    const lo = m.paging.readLo(table, 0x1f0);
    m.paging.writeEntry(p, table, 0x1f0, 0x1f0, (lo & ~ACCESSED) >>> 0, m.paging.readHi(table, 0x1f0));
    next();
    m.mmu.translate(0x1f0000, Access.Read);
    assert.deepEqual(next(), ['PTE of 0x1f0000: +Accessed by the CPU']);
  });

  it('lines of another process carry its name', () => {
    const { m, next } = setup();
    const q = m.createProcess('child');
    assert.deepEqual(next(), ["process 'child' created (PID 260, CR3 0x81000): 5 pages for its PML4, hyperspace and working-set list"]);
    m.switchTo(q);
    privateVad(m, q, 0x10000, 1, 4);
    m.mmu.translate(0x10000, Access.Write);
    assert.deepEqual(next(), [
      "switched to process 'child' (CR3 0x81000): TLB flushed",
      'commit charge 0 → 1 page (child 0 → 1)',
      '[child] write to 0x10000: demand-zero fault, built PDPT (PFN 0x47), PD (PFN 0x48), PT (PFN 0x49), PFN 0x4a taken from the Zeroed list, '
        + 'PTE 0xfffff680`00000080 = 0x809000000004a867 (valid), working set +5',
    ]);
  });

  it('a fault is narrated once, whole, by the range that holds its end', () => {
    const { m, next } = setup();
    const p = m.current;
    privateVad(m, p, 0x1f0000, 1, 4);
    next();
    const n = new Narrator(m);
    const begin = m.journal.nextSeq;
    m.faults.begin(p, 0x1f0000, Access.Read, true);
    for (let i = 0; i < 6; i++) m.faults.step();
    const middle = m.journal.nextSeq;
    assert.deepEqual(n.lines(begin, middle), [], 'in progress: nothing yet');
    while (m.faults.active) m.faults.step();
    const whole = n.lines(middle);
    assert.equal(whole.length, 1);
    assert.match(whole[0], /^read from 0x1f0000: demand-zero fault, built PDPT/);
    assert.deepEqual(n.lines(begin), whole);
  });

  it('a fault nested in a suspended one gets its own line, before the outer one', () => {
    const { m, next } = setup();
    const p = m.current;
    privateVad(m, p, 0x1f0000, 1, 4);
    privateVad(m, p, 0x400000, 1, 4);
    next();
    m.faults.begin(p, 0x1f0000, Access.Read, true);
    for (let i = 0; i < 6; i++) m.faults.step();
    m.faults.run(p, 0x400000, Access.Write, true); // e.g. a debug-console read while paused
    while (m.faults.active) m.faults.step();
    const lines = next();
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^write to 0x400000: demand-zero fault, /);
    assert.match(lines[1], /^read from 0x1f0000: demand-zero fault, /);
  });

  it('narration is deterministic: two identical machines tell the same story', () => {
    const story = (): string[] => {
      const m = smallMachine();
      const p = m.createProcess('main');
      privateVad(m, p, 0x200000, 8, 4);
      m.mmu.touch(0x200000, 0x8000, Access.Write);
      m.journal.as(Actor.Api, () => freePte(m, p, 0x203, 0x200));
      return narrateAll(m);
    };
    assert.deepEqual(story(), story());
    assert.equal(story().length, 2 + 1 + 8 + 3);
  });

  describe('helpers', () => {
    it('entryTarget finds the level and the range of a self-map slot', () => {
      assert.deepEqual(entryTarget(0x1f0), { level: 1, slot: 0x1f0 });
      const pdeSlot = 0x1ed * 2 ** 27 + Math.floor(0x1f0 / 512);
      assert.deepEqual(entryTarget(pdeSlot), { level: 2, slot: 0 });
      const ppeSlot = 0x1ed * 2 ** 27 + Math.floor(pdeSlot / 512);
      assert.deepEqual(entryTarget(ppeSlot), { level: 3, slot: 0 });
      const pxeSlot = 0x1ed * 2 ** 27 + Math.floor(ppeSlot / 512);
      assert.deepEqual(entryTarget(pxeSlot), { level: 4, slot: 0 });
      assert.deepEqual(entryTarget(0x1ed * 2 ** 27 + Math.floor(0x3fffffff / 512)), { level: 2, slot: Math.floor(0x3fffffff / 512) * 512 });
    });

    it('describeEntry and bitChanges', () => {
      assert.equal(describeEntry(0, 0), '0 (zero)');
      assert.equal(describeEntry(0x80, 0), '0x80 (demand-zero)');
      assert.equal(describeEntry(0x200, 0), '0x200 (decommitted)');
      assert.equal(describeEntry(0x4a867, 0x80900000), '0x809000000004a867 (valid)');
      assert.equal(bitChanges(0x4a847 | P, 0, 0x4a867, 0x80000000), '+Accessed +NoExecute');
      assert.equal(bitChanges(0x4a867, 0, 0x4b867, 0), 'PFN 0x4b');
    });
  });
});
