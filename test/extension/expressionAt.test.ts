import { strict as assert } from 'node:assert';
import { declaredNames, expressionAt } from '../../src/extension/expressionAt';
import { pageWalkMarkdown } from '../../src/extension/pageWalkMarkdown';

describe('extension: hover expressions', () => {
  const line = 'assert pte(p).address == 0xfffff680`00000e00 // the PTE';
  it('finds a hex literal with a WinDbg backtick', () => {
    const col = line.indexOf('0xfffff680') + 3;
    assert.deepEqual(expressionAt(line, col), { start: line.indexOf('0xfff'), end: line.indexOf(' //'), text: '0xfffff680`00000e00' });
  });
  it('finds a lab call and its member access', () => {
    const col = line.indexOf('pte(') + 1;
    assert.equal(expressionAt(line, col)?.text, 'pte(p).address');
  });
  it('finds a dotted name up to the part under the cursor', () => {
    const l = 'let f = e.pfn + x';
    assert.equal(expressionAt(l, l.indexOf('e.pfn'))?.text, 'e');
    assert.equal(expressionAt(l, l.indexOf('pfn'))?.text, 'e.pfn');
    assert.equal(expressionAt(l, l.indexOf('x'))?.text, 'x');
  });
  it('ignores keywords and comments', () => {
    assert.equal(expressionAt('let p = 1', 1), undefined);
    assert.equal(expressionAt(line, line.indexOf('PTE')), undefined);
  });
  it('size literals', () => assert.equal(expressionAt('VirtualAlloc(0, 64K, 1, 4)', 16)?.text, '64K'));
  it('declared names for inline values', () => assert.deepEqual(declaredNames('let p = 1; let q = p'), ['p', 'q']));
  it('no inline values from comments or strings', () => {
    assert.deepEqual(declaredNames('// put the cursor on `let x = read8(p)`'), []);
    assert.deepEqual(declaredNames('print "let y = 1" // let z'), []);
    assert.deepEqual(declaredNames('let a = 1 // let b'), ['a']);
  });
  it('page walk markdown shows indexes, every level and the result', () => {
    const md = pageWalkMarkdown({
      address: '0x1c0000', resident: false, reason: 'PTE: demand-zero', indexes: { pml4: 0, pdpt: 0, pd: 0, pt: 0x1c0, offset: 0 },
      levels: [{ level: 'PXE', address: '0xfffff6fb7dbed000', raw: '0x867', kind: 'valid', summary: '0x00000000`00000867  valid', fields: {} }],
    });
    assert.match(md, /not resident: PTE: demand-zero/);
    assert.match(md, /PT `0x1c0`/);
    assert.match(md, /\| PXE \| `0xfffff6fb7dbed000` \| `0x867` \| valid \|/);
  });
});
