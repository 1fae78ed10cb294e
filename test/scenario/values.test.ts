import { strict as assert } from 'node:assert';
import {
  RecordValue, formatInt, formatStatusHex, formatValue, fromHost, inIntRange, toU32, toU64, truthy, valuesEqual,
} from '../../src/scenario/values';
import { binaryOp, unaryOp } from '../../src/scenario/operators';
import type { Range } from '../../src/scenario/ast';
import { ScriptError } from '../../src/scenario/runtimeErrors';

const R: Range = { start: { line: 1, col: 1, offset: 0 }, end: { line: 1, col: 2, offset: 1 } };

describe('scenario values', () => {
  it('prints integers in decimal below 0x10000 and in hex from there on', () => {
    assert.equal(formatInt(0n), '0');
    assert.equal(formatInt(65535n), '65535');
    assert.equal(formatInt(0x10000n), '0x10000');
    assert.equal(formatInt(-1n), '-1');
    assert.equal(formatInt(-0x20000n), '-0x20000');
    assert.equal(formatInt(0xfffff68000000000n), '0xfffff68000000000');
  });

  it('prints records, lists, strings, booleans and null', () => {
    const r = new RecordValue([['a', 1n], ['b', 0x10000n], ['s', 'x'], ['l', [1n, true]], ['n', null]]);
    assert.equal(formatValue(r), '{ a: 1, b: 0x10000, s: "x", l: [1, true], n: null }');
    assert.equal(formatValue(new RecordValue([])), '{}');
    assert.equal(formatValue('plain'), 'plain');
    assert.equal(formatValue(false), 'false');
  });

  it('converts to unsigned 64 and 32 bits', () => {
    assert.equal(toU64(-1n), 0xffffffffffffffffn);
    assert.equal(toU32(-1073741819n), 0xc0000005n);
    assert.equal(formatStatusHex(0xc0000005), '0xC0000005');
    assert.ok(inIntRange(-(1n << 63n)) && inIntRange((1n << 64n) - 1n));
    assert.ok(!inIntRange(1n << 64n) && !inIntRange(-(1n << 63n) - 1n));
  });

  it('compares null with 0, booleans with 1/0, records structurally', () => {
    assert.ok(valuesEqual(null, 0n));
    assert.ok(valuesEqual(true, 1n));
    assert.ok(!valuesEqual('1', 1n));
    assert.ok(valuesEqual(new RecordValue({ a: 1n }), new RecordValue({ a: 1n })));
    assert.ok(!valuesEqual(new RecordValue({ a: 1n }), new RecordValue({ a: 2n })));
    assert.ok(valuesEqual([1n, 2n], [1n, 2n]));
  });

  it('truthiness: false, 0, null and "" are false', () => {
    for (const v of [false, 0n, null, '']) assert.equal(truthy(v), false);
    for (const v of [true, 1n, -1n, 'x', new RecordValue([]), []]) assert.equal(truthy(v), true);
  });

  it('fromHost converts numbers, nested objects and arrays', () => {
    const v = fromHost({ a: 1, b: [2, 3], c: { d: true } });
    assert.equal(formatValue(v), '{ a: 1, b: [2, 3], c: { d: true } }');
  });

  it('operators follow C on integers', () => {
    assert.equal(binaryOp('/', -7n, 2n, R), -3n);
    assert.equal(binaryOp('%', -7n, 2n, R), -1n);
    assert.equal(binaryOp('>>', -8n, 1n, R), -4n);
    assert.equal(binaryOp('&', 0x12345n, ~0xfffn, R), 0x12000n);
    assert.equal(binaryOp('+', 'a', 0x10000n, R), 'a0x10000');
    assert.equal(binaryOp('<', 'a', 'b', R), true);
    assert.equal(unaryOp('~', 0n, R), -1n);
    assert.equal(unaryOp('!', 0n, R), true);
  });

  it('operators report overflow and bad operands', () => {
    assert.throws(() => binaryOp('*', 1n << 40n, 1n << 40n, R), (e: ScriptError) =>
      e.message === "integer overflow: the result of '*' does not fit in 64 bits (integers range from -2^63 to 2^64-1)");
    assert.throws(() => binaryOp('<<', 1n, 64n, R), /shift count of '<<' must be between 0 and 63, got 64/);
    assert.throws(() => binaryOp('-', 'a', 1n, R), /operator '-' needs integers, but the left side is a string/);
    assert.throws(() => unaryOp('-', (1n << 64n) - 1n, R), /integer overflow/);
  });
});
