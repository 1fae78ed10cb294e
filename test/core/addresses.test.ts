import { strict as assert } from 'node:assert';
import {
  entryVaOfSlot, parentSlot, pdeVa, ppeVa, pteVa, pxeVa, PXE_SELFMAP, mmpfnAddress, slotOfVa, vaFromPteVa, vaOfSlot,
} from '../../src/core/addresses';

describe('self-map address arithmetic (book-A §5)', () => {
  it('O-01 PTE/PDE/PPE/PXE addresses of the book vectors', () => {
    assert.equal(pteVa(0x1c0000n), 0xfffff68000000e00n);
    assert.equal(pteVa(0x530000n), 0xfffff68000002980n);
    assert.equal(pteVa(0x852f000n), 0xfffff68000042978n);
    assert.equal(pteVa(0xc0000n), 0xfffff68000000600n);
    assert.equal(pdeVa(0x1c0000n), 0xfffff6fb40000000n);
    assert.equal(ppeVa(0x1c0000n), 0xfffff6fb7da00000n);
    assert.equal(pxeVa(0x1c0000n), 0xfffff6fb7dbed000n);
    assert.equal(pteVa(0x7fffffdf000n), 0xfffff683fffffef8n);
    assert.equal(pdeVa(0x7fffffdf000n), 0xfffff6fb41fffff8n);
    assert.equal(ppeVa(0x7fffffdf000n), 0xfffff6fb7da0fff8n);
    assert.equal(pxeVa(0x7fffffdf000n), 0xfffff6fb7dbed078n);
    assert.equal(pteVa(0x13f540000n), 0xfffff680009faa00n);
    assert.equal(pteVa(0xfffff80002857000n), 0xfffff6fc000142b8n);
    assert.equal(pxeVa(0xfffff80002857000n), 0xfffff6fb7dbedf80n);
  });

  it('O-02 the self-map chain ends in the auto-entry, a fixed point', () => {
    let v = 0xfffff68000000000n;
    const chain = [];
    for (let i = 0; i < 5; i++) chain.push((v = pteVa(v)));
    assert.deepEqual(chain, [0xfffff6fb40000000n, 0xfffff6fb7da00000n, 0xfffff6fb7dbed000n, 0xfffff6fb7dbedf68n, 0xfffff6fb7dbedf68n]);
    assert.equal(chain[3], PXE_SELFMAP);
  });

  it('O-03 vaFromPteVa inverts pteVa', () => {
    assert.equal(vaFromPteVa(0xfffff68000000e00n), 0x1c0000n);
    assert.equal(vaFromPteVa(0xfffff6fb80008000n), 0xfffff70001000000n);
    for (const va of [0x10000n, 0x7ff0000n, 0x7fffffff000n, 0xfffff70001080000n]) assert.equal(vaFromPteVa(pteVa(va)), va);
  });

  it('slot arithmetic agrees with the bigint formulas', () => {
    for (const va of [0x1c0000n, 0x7fffffdf000n, 0xfffff70001080000n]) {
      const s = slotOfVa(va);
      assert.equal(entryVaOfSlot(s), pteVa(va));
      assert.equal(entryVaOfSlot(parentSlot(s)), pdeVa(va));
      assert.equal(entryVaOfSlot(parentSlot(parentSlot(s))), ppeVa(va));
      assert.equal(entryVaOfSlot(parentSlot(parentSlot(parentSlot(s)))), pxeVa(va));
      assert.equal(vaOfSlot(s), va);
    }
  });

  it('O-39 PFN database addressing: &PFN[0x196A9] = 0xFFFFFA80004C3FB0', () => {
    assert.equal(mmpfnAddress(0x196a9), 0xfffffa80004c3fb0n);
  });
});
