// Where the command line writes. It exists so that every subcommand can be run in-process by the
// tests (which collect the lines) exactly as the real executable runs it (which writes to the
// process's stdout and stderr).

export interface Io {
  /** Writes one line (without its newline) to standard output. */
  out(line: string): void;
  /** Writes one line (without its newline) to standard error. */
  err(line: string): void;
}

/** Io over the real process streams. */
export function processIo(): Io {
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
  };
}

/** Io that keeps what was written (tests, and `--json`, which reports output instead of printing it). */
export class BufferIo implements Io {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  out(line: string): void {
    this.stdout.push(line);
  }
  err(line: string): void {
    this.stderr.push(line);
  }
}

/** Exit codes of the command line. */
export const EXIT_OK = 0;
/** A failed assertion, an unhandled guest exception, a run-time error, a failed test. */
export const EXIT_FAILED = 1;
/** Diagnostics (the scenario cannot run), a bad command line, or a command that is not available. */
export const EXIT_USAGE = 2;
