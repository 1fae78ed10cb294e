/**
 * Formats a page walk (the adapter's vmm/pageWalk answer) as Markdown for the editor hover: the
 * VA's bits split into the four table indexes and the offset, each level's entry decoded, and the
 * physical address or the reason the page is not resident. Pure (no VS Code).
 */
import type { PageWalkBody } from '../adapter/protocol';

export function pageWalkMarkdown(w: PageWalkBody): string {
  const i = w.indexes;
  const lines: string[] = [];
  lines.push(`**${w.address}** ${w.resident ? `→ **PA ${w.physicalAddress}**` : `— not resident: ${w.reason}`}`);
  lines.push('');
  lines.push(`PML4 \`0x${i.pml4.toString(16)}\` · PDPT \`0x${i.pdpt.toString(16)}\` · PD \`0x${i.pd.toString(16)}\` · PT \`0x${i.pt.toString(16)}\` · offset \`0x${i.offset.toString(16)}\``);
  lines.push('');
  lines.push('| level | entry at | value | meaning |');
  lines.push('|---|---|---|---|');
  for (const l of w.levels) lines.push(`| ${l.level} | \`${l.address}\` | \`${l.raw}\` | ${l.summary.replace(/\|/g, '\\|').replace(/^0x\S+\s+/, '')} |`);
  return lines.join('\n');
}
