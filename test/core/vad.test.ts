// Tests for the VAD tree: AVL shape and links after random edits (checked against a sorted-array
// model), the lookups the fault path and allocator use, in-place resizing, and the packing of the
// _MMVAD_FLAGS / _MMVAD_FLAGS3 words.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { makeVad, vadFlags3Word, vadFlagsWord, VadTree, type Vad } from '../../src/core/vad';

const hex = (x: number): string => '0x' + x.toString(16);

function treeOf(ranges: Array<[number, number]>): VadTree {
  const t = new VadTree();
  for (const [s, e] of ranges) t.insert(makeVad({ startVpn: s, endVpn: e }));
  return t;
}

function spans(t: VadTree): Array<[number, number]> {
  return [...t.inOrder()].map((v) => [v.startVpn, v.endVpn]);
}

// The MemTests.exe `!vad` listing: start VPN, end VPN, commit, kind.
const MEMTESTS: Array<[number, number, number, 'private' | 'mapped' | 'image']> = [
  [0x10, 0x1f, 0, 'mapped'],
  [0x20, 0x2f, 0, 'mapped'],
  [0x30, 0x33, 0, 'mapped'],
  [0x40, 0x40, 1, 'private'],
  [0x50, 0xb6, 0, 'mapped'],
  [0xc0, 0x1bf, 32, 'private'],
  [0x1e0, 0x2df, 7, 'private'],
  [0x410, 0x50f, 41, 'private'],
  [0x660, 0x66f, 10, 'private'],
  [0x670, 0xa6f, 1024, 'private'],
  [0x77020, 0x7713e, 4, 'image'],
  [0x77140, 0x772ea, 12, 'image'],
  [0x7efe0, 0x7f0df, 0, 'mapped'],
  [0x7f0e0, 0x7ffdf, 0, 'private'],
  [0x7ffe0, 0x7ffef, -1, 'private'],
  [0x13f540, 0x13f5b8, 5, 'image'],
  [0x7fefd190, 0x7fefd1fa, 3, 'image'],
  [0x7feff460, 0x7feff460, 0, 'image'],
  [0x7fffffb0, 0x7fffffd2, 0, 'mapped'],
  [0x7fffffdd, 0x7fffffde, 2, 'private'],
  [0x7fffffdf, 0x7fffffdf, 1, 'private'],
];

