// What a UI journey is: one user story run against VS Code (code-server) with the packaged
// extension installed. Each file in test/e2e/journeys/ default-exports one.

import type { Harness } from './harness';

export interface Journey {
  /** Short name, shown in the report and used for the artifacts folder. */
  name: string;
  /** Folder to open, relative to the repository root (default: samples). */
  folder?: string;
  /** Extra user settings for this journey. */
  settings?: Record<string, unknown>;
  /**
   * Start a new VS Code for this journey instead of reusing the previous journey's (which is reused
   * when it opened the same folder with the same settings, after Harness.reset()).
   */
  fresh?: boolean;
  /** The steps; throw (or fail an assert) to fail the journey. */
  run(h: Harness): Promise<void>;
}
