// Finding the scenario files a `test` run covers. It exists so that the order is always the same
// (sorted, whatever the file system returns), which keeps test output stable.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A path given on the command line that is neither a file nor a directory. */
export class MissingPathError extends Error {}

/**
 * Every `.vmm` file under the paths: a file is taken as given (whatever its extension), a
 * directory is searched recursively. Each path's files are sorted; duplicates are dropped.
 */
export function collectScenarioFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new MissingPathError(`no such file or directory: ${p}`);
    }
    const found = st.isDirectory() ? walk(p) : [p];
    for (const f of found) {
      if (!seen.has(f)) {
        seen.add(f);
        out.push(f);
      }
    }
  }
  return out;
}

function walk(dir: string): string[] {
  const files: string[] = [];
  const visit = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(d, e.name);
      if (e.isDirectory()) visit(full);
      else if (e.isFile() && e.name.endsWith('.vmm')) files.push(full);
    }
  };
  visit(dir);
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
