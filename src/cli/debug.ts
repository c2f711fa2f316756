/** `--debug` request log lines on stderr: method, path, status, time. Never the token or secret query values. */
import type { RequestInfo } from '../client/index.js';
import type { CliIo } from './io.js';

export function debugLogger(io: CliIo, enabled: boolean): ((info: RequestInfo) => void) | undefined {
  if (!enabled) return undefined;
  return (info) =>
    io.stderr.write(
      `[debug] ${info.method} ${info.path} → ${info.status}${info.error ? ` (${info.error})` : ''} in ${Math.round(info.durationMs)} ms${info.attempt > 1 ? ` (attempt ${info.attempt})` : ''}\n`,
    );
}
