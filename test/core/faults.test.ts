import { strict as assert } from 'node:assert';
import { Access } from '../../src/core/faultHandler';
import { Step } from '../../src/core/faultSteps';
import { entryInfo, listCounts, pfnInfo, translateQuiet } from '../../src/core/inspection';
import { EventKind } from '../../src/core/journal';
import { slotOfVa, PXE_SELFMAP } from '../../src/core/addresses';
import { writeDemandZeroPtes } from '../../src/core/memoryOps';
import { STATUS_ACCESS_VIOLATION, STATUS_GUARD_PAGE_VIOLATION, STATUS_PAGE_FAULT_DEMAND_ZERO } from '../../src/core/status';
import { assertInvariants, privateVad, smallMachine } from '../helpers';

const pteOf = (m: ReturnType<typeof smallMachine>, va: number) => entryInfo(m, m.current, va / 4096, 1);

describe('demand-zero faults (book-B §7)', () => {
  it('O3 a first touch of committed RW memory: PTE ...867 with NX and WS index, _MMPFN as the book lists', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0xc0000, 1, 4);
    assert.equal(pteOf(m, 0xc0000).kind, 'absent');
    const colorBefore = p.nextPageColor;
    const pa = m.mmu.translate(0xc0000, Access.Read); // even a read yields a dirty page
    assert.ok(pa > 0);
    const pte = pteOf(m, 0xc0000);
    assert.equal(pte.address, 0xfffff68000000600n);
    assert.equal(Number(pte.raw & 0xfffn), 0x867);
    assert.equal(pte.raw >> 63n, 1n);
    const pfn = Number(pte.decoded!.pfn);
    const info = pfnInfo(m, pfn);
    assert.equal(info.location, 'Active');
    assert.equal(info.shareCount, 1);
    assert.equal(info.referenceCount, 1);
    assert.equal(info.originalPte, 0x80n);
    assert.equal(info.pteAddress, 0xfffff68000000600n);
    assert.equal(info.priority, 5);
    assert.equal(info.modified, true);
    assert.equal(info.cacheAttribute, 1);
    assert.equal(Number((pte.raw >> 52n) & 0x7ffn), info.wsIndex & 0x7ff);
    // PteFrame is the PT named by the PDE
    const pde = entryInfo(m, p, 0xc0, 2);
    assert.equal(info.pteFrame, Number(pde.decoded!.pfn));
    // the WSLE: VPN, Valid, Direct (O-36)
    assert.equal(p.wsl.value(info.wsIndex), 0xc0009n);
    // colour: consecutive per address space (O-15)
    assert.equal(info.color, p.nextPageColor & m.pfn.colorMask);
    assert.ok(p.nextPageColor > colorBefore);
    assert.equal(m.faults.ctx.status, STATUS_PAGE_FAULT_DEMAND_ZERO);
    assertInvariants(m);
  });

  it('O-35 the new PDPT, PD and PT join the working set with Valid|Direct', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0x7fffffd0000, 16, 4);
    m.mmu.translate(0x7fffffdf000, Access.Write);
    const vas: bigint[] = [];
    for (let i = 5; i <= p.wsl.lastEntry; i++) if (p.wsl.isValid(i)) vas.push(p.wsl.value(i));
    for (const want of [0xfffff6fb7da0f009n, 0xfffff6fb41fff009n, 0xfffff683fffff009n]) assert.ok(vas.includes(want), `${want.toString(16)} in ${vas.map((v) => v.toString(16))}`);
    assertInvariants(m);
  });

  it('O-15 consecutive faults get consecutive colours', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0x100000, 8, 4);
    m.mmu.translate(0x100000, Access.Write);
    const colors: number[] = [];
    for (let i = 1; i < 8; i++) {
      m.mmu.translate(0x100000 + i * 4096, Access.Write);
      colors.push(pfnInfo(m, translateQuiet(m, p, 0x100000 + i * 4096) >> 12).color);
    }
    for (let i = 1; i < colors.length; i++) assert.equal(colors[i], (colors[i - 1] + 1) & 0x3f);
  });

  it('O1 write to a never-touched read-only page: mapped by the first fault, access violation on the second', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0xc0000, 1, 1);
    const from = m.journal.nextSeq;
    assert.equal(m.mmu.translate(0xc0000, Access.Write), -1);
    assert.equal(m.mmu.lastFault.status, STATUS_ACCESS_VIOLATION);
    const ends = [...m.journal.since(from)].filter((e) => e.kind === EventKind.FaultEnd).map((e) => e.newLo >>> 0);
    assert.deepEqual(ends, [STATUS_PAGE_FAULT_DEMAND_ZERO, STATUS_ACCESS_VIOLATION]);
    const pte = pteOf(m, 0xc0000);
    assert.equal(pte.kind, 'valid'); // the page stays mapped
    assert.equal(Number(pte.raw & 0xfffn), 0x025);
    assert.equal(pte.raw >> 63n, 1n);
    assertInvariants(m);
  });

  it('O2 write to a read-only page whose PTE holds the protection: AV on the first fault, nothing mapped', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0x200000, 4, 4, false);
    writeDemandZeroPtes(m, p, 0x200, 0x200, 1);
    const before = listCounts(m).zeroed;
    assert.equal(m.mmu.translate(0x200000, Access.Write), -1);
    assert.equal(m.mmu.lastFault.status, STATUS_ACCESS_VIOLATION);
    assert.equal(pteOf(m, 0x200000).raw, 0x20n);
    assert.equal(listCounts(m).zeroed, before);
  });

  it('O2 variant: execute from a RW page with a non-zero PTE maps it first, then faults', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0x200000, 1, 4, false);
    writeDemandZeroPtes(m, p, 0x200, 0x200, 4);
    assert.equal(m.mmu.translate(0x200000, Access.Execute), -1);
    assert.equal(pteOf(m, 0x200000).kind, 'valid');
  });

  it('O-17 partial commit writes 0x80 into a new page table whose other 511 PTEs are 0', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0x530000, 0x8000, 4, false);
    writeDemandZeroPtes(m, p, 0x852f, 0x852f, 4);
    const pte = pteOf(m, 0x852f000);
    assert.equal(pte.address, 0xfffff68000042978n);
    assert.equal(pte.raw, 0x80n);
    let nonzero = 0;
    for (let i = 0; i < 512; i++) if (m.paging.readLo(pte.tablePfn, i) !== 0) nonzero++;
    assert.equal(nonzero, 1);
    assert.equal(m.pfn.usedPageTableEntries[pte.tablePfn], 1);
    // touching an uncommitted page of the range is an access violation
    assert.equal(m.mmu.translate(0x852e000, Access.Read), -1);
    assert.equal(m.mmu.lastFault.status, STATUS_ACCESS_VIOLATION);
    assert.ok(m.mmu.translate(0x852f000, Access.Write) > 0);
    assertInvariants(m);
  });

  it('reserved-only and free addresses raise access violations every time', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0x400000, 4, 4, false);
    for (let i = 0; i < 3; i++) {
      assert.equal(m.mmu.translate(0x400000, Access.Read), -1);
      assert.equal(m.mmu.translate(0x900000, Access.Read), -1);
    }
    assert.equal(m.mmu.lastFault.status, STATUS_ACCESS_VIOLATION);
  });

  it('O17 guard page: the first touch raises STATUS_GUARD_PAGE_VIOLATION and clears the guard bit; the second maps', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0x300000, 1, 4, false);
    writeDemandZeroPtes(m, p, 0x300, 0x300, 0x14); // RW | guard
    assert.equal(pteOf(m, 0x300000).raw, 0x280n);
    assert.equal(m.mmu.translate(0x300000, Access.Read), -1);
    assert.equal(m.mmu.lastFault.status, STATUS_GUARD_PAGE_VIOLATION);
    assert.equal(pteOf(m, 0x300000).raw, 0x80n);
    assert.ok(m.mmu.translate(0x300000, Access.Read) > 0);
    assertInvariants(m);
  });

  it('guard page committed as a whole (PTE 0): the guard still fires once', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0x300000, 1, 0x14, true);
    assert.equal(m.mmu.translate(0x300000, Access.Write), -1);
    assert.equal(m.mmu.lastFault.status, STATUS_GUARD_PAGE_VIOLATION);
    assert.ok(m.mmu.translate(0x300000, Access.Write) > 0);
  });

  it('read-only guard page: a write is an access violation and keeps the guard (api #59)', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0x300000, 1, 4, false);
    writeDemandZeroPtes(m, p, 0x300, 0x300, 0x11);
    assert.equal(m.mmu.translate(0x300000, Access.Write), -1);
    assert.equal(m.mmu.lastFault.status, STATUS_ACCESS_VIOLATION);
    assert.equal(pteOf(m, 0x300000).raw, 0x220n);
    assert.equal(m.mmu.translate(0x300000, Access.Read), -1);
    assert.equal(m.mmu.lastFault.status, STATUS_GUARD_PAGE_VIOLATION);
  });

  it('NX: executing a RW page is an access violation; PAGE_EXECUTE is readable but not writable (O-23)', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0x500000, 1, 4);
    privateVad(m, p, 0x510000, 1, 2);
    assert.equal(m.mmu.translate(0x500000, Access.Execute), -1);
    assert.ok(m.mmu.translate(0x510000, Access.Read) > 0);
    assert.ok(m.mmu.translate(0x510000, Access.Execute) > 0);
    assert.equal(m.mmu.read8(0x510000), 0);
    assert.equal(m.mmu.translate(0x510000, Access.Write), -1);
  });

  it('O-18 cache types: NOCACHE sets PCD and CacheAttribute 0; WRITECOMBINE sets PWT and CacheAttribute 2', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0x600000, 1, 0x0c);
    privateVad(m, p, 0x610000, 1, 0x1c);
    m.mmu.translate(0x600000, Access.Write);
    m.mmu.translate(0x610000, Access.Write);
    const nc = pteOf(m, 0x600000);
    const wc = pteOf(m, 0x610000);
    assert.equal(nc.decoded!.cacheDisable, true);
    assert.equal(wc.decoded!.writeThrough, true);
    assert.equal(pfnInfo(m, Number(nc.decoded!.pfn)).cacheAttribute, 0);
    assert.equal(pfnInfo(m, Number(wc.decoded!.pfn)).cacheAttribute, 2);
  });

  it('O-09 / O-06 non-canonical and self-map addresses from user mode are access violations, and change nothing', () => {
    const m = smallMachine();
    m.createProcess('main');
    const seq = m.journal.nextSeq;
    assert.equal(m.mmu.translate(0x800000000000, Access.Read), -1);
    assert.equal(m.mmu.translate(Number(0xfffff68000000e00n), Access.Read), -1);
    assert.equal(m.mmu.lastFault.status, STATUS_ACCESS_VIOLATION);
    assert.equal(m.journal.nextSeq, seq);
  });

  it('a fault can be stepped one named step at a time and ends in the same state as run()', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0x800000, 1, 4);
    const ctx = m.faults.begin(p, 0x800000, Access.Write, true);
    const steps: Step[] = [];
    while (m.faults.active) {
      steps.push(ctx.step);
      m.faults.step();
    }
    assert.equal(ctx.status, STATUS_PAGE_FAULT_DEMAND_ZERO);
    assert.ok(steps.includes(Step.DzTakePage) && steps.includes(Step.WsleTake) && steps.includes(Step.DzWritePte));
    // three paging structures were built on the way down, then the leaf
    assert.equal(steps.filter((s) => s === Step.DzWritePte).length, 4);
    assert.equal(pteOf(m, 0x800000).kind, 'valid');
    assertInvariants(m);
  });
});

