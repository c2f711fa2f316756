/** `coveo-sync emulator`: the local Coveo Platform API (design §6); the server lives in src/emulator. */
import type { ExitCode } from '../../errors.js';
import { runEmulatorCommand, type EmulatorCommandOptions } from '../../emulator/index.js';
import type { CliIo } from '../io.js';

export function runEmulator(opts: EmulatorCommandOptions, io: CliIo): Promise<ExitCode> {
  return runEmulatorCommand(opts, {
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env,
    ...(io.signal ? { signal: io.signal } : {}),
  });
}
