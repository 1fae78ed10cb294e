// Journey 1: the language contributions without a debug session. Opening a sample shows the
// "VMM" language mode in the status bar, and the grammar colours keywords (the TextMate scope of
// `let` is storage.type.vmm, and its token is painted in a different colour from a plain
// identifier).

import assert from 'node:assert/strict';
import type { Journey } from '../journey';

const journey: Journey = {
  name: 'language-mode-and-grammar',
  folder: 'samples',
  async run(h) {
    await h.openFile('01-first-touch.vmm');

    // Status bar: the language mode picked from the `.vmm` extension.
    assert.equal(await h.languageMode(), 'VMM');

    // Grammar, as the user sees it: the keyword's token span has another colour (and mtk class)
    // than an identifier's on the same line.
    await h.waitForTokens();
    const decl = /^let p = VirtualAlloc/;
    const kw = await h.locateToken('let', { line: decl });
    const ident = await h.locateToken('p', { line: decl });
    const api = await h.locateToken('VirtualAlloc', { line: decl });
    const constant = await h.locateToken('MEM_RESERVE', { line: decl });
    const comment = await h.locateToken('first', { line: /^\/\/ 01/ });
    for (const [what, t] of Object.entries({ kw, ident, api, constant, comment })) {
      assert.match(t.className, /\bmtk\d+\b/, `${what}: span class ${t.className}`);
    }
    const colours = new Set([kw.color, ident.color, api.color, constant.color, comment.color]);
    assert.equal(colours.size, 5, `keyword, identifier, API, constant and comment should have five colours: ${JSON.stringify({ kw, ident, api, constant, comment })}`);

    // Grammar, as the theme sees it: the TextMate scopes of a few tokens.
    assert.equal((await h.tokenScopes('let', { line: decl }))[0], 'storage.type.vmm');
    assert.equal((await h.tokenScopes('VirtualAlloc', { line: decl }))[0], 'support.function.win32.vmm');
    assert.equal((await h.tokenScopes('64K', { line: decl }))[0], 'constant.numeric.decimal.vmm');

    await h.screenshot('01-first-touch');
  },
};

export default journey;
