// Tests for NULL-base address selection: ZeroBits translation and top address, the bottom-up and
// top-down hole search, and the UMAB bitmap (its bit layout, the explorer.exe bytes, and that a
// bitmap-driven search answers exactly like the tree-driven one and like a brute-force model).

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  allocateTopAddress,
  findFreeRange,
  MM_HIGHEST_VAD_ADDRESS,
  rawTopAddress,
  topAddressFor,
  translateZeroBits,
  UserAddressBitmap,
} from '../../src/core/addressSelection';
import { makeVad, VadTree } from '../../src/core/vad';

const GRAN = 0x10000;
const hex = (x: number | undefined): string => (x === undefined ? 'undefined' : '0x' + x.toString(16));

function zb(raw: bigint): number {
  const r = translateZeroBits(raw);
  assert.ok(r.ok, `ZeroBits ${raw} should be accepted`);
  return r.zeroBits;
}

/** Reserves like NtAllocateVirtualMemory with a NULL base: find, insert, mark the bitmap. */
function reserve(
  tree: VadTree,
  bitmap: UserAddressBitmap | undefined,
  size: number,
  topDown = false,
  topAddress = MM_HIGHEST_VAD_ADDRESS,
): number | undefined {
  const start = findFreeRange(tree, size, { topDown, topAddress, bitmap });
  if (start === undefined) return undefined;
  const end = start + size - 1;
  tree.insert(makeVad({ startVpn: start / 0x1000, endVpn: Math.floor(end / 0x1000) }));
  bitmap?.setRange(start, end);
  return start;
}

function insertVa(tree: VadTree, startVa: number, endVa: number, bitmap?: UserAddressBitmap): void {
  tree.insert(makeVad({ startVpn: Math.floor(startVa / 0x1000), endVpn: Math.floor(endVa / 0x1000) }));
  bitmap?.setRange(startVa, endVa);
}

