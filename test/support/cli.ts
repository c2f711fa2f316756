/**
 * Runs the CLI in-process (`main(argv, io)`) with captured streams, its own environment and cwd, the way
 * CLI integration tests do (style guide §11).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  readonly answers?: readonly string[];
  readonly tty?: boolean;
}

export function tempDir(prefix = 'coveo-sync-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const answers = [...(options.answers ?? [])];
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty === true },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.tty === true },
    env: { CI: 'true', ...(options.env ?? {}) },
    cwd: options.cwd ?? tempDir(),
    stdinIsTTY: options.answers !== undefined,
    ask: () => Promise.resolve(answers.shift() ?? ''),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
