/** The memory map's pure parts: cell arithmetic, messages, and the page with its CSP. */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { cellFrames, isFromWebview, makeNonce, memoryMapHtml, stateCounts } from '../../src/extension/views/memoryMapModel';
import { LIST_COLOURS } from '../../src/extension/views/physicalMemory';

describe('extension: memory map model', () => {
  it('maps a cell to the page frames it aggregates', () => {
    assert.deepEqual(cellFrames(0, 32, 131072), { first: 0, last: 31 });
    assert.deepEqual(cellFrames(4095, 32, 131072), { first: 131040, last: 131071 });
    assert.deepEqual(cellFrames(3, 1, 10), { first: 3, last: 3 });
    assert.deepEqual(cellFrames(2, 4, 10), { first: 8, last: 9 }, 'the last cell may be partial');
    assert.equal(cellFrames(3, 4, 10), undefined);
    assert.equal(cellFrames(-1, 4, 10), undefined);
    assert.equal(cellFrames(1.5, 4, 10), undefined);
  });

  it('counts cells per state', () => assert.deepEqual(stateCounts('ZZAZS'), { Z: 3, A: 1, S: 1 }));

  it('accepts only the messages the page sends', () => {
    assert.ok(isFromWebview({ type: 'ready' }));
    assert.ok(isFromWebview({ type: 'select', cell: 12 }));
    assert.ok(!isFromWebview({ type: 'select', cell: -1 }));
    assert.ok(!isFromWebview({ type: 'select', cell: '12' }));
    assert.ok(!isFromWebview({ type: 'other' }));
    assert.ok(!isFromWebview(null));
  });

  it('makes 32-character alphanumeric nonces', () => {
    const a = makeNonce((n) => randomBytes(n));
    assert.match(a, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(a, makeNonce((n) => randomBytes(n)));
  });

  it('builds a page whose CSP allows only its own files and one nonce\'d script', () => {
    const html = memoryMapHtml({ cspSource: 'https://file+.vscode-resource.example', nonce: 'abc123', scriptUri: 'https://r/media/memoryMap.js', styleUri: 'https://r/media/memoryMap.css' });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'/);
    assert.match(csp, /style-src https:\/\/file\+\.vscode-resource\.example/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(html, /<script nonce="abc123" src="https:\/\/r\/media\/memoryMap.js"><\/script>/);
    assert.match(html, /<link rel="stylesheet" href="https:\/\/r\/media\/memoryMap.css">/);
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'no other script');
    assert.doesNotMatch(html, /style="/, 'no inline styles (the CSP forbids them)');
    assert.match(html, /id="grid"/);
  });

  it('colours the page lists in the tree the way the map colours them (media/memoryMap.css)', async () => {
    const { readFileSync } = await import('node:fs');
    const css = readFileSync(require.resolve('../../media/memoryMap.css'), 'utf8');
    const cssVar: Record<string, string> = { Zeroed: 'zeroed', Free: 'free', Standby: 'standby', Modified: 'modified', ModifiedNoWrite: 'modnowrite', Bad: 'bad', Active: 'active', Transition: 'transition' };
    for (const [list, colour] of Object.entries(LIST_COLOURS)) {
      const re = new RegExp(`--map-${cssVar[list]}: var\\(--vscode-${colour.replace('.', '-')}\\b`);
      assert.match(css, re, `${list} should be ${colour} in the map too`);
    }
  });
});