describe('core/addressSelection', () => {
  describe('ZeroBits translation', () => {
    it('0 means no constraint', () => {
      assert.deepEqual(translateZeroBits(0n), { ok: true, zeroBits: 0 });
    });

    it('counts 1..21 are counted from bit 31 (+32)', () => {
      for (let c = 1; c <= 21; c++) assert.deepEqual(translateZeroBits(BigInt(c)), { ok: true, zeroBits: c + 32 });
    });

    it('API-33 counts 22..31 are rejected (translated value above 53)', () => {
      for (let c = 22; c <= 31; c++) assert.deepEqual(translateZeroBits(BigInt(c)), { ok: false }, `count ${c}`);
    });

    it('values >= 32 are masks: 63 - index of the highest set bit', () => {
      assert.equal(zb(0x7fffffffn), 33, 'same as count 1');
      assert.equal(zb(0xffffffffn), 32);
      assert.equal(zb(0x400n), 53);
      assert.equal(zb(0x7ffn), 53);
      assert.equal(zb(0x7ffffffffffn), 21);
      assert.equal(zb(0x8000000000000000n), 0);
      assert.equal(zb(0xffffffffffffffffn), 0);
      assert.equal(zb(-1n), 0, 'ULONG_PTR: read modulo 2^64');
      assert.deepEqual(translateZeroBits(0x3ffn), { ok: false });
      assert.deepEqual(translateZeroBits(32n), { ok: false }, 'bit 5 -> 58');
    });

    it('top address: 0xFFFFFFFF`FFFFFFFF >> ZeroBits, capped at 0x7FFFFFDFFFF', () => {
      assert.equal(topAddressFor(0), MM_HIGHEST_VAD_ADDRESS);
      assert.equal(topAddressFor(0), 0x7fffffdffff);
      assert.equal(topAddressFor(zb(1n)), 0x7fffffff);
      assert.equal(topAddressFor(zb(15n)), 0x1ffff);
      assert.equal(topAddressFor(zb(16n)), 0xffff);
      assert.equal(topAddressFor(zb(21n)), 0x7ff);
      assert.equal(topAddressFor(zb(0xffffffffn)), 0xffffffff);
      assert.equal(topAddressFor(21), MM_HIGHEST_VAD_ADDRESS, '0x7FFFFFFFFFF is capped');
      assert.equal(topAddressFor(1), MM_HIGHEST_VAD_ADDRESS);
      assert.equal(rawTopAddress(21), 0x7ffffffffffn);
      assert.equal(rawTopAddress(0), 0xffffffffffffffffn);
      assert.throws(() => topAddressFor(64), RangeError);
    });

    it('allocate rejects a non-zero ZeroBits whose top address exceeds 0x7FFFFFDFFFF', () => {
      assert.deepEqual(allocateTopAddress(0), { ok: true, topAddress: MM_HIGHEST_VAD_ADDRESS });
      assert.deepEqual(allocateTopAddress(zb(1n)), { ok: true, topAddress: 0x7fffffff });
      assert.deepEqual(allocateTopAddress(zb(0x7ffffffffffn)), { ok: false });
      assert.deepEqual(allocateTopAddress(zb(0xfffffffffffn)), { ok: false });
      assert.deepEqual(allocateTopAddress(zb(0x3ffffffffffn)), { ok: true, topAddress: 0x3ffffffffff });
    });
  });

  describe('findFreeRange on the VAD tree', () => {
    it('API-34 empty space: bottom-up gives 0x10000, top-down 0x1000 bytes gives 0x7FFFFFD0000', () => {
      const t = new VadTree();
      const top = topAddressFor(0);
      assert.equal(findFreeRange(t, 0x1000, { topDown: false, topAddress: top }), 0x10000);
      assert.equal(findFreeRange(t, 0x1000, { topDown: true, topAddress: top }), 0x7fffffd0000);
      const tt = reserve(t, undefined, 0x1000, true)!;
      const u = reserve(t, undefined, 0x1000, false)!;
      assert.equal(tt, 0x7fffffd0000);
      assert.equal(u, 0x10000);
      assert.ok(tt > u);
      assert.ok(tt + 0xfff <= 0x7fffffdffff);
    });

    it('API-33 ZeroBits 1 keeps the range below 2 GB, both ways', () => {
      const t = new VadTree();
      const top = topAddressFor(zb(1n));
      const up = findFreeRange(t, 0x1000, { topDown: false, topAddress: top })!;
      const down = findFreeRange(t, 0x1000, { topDown: true, topAddress: top })!;
      assert.equal(up, 0x10000);
      assert.equal(down, 0x7fff0000);
      assert.ok(down + 0xfff <= 0x7fffffff);
    });

    it('API-33 ZeroBits 15 limits to 0x1FFFF; ZeroBits 16..21 leave nothing (STATUS_NO_MEMORY)', () => {
      const t = new VadTree();
      const top15 = topAddressFor(zb(15n));
      assert.equal(findFreeRange(t, 0x1000, { topDown: false, topAddress: top15 }), 0x10000);
      assert.equal(findFreeRange(t, 0x10000, { topDown: true, topAddress: top15 }), 0x10000);
      assert.equal(findFreeRange(t, 0x11000, { topDown: false, topAddress: top15 }), undefined);
      reserve(t, undefined, 0x1000, false, top15);
      assert.equal(findFreeRange(t, 0x1000, { topDown: false, topAddress: top15 }), undefined, 'the only granule is used');
      for (let c = 16n; c <= 21n; c++) {
        const empty = new VadTree();
        assert.equal(findFreeRange(empty, 0x1000, { topDown: false, topAddress: topAddressFor(zb(c)) }), undefined);
        assert.equal(findFreeRange(empty, 0x1000, { topDown: true, topAddress: topAddressFor(zb(c)) }), undefined);
      }
    });

    it('API-32 no hole of 0x7FFFFFC0000 bytes once 0x50000000 is used', () => {
      const t = new VadTree();
      insertVa(t, 0x50000000, 0x5000ffff);
      const top = topAddressFor(0);
      assert.equal(findFreeRange(t, 0x7fffffc0000, { topDown: false, topAddress: top }), undefined);
      assert.equal(findFreeRange(t, 0x7fffffc0000, { topDown: true, topAddress: top }), undefined);
      assert.equal(findFreeRange(new VadTree(), 0x7fffffc0000, { topDown: false, topAddress: top }), 0x10000);
    });

    it('O-25 two 1-page reservations land on different 64 KB granules; sizes stay page-granular', () => {
      for (const topDown of [false, true]) {
        const t = new VadTree();
        const a = reserve(t, undefined, 0x1000, topDown)!;
        const b = reserve(t, undefined, 0x1000, topDown)!;
        assert.equal(a % GRAN, 0);
        assert.equal(b % GRAN, 0);
        assert.notEqual(Math.floor(a / GRAN), Math.floor(b / GRAN));
        assert.ok(b >= a + GRAN || b + GRAN <= a, 'the second does not use the first one\'s granule');
        const va = t.findContaining(a / 0x1000)!;
        assert.equal(va.endVpn, va.startVpn, 'EndingVpn reflects one page, not 64 KB');
        assert.equal(t.findContaining(a / 0x1000 + 1), undefined, 'the granule tail stays free');
      }
    });

    it('skips gaps that are too small and granule tails', () => {
      const t = new VadTree();
      insertVa(t, 0x10000, 0x10fff); // 1 page: tail 0x11000-0x1FFFF unusable
      insertVa(t, 0x30000, 0x30fff);
      const top = topAddressFor(0);
      assert.equal(findFreeRange(t, 0x1000, { topDown: false, topAddress: top }), 0x20000);
      assert.equal(findFreeRange(t, 0x10000, { topDown: false, topAddress: top }), 0x20000);
      assert.equal(findFreeRange(t, 0x11000, { topDown: false, topAddress: top }), 0x40000, 'two granules do not fit at 0x20000');
    });

    it('top-down steps below VADs near the top', () => {
      const t = new VadTree();
      insertVa(t, 0x7fffffd0000, 0x7fffffd0fff);
      insertVa(t, 0x7fffffb8000, 0x7fffffc1fff); // touches granules ..B0000 .. ..C0000
      const top = topAddressFor(0);
      assert.equal(findFreeRange(t, 0x1000, { topDown: true, topAddress: top }), 0x7fffffa0000);
      assert.equal(findFreeRange(t, 0x20000, { topDown: true, topAddress: top }), 0x7fffff90000);
    });

    it('a VAD starting inside a granule (left by a split) makes the whole granule busy', () => {
      const t = new VadTree();
      insertVa(t, 0x32000, 0x32fff);
      const top = topAddressFor(0);
      assert.equal(findFreeRange(t, 0x20000, { topDown: false, topAddress: top }), 0x10000);
      assert.equal(findFreeRange(t, 0x21000, { topDown: false, topAddress: top }), 0x40000);
    });

    it('2 MB alignment for large pages', () => {
      const t = new VadTree();
      const top = topAddressFor(0);
      assert.equal(findFreeRange(t, 0x200000, { topDown: false, topAddress: top, alignment: 0x200000 }), 0x200000);
      assert.equal(findFreeRange(t, 0x200000, { topDown: true, topAddress: top, alignment: 0x200000 }), 0x7ffffc00000);
      insertVa(t, 0x210000, 0x210fff);
      assert.equal(findFreeRange(t, 0x200000, { topDown: false, topAddress: top, alignment: 0x200000 }), 0x400000);
    });

    it('rejects bad sizes and alignments', () => {
      const t = new VadTree();
      assert.throws(() => findFreeRange(t, 0, { topDown: false, topAddress: MM_HIGHEST_VAD_ADDRESS }), RangeError);
      assert.throws(() => findFreeRange(t, 0x1000, { topDown: false, topAddress: MM_HIGHEST_VAD_ADDRESS, alignment: 0x3000 }), RangeError);
    });
  });

  describe('UMAB', () => {
    it('O-26 geometry: 0x8000 bits in one page, LastVadBit 0x7FFF, covering VA below 2 GB', () => {
      const bm = new UserAddressBitmap();
      assert.equal(bm.sizeInBits, 0x8000);
      assert.equal(bm.lastVadBit, 0x7fff);
      assert.equal(bm.sizeInBytes, 0x1000);
      assert.equal(bm.limitVa, 0x80000000);
      assert.equal(bm.limitVa - 1, 0x8000 * 0x10000 - 1);
    });

    it('bit n is bit (n & 7) of byte n >> 3', () => {
      const bm = new UserAddressBitmap();
      bm.setRange(0x10000, 0x10000); // block 1
      assert.equal(bm.byteAt(0), 0x02);
      bm.setRange(0, 0xffff); // block 0
      assert.equal(bm.byteAt(0), 0x03);
      bm.setRange(0x7fff0000, 0x7fffffff); // last block
      assert.equal(bm.byteAt(0xfff), 0x80);
      assert.ok(bm.isSet(0x7fff));
      assert.equal(bm.isSet(0x8000), false, 'beyond LastVadBit');
      bm.clearRange(0, 0x1ffff);
      assert.equal(bm.byteAt(0), 0);
      assert.throws(() => bm.byteAt(0x1000), RangeError);
    });

    it('O-27 UMAB bits follow VADs: explorer.exe bytes +0x80 = 0xF0 and +0x81 = 0xF1', () => {
      const t = new VadTree();
      t.insert(makeVad({ startVpn: 0x4040, endVpn: 0x4087, commitCharge: 72 }));
      t.insert(makeVad({ startVpn: 0x40c0, endVpn: 0x40c0, kind: 'mapped' }));
      t.insert(makeVad({ startVpn: 0x40d0, endVpn: 0x40d0 }));
      t.insert(makeVad({ startVpn: 0x40e0, endVpn: 0x40e0 }));
      t.insert(makeVad({ startVpn: 0x40f0, endVpn: 0x40f0 })); // the listing goes on ("...")
      const bm = UserAddressBitmap.fromTree(t);
      assert.equal(bm.byteAt(0x80), 0xf0);
      assert.equal(bm.byteAt(0x81), 0xf1);
      // 0x4088000-0x408FFFF is unused but shares block 0x408 with the first VAD: one bit for both.
      assert.ok(bm.isSet(0x408));
      for (const b of [0x409, 0x40a, 0x40b]) assert.equal(bm.isSet(b), false);
      // Setting bits VAD by VAD (as reserves happen) gives the same buffer.
      const incremental = new UserAddressBitmap();
      for (const v of t.inOrder()) incremental.setRange(v.startVpn * 0x1000, v.endVpn * 0x1000 + 0xfff);
      assert.deepEqual(incremental.copyBytes(), bm.copyBytes());
    });

    it('O-27 a bit is set iff some VAD overlaps its block, through reserves, splits and releases', () => {
      const t = new VadTree();
      const bm = new UserAddressBitmap();
      const addrs: number[] = [];
      for (const size of [0x1000, 0x3000, 0x10000, 0x11000, 0x1000, 0x25000]) addrs.push(reserve(t, bm, size)!);
      // split the 0x3000 one by releasing its middle page, then release the 0x10000 one entirely
      const split = t.findContaining(addrs[1] / 0x1000)!;
      t.resize(split, split.startVpn, split.startVpn);
      t.insert(makeVad({ startVpn: split.startVpn + 2, endVpn: split.startVpn + 2 }));
      bm.refresh(t, addrs[1] + 0x1000, addrs[1] + 0x1fff);
      const whole = t.findContaining(addrs[2] / 0x1000)!;
      t.remove(whole);
      bm.refresh(t, addrs[2], addrs[2] + 0xffff);
      for (let b = 0; b < 0x20; b++) {
        const busy = t.findOverlapping(b * 16, b * 16 + 15) !== undefined;
        assert.equal(bm.isSet(b), busy, `block ${hex(b)}`);
      }
      assert.ok(bm.isSet(addrs[1] / GRAN), 'split granule still used by both halves');
      assert.equal(bm.isSet(addrs[2] / GRAN), false, 'released granule is clear');
      assert.equal(reserve(t, bm, 0x1000), addrs[2], 'and is handed out again');
    });

    it('O-28 allocations above 2 GB leave the UMAB alone', () => {
      const t = new VadTree();
      const bm = new UserAddressBitmap();
      const hi = reserve(t, bm, 0x1000, true)!;
      assert.ok(hi >= 0x80000000);
      insertVa(t, 0x13f540000, 0x13f5b8fff, bm); // the MemTests image
      insertVa(t, 0x7fefd190000, 0x7fefd1fafff, bm); // a system DLL in the 7-8 TB area
      assert.ok(bm.copyBytes().every((x) => x === 0));
      // A range straddling 2 GB only has bits for its part below: blocks 0x7FEF..0x7FFF.
      insertVa(t, 0x7fef0000, 0x8000ffff, bm);
      const changed = [...bm.copyBytes()].map((x, i) => (x !== 0 ? i : -1)).filter((i) => i >= 0);
      assert.deepEqual(changed, [0xffd, 0xffe, 0xfff]);
      assert.equal(bm.byteAt(0xffd), 0x80);
      assert.equal(bm.byteAt(0xffe), 0xff);
      assert.equal(bm.byteAt(0xfff), 0xff);
    });
  });

  describe('bitmap search and tree search agree', () => {
    type Query = { sizePages: number; topDown: boolean; top: number; align: number };
    type Step =
      | { op: 'vad'; area: number; offset: number; pages: number }
      | { op: 'alloc'; q: Query }
      | { op: 'free'; pick: number }
      | { op: 'query'; q: Query };

    // Areas where VADs are dropped at random VPNs: low, around 2 GB, near the top of user space.
    const AREAS = [0x10, 0x7ff00, 0x7ffffe00];
    const TOPS = [MM_HIGHEST_VAD_ADDRESS, 0x7fffffff, 0x800fffff, 0x80ffffff, 0x1ffffff, 0xfffff];

    const queryArb: fc.Arbitrary<Query> = fc.record({
      sizePages: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 0x900 })),
      topDown: fc.boolean(),
      top: fc.constantFrom(...TOPS),
      align: fc.constantFrom(0x10000, 0x10000, 0x200000),
    });
    const stepArb: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        op: fc.constant('vad' as const),
        area: fc.integer({ min: 0, max: AREAS.length - 1 }),
        offset: fc.integer({ min: 0, max: 0x1d0 }),
        pages: fc.integer({ min: 1, max: 0x30 }),
      }),
      fc.record({ op: fc.constant('alloc' as const), q: queryArb }),
      fc.record({ op: fc.constant('free' as const), pick: fc.nat() }),
      fc.record({ op: fc.constant('query' as const), q: queryArb }),
    );

    /** Independent model: try the few starts that can be optimal and keep the best valid one. */
    function modelFind(spans: Array<[number, number]>, size: number, topDown: boolean, top: number, align: number): number | undefined {
      const g = (va: number): number => Math.floor(va / GRAN);
      const valid = (s: number): boolean =>
        s >= 0x10000 &&
        s + size - 1 <= top &&
        spans.every(([a, b]) => g(a) > g(s + size - 1) || g(b) < g(s));
      const cands = topDown
        ? [top - size + 1, ...spans.map(([a]) => g(a) * GRAN - size)].map((x) => Math.floor(x / align) * align)
        : [0x10000, ...spans.map(([, b]) => (g(b) + 1) * GRAN)].map((x) => Math.ceil(x / align) * align);
      const ok = cands.filter(valid);
      if (ok.length === 0) return undefined;
      return topDown ? Math.max(...ok) : Math.min(...ok);
    }

    it('bitmap-backed, tree-only and brute-force model give the same start', () => {
      fc.assert(
        fc.property(fc.array(stepArb, { minLength: 1, maxLength: 40 }), (steps) => {
          const t = new VadTree();
          const bm = new UserAddressBitmap();
          const check = (q: Query): number | undefined => {
            const size = q.sizePages * 0x1000;
            const opts = { topDown: q.topDown, topAddress: q.top, alignment: q.align };
            const viaTree = findFreeRange(t, size, opts);
            const viaBitmap = findFreeRange(t, size, { ...opts, bitmap: bm });
            const spans: Array<[number, number]> = [...t.inOrder()].map((v) => [v.startVpn * 0x1000, v.endVpn * 0x1000 + 0xfff]);
            const model = modelFind(spans, size, q.topDown, q.top, q.align);
            assert.equal(hex(viaBitmap), hex(viaTree), `bitmap vs tree for ${JSON.stringify(q)}`);
            assert.equal(hex(viaTree), hex(model), `tree vs model for ${JSON.stringify(q)}`);
            return viaTree;
          };
          for (const s of steps) {
            if (s.op === 'vad') {
              const startVpn = AREAS[s.area] + s.offset;
              const endVpn = Math.min(startVpn + s.pages - 1, 0x7fffffdf);
              if (t.findOverlapping(startVpn, endVpn) === undefined) insertVa(t, startVpn * 0x1000, endVpn * 0x1000 + 0xfff, bm);
            } else if (s.op === 'alloc') {
              const start = check(s.q);
              if (start !== undefined) insertVa(t, start, start + s.q.sizePages * 0x1000 - 1, bm);
            } else if (s.op === 'free') {
              if (t.size === 0) continue;
              const all = [...t.inOrder()];
              const v = all[s.pick % all.length];
              t.remove(v);
              bm.refresh(t, v.startVpn * 0x1000, v.endVpn * 0x1000 + 0xfff);
            } else {
              check(s.q);
            }
          }
          // The bitmap still mirrors the tree (O-27).
          assert.deepEqual(bm.copyBytes(), UserAddressBitmap.fromTree(t).copyBytes());
        }),
        { seed: 42, numRuns: 200 },
      );
    });
  });
});
