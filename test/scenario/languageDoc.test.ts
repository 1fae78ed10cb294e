// Keeps docs/language.md honest: it must mention every built-in (as `name(`) and every key of the
// `machine { }` block, list every "not supported yet" built-in in its §12, quote the runaway
// limits the interpreter really uses, and every example marked ```vmm must run to its end.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTINS, MACHINE_KEYS } from '../../src/scenario/builtins/index';
import { formatDiagnostic, hasErrors } from '../../src/scenario/diagnostics';
import { DEFAULT_MAX_CALL_DEPTH, DEFAULT_STEP_BUDGET } from '../../src/scenario/run';
import { createScenario } from '../../src/scenario/setup';

const DOC_PATH = join(__dirname, '..', '..', 'docs', 'language.md');
const doc = readFileSync(DOC_PATH, 'utf8');

/** The text of the section whose heading starts with `## <title>`, up to the next `## `. */
function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}`);
  assert.ok(start >= 0, `docs/language.md has no section '## ${title}'`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** The fenced code blocks tagged `vmm`, with the line each starts on. */
function vmmExamples(): Array<{ line: number; code: string }> {
  const out: Array<{ line: number; code: string }> = [];
  const lines = doc.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```vmm') continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j].trim() !== '```') body.push(lines[j++]);
    out.push({ line: i + 1, code: body.join('\n') + '\n' });
    i = j;
  }
  return out;
}

describe('docs/language.md', () => {
  it('mentions every built-in function as name(', () => {
    const missing = [...BUILTINS.keys()].filter((name) => !doc.includes(`${name}(`));
    assert.deepEqual(missing, [], `built-ins missing from docs/language.md: ${missing.join(', ')}`);
  });

  it('documents every key of the machine block', () => {
    const machine = section('7. The machine block');
    for (const key of MACHINE_KEYS) {
      assert.ok(machine.includes(`| \`${key}\``), `machine key '${key}' has no row in the table of §7`);
      assert.ok(new RegExp(`^\\s*${key} = `, 'm').test(machine), `machine key '${key}' is not shown in the example block of §7`);
    }
  });

  it('lists every built-in that is not supported yet in §12', () => {
    const unsupported = [...BUILTINS.values()].filter((b) => b.doc.includes('not supported yet')).map((b) => b.name);
    assert.ok(unsupported.length > 0);
    const notYet = section('12. Not supported yet');
    const missing = unsupported.filter((name) => !notYet.includes(`\`${name}(`));
    assert.deepEqual(missing, [], `not-supported built-ins missing from §12: ${missing.join(', ')}`);
  });

  it('quotes the runaway limits the interpreter uses', () => {
    assert.ok(doc.includes(DEFAULT_STEP_BUDGET.toLocaleString('en-US')), `step budget ${DEFAULT_STEP_BUDGET}`);
    assert.ok(doc.includes(`more than ${DEFAULT_MAX_CALL_DEPTH}`), `call depth ${DEFAULT_MAX_CALL_DEPTH}`);
  });

  it('has runnable examples, and each runs to its end', () => {
    const examples = vmmExamples();
    assert.ok(examples.length >= 5, 'expected several ```vmm examples');
    for (const ex of examples) {
      const where = `docs/language.md, example at line ${ex.line}`;
      const setup = createScenario(ex.code, 'example.vmm');
      const problems = setup.diagnostics.map((d) => formatDiagnostic('example.vmm', d));
      assert.ok(!hasErrors(setup.diagnostics) && setup.run !== undefined, `${where} has errors:\n${problems.join('\n')}`);
      assert.deepEqual(problems, [], `${where} has warnings:\n${problems.join('\n')}`);
      const result = setup.run.resume();
      assert.equal(result.reason, 'end', `${where} did not run to its end: ${result.error?.text ?? result.reason}`);
    }
  });
});
