/** `--debug` request log lines on stderr: method, path, status, time. Never the token or query values. */
import type { CliIo } from './io.js';

export interface RequestInfo {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  readonly attempt?: number;
}

export function debugLogger(io: CliIo, enabled: boolean): ((info: RequestInfo) => void) | undefined {
  if (!enabled) return undefined;
  return (info) => io.stderr.write(`[debug] ${info.method} ${info.path} → ${info.status} in ${Math.round(info.durationMs)} ms${info.attempt && info.attempt > 1 ? ` (attempt ${info.attempt})` : ''}\n`);
}
