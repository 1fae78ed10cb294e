/**
 * Golden DAP transcripts: the request/response/event sequence of a journey, normalised so it is
 * stable (no seq numbers of the adapter's messages, variable references renumbered by first
 * appearance, the repository path replaced by <root>), stored under test/adapter/golden/*.json.
 * UPDATE_GOLDEN=1 re-records; on a mismatch the transcript is written next to the golden file as
 * `<name>.actual.json` and the first differing line is reported.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const GOLDEN_DIR = join(__dirname, 'golden');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Keys whose non-zero integer values are per-stop handles, renumbered in order of appearance. */
const REFERENCE_KEYS = new Set(['variablesReference']);

export function normaliseTranscript(messages: readonly unknown[]): Json[] {
  const refs = new Map<number, number>();
  const walk = (v: unknown, key?: string): Json => {
    if (typeof v === 'string') return v.split(ROOT).join('<root>');
    if (typeof v === 'number') {
      if (key !== undefined && REFERENCE_KEYS.has(key) && v > 0) {
        if (!refs.has(v)) refs.set(v, refs.size + 1);
        return `<ref ${refs.get(v)}>`;
      }
      return v;
    }
    if (v === null || typeof v === 'boolean') return v;
    if (v === undefined) return null;
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (typeof v === 'object') {
      const out: { [k: string]: Json } = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (x === undefined) continue;
        out[k] = walk(x, k);
      }
      return out;
    }
    return String(v);
  };
  return messages.map((m) => {
    const msg = { ...(m as Record<string, unknown>) };
    if (msg.type !== 'request') delete msg.seq;
    // the adapter's error objects carry the same text as `message`
    const body = msg.body as Record<string, unknown> | undefined;
    if (msg.type === 'response' && msg.success === false && body?.error !== undefined) msg.body = { error: { id: (body.error as { id: number }).id } };
    return walk(msg);
  });
}

/** Compares a transcript with golden/<name>.json (UPDATE_GOLDEN=1 records it). */
export function assertGoldenTranscript(name: string, messages: readonly unknown[]): void {
  const file = join(GOLDEN_DIR, `${name}.json`);
  const actualFile = join(GOLDEN_DIR, `${name}.actual.json`);
  const text = JSON.stringify(normaliseTranscript(messages), null, 2) + '\n';
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1' && process.env.CI) assert.fail(`golden transcript ${name}.json is missing (record it with UPDATE_GOLDEN=1)`);
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, text);
    if (existsSync(actualFile)) unlinkSync(actualFile);
    return;
  }
  const expected = readFileSync(file, 'utf8');
  if (text === expected) {
    if (existsSync(actualFile)) unlinkSync(actualFile);
    return;
  }
  writeFileSync(actualFile, text);
  const a = text.split('\n');
  const e = expected.split('\n');
  let i = 0;
  while (i < a.length && a[i] === e[i]) i++;
  assert.fail(`DAP transcript differs from golden/${name}.json at line ${i + 1}:\n  expected: ${e[i] ?? '<end>'}\n  actual:   ${a[i] ?? '<end>'}\n(written to golden/${name}.actual.json; re-record with UPDATE_GOLDEN=1 if the change is intended)`);
}
