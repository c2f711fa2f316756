/**
 * One apply per organization at a time (design §5): a lock file in the folder's `.coveo-sync/` (keyed by
 * organization) and one in a per-user folder of the machine (keyed by platform URL and organization), so
 * two applies from two folders of one machine cannot interleave either. Coveo has no lock of its own, so
 * applies from different machines are not serialised here: that is the CI system's job (see README).
 *
 * A lock file is created whole (written aside, then hard-linked into place, which fails if one exists) and
 * names its holder. A lock whose holder was on this host and is no longer running (a killed apply) is
 * taken over; any other lock refuses the apply before it reads or writes anything.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly organizationId: string;
  readonly platformUrl: string;
  readonly cwd: string;
  readonly startedAt: string;
  /** Unique per acquisition: a release removes only its own file. */
  readonly token: string;
}

export interface LockOptions {
  /** The folder's `.coveo-sync/` directory. */
  readonly stateDir: string;
  /** The machine-wide lock folder (see `defaultLockDir`). */
  readonly lockDir: string;
  readonly organizationId: string;
  readonly platformUrl: string;
  readonly cwd: string;
  readonly now: () => Date;
}

/** `COVEO_SYNC_LOCK_DIR`, else a folder of the user's in the system temporary folder. */
export function defaultLockDir(env: Readonly<Record<string, string | undefined>>): string {
  const given = env['COVEO_SYNC_LOCK_DIR'];
  if (given !== undefined && given !== '') return given;
  let user = 'user';
  try {
    user = String(userInfo().uid >= 0 ? userInfo().uid : userInfo().username);
  } catch {
    // No user database entry (some containers): one shared name is still a lock.
  }
  return join(tmpdir(), `coveo-sync-locks-${user}`);
}

/** The machine-wide lock file of an organization at a platform URL. */
export function machineLockPath(lockDir: string, platformUrl: string, organizationId: string): string {
  const digest = createHash('sha256').update(`${platformUrl.replace(/\/+$/, '')}\n${organizationId}`).digest('hex').slice(0, 20);
  return join(lockDir, `apply-${organizationId.replace(/[^A-Za-z0-9._-]/g, '_')}-${digest}.lock`);
}

function readHolder(path: string): { readonly raw: string; readonly holder: LockHolder | undefined } | undefined {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const holder = JSON.parse(raw) as LockHolder;
    return { raw, holder: typeof holder.pid === 'number' && typeof holder.host === 'string' ? holder : undefined };
  } catch {
    // A lock written by an older coveo-sync holds just a pid.
    const pid = Number(raw.trim());
    return { raw, holder: Number.isInteger(pid) && pid > 0 ? { pid, host: hostname(), organizationId: '', platformUrl: '', cwd: '', startedAt: '', token: '' } : undefined };
  }
}

/** Whether the holder may still be running: always true for another host (its processes cannot be seen). */
function mayBeRunning(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: unknown }).code === 'EPERM';
  }
}

/** Creates `path` with `text` in one step; false when it exists. */
function createWhole(path: string, text: string): boolean {
  const aside = `${path}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(aside, text, { mode: 0o600 });
  try {
    linkSync(aside, path);
    return true;
  } catch (e) {
    if ((e as { code?: unknown }).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(aside);
  }
}

function refuse(path: string, holder: LockHolder | undefined, organizationId: string): never {
  const who = holder ? `pid ${holder.pid} on ${holder.host}${holder.cwd ? `, from ${holder.cwd}` : ''}${holder.startedAt ? `, since ${holder.startedAt}` : ''}` : 'unknown holder';
  throw new UsageError(
    `Another coveo-sync apply (${who}) is running against ${organizationId}; wait for it to finish. Nothing was changed. If no apply is running, delete ${path}.`,
    'apply_locked',
  );
}

function take(path: string, me: LockHolder): void {
  const text = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createWhole(path, text)) return;
    const found = readHolder(path);
    if (found === undefined) continue; // released meanwhile
    if (found.holder === undefined || mayBeRunning(found.holder)) refuse(path, found.holder, me.organizationId);
    // A dead holder: move its lock aside (only one taker can), check it was the one we judged stale.
    const aside = `${path}.stale.${process.pid}.${randomUUID()}`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    const moved = readFileSync(aside, 'utf8');
    unlinkSync(aside);
    if (moved !== found.raw) {
      // Someone took the stale lock first and we moved theirs: put it back and give way.
      createWhole(path, moved);
      refuse(path, readHolder(path)?.holder, me.organizationId);
    }
  }
  refuse(path, readHolder(path)?.holder, me.organizationId);
}

function releaseIfMine(path: string, token: string): void {
  const found = readHolder(path);
  if (found?.holder?.token !== token) return;
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * Takes the folder lock and the machine lock of an organization, or throws `UsageError`
 * (`apply_locked`, exit 3) naming the holder. Returns the release function (idempotent).
 */
export function acquireApplyLock(options: LockOptions): () => void {
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    organizationId: options.organizationId,
    platformUrl: options.platformUrl,
    cwd: options.cwd,
    startedAt: options.now().toISOString(),
    token: randomUUID(),
  };
  mkdirSync(options.stateDir, { recursive: true });
  if (!existsSync(options.lockDir)) mkdirSync(options.lockDir, { recursive: true, mode: 0o700 });
  const paths = [join(options.stateDir, `apply-${options.organizationId}.lock`), machineLockPath(options.lockDir, options.platformUrl, options.organizationId)];
  const taken: string[] = [];
  try {
    for (const path of paths) {
      take(path, me);
      taken.push(path);
    }
  } catch (e) {
    for (const path of taken) releaseIfMine(path, me.token);
    throw e;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const path of taken) releaseIfMine(path, me.token);
  };
}
