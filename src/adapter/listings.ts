/**
 * Generated, read-only listings of the memory-manager routines a page fault runs through, one
 * line per named step (faultSteps.ts). Stack frames inside a fault point at these by
 * `sourceReference`, so the editor shows the routine with the current step highlighted.
 */
import { EventKind, type Journal } from '../core/journal';
import { routineListings, STEP_INFO } from '../core/faultSteps';

const listings = routineListings();
export const ROUTINES = [...listings.keys()];

/** sourceReference of a routine (1-based, stable). */
export function routineReference(routine: string): number {
  return ROUTINES.indexOf(routine) + 1;
}

export function routineByReference(ref: number): string | undefined {
  return Number.isInteger(ref) && ref >= 1 ? ROUTINES[ref - 1] : undefined;
}

export function listingText(routine: string): string {
  const steps = listings.get(routine) ?? [];
  const lines = steps.map((s) => `${STEP_INFO[s].label}`);
  return lines.join('\n') + `\n\n// ${routine}: simulated; each line is one step of the VMM Lab fault handler (Step Into / Step Over walk them)\n`;
}

/**
 * The name of a fault step: its routine and the first clause of its listing line
 * ("MiResolveDemandZeroFault: take a physical page").
 */
export function stepName(step: number): string {
  const info = STEP_INFO[step] as (typeof STEP_INFO)[number] & { name?: string };
  if (info === undefined) return `step ${step}`;
  if (typeof info.name === 'string') return info.name;
  const routine = info.frames[info.frames.length - 1] ?? 'KiPageFault';
  const clause = info.label.split(/[:;(]| -> |, (?=else|then|otherwise)/)[0].trim();
  return `${routine}: ${clause}`;
}

/** The steps of the fault in progress, or of the last one, read back from the journal (oldest first). */
export function faultStepsFromJournal(j: Journal, maxScan = 1 << 17): number[] {
  const steps: number[] = [];
  const stop = Math.max(j.firstSeq, j.nextSeq - maxScan);
  for (let s = j.nextSeq - 1; s >= stop; s--) {
    const k = j.kindAt(s);
    if (k === EventKind.FaultStep) steps.unshift(j.get(s)!.sub);
    else if (k === EventKind.FaultBegin) break;
  }
  return steps;
}
