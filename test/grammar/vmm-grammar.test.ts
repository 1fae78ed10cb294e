// Tests of the TextMate grammar (syntaxes/vmm.tmLanguage.json) with the same engine VS Code uses
// (vscode-textmate + the oniguruma WebAssembly build): the token forms of the language contract
// (docs: scenario-language.md §1), the API and lab function names, the constants, and that every
// sample is tokenized without an invalid scope. The UI journey only checks that VS Code loads the
// grammar; what each token is called is checked here, in milliseconds.

import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { KEYWORDS } from '../../src/scenario/lexer';

const ROOT = join(__dirname, '..', '..');

let grammarPromise: Promise<vsctm.IGrammar> | undefined;
function loadGrammar(): Promise<vsctm.IGrammar> {
  grammarPromise ??= (async () => {
    const wasm = readFileSync(join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) => {
        if (scopeName !== 'source.vmm') return null;
        const path = join(ROOT, 'syntaxes', 'vmm.tmLanguage.json');
        return vsctm.parseRawGrammar(readFileSync(path, 'utf8'), path);
      },
    });
    const g = await registry.loadGrammar('source.vmm');
    if (!g) throw new Error('grammar source.vmm did not load');
    return g;
  })();
  return grammarPromise;
}

interface Tok {
  text: string;
  /** Scopes, innermost first, without the root `source.vmm`. */
  scopes: string[];
  line: number;
}

async function tokenize(src: string): Promise<Tok[]> {
  const g = await loadGrammar();
  let state = vsctm.INITIAL;
  const out: Tok[] = [];
  src.split('\n').forEach((line, i) => {
    const r = g.tokenizeLine(line, state);
    for (const t of r.tokens) {
      const text = line.slice(t.startIndex, t.endIndex);
      if (text.trim() === '') continue;
      out.push({ text, scopes: t.scopes.filter((s) => s !== 'source.vmm').reverse(), line: i + 1 });
    }
    state = r.ruleStack;
  });
  return out;
}

/** The innermost scope of the token whose text is `text` (the n-th such token). */
async function scopeOf(src: string, text: string, n = 0): Promise<string> {
  const toks = (await tokenize(src)).filter((t) => t.text === text);
  assert.ok(toks.length > n, `no token '${text}' in ${JSON.stringify(src)}: ${JSON.stringify(await tokenize(src))}`);
  return toks[n]!.scopes[0] ?? '(none)';
}

/** All scopes (innermost first) of the token covering `text` (or a token that starts it). */
async function scopesOf(src: string, text: string): Promise<string[]> {
  const tok = (await tokenize(src)).find((t) => t.text === text);
  assert.ok(tok, `no token '${text}' in ${JSON.stringify(src)}`);
  return tok.scopes;
}

