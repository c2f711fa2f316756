/**
 * `coveo-sync emulator`: starts the emulator, prints the connection as `export` lines a shell can `eval`,
 * and runs until SIGINT/SIGTERM (or the given AbortSignal), then stops cleanly. The CLI wraps this function;
 * it takes the flag values as strings, exactly as commander hands them over.
 */
import { EXIT, type ExitCode } from '../errors.js';
import { parseSeedSize } from './seed.js';
import { startEmulator, type EmulatorOptions } from './server.js';

/** Flag values as the CLI parses them (`--latency-ms 50` → `latencyMs: '50'`). */
export interface EmulatorCommandOptions {
  readonly port?: string;
  readonly host?: string;
  readonly state?: string;
  readonly latencyMs?: string;
  readonly jitterMs?: string;
  readonly failRate?: string;
  readonly rate429?: string;
  readonly dropRate?: string;
  readonly afterRate?: string;
  readonly pageSizeCap?: string;
  readonly slowPageMs?: string;
  readonly organization?: string;
  readonly seed?: string;
  readonly randomSeed?: string;
  readonly fieldCap?: string;
}

export interface EmulatorCommandIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  /** `COVEO_EMULATOR_ADMIN_TOKEN` fixes the admin token (kept out of flags and shell history). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Stops the emulator when aborted (the CLI aborts it on SIGINT). */
  readonly signal?: AbortSignal;
  /** Listen to SIGINT/SIGTERM on the process too (default true). */
  readonly handleSignals?: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

class OptionError extends Error {}

function number(name: string, raw: string | undefined, check: (n: number) => boolean, rule: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !check(n)) throw new OptionError(`--${name} must be ${rule} (got '${raw}').`);
  return n;
}

const isRate = (n: number): boolean => n >= 0 && n <= 1;
const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;

function toOptions(o: EmulatorCommandOptions, env: Readonly<Record<string, string | undefined>>): EmulatorOptions {
  const seed = o.seed === undefined ? undefined : parseSeedSize(o.seed);
  if (o.seed !== undefined && !seed) throw new OptionError(`--seed must be S, M, L or counts such as fields=5000,sources=500 (got '${o.seed}').`);
  const port = number('port', o.port, (n) => isCount(n) && n <= 65535, 'a port number (0 = any free port)');
  const cap = number('page-size-cap', o.pageSizeCap, (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
  const fields = {
    port,
    latencyMs: number('latency-ms', o.latencyMs, isCount, 'a whole number of milliseconds'),
    jitterMs: number('jitter-ms', o.jitterMs, isCount, 'a whole number of milliseconds'),
    slowPageMs: number('slow-page-ms', o.slowPageMs, isCount, 'a whole number of milliseconds'),
    failRate: number('fail-rate', o.failRate, isRate, 'a number between 0 and 1'),
    rate429: number('rate-429', o.rate429, isRate, 'a number between 0 and 1'),
    dropRate: number('drop-rate', o.dropRate, isRate, 'a number between 0 and 1'),
    afterRate: number('after-rate', o.afterRate, isRate, 'a number between 0 and 1'),
    pageSizeCap: cap,
    randomSeed: number('random-seed', o.randomSeed, Number.isInteger, 'an integer'),
    fieldCap: number('field-cap', o.fieldCap, isCount, 'a whole number'),
  };
  if (o.organization !== undefined && !/^[a-z0-9][a-z0-9-]{1,62}$/.test(o.organization)) {
    throw new OptionError(`--organization must be lower-case letters, digits and dashes (got '${o.organization}').`);
  }
  const adminToken = env['COVEO_EMULATOR_ADMIN_TOKEN'];
  const out: Record<string, unknown> = { host: o.host ?? '127.0.0.1' };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  if (o.state !== undefined) out['statePath'] = o.state;
  if (o.organization !== undefined) out['organizationId'] = o.organization;
  if (seed) out['seed'] = seed;
  if (adminToken) out['adminToken'] = adminToken;
  return out;
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function waitForStop(io: EmulatorCommandIo): Promise<string> {
  return new Promise((resolve) => {
    const cleanups: (() => void)[] = [];
    const done = (why: string): void => {
      for (const c of cleanups) c();
      resolve(why);
    };
    if (io.signal) {
      if (io.signal.aborted) return done('abort');
      const onAbort = (): void => done('abort');
      io.signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => io.signal?.removeEventListener('abort', onAbort));
    }
    if (io.handleSignals !== false) {
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        const onSignal = (): void => done(sig);
        process.once(sig, onSignal);
        cleanups.push(() => process.off(sig, onSignal));
      }
    }
  });
}

/**
 * Runs the emulator until it is told to stop; resolves with the exit code (0 after a clean stop, 3 for
 * invalid options, 1 when it cannot start).
 *
 * @example eval "$(coveo-sync emulator --seed S)"   # then COVEO_* point at it
 */
export async function runEmulatorCommand(options: EmulatorCommandOptions, io: EmulatorCommandIo): Promise<ExitCode> {
  let emulatorOptions: EmulatorOptions;
  try {
    emulatorOptions = toOptions(options, io.env ?? {});
  } catch (e) {
    if (e instanceof OptionError) {
      io.stderr.write(`coveo-sync emulator: ${e.message}\n`);
      return EXIT.input;
    }
    throw e;
  }
  let emulator;
  try {
    emulator = await startEmulator(emulatorOptions);
  } catch (e) {
    io.stderr.write(`coveo-sync emulator: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.failure;
  }
  const stopping = waitForStop(io);
  io.stdout.write(
    [
      `export COVEO_PLATFORM_URL=${shellQuote(emulator.url)}`,
      `export COVEO_ORGANIZATION_ID=${shellQuote(emulator.organizationId)}`,
      `export COVEO_ACCESS_TOKEN=${shellQuote(emulator.adminToken)}`,
      '',
    ].join('\n'),
  );
  const host = emulatorOptions.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) io.stderr.write(`coveo-sync emulator: warning: listening on ${host}, reachable from other machines; anyone there can use the admin token.\n`);
  io.stderr.write(
    `coveo-sync emulator: Coveo Platform API emulator on ${emulator.url}, organization ${emulator.organizationId}${options.state ? `, state in ${options.state}` : ''}. Stop with Ctrl-C.\n`,
  );
  const why = await stopping;
  await emulator.stop();
  io.stderr.write(`coveo-sync emulator: stopped (${why}).\n`);
  return EXIT.ok;
}
