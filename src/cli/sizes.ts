// Memory sizes on the command line: `512M`, `1G`, `64K`, `65536`, `0x10000`. The suffixes are the
// scenario language's (K, M, G, T = 2^10, 2^20, 2^30, 2^40), so `--ram 512M` means what
// `ram = 512M` means in a `machine { }` block.

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** Parses a size in bytes; undefined when the text is not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^(0x[0-9a-f_]+|0b[01_]+|[0-9][0-9_]*)([KMGT]?)B?$/i.exec(text.trim());
  if (m === null) return undefined;
  const digits = m[1].replace(/_/g, '');
  if (/^0[xb]$/i.test(digits)) return undefined;
  const n = Number(BigInt(digits));
  const v = n * UNITS[m[2].toUpperCase()];
  return Number.isSafeInteger(v) ? v : undefined;
}
