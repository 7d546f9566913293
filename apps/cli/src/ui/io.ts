/** Where a command writes: results to stdout, progress and logs to stderr (only decorated on a TTY). */
export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** stderr is an interactive terminal: progress bars may redraw a line. */
  readonly interactive: boolean;
  /** Terminal width for bars and tables. */
  readonly columns: number;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: Boolean(process.stderr.isTTY) && process.env.CI !== 'true',
    columns: process.stderr.columns || 100,
  };
}

/** Output helpers for a command that may run with `--json`. */
export class Output {
  constructor(
    readonly io: Io,
    readonly json: boolean,
  ) {}

  /** A human line on stdout; suppressed under `--json` (stdout then carries only JSON). */
  line(text = ''): void {
    if (!this.json) this.io.stdout.write(`${text}\n`);
  }

  /** A log line on stderr. */
  log(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** One NDJSON event on stdout (only under `--json`). */
  event(type: string, data: Record<string, unknown>): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify({ type, ...data })}\n`);
  }

  /**
   * The result document: JSON under `--json`, else nothing (commands print their own human form).
   * `compact` writes it on one line, as the last line of an NDJSON stream.
   */
  result(document: unknown, compact = false): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(document, null, compact ? undefined : 2)}\n`);
  }
}

/**
 * `gruvision eval … | head`: once the reader has gone, writing to stdout fails with EPIPE. That is the
 * reader's choice, not an error: end the command quietly (exit 0) instead of an unhandled-error stack.
 */
export function endQuietlyOnClosedOutput(
  stream: { on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown },
  exit: (code: number) => void,
): void {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
      exit(0);
      return;
    }
    throw error;
  });
}