describe('grammar (syntaxes/vmm.tmLanguage.json)', () => {
  it('scopes every keyword of the lexer', async () => {
    for (const kw of KEYWORDS) {
      const scope = await scopeOf(`x ${kw} y`, kw);
      assert.match(scope, /^(keyword\.|storage\.type|constant\.language)/, `${kw}: ${scope}`);
    }
  });

  it('names the declared variable of let and for, and a fn with its parameters', async () => {
    assert.equal(await scopeOf('let p = 1', 'p'), 'variable.other.declaration.vmm');
    assert.equal(await scopeOf('for va in a..b step 4K {', 'va'), 'variable.other.declaration.vmm');
    assert.equal(await scopeOf('for va in a..b step 4K {', 'step'), 'keyword.control.loop.vmm');
    assert.equal(await scopeOf('for va in a..b step 4K {', '..'), 'keyword.operator.range.vmm');
    assert.equal(await scopeOf('fn kindOf(va, n) {', 'kindOf'), 'entity.name.function.vmm');
    assert.equal(await scopeOf('fn kindOf(va, n) {', 'va'), 'variable.parameter.vmm');
    assert.equal(await scopeOf('fn kindOf(va, n) {', 'n'), 'variable.parameter.vmm');
    assert.equal(await scopeOf('let k = kindOf(p)', 'kindOf'), 'entity.name.function.call.vmm');
  });

  it('reads integers: decimal, hex with _ and a WinDbg backtick, binary, size suffixes', async () => {
    assert.deepEqual(await scopesOf('x = 4096', '4096'), ['constant.numeric.decimal.vmm']);
    assert.deepEqual(await scopesOf('x = 1_000', '1_000'), ['constant.numeric.decimal.vmm']);
    assert.deepEqual(await scopesOf('x = 0x7ff_0000', '7ff_0000'), ['constant.numeric.hex.vmm']);
    assert.deepEqual(await scopesOf('x = 0xfffff680`00000000', 'fffff680`00000000'), ['constant.numeric.hex.vmm']);
    assert.deepEqual(await scopesOf('x = 0b1010_0101', '1010_0101'), ['constant.numeric.binary.vmm']);
    for (const n of ['64K', '512M', '1G', '2T', '0x10K']) {
      const toks = (await tokenize(`x = ${n}`)).filter((t) => t.line === 1 && t.text !== 'x' && t.text !== '=');
      assert.equal(toks.map((t) => t.text).join(''), n);
      assert.ok(toks.every((t) => t.scopes.some((s) => s.startsWith('constant.numeric.'))), `${n}: ${JSON.stringify(toks)}`);
      assert.equal(toks[toks.length - 1]!.scopes[0], 'keyword.other.unit.suffix.size.vmm', n);
    }
    // A backtick that does not separate two hex digits is not part of the number.
    assert.equal((await tokenize('x = 0x12`')).find((t) => t.text.startsWith('12'))?.text, '12');
  });

  it('reads strings with escapes, and comments of both kinds', async () => {
    const toks = await tokenize('print "a\\n\\t\\\\\\"\\x41 // not a comment"');
    assert.deepEqual(toks.filter((t) => t.scopes[0] === 'constant.character.escape.vmm').map((t) => t.text), ['\\n', '\\t', '\\\\', '\\"', '\\x41']);
    assert.ok(toks.every((t) => !t.scopes.some((s) => s.startsWith('comment'))), 'no comment inside a string');
    assert.equal(await scopeOf('let x = 1 // the end', ' the end'), 'comment.line.double-slash.vmm');
    const block = await tokenize('let x = /* one\ntwo */ 1');
    assert.deepEqual(block.filter((t) => t.scopes.includes('comment.block.vmm')).map((t) => t.text), ['/*', ' one', 'two ', '*/']);
    assert.equal(block.find((t) => t.text === '1')?.scopes[0], 'constant.numeric.decimal.vmm');
  });

  it('knows the Win32 API of the contract', async () => {
    const names = [
      'VirtualAlloc', 'VirtualAllocEx', 'VirtualFree', 'VirtualFreeEx', 'VirtualProtect', 'VirtualProtectEx',
      'VirtualQuery', 'VirtualQueryEx', 'VirtualLock', 'VirtualUnlock', 'ReadProcessMemory', 'WriteProcessMemory',
      'CreateFileMapping', 'OpenFileMapping', 'MapViewOfFile', 'MapViewOfFileEx', 'UnmapViewOfFile', 'FlushViewOfFile',
      'CloseHandle', 'GetSystemInfo', 'Sleep', 'CreateProcess', 'GetCurrentProcess', 'TerminateProcess',
      'GetLastError', 'LastStatus', 'SetProcessWorkingSetSize', 'GetProcessWorkingSetSize', 'EmptyWorkingSet',
    ];
    for (const n of names) assert.equal(await scopeOf(`x = ${n}(a)`, n), 'support.function.win32.vmm', n);
    // Not a prefix match: an unknown name is a plain call.
    assert.equal(await scopeOf('x = VirtualAllocate(a)', 'VirtualAllocate'), 'entity.name.function.call.vmm');
  });

  it('knows every native call of the contract and NT_SUCCESS', async () => {
    const names = [
      'NtAllocateVirtualMemory', 'NtFreeVirtualMemory', 'NtProtectVirtualMemory', 'NtQueryVirtualMemory',
      'NtCreateSection', 'NtOpenSection', 'NtMapViewOfSection', 'NtUnmapViewOfSection', 'NtLockVirtualMemory',
      'NtUnlockVirtualMemory', 'NtFlushVirtualMemory', 'NtReadVirtualMemory', 'NtWriteVirtualMemory',
      'NtCreatePagingFile', 'NtClose', 'NT_SUCCESS',
    ];
    for (const n of names) assert.equal(await scopeOf(`x = ${n}(a)`, n), 'support.function.native.vmm', n);
  });

  it("knows the lab's functions (only when called)", async () => {
    const inspect = ['pxe', 'ppe', 'pde', 'pte', 'pfn', 'vad', 'translate', 'ws', 'wsContains', 'lists', 'commit', 'counters', 'faults'];
    const knobs = ['trim', 'trimAll', 'writeModifiedPages', 'zeroFreePages', 'balance', 'tick', 'createFile'];
    const memory = ['read8', 'read16', 'read32', 'read64', 'write8', 'write16', 'write32', 'write64', 'exec', 'touch', 'fill', 'writeString', 'readString'];
    for (const n of inspect) assert.equal(await scopeOf(`x = ${n}(a)`, n), 'support.function.lab.inspect.vmm', n);
    for (const n of knobs) assert.equal(await scopeOf(`x = ${n}(a)`, n), 'support.function.lab.knob.vmm', n);
    for (const n of memory) assert.equal(await scopeOf(`x = ${n} (a)`, n), 'support.function.lab.memory.vmm', n);
    // A variable that happens to share a name is not coloured as the function.
    assert.equal(await scopeOf('let pte = 1', 'pte'), 'variable.other.declaration.vmm');
    assert.equal(await scopeOf('x = e.pfn', 'pfn'), 'variable.other.property.vmm');
  });

  it('knows the Windows constants and the language constants', async () => {
    for (const c of ['STATUS_ACCESS_VIOLATION', 'ERROR_INVALID_ADDRESS', 'PAGE_EXECUTE_READWRITE', 'MEM_RESERVE', 'SEC_COMMIT', 'SECTION_MAP_READ', 'FILE_MAP_WRITE', 'INVALID_HANDLE_VALUE', 'PAGE_GUARD']) {
      assert.deepEqual((await scopesOf(`x = ${c}`, c)).slice(0, 2), ['support.constant.windows.vmm', 'variable.other.constant.vmm'], c);
    }
    assert.equal(await scopeOf('x = MEMORY', 'MEMORY'), 'variable.other.readwrite.vmm');
    assert.equal(await scopeOf('x = true', 'true'), 'constant.language.boolean.vmm');
    assert.equal(await scopeOf('x = null', 'null'), 'constant.language.null.vmm');
  });

  it('shows the keys of a machine block as properties', async () => {
    const toks = await tokenize('machine {\n  ram = 512M  // comment\n  pagefile = 0\n}\nlet ram = 1');
    assert.equal(toks.find((t) => t.text === 'machine')?.scopes[0], 'storage.type.machine.vmm');
    assert.deepEqual(toks.filter((t) => t.scopes[0] === 'variable.other.property.machine.vmm').map((t) => t.text), ['ram', 'pagefile']);
    assert.equal(toks.filter((t) => t.text === 'ram')[1]?.scopes[0], 'variable.other.declaration.vmm', 'after the block, ram is a variable again');
  });

  it('tokenizes every sample with no invalid scope and every call coloured as a function', async () => {
    const dir = join(ROOT, 'samples');
    const files = readdirSync(dir).filter((f) => f.endsWith('.vmm'));
    assert.ok(files.length > 0);
    for (const f of files) {
      const toks = await tokenize(readFileSync(join(dir, f), 'utf8'));
      const invalid = toks.filter((t) => t.scopes.some((s) => s.startsWith('invalid')));
      assert.deepEqual(invalid, [], `${f}: invalid tokens`);
      toks.forEach((t, i) => {
        if (toks[i + 1]?.text !== '(' || !/^[A-Za-z_]\w*$/.test(t.text) || t.scopes.some((s) => s.startsWith('comment') || s.startsWith('string'))) return;
        assert.match(t.scopes[0] ?? '', /^(support\.function\.|entity\.name\.function|keyword\.|storage\.|variable\.parameter)/, `${f}:${t.line}: ${t.text}( is scoped ${t.scopes.join(' ')}`);
      });
    }
  });
});

describe('snippets (snippets/vmm.json)', () => {
  it('every snippet has a prefix and a body, and its placeholders are numbered from 0 up', () => {
    const snippets = JSON.parse(readFileSync(join(ROOT, 'snippets', 'vmm.json'), 'utf8')) as Record<string, { prefix: string | string[]; body: string[] }>;
    assert.ok(Object.keys(snippets).length >= 6);
    for (const [name, s] of Object.entries(snippets)) {
      assert.ok(s.prefix.length > 0, name);
      assert.ok(Array.isArray(s.body) && s.body.length > 0, name);
      const text = s.body.join('\n');
      assert.ok(/\$0|\$\{0/.test(text) || !/\$\d|\$\{\d/.test(text), `${name}: has placeholders but no $0`);
    }
  });
});
