/**
 * Generated, read-only listings of the memory-manager routines a page fault runs through, one
 * line per named step (faultSteps.ts). Stack frames inside a fault point at these by
 * `sourceReference`, so the editor shows the routine with the current step highlighted.
 */
import { routineListings, STEP_INFO } from '../core/faultSteps';

const listings = routineListings();
export const ROUTINES = [...listings.keys()];

/** sourceReference of a routine (1-based, stable). */
export function routineReference(routine: string): number {
  return ROUTINES.indexOf(routine) + 1;
}

export function routineByReference(ref: number): string | undefined {
  return ROUTINES[ref - 1];
}

export function listingText(routine: string): string {
  const steps = listings.get(routine) ?? [];
  const lines = steps.map((s) => `${STEP_INFO[s].label}`);
  return lines.join('\n') + `\n\n// ${routine}: simulated; each line is one step of the VMM Lab fault handler (Step Into / Step Over walk them)\n`;
}