describe('core/vad', () => {
  describe('makeVad', () => {
    it('fills defaults for a private read/write reservation', () => {
      const v = makeVad({ startVpn: 0x530, endVpn: 0x852f });
      assert.equal(v.protection, 4);
      assert.equal(v.allocationProtect, 0x04);
      assert.equal(v.commitCharge, 0);
      assert.equal(v.memCommit, false);
      assert.equal(v.privateMemory, true);
      assert.equal(v.kind, 'private');
      assert.equal(v.preferredNode, 0);
      assert.equal(v.allocationBase, 0x530);
      assert.equal(v.parent, undefined);
      assert.equal(v.left, undefined);
      assert.equal(v.right, undefined);
      assert.equal(v.balance, 0);
    });

    it('mapped and image VADs are not private by default', () => {
      assert.equal(makeVad({ startVpn: 1, endVpn: 1, kind: 'mapped' }).privateMemory, false);
      assert.equal(makeVad({ startVpn: 1, endVpn: 1, kind: 'image' }).privateMemory, false);
    });

    it('rejects inverted, negative or fractional ranges', () => {
      assert.throws(() => makeVad({ startVpn: 5, endVpn: 4 }), RangeError);
      assert.throws(() => makeVad({ startVpn: -1, endVpn: 4 }), RangeError);
      assert.throws(() => makeVad({ startVpn: 1.5, endVpn: 4 }), RangeError);
    });
  });

  describe('flag words', () => {
    it('O-19 private RW VAD, MemCommit, commit 1024 packs to 0x84800000_00000400', () => {
      const v = makeVad({ startVpn: 0x670, endVpn: 0xa6f, commitCharge: 1024, memCommit: true, protection: 4 });
      const w = vadFlagsWord(v);
      assert.equal(w, 0x8480000000000400n);
      assert.equal(w & ((1n << 51n) - 1n), 1024n, 'CommitCharge');
      assert.equal((w >> 51n) & 1n, 0n, 'NoChange');
      assert.equal((w >> 52n) & 7n, 0n, 'VadType');
      assert.equal((w >> 55n) & 1n, 1n, 'MemCommit');
      assert.equal((w >> 56n) & 0x1fn, 4n, 'Protection');
      assert.equal((w >> 63n) & 1n, 1n, 'PrivateMemory');
    });

    it('O-16 reserve-only VAD has commit 0, MemCommit 0, Protection 4, PrivateMemory 1', () => {
      const w = vadFlagsWord(makeVad({ startVpn: 0x530, endVpn: 0x852f }));
      assert.equal(w, (1n << 63n) | (4n << 56n));
    });

    it('O-22 protection codes land in bits 56-60', () => {
      for (const prot of [6, 3, 4, 1, 0xc, 0x1c]) {
        const w = vadFlagsWord(makeVad({ startVpn: 0, endVpn: 0, protection: prot, privateMemory: false }));
        assert.equal(w, BigInt(prot) << 56n, hex(prot));
      }
    });

    it('commit -1 (the 0x7FFE0 VAD of !vad) is CommitCharge with all 51 bits set', () => {
      const w = vadFlagsWord(makeVad({ startVpn: 0x7ffe0, endVpn: 0x7ffef, commitCharge: -1, protection: 1 }));
      assert.equal(w & ((1n << 51n) - 1n), (1n << 51n) - 1n);
      assert.equal((w >> 51n) & 1n, 0n);
    });

    it('image VADs carry VadType 2, mapped ones 0, and neither is private', () => {
      const img = vadFlagsWord(makeVad({ startVpn: 0x13f540, endVpn: 0x13f5b8, kind: 'image', protection: 7, commitCharge: 5 }));
      assert.equal((img >> 52n) & 7n, 2n);
      assert.equal((img >> 63n) & 1n, 0n);
      assert.equal(img & 0xffn, 5n);
      const map = vadFlagsWord(makeVad({ startVpn: 0x10, endVpn: 0x1f, kind: 'mapped' }));
      assert.equal((map >> 52n) & 7n, 0n);
    });

    it('O-24 PreferredNode: VirtualAllocEx gives 0, VirtualAllocExNuma(node n) gives n + 1', () => {
      assert.equal(vadFlags3Word(makeVad({ startVpn: 0, endVpn: 0 })), 0n);
      assert.equal(vadFlags3Word(makeVad({ startVpn: 0, endVpn: 0, preferredNode: 0 + 1 })), 1n);
      assert.equal(vadFlags3Word(makeVad({ startVpn: 0, endVpn: 0, preferredNode: 3 + 1 })), 4n);
      assert.equal(vadFlags3Word(makeVad({ startVpn: 0, endVpn: 0, preferredNode: 0x7f })), 0x3fn, 'only 6 bits');
    });
  });

  describe('VadTree basics', () => {
    it('starts empty', () => {
      const t = new VadTree();
      assert.equal(t.size, 0);
      assert.equal(t.root, undefined);
      assert.equal(t.findContaining(0), undefined);
      assert.equal(t.firstAtOrAfter(0), undefined);
      assert.equal(t.lastBefore(100), undefined);
      assert.deepEqual([...t.inOrder()], []);
      assert.deepEqual(t.checkInvariants(), []);
    });

    it('three ascending inserts rotate to a balanced tree with the middle VAD at level 0', () => {
      const t = treeOf([
        [0x10, 0x1f],
        [0x20, 0x2f],
        [0x30, 0x3f],
      ]);
      const [a, b, c] = [...t.inOrder()];
      assert.equal(t.root, b);
      assert.equal(t.level(b), 0);
      assert.equal(t.level(a), 1);
      assert.equal(t.level(c), 1);
      assert.equal(a.parent, b);
      assert.equal(b.left, a);
      assert.equal(b.right, c);
      assert.deepEqual(t.checkInvariants(), []);
    });

    it('refuses overlapping VADs but accepts adjacent ones', () => {
      const t = treeOf([[0x100, 0x1ff]]);
      for (const [s, e] of [
        [0x100, 0x100],
        [0x1ff, 0x300],
        [0x0, 0x100],
        [0x150, 0x160],
        [0x0, 0x1000],
      ]) {
        assert.throws(() => t.insert(makeVad({ startVpn: s, endVpn: e })), /overlaps/, `${hex(s)}-${hex(e)}`);
      }
      t.insert(makeVad({ startVpn: 0xff, endVpn: 0xff }));
      t.insert(makeVad({ startVpn: 0x200, endVpn: 0x200 }));
      assert.deepEqual(spans(t), [
        [0xff, 0xff],
        [0x100, 0x1ff],
        [0x200, 0x200],
      ]);
      assert.deepEqual(t.checkInvariants(), []);
    });

    it('refuses to insert a VAD twice and to remove one it does not hold', () => {
      const t = treeOf([
        [1, 1],
        [3, 3],
      ]);
      const v = t.findContaining(3)!;
      assert.throws(() => t.insert(v), /already/);
      assert.throws(() => t.remove(makeVad({ startVpn: 3, endVpn: 3 })), /not in this tree/);
      const other = new VadTree();
      assert.throws(() => other.remove(v), /not in this tree/);
    });

    it('a removed VAD is detached and can be inserted again', () => {
      const t = treeOf([
        [1, 1],
        [3, 3],
        [5, 5],
        [7, 7],
      ]);
      const v = t.findContaining(3)!;
      t.remove(v);
      assert.equal(v.parent, undefined);
      assert.equal(v.left, undefined);
      assert.equal(v.right, undefined);
      assert.equal(v.balance, 0);
      assert.equal(t.findContaining(3), undefined);
      assert.equal(t.size, 3);
      t.insert(v);
      assert.equal(t.findContaining(3), v);
      assert.deepEqual(t.checkInvariants(), []);
    });

    it('stays logarithmic for 4096 ascending inserts', () => {
      const t = new VadTree();
      for (let i = 0; i < 4096; i++) t.insert(makeVad({ startVpn: i * 16, endVpn: i * 16 }));
      assert.deepEqual(t.checkInvariants(), []);
      let deepest = 0;
      for (const v of t.inOrder()) deepest = Math.max(deepest, t.level(v));
      // AVL height bound: < 1.44 log2(n + 2).
      assert.ok(deepest < 1.44 * Math.log2(4096 + 2), `deepest level ${deepest}`);
      for (let i = 0; i < 4096; i += 2) t.remove(t.findContaining(i * 16)!);
      assert.equal(t.size, 2048);
      assert.deepEqual(t.checkInvariants(), []);
    });

    it('checkInvariants reports a corrupted balance field and a broken order', () => {
      const t = treeOf([
        [0x10, 0x1f],
        [0x20, 0x2f],
        [0x30, 0x3f],
      ]);
      const root = t.root as { balance: number } & Vad;
      root.balance = 1;
      assert.ok(t.checkInvariants().some((p) => p.includes('balance field')));
      root.balance = 0;
      root.endVpn = 0x35; // now overlaps its right neighbour
      assert.ok(t.checkInvariants().some((p) => p.includes('overlapping')));
    });
  });

  describe('the MemTests.exe !vad listing', () => {
    function memTestsTree(): VadTree {
      const t = new VadTree();
      // Insert in a scrambled but fixed order.
      const order = MEMTESTS.map((_, i) => (i * 8) % MEMTESTS.length);
      for (const i of order) {
        const [s, e, commit, kind] = MEMTESTS[i];
        t.insert(makeVad({ startVpn: s, endVpn: e, commitCharge: commit, kind }));
      }
      return t;
    }

    it('holds 21 VADs (Vads 21) listed in StartingVpn order', () => {
      const t = memTestsTree();
      assert.equal(t.size, 21);
      assert.deepEqual(
        spans(t),
        MEMTESTS.map(([s, e]) => [s, e]),
      );
      assert.deepEqual(t.checkInvariants(), []);
      assert.equal(t.level(t.root!), 0);
    });

    it('findContaining answers the fault-path question', () => {
      const t = memTestsTree();
      const peb = t.findContaining(0x7fffffdf)!;
      assert.equal(peb.startVpn, 0x7fffffdf);
      assert.equal(peb.commitCharge, 1);
      assert.equal(t.findContaining(0x7fffffde)!.startVpn, 0x7fffffdd);
      assert.equal(t.findContaining(0x700)!.startVpn, 0x670, 'inside the EXECUTE VAD');
      assert.equal(t.findContaining(0xa6f)!.startVpn, 0x670, 'its last page');
      assert.equal(t.findContaining(0xa70), undefined, 'just past it');
      assert.equal(t.findContaining(0x41), undefined, 'gap between 0x40 and 0x50');
      assert.equal(t.findContaining(0x0), undefined);
      assert.equal(t.findContaining(0x7fffffe0), undefined);
    });

    it('firstAtOrAfter, lastBefore, lastStartingAtOrBefore and findOverlapping', () => {
      const t = memTestsTree();
      assert.equal(t.firstAtOrAfter(0x41)!.startVpn, 0x50);
      assert.equal(t.firstAtOrAfter(0x60)!.startVpn, 0x50, 'a VAD holding the VPN counts');
      assert.equal(t.firstAtOrAfter(0x7fffffe0), undefined);
      assert.equal(t.lastBefore(0x50)!.startVpn, 0x40);
      assert.equal(t.lastBefore(0x51)!.startVpn, 0x40, 'the VAD holding 0x51 is not before it');
      assert.equal(t.lastBefore(0xb7)!.startVpn, 0x50);
      assert.equal(t.lastBefore(0x10), undefined);
      assert.equal(t.lastStartingAtOrBefore(0x51)!.startVpn, 0x50);
      assert.equal(t.lastStartingAtOrBefore(0xf), undefined);
      assert.equal(t.findOverlapping(0xb7, 0xbf), undefined);
      assert.equal(t.findOverlapping(0xb0, 0xc5)!.startVpn, 0x50, 'lowest of two overlapping');
      assert.equal(t.findOverlapping(0xb7, 0xc0)!.startVpn, 0xc0);
      assert.equal(t.first()!.startVpn, 0x10);
      assert.equal(t.last()!.startVpn, 0x7fffffdf);
    });

    it('next and prev walk the listing in both directions', () => {
      const t = memTestsTree();
      const up: number[] = [];
      for (let v = t.first(); v; v = t.next(v)) up.push(v.startVpn);
      const down: number[] = [];
      for (let v = t.last(); v; v = t.prev(v)) down.push(v.startVpn);
      assert.deepEqual(up, MEMTESTS.map(([s]) => s));
      assert.deepEqual(down, [...up].reverse());
    });
  });

  describe('in-place edits', () => {
    it('resize shrinks head or tail in place and keeps every lookup right', () => {
      const t = treeOf([
        [0x100, 0x10f],
        [0x200, 0x20f],
        [0x300, 0x30f],
      ]);
      const mid = t.findContaining(0x200)!;
      t.resize(mid, 0x204, 0x20f); // release the first 4 pages
      assert.equal(t.findContaining(0x203), undefined);
      assert.equal(t.findContaining(0x204), mid);
      t.resize(mid, 0x204, 0x208); // release the tail
      assert.equal(t.findContaining(0x209), undefined);
      assert.equal(t.firstAtOrAfter(0x209)!.startVpn, 0x300);
      t.resize(mid, 0x110, 0x2ff); // grow up to both neighbours
      assert.equal(t.findContaining(0x110), mid);
      assert.equal(t.findContaining(0x2ff), mid);
      assert.deepEqual(t.checkInvariants(), []);
    });

    it('resize refuses to reach a neighbour and leaves the VAD untouched', () => {
      const t = treeOf([
        [0x100, 0x10f],
        [0x200, 0x20f],
        [0x300, 0x30f],
      ]);
      const mid = t.findContaining(0x200)!;
      assert.throws(() => t.resize(mid, 0x10f, 0x20f), /overlap/);
      assert.throws(() => t.resize(mid, 0x200, 0x300), /overlap/);
      assert.throws(() => t.resize(mid, 0x20f, 0x200), RangeError);
      assert.equal(mid.startVpn, 0x200);
      assert.equal(mid.endVpn, 0x20f);
    });

    it('a partial release in the middle splits the VAD with resize + insert', () => {
      const t = treeOf([[0x100, 0x102]]);
      const v = t.findContaining(0x100)!;
      // release page 0x101: keep 0x100, create 0x102 as its own allocation
      t.resize(v, 0x100, 0x100);
      t.insert(makeVad({ startVpn: 0x102, endVpn: 0x102, allocationBase: 0x102 }));
      assert.deepEqual(spans(t), [
        [0x100, 0x100],
        [0x102, 0x102],
      ]);
      assert.equal(t.findContaining(0x101), undefined);
      assert.equal(t.findContaining(0x102)!.allocationBase, 0x102);
      assert.deepEqual(t.checkInvariants(), []);
    });
  });

  describe('random edit sequences against a sorted-array model', () => {
    type Op =
      | { op: 'ins'; start: number; len: number }
      | { op: 'del'; pick: number }
      | { op: 'resize'; pick: number; dStart: number; dEnd: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ op: fc.constant('ins' as const), start: fc.integer({ min: 0, max: 400 }), len: fc.integer({ min: 1, max: 8 }) }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant('del' as const), pick: fc.nat() }) },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant('resize' as const),
          pick: fc.nat(),
          dStart: fc.integer({ min: -3, max: 3 }),
          dEnd: fc.integer({ min: -3, max: 3 }),
        }),
      },
    );

    it('keeps AVL balance, links and order, and answers lookups like the model', () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 150 }), fc.array(fc.integer({ min: 0, max: 420 }), { minLength: 1, maxLength: 25 }), (ops, probes) => {
          const t = new VadTree();
          let model: Vad[] = []; // sorted by startVpn
          const overlapsModel = (s: number, e: number, except?: Vad): boolean =>
            model.some((m) => m !== except && m.startVpn <= e && s <= m.endVpn);
          for (const o of ops) {
            if (o.op === 'ins') {
              const v = makeVad({ startVpn: o.start, endVpn: o.start + o.len - 1 });
              if (overlapsModel(v.startVpn, v.endVpn)) {
                assert.throws(() => t.insert(v));
              } else {
                t.insert(v);
                model.push(v);
                model.sort((a, b) => a.startVpn - b.startVpn);
              }
            } else if (model.length > 0) {
              const v = model[o.pick % model.length];
              if (o.op === 'del') {
                t.remove(v);
                model = model.filter((m) => m !== v);
              } else {
                const s = v.startVpn + o.dStart;
                const e = v.endVpn + o.dEnd;
                if (s < 0 || e < s) {
                  assert.throws(() => t.resize(v, s, e), RangeError);
                } else if (overlapsModel(s, e, v)) {
                  assert.throws(() => t.resize(v, s, e));
                } else {
                  t.resize(v, s, e);
                }
              }
            }
            assert.deepEqual(t.checkInvariants(), []);
            assert.equal(t.size, model.length);
          }
          assert.deepEqual([...t.inOrder()], model);
          if (t.root) assert.equal(t.level(t.root), 0);
          for (const p of probes) {
            assert.equal(t.findContaining(p), model.find((m) => m.startVpn <= p && p <= m.endVpn));
            assert.equal(t.firstAtOrAfter(p), model.find((m) => m.endVpn >= p));
            assert.equal(t.lastBefore(p), model.filter((m) => m.endVpn < p).pop());
            assert.equal(t.lastStartingAtOrBefore(p), model.filter((m) => m.startVpn <= p).pop());
            assert.equal(t.findOverlapping(p, p + 5), model.find((m) => m.startVpn <= p + 5 && p <= m.endVpn));
          }
          for (let i = 0; i < model.length; i++) {
            assert.equal(t.next(model[i]), model[i + 1]);
            assert.equal(t.prev(model[i]), i > 0 ? model[i - 1] : undefined);
          }
        }),
        { seed: 42, numRuns: 200 },
      );
    });
  });
});