describe('process creation (book-A §12.5, O-04, O-10, O-31)', () => {
  it('O-31 the five fixed working-set entries', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => p.wsl.value(i)), [
      0xfffff6fb7dbed009n, 0xfffff6fb7dbee009n, 0xfffff6fb7dc00049n, 0xfffff6fb80008409n, 0xfffff70001080009n,
    ]);
    assert.equal(p.wsl.firstDynamic, 5);
    assert.equal(p.wsl.lastInitializedWsle, 0x16e); // O-34, N = 1
    assertInvariants(m);
  });

  it('O-04 the auto-entry holds the PML4 PFN, kernel-owned, and differs between processes', () => {
    const m = smallMachine();
    const a = m.createProcess('a');
    const b = m.createProcess('b');
    const autoA = m.paging.readLo(a.pml4Pfn, 0x1ed);
    const autoB = m.paging.readLo(b.pml4Pfn, 0x1ed);
    assert.equal(autoA & 0xfff, 0x863);
    assert.equal(autoA >>> 12, a.pml4Pfn);
    assert.notEqual(autoA, autoB);
    assert.equal(m.pfn.pteSlot[a.pml4Pfn], slotOfVa(PXE_SELFMAP));
    assert.equal(m.pfn.pteFrame[a.pml4Pfn], a.pml4Pfn);
  });

  it('O-10 / O-11 PML4 entries 0x1ED-0x1FF are set; the shared ones are identical across processes', () => {
    const m = smallMachine();
    const a = m.createProcess('a');
    const b = m.createProcess('b');
    let used = 0;
    for (let i = 0x100; i < 0x200; i++) if (m.paging.readLo(a.pml4Pfn, i) !== 0) used++;
    assert.equal(used, 19);
    for (let i = 0x1ef; i < 0x200; i++) assert.equal(m.paging.readLo(a.pml4Pfn, i), m.paging.readLo(b.pml4Pfn, i));
    assert.notEqual(m.paging.readLo(a.pml4Pfn, 0x1ee), m.paging.readLo(b.pml4Pfn, 0x1ee));
  });

  it('O-29 the UMPB page appears on the first user page table, with the bit of that table set', () => {
    const m = smallMachine();
    const p = m.createProcess('main');
    privateVad(m, p, 0x7ffe0000, 1, 4);
    m.mmu.translate(0x7ffe0000, Access.Read);
    const ptIndex = Math.floor(0x7ffe0000 / 0x200000); // 0x3FF
    assert.ok(p.umpb.has(ptIndex));
    assert.equal(p.wsl.value(5) & ~0xfffn, 0xfffff70001000000n);
    const umpbPfn = translateQuietKernel(m, p, 0xfffff70001000000n);
    assert.equal(m.phys.readByte(umpbPfn, 0x7f), 0x80); // byte 0x7F bit 7
    assertInvariants(m);
  });
});

function translateQuietKernel(m: ReturnType<typeof smallMachine>, p: { pml4Pfn: number }, va: bigint): number {
  const e = entryInfo(m, p as never, slotOfVa(va), 1);
  return Number(e.decoded!.pfn);
}
