import { strict as assert } from 'node:assert';
import {
  classify, decodePte, demandZeroLo, hiOf, loOf, pfnHi, pfnLo, protoVadLo, PROTO_VAD_HI, pteFlagLetters, ptePfn, softwareWsIndex, toBig,
} from '../../src/core/pte';

const split = (v: bigint): [number, number] => [loOf(v), hiOf(v)];

describe('PTE formats (book-B §8, book-C §1)', () => {
  it('demand-zero software PTEs are protection << 5 (O-22: 0xC0, 0x60, 0x80, 0x20, 0x180, 0x380)', () => {
    assert.deepEqual([6, 3, 4, 1, 0xc, 0x1c].map(demandZeroLo), [0xc0, 0x60, 0x80, 0x20, 0x180, 0x380]);
    assert.equal(classify(0x80, 0), 'demandZero');
    assert.equal(decodePte(0x80, 0).protection, 4);
  });

  it('0x200 is the decommitted marker (O-20)', () => {
    assert.equal(classify(0x200, 0), 'decommitted');
    assert.equal(decodePte(0x200, 0).protection, 0x10);
  });

  it('0 is a zero PTE', () => assert.equal(classify(0, 0), 'zero'));

  it('decodes the valid PTE 0x9F40000034CAB867 (book-A §5.7): PFN, WS index 0x1F4, NX', () => {
    const [lo, hi] = split(0x9f40000034cab867n);
    const d = decodePte(lo, hi);
    assert.equal(d.kind, 'valid');
    assert.equal(d.pfn, 0x34cab);
    assert.equal(d.softwareWsIndex, 0x1f4);
    assert.equal(d.nx, true);
    assert.equal(d.write, true);
    assert.equal(d.dirty, true);
    assert.equal(d.softwareWrite, true);
    assert.equal(pteFlagLetters(lo, hi), '---DA--UW-V');
  });

  it('decodes the read-only PTE 0x9770000000D5E025 (book-B O1): no R/W, no dirty, no Write', () => {
    const [lo, hi] = split(0x9770000000d5e025n);
    const d = decodePte(lo, hi);
    assert.equal(d.pfn, 0xd5e);
    assert.equal(d.write, false);
    assert.equal(d.dirty, false);
    assert.equal(d.softwareWrite, false);
    assert.equal(softwareWsIndex(hi), 0x177);
  });

  it('clean writable page ...825 vs dirty ...867 (book-C §1.1)', () => {
    const [lo] = split(0xdc800000105fd825n);
    assert.equal(lo & 0xfff, 0x825);
    assert.equal(decodePte(lo, 0).write, false);
    assert.equal(decodePte(lo, 0).softwareWrite, true);
    assert.equal(decodePte(0x867, 0).write, true);
  });

  it('the auto-entry 0x1AB3D863 is kernel-owned (book-A §5.7)', () => {
    const d = decodePte(0x1ab3d863, 0);
    assert.equal(d.owner, 0);
    assert.equal(d.pfn, 0x1ab3d);
    assert.equal(pteFlagLetters(0x1ab3d863, 0), '---DA--KWEV');
  });

  it('transition PTE 0x84A000000CA23886: PFN 0xCA23, protection 4 (book-B §8.4)', () => {
    const [lo, hi] = split(0x84a000000ca23886n);
    const d = decodePte(lo, hi);
    assert.equal(d.kind, 'transition');
    assert.equal(d.pfn, 0xca23);
    assert.equal(d.protection, 4);
    assert.equal(d.write, true);
  });

  it('paging-file PTE 0x00005E3E00000082: file 1, offset 0x5E3E, protection 4 (book-C §1.2)', () => {
    const [lo, hi] = split(0x00005e3e00000082n);
    const d = decodePte(lo, hi);
    assert.equal(d.kind, 'pagefile');
    assert.equal(d.pageFileNumber, 1);
    assert.equal(d.pageFileOffset, 0x5e3e);
    assert.equal(d.protection, 4);
    assert.equal(classify(loOf(0x0003100600000080n), hiOf(0x0003100600000080n)), 'pagefile');
  });

  it('proto-pointer with the VAD marker is 0xFFFFFFFF00000480 for RW (book-C §1.4)', () => {
    assert.equal(toBig(protoVadLo(4), PROTO_VAD_HI), 0xffffffff00000480n);
    const d = decodePte(protoVadLo(4), PROTO_VAD_HI, true);
    assert.equal(d.kind, 'prototype');
    assert.equal(d.viaVad, true);
    assert.equal(d.protection, 4);
  });

  it('the same bits in a prototype slot are a subsection pointer (0xFA8002899D9004C0)', () => {
    const [lo, hi] = split(0xfa8002899d9004c0n);
    const d = decodePte(lo, hi, false);
    assert.equal(d.kind, 'subsection');
    assert.equal(d.subsectionAddress, 0xfffffa8002899d90n);
    assert.equal(d.protection, 6);
  });

  it('PFN packing round-trips across the 32-bit boundary', () => {
    for (const pfn of [0, 1, 0xfffff, 0x100000, 0x34cab, 0xfffffffff]) {
      assert.equal(ptePfn(pfnLo(pfn), pfnHi(pfn)), pfn);
    }
  });
});
