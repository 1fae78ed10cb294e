// Tests of the scenario lexer: every token form of the language contract (§1), the exact
// diagnostics of malformed literals, positions, and the line-continuation rule.

import { strict as assert } from 'node:assert';
import { formatDiagnostic } from '../../src/scenario/diagnostics';
import { lex, lexRaw, type Token } from '../../src/scenario/lexer';

/** Token texts, with line breaks shown as '⏎' and ';' as ';'. */
function texts(src: string): string[] {
  return lex(src).tokens.filter((t) => t.kind !== 'eof').map((t) => (t.kind === 'newline' ? (t.text === ';' ? ';' : '⏎') : t.text));
}

function errors(src: string): string[] {
  return lex(src).diagnostics.map((d) => formatDiagnostic('t.vmm', d));
}

function only(src: string): Token {
  const toks = lex(src).tokens.filter((t) => t.kind !== 'eof' && t.kind !== 'newline');
  assert.equal(toks.length, 1, `expected one token in ${JSON.stringify(src)}, got ${toks.map((t) => t.text).join(' ')}`);
  return toks[0];
}

function intValue(src: string): bigint {
  const r = lex(src);
  assert.deepEqual(r.diagnostics, [], `unexpected diagnostics for ${src}`);
  const t = only(src);
  assert.equal(t.kind, 'int');
  return t.value as bigint;
}

