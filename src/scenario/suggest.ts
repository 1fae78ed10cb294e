// "Did you mean ...?" for misspelled names (functions, variables, constants, machine settings).
// It exists so that every unknown-name message in the scenario front end proposes the same kind
// of correction: the closest known name by Damerau-Levenshtein distance (optimal string alignment:
// insert, delete, substitute, swap two adjacent characters), compared case-insensitively, offered
// only when the distance is at most max(1, floor(length / 3)) of the misspelled name — and never a
// name that has nothing in common with it (distance = the longer length, as 'x' -> 'a').

/** Case-insensitive optimal-string-alignment distance between `a` and `b`. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const n = s.length;
  const m = t.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // Three rolling rows: i-2, i-1, i.
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = s.charCodeAt(i - 1) === t.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && s.charCodeAt(i - 1) === t.charCodeAt(j - 2) && s.charCodeAt(i - 2) === t.charCodeAt(j - 1)) {
        d = Math.min(d, prev2[j - 2] + 1);
      }
      cur[j] = d;
    }
    const tmp = prev2;
    prev2 = prev;
    prev = cur;
    cur = tmp;
  }
  return prev[m];
}

/** The largest distance at which `name` gets a suggestion. */
export function maxSuggestionDistance(name: string): number {
  return Math.max(1, Math.floor(name.length / 3));
}

/**
 * The candidate closest to `name`, or undefined when none is close enough. Ties go to the
 * candidate whose length is closest to `name`'s, then to the alphabetically first.
 * `name` itself (exact, case-sensitive) is never suggested.
 */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  const limit = maxSuggestionDistance(name);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === name || c.length === 0) continue;
    if (Math.abs(c.length - name.length) > limit) continue;
    const d = editDistance(name, c);
    if (d > limit) continue;
    if (d > 0 && d >= Math.max(name.length, c.length)) continue; // nothing in common ('x' vs 'a')
    if (
      best === undefined ||
      d < bestDistance ||
      (d === bestDistance &&
        (Math.abs(c.length - name.length) < Math.abs(best.length - name.length) ||
          (Math.abs(c.length - name.length) === Math.abs(best.length - name.length) && c < best)))
    ) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean 'X'?)` or '' — ready to append to a message. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const s = suggest(name, candidates);
  return s === undefined ? '' : ` (did you mean '${s}'?)`;
}
