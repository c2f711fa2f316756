/**
 * Everything the CLI takes from the process, passed in so tests run `main()` in-process with captured
 * streams, their own environment and their own fetch (style guide §11).
 */
export interface OutStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Whether stdin is a terminal a person can answer on. */
  readonly stdinIsTTY: boolean;
  /** Asks a question on the terminal and resolves with the answer (only called when stdinIsTTY). */
  readonly ask?: (question: string) => Promise<string>;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  /** Aborted on SIGINT by bin.ts. */
  readonly signal?: AbortSignal;
}

/** Colour and spinners only on a TTY, never in CI or with NO_COLOR / --no-color (design §3). */
export function shouldUseColor(io: CliIo, noColorFlag: boolean): boolean {
  return !noColorFlag && io.stdout.isTTY === true && !io.env['CI'] && io.env['NO_COLOR'] === undefined;
}

/** The terminal's width for renderers to fit long values (not when piped: then the default). */
export function renderWidth(io: CliIo): { width?: number } {
  const columns = io.stdout.isTTY === true ? io.stdout.columns : undefined;
  return columns !== undefined && columns >= 40 ? { width: columns } : {};
}

/**
 * Whether progress may be drawn: stderr is a terminal with a width, outside CI. A terminal that reports
 * zero columns (some containers' pseudo-terminals) would make spinners erase lines forever.
 */
export function isInteractive(io: CliIo): boolean {
  return io.stderr.isTTY === true && (io.stderr.columns ?? 0) > 0 && !io.env['CI'];
}