describe('scenario lexer', () => {
  describe('integers', () => {
    const cases: Array<[string, bigint]> = [
      ['0', 0n],
      ['4096', 4096n],
      ['0x1000', 0x1000n],
      ['0X1f', 0x1fn],
      ['0xC0000005', 0xc0000005n],
      ['0b101', 5n],
      ['0B11', 3n],
      ['0x7ff_0000', 0x7ff0000n],
      ['1_000_000', 1000000n],
      ['0b1010_1010', 0xaan],
      ['0xfffff680`00000000', 0xfffff68000000000n],
      ['0xFFFFF6FB`7DBED000', 0xfffff6fb7dbed000n],
      ['64K', 0x10000n],
      ['4K', 4096n],
      ['512M', 512n * 1024n * 1024n],
      ['1G', 1n << 30n],
      ['2T', 2n << 40n],
      ['0x10K', 0x4000n],
      ['0b1K', 1024n],
      ['1_0K', 10240n],
      ['0xffffffffffffffff', 0xffffffffffffffffn],
      ['18446744073709551616', 1n << 64n],
    ];
    for (const [src, value] of cases) {
      it(`${src} = ${value}`, () => {
        assert.equal(intValue(src), value);
        assert.equal(only(src).text, src);
      });
    }

    it('-1 is a minus operator followed by 1', () => {
      const toks = lex('-1').tokens;
      assert.equal(toks[0].kind, 'op');
      assert.equal(toks[0].text, '-');
      assert.equal(toks[1].kind, 'int');
      assert.equal(toks[1].value, 1n);
    });

    it('a range 0..10 is three tokens', () => {
      assert.deepEqual(texts('0..10'), ['0', '..', '10']);
      assert.deepEqual(texts('0x10..0x20'), ['0x10', '..', '0x20']);
    });

    const bad: Array<[string, string]> = [
      ['0x', "t.vmm:1:1: hex number '0x' has no digits"],
      ['0b', "t.vmm:1:1: binary number '0b' has no digits"],
      ['0xK', "t.vmm:1:1: hex number '0xK' has no digits"],
      ['0b102', "t.vmm:1:1: invalid digit '2' in binary number '0b102'"],
      ['64k', "t.vmm:1:1: size suffixes are upper-case: write '64K'"],
      ['0x10m', "t.vmm:1:1: size suffixes are upper-case: write '0x10M'"],
      ['1KB', "t.vmm:1:1: unknown size suffix 'KB' in '1KB' (use K, M, G or T)"],
      ['4kb', "t.vmm:1:1: unknown size suffix 'kb' in '4kb' (use K, M, G or T)"],
      ['12abc', "t.vmm:1:1: invalid character 'a' in decimal number '12abc'"],
      ['1e5', "t.vmm:1:1: invalid character 'e' in decimal number '1e5'"],
      ['0x12zz', "t.vmm:1:1: invalid character 'z' in hex number '0x12zz'"],
      ['0x1`2`3', "t.vmm:1:1: '0x1`2`3' has more than one backtick; a hex number has only two halves"],
      ['12`34', "t.vmm:1:1: a backtick may only separate the two halves of a hex number (as in 0xfffff680`00000000), not '12`34'"],
      ['0x`12', "t.vmm:1:1: '`' must be between digits in '0x`12'"],
      ['100_', "t.vmm:1:1: '_' must be between digits in '100_'"],
      ['0x1_K', "t.vmm:1:1: '_' must be between digits in '0x1_K'"],
    ];
    for (const [src, message] of bad) {
      it(`reports ${src}`, () => {
        assert.deepEqual(errors(src), [message]);
        const t = only(src);
        assert.equal(t.kind, 'int');
        assert.equal(t.value, 0n);
      });
    }

    it('reports a bad number at its own position and keeps going', () => {
      assert.deepEqual(errors('let a = 1\nlet b = 0b12 + 3'), ["t.vmm:2:9: invalid digit '2' in binary number '0b12'"]);
      assert.deepEqual(texts('let b = 0b12 + 3'), ['let', 'b', '=', '0b12', '+', '3']);
    });

    it('a trailing backtick is not part of the number', () => {
      assert.deepEqual(texts('0x12`'), ['0x12']);
      assert.deepEqual(errors('0x12`'), [
        "t.vmm:1:5: unexpected character '`' (a backtick may only separate the two halves of a hex number, as in 0xfffff680`00000000)",
      ]);
    });
  });

  describe('strings', () => {
    it('decodes the escapes', () => {
      const t = only(String.raw`"a\nb\tc\\d\"e\x41\x7a"`);
      assert.equal(t.kind, 'string');
      assert.equal(t.value, 'a\nb\tc\\d"eAz');
      assert.equal(t.text, String.raw`"a\nb\tc\\d\"e\x41\x7a"`);
    });

    it('accepts the empty string and \\r \\0 (extensions)', () => {
      assert.equal(only('""').value, '');
      assert.equal(only(String.raw`"\r\0"`).value, '\r\0');
    });

    it('reports an unknown escape and keeps the character', () => {
      assert.deepEqual(errors(String.raw`print "a\qb"`), [String.raw`t.vmm:1:9: unknown escape '\q' in string (use \n \t \\ \" or \xNN)`]);
      assert.equal(lex(String.raw`"a\qb"`).tokens[0].value, 'aqb');
    });

    it('reports a bad \\x escape', () => {
      assert.deepEqual(errors(String.raw`"\x4"`), [String.raw`t.vmm:1:2: '\x' must be followed by two hex digits (as in "\x41")`]);
      assert.deepEqual(errors(String.raw`"\xZZ"`), [String.raw`t.vmm:1:2: '\x' must be followed by two hex digits (as in "\x41")`]);
    });

    it('reports an unterminated string at its start and resumes on the next line', () => {
      assert.deepEqual(errors('print "abc\nprint 1'), [`t.vmm:1:7: unterminated string: add a closing '"' before the end of the line`]);
      assert.deepEqual(texts('print "abc\nprint 1'), ['print', '"abc', '⏎', 'print', '1']);
      assert.deepEqual(errors('"abc'), [`t.vmm:1:1: unterminated string: add a closing '"' before the end of the line`]);
      assert.deepEqual(errors('"abc\\'), [`t.vmm:1:1: unterminated string: add a closing '"' before the end of the line`]);
    });
  });

  describe('identifiers, keywords, operators', () => {
    it('classifies every keyword', () => {
      const kws = 'let if else while for in step break continue fn return assert expect print machine true false null';
      for (const t of lex(kws).tokens.filter((x) => x.kind !== 'eof')) assert.equal(t.kind, 'keyword', t.text);
    });

    it('identifiers are case-sensitive and may contain digits and _', () => {
      const toks = lex('Let _x1 VirtualAlloc MEM_COMMIT If').tokens;
      assert.deepEqual(toks.slice(0, 5).map((t) => t.kind), ['ident', 'ident', 'ident', 'ident', 'ident']);
    });

    it('reads every operator, longest match first', () => {
      const src = '* / % + - << >> < <= > >= == != & ^ | && || ! ~ = += -= *= /= %= &= |= ^= <<= >>= ( ) [ ] { } , . ..';
      assert.deepEqual(texts(src), src.split(' '));
      assert.deepEqual(texts('a<<=b>>c'), ['a', '<<=', 'b', '>>', 'c']);
      assert.deepEqual(texts('a...b'), ['a', '..', '.', 'b']);
    });

    it('reports unexpected characters and carries on', () => {
      assert.deepEqual(errors('let a = 1 @ 2'), ["t.vmm:1:11: unexpected character '@'"]);
      assert.deepEqual(errors("let s = 'x'"), [
        `t.vmm:1:9: unexpected character ''' (strings use double quotes: "text")`,
        `t.vmm:1:11: unexpected character ''' (strings use double quotes: "text")`,
      ]);
      assert.deepEqual(errors('a \u0001 b'), ['t.vmm:1:3: unexpected character U+0001']);
      assert.deepEqual(errors('a é b'), ["t.vmm:1:3: unexpected character 'é'"]);
      assert.deepEqual(errors('a 😀 b'), ["t.vmm:1:3: unexpected character '😀'"]);
      assert.deepEqual(texts('a 😀 b'), ['a', 'b']);
    });
  });

  describe('comments', () => {
    it('skips // and /* */ comments', () => {
      assert.deepEqual(texts('a // comment ( {\nb /* x */ c'), ['a', '⏎', 'b', 'c']);
    });

    it('a block comment spanning lines counts as a line break', () => {
      assert.deepEqual(texts('a /* one\ntwo */ b'), ['a', '⏎', 'b']);
      assert.deepEqual(texts('a /* one */ b'), ['a', 'b']);
    });

    it('block comments do not nest', () => {
      assert.deepEqual(texts('a /* /* */ b'), ['a', 'b']);
    });

    it('reports an unterminated block comment', () => {
      assert.deepEqual(errors('a\n  /* never closed\nb'), ["t.vmm:2:3: unterminated comment: the '/*' at 2:3 has no closing '*/'"]);
    });
  });

  describe('positions', () => {
    it('gives 1-based line/col, 0-based offset and an exclusive end', () => {
      const toks = lex('let x = 1\n  print x').tokens;
      const print = toks.find((t) => t.text === 'print')!;
      assert.deepEqual(print.range, { start: { line: 2, col: 3, offset: 12 }, end: { line: 2, col: 8, offset: 17 } });
      const x = toks[1];
      assert.deepEqual(x.range, { start: { line: 1, col: 5, offset: 4 }, end: { line: 1, col: 6, offset: 5 } });
    });

    it('counts a tab as one column and handles CRLF', () => {
      const toks = lex('a\r\n\tb').tokens;
      const b = toks.find((t) => t.text === 'b')!;
      assert.equal(b.range.start.line, 2);
      assert.equal(b.range.start.col, 2);
      assert.equal(b.range.start.offset, 4);
    });

    it('tracks lines through multi-line comments', () => {
      const b = lex('/* 1\n2\n3 */ b').tokens.find((t) => t.text === 'b')!;
      assert.deepEqual(b.range.start, { line: 3, col: 6, offset: 12 });
    });

    it('ends with an eof token at the end of the text', () => {
      const toks = lex('a\n').tokens;
      const eof = toks[toks.length - 1];
      assert.equal(eof.kind, 'eof');
      assert.deepEqual(eof.range.start, { line: 2, col: 1, offset: 2 });
    });

    it('lexRaw keeps every line break (collapsing blank lines)', () => {
      assert.deepEqual(lexRaw('f(a,\n\n\nb)').tokens.map((t) => t.kind), ['ident', 'op', 'ident', 'op', 'newline', 'ident', 'op', 'eof']);
    });
  });

  describe('line continuation', () => {
    it('a newline ends a statement; several collapse into one', () => {
      assert.deepEqual(texts('a\n\n\nb\n'), ['a', '⏎', 'b', '⏎']);
    });

    it("';' always ends a statement", () => {
      assert.deepEqual(texts('a; b;c'), ['a', ';', 'b', ';', 'c']);
      assert.deepEqual(texts('f(a; b)'), ['f', '(', 'a', ';', 'b', ')']);
      assert.deepEqual(texts('a +; b'), ['a', '+', ';', 'b']);
    });

    it('continues inside ( and [', () => {
      assert.deepEqual(texts('f(a,\n  b\n)\nx'), ['f', '(', 'a', ',', 'b', ')', '⏎', 'x']);
      assert.deepEqual(texts('(a\n+ b)'), ['(', 'a', '+', 'b', ')']);
      assert.deepEqual(texts('a[\n1\n]'), ['a', '[', '1', ']']);
    });

    it('inside { } newlines separate the statements of the block', () => {
      assert.deepEqual(texts('if x {\n  a\n  b\n}\nc'), ['if', 'x', '{', '⏎', 'a', '⏎', 'b', '⏎', '}', '⏎', 'c']);
      assert.deepEqual(texts('f(a, {\nb\n})'), ['f', '(', 'a', ',', '{', '⏎', 'b', '⏎', '}', ')']);
    });

    it('continues after every binary operator', () => {
      for (const op of ['*', '/', '%', '+', '-', '<<', '>>', '<', '<=', '>', '>=', '==', '!=', '&', '^', '|', '&&', '||']) {
        assert.deepEqual(texts(`a ${op}\n b`), ['a', op, 'b'], op);
      }
    });

    it('continues after = , . .. ! ~, compound assignments, in and step', () => {
      assert.deepEqual(texts('let a =\n 1'), ['let', 'a', '=', '1']);
      assert.deepEqual(texts('a +=\n 1'), ['a', '+=', '1']);
      assert.deepEqual(texts('print a,\n b'), ['print', 'a', ',', 'b']);
      assert.deepEqual(texts('r.\nfield'), ['r', '.', 'field']);
      assert.deepEqual(texts('for i in\n0..\n10 step\n2 {'), ['for', 'i', 'in', '0', '..', '10', 'step', '2', '{']);
      assert.deepEqual(texts('!\na'), ['!', 'a']);
      assert.deepEqual(texts('~\na'), ['~', 'a']);
    });

    it('continues when the next line starts with an operator that cannot start a statement (extension)', () => {
      assert.deepEqual(texts('if a\n  && b\n  || c {'), ['if', 'a', '&&', 'b', '||', 'c', '{']);
      assert.deepEqual(texts('VirtualQuery(p)\n  .State'), ['VirtualQuery', '(', 'p', ')', '.', 'State']);
      assert.deepEqual(texts('a\n* b'), ['a', '*', 'b']);
    });

    it('does not continue before - (it can start a statement: -1)', () => {
      assert.deepEqual(texts('a\n-1'), ['a', '⏎', '-', '1']);
    });

    it('does not continue after a closing bracket or a name', () => {
      assert.deepEqual(texts('f()\ng()'), ['f', '(', ')', '⏎', 'g', '(', ')']);
    });

    it('comments between the operator and the next line do not matter', () => {
      assert.deepEqual(texts('a + // more\n  // still more\n  b'), ['a', '+', 'b']);
    });

    it('recovery: a statement keyword on the next line closes an unclosed (', () => {
      assert.deepEqual(texts('let a = f(1\nlet b = 2'), ['let', 'a', '=', 'f', '(', '1', '⏎', 'let', 'b', '=', '2']);
      assert.deepEqual(texts('f(1\ntrue)'), ['f', '(', '1', 'true', ')']);
    });

    it('recovery: a statement keyword on the next line is not an operand of a trailing operator', () => {
      assert.deepEqual(texts('let a = 1 +\nlet b = 2'), ['let', 'a', '=', '1', '+', '⏎', 'let', 'b', '=', '2']);
      assert.deepEqual(texts('let a = 1 +\nnull'), ['let', 'a', '=', '1', '+', 'null']);
    });

    it('recovery: { and } close an unclosed ( of their block', () => {
      assert.deepEqual(texts('if (a {\nb\n}\nc'), ['if', '(', 'a', '{', '⏎', 'b', '⏎', '}', '⏎', 'c']);
      assert.deepEqual(texts('{ f(a }\nc'), ['{', 'f', '(', 'a', '}', '⏎', 'c']);
    });
  });
});
