/**
 * `startEmulator(options)`: a node:http server that behaves like the Coveo Platform API for the operations
 * coveo-sync uses (see README.md beside this file), with one organization and an admin token to start
 * with, and a handle that tests use to read the request log, inject faults, add organizations, load
 * documents and change the state behind the API's back.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { handleAdminRequest } from './admin.js';
import type { EmulatorEnv, RouteHandlers, SideEffect } from './context.js';
import { applyFaultSettings, defaultFaults, makeRule, type FaultConfig, type FaultRule, type FaultRuleInput, type FaultSettings } from './faults.js';
import { HttpError } from './http.js';
import { createRandom } from './random.js';
import { checkHandlers, createRequestListener, type RequestLog, type RequestLogEntry, type ServedWrite } from './router.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { fieldRoutes } from './routes/fields.js';
import { groupRoutes } from './routes/groups.js';
import { indexRoutes, loadDocuments, type DocumentInput } from './routes/indexes.js';
import { privilegeRoutes } from './routes/privileges.js';
import { scheduleRoutes } from './routes/schedules.js';
import { providerRoutes } from './routes/security-providers.js';
import { sourceRoutes } from './routes/sources.js';
import { createOrganization, parseSeedSize, seedOrganization, type SeedSize } from './seed.js';
import {
  ADMIN_USERNAME,
  createStateWriter,
  deserializeOrg,
  loadStateFile,
  reindexApiKeys,
  serializeOrg,
  type Doc,
  type DocumentRecord,
  type EmulatorState,
  type OrgState,
  type UserToken,
} from './state.js';

export interface EmulatorOptions {
  /** 0 (default) = any free port. */
  readonly port?: number;
  /** Default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Keep the state in this JSON file (written atomically, read back on start). */
  readonly statePath?: string;
  /** Generate the first organization's content: a preset (`S`, `M`, `L`) or explicit counts. */
  readonly seed?: SeedSize | 'S' | 'M' | 'L';
  readonly latencyMs?: number;
  readonly jitterMs?: number;
  /** Share of requests answered 500/502/503. */
  readonly failRate?: number;
  /** Share of requests answered 429 with Retry-After. */
  readonly rate429?: number;
  readonly retryAfterSeconds?: number;
  /** Share of requests whose connection is dropped. */
  readonly dropRate?: number;
  /** Share of the random 5xx and drops that strike after the request was processed (the state changed). */
  readonly afterRate?: number;
  /** Largest page any listing returns. */
  readonly pageSizeCap?: number;
  /** Apply `pageSizeCap` to bare-array listings too (a client cannot detect it there). */
  readonly capBareLists?: boolean;
  /** Extra latency for listings. */
  readonly slowPageMs?: number;
  /** Id of the first organization (default `emulatororg`, or the first one in the state file). */
  readonly organizationId?: string;
  /** Admin token (default: the state file's, else a random one). */
  readonly adminToken?: string;
  /** Seed of the random generator (ids, key values, fault decisions): same seed, same run. */
  readonly randomSeed?: number;
  /** Cap of user fields per organization (default 5,000). */
  readonly fieldCap?: number;
  /** Clock (epoch ms) for created/modified dates (default Date.now). */
  readonly now?: () => number;
  /** Request log entries kept (default 10,000; the counter counts them all). */
  readonly logLimit?: number;
}

/** The test and tooling handle on a running emulator's state. */
export interface EmulatorControl {
  requestLog(): readonly RequestLogEntry[];
  resetLog(): void;
  /** Requests served since start (or the last reset), admin calls excluded. */
  requestCount(): number;
  /**
   * Platform API writes processed since start (or the last `resetLog`): requests that may change the
   * state (every method but GET, searches excluded) and that the handler accepted.
   */
  writeCount(): number;
  /**
   * Holds the answer to the `n`-th write processed from now on (1 = the next one): the state has changed,
   * the client has no answer yet. Resolves once it is held; the answer goes out on `release()` (on a
   * connection the client may have closed meanwhile). `stop()` releases every held answer and rejects
   * holds still waiting. Crash tests use it to kill a client at a known point of its run.
   */
  holdWrite(n: number): Promise<HeldWrite>;
  /** Releases every held answer and rejects every hold still waiting (a test that no longer needs them). */
  cancelHolds(): void;
  faults(): FaultConfig;
  /** Changes the given fault settings (rules given are added). */
  setFaults(settings: FaultSettings): void;
  resetFaults(): void;
  addFaultRule(rule: FaultRuleInput): FaultRule;
  organizationIds(): string[];
  /** Creates an organization with its built-ins (and seeded content); returns its id. */
  addOrganization(options?: { organizationId?: string; seed?: SeedSize | 'S' | 'M' | 'L' }): string;
  removeOrganization(organizationId: string): void;
  loadDocuments(organizationId: string, documents: readonly DocumentInput[]): DocumentRecord[];
  /** Changes an organization directly (drift tests); the caller edits the live records. */
  mutate(organizationId: string, change: (org: OrgState) => void): void;
  /** Applies an RFC 6902 patch to an organization's JSON form (see `snapshot`). */
  patch(organizationId: string, operations: readonly Operation[]): void;
  /** An organization as JSON (secrets included: this is the emulator's own view). */
  snapshot(organizationId: string): Doc;
  /** A user token: explicit privileges, or those of the groups `username` belongs to. */
  createToken(options: { username: string; organizationId?: string; privileges?: readonly Doc[] }): string;
  /** E-mails, rebuilds and provider updates Coveo would have made (dangerous defaults left on). */
  sideEffects(): readonly SideEffect[];
  resetSideEffects(): void;
  /** Writes the state file now (when there is one). */
  save(): void;
  /** The last error writing the state file, if any. */
  saveError(): string | undefined;
}

/** A write whose answer the emulator holds (see `holdWrite`). */
export interface HeldWrite extends ServedWrite {
  /** Its number among the writes counted by `writeCount`. */
  readonly writeNumber: number;
  /** Lets the answer go. */
  release(): void;
}

export interface EmulatorHandle {
  /** e.g. `http://127.0.0.1:53122` (no trailing slash). */
  readonly url: string;
  readonly organizationId: string;
  readonly adminToken: string;
  readonly state: EmulatorControl;
  stop(): Promise<void>;
}

export const DEFAULT_ORGANIZATION_ID = 'emulatororg';
const ORG_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

const HANDLERS: RouteHandlers = {
  ...sourceRoutes,
  ...scheduleRoutes,
  ...fieldRoutes,
  ...groupRoutes,
  ...apiKeyRoutes,
  ...providerRoutes,
  ...privilegeRoutes,
  ...indexRoutes,
};

function resolveSeed(seed: SeedSize | 'S' | 'M' | 'L' | undefined): SeedSize | undefined {
  if (seed === undefined) return undefined;
  if (typeof seed === 'string') {
    const size = parseSeedSize(seed);
    if (!size) throw new Error(`Unknown seed size '${seed}': use S, M, L or fields=N,sources=N,…`);
    return size;
  }
  return seed;
}

/**
 * Starts the emulator and resolves once it listens.
 *
 * @example
 * const emu = await startEmulator({ pageSizeCap: 7 });
 * await fetch(`${emu.url}/rest/organizations/${emu.organizationId}/groups`, { headers: { Authorization: `Bearer ${emu.adminToken}` } });
 * await emu.stop();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const loaded = options.statePath === undefined ? undefined : loadStateFile(options.statePath);
  const state: EmulatorState = loaded ?? { organizations: new Map(), userTokens: new Map(), apiKeyValues: new Map(), adminToken: '' };
  state.adminToken = options.adminToken ?? (state.adminToken !== '' ? state.adminToken : `emu-${randomUUID()}`);
  for (const [token, t] of state.userTokens) if (t.isAdmin) state.userTokens.delete(token);
  state.userTokens.set(state.adminToken, { token: state.adminToken, username: ADMIN_USERNAME, isAdmin: true });

  const faults = defaultFaults();
  let ruleSeq = 0;
  const nextRuleId = (): string => `rule-${++ruleSeq}`;
  applyFaultSettings(
    faults,
    {
      ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
      ...(options.jitterMs !== undefined ? { jitterMs: options.jitterMs } : {}),
      ...(options.failRate !== undefined ? { failRate: options.failRate } : {}),
      ...(options.rate429 !== undefined ? { rate429: options.rate429 } : {}),
      ...(options.retryAfterSeconds !== undefined ? { retryAfterSeconds: options.retryAfterSeconds } : {}),
      ...(options.dropRate !== undefined ? { dropRate: options.dropRate } : {}),
      ...(options.afterRate !== undefined ? { afterRate: options.afterRate } : {}),
      ...(options.pageSizeCap !== undefined ? { pageSizeCap: options.pageSizeCap } : {}),
      ...(options.capBareLists !== undefined ? { capBareLists: options.capBareLists } : {}),
      ...(options.slowPageMs !== undefined ? { slowPageMs: options.slowPageMs } : {}),
    },
    nextRuleId,
  );
  const env: EmulatorEnv = {
    state,
    random: createRandom(options.randomSeed),
    now: options.now ?? Date.now,
    faults,
    sideEffects: [],
    fieldCap: options.fieldCap ?? 5000,
  };
  const writer = createStateWriter(options.statePath, () => state);

  const addOrganization = (opts: { organizationId?: string; seed?: SeedSize | 'S' | 'M' | 'L' } = {}): string => {
    const id = opts.organizationId ?? `emulatororg${env.random.alnum(8)}`;
    if (!ORG_ID_PATTERN.test(id)) throw new HttpError(400, 'INVALID_PARAMETER', `The organization id '${id}' is invalid: lower-case letters, digits and dashes (2 to 63).`);
    if (state.organizations.has(id)) throw new HttpError(409, 'RESOURCE_ALREADY_EXISTS', `The organization '${id}' already exists.`);
    const org = createOrganization(id, env);
    const size = resolveSeed(opts.seed);
    if (size) seedOrganization(org, size, env);
    state.organizations.set(id, org);
    writer.markDirty();
    return id;
  };

  const firstOrg = options.organizationId ?? [...state.organizations.keys()][0] ?? DEFAULT_ORGANIZATION_ID;
  if (!state.organizations.has(firstOrg)) addOrganization({ organizationId: firstOrg, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  else if (options.seed !== undefined) {
    const org = state.organizations.get(firstOrg);
    const size = resolveSeed(options.seed);
    // A state file that already holds the organization is reused as it is: seeding again would duplicate it.
    if (org && size && org.sources.size === 0 && org.apiKeys.size === 0) seedOrganization(org, size, env);
  }

  const orgOf = (id: string): OrgState => {
    const org = state.organizations.get(id);
    if (!org) throw new HttpError(404, 'ORGANIZATION_NOT_FOUND', `The organization '${id}' does not exist.`);
    return org;
  };

  const log: RequestLog = { entries: [], count: 0, seq: 0, limit: options.logLimit ?? 10_000 };
  let writes = 0;
  const waitingHolds: { readonly at: number; readonly resolve: (held: HeldWrite) => void; readonly reject: (e: Error) => void }[] = [];
  const heldAnswers = new Set<() => void>();
  const afterWrite = (write: ServedWrite): Promise<void> | undefined => {
    writes += 1;
    const index = waitingHolds.findIndex((h) => h.at === writes);
    const hold = index < 0 ? undefined : waitingHolds.splice(index, 1)[0];
    if (!hold) return undefined;
    const writeNumber = writes;
    return new Promise<void>((resolve) => {
      const release = (): void => {
        if (!heldAnswers.delete(release)) return;
        resolve();
      };
      heldAnswers.add(release);
      hold.resolve({ ...write, writeNumber, release });
    });
  };
  const control: EmulatorControl = {
    requestLog: () => [...log.entries],
    resetLog: () => {
      log.entries.length = 0;
      log.count = 0;
      writes = 0;
    },
    requestCount: () => log.count,
    writeCount: () => writes,
    holdWrite: (n) => {
      if (!Number.isSafeInteger(n) || n < 1) return Promise.reject(new Error(`holdWrite: n must be a whole number >= 1 (got ${String(n)}).`));
      return new Promise<HeldWrite>((resolve, reject) => waitingHolds.push({ at: writes + n, resolve, reject }));
    },
    cancelHolds: () => {
      for (const release of [...heldAnswers]) release();
      for (const hold of waitingHolds.splice(0)) hold.reject(new Error('The hold was cancelled.'));
    },
    faults: () => JSON.parse(JSON.stringify(faults)) as FaultConfig,
    setFaults: (settings) => applyFaultSettings(faults, settings, nextRuleId),
    resetFaults: () => Object.assign(faults, defaultFaults()),
    addFaultRule: (rule) => {
      const made = makeRule(rule, nextRuleId());
      faults.rules.push(made);
      return { ...made };
    },
    organizationIds: () => [...state.organizations.keys()],
    addOrganization,
    removeOrganization: (id) => {
      orgOf(id);
      state.organizations.delete(id);
      reindexApiKeys(state);
      writer.markDirty();
    },
    loadDocuments: (id, documents) => {
      const out = loadDocuments(orgOf(id), documents, env.now(), env.random);
      writer.markDirty();
      return out;
    },
    mutate: (id, change) => {
      const org = orgOf(id);
      change(org);
      org.cache = {};
      reindexApiKeys(state);
      writer.markDirty();
    },
    patch: (id, operations) => {
      const current = JSON.parse(JSON.stringify(serializeOrg(orgOf(id)))) as Doc;
      let next: Doc;
      try {
        next = jsonPatch.applyPatch(current, jsonPatch.deepClone(operations) as Operation[], true, false).newDocument;
      } catch (e) {
        throw new HttpError(400, 'INVALID_PATCH', `The JSON patch cannot be applied: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (next['id'] !== id) throw new HttpError(400, 'INVALID_PATCH', 'A patch cannot change the organization id.');
      let org: OrgState;
      try {
        org = deserializeOrg(next);
      } catch (e) {
        throw new HttpError(400, 'INVALID_PATCH', `The patched organization is not valid: ${e instanceof Error ? e.message : String(e)}`);
      }
      state.organizations.set(id, org);
      reindexApiKeys(state);
      writer.markDirty();
    },
    snapshot: (id) => JSON.parse(JSON.stringify(serializeOrg(orgOf(id)))) as Doc,
    createToken: ({ username, organizationId, privileges }) => {
      if (typeof username !== 'string' || username === '') throw new HttpError(400, 'MISSING_PARAMETER', "'username' is required for a token.");
      if (organizationId !== undefined) orgOf(organizationId);
      const token = `emu-user-${env.random.uuid()}`;
      const user: UserToken = { token, username, isAdmin: false, ...(organizationId !== undefined ? { organizationId } : {}), ...(privileges ? { privileges: privileges.map((p) => ({ ...p })) } : {}) };
      state.userTokens.set(token, user);
      writer.markDirty();
      return token;
    },
    sideEffects: () => [...env.sideEffects],
    resetSideEffects: () => {
      env.sideEffects.length = 0;
    },
    save: () => writer.flush(),
    saveError: () => writer.lastError(),
  };

  checkHandlers(HANDLERS);
  const server: Server = createServer(
    // Idle keep-alive connections are kept 65 s, like the load balancers in front of real APIs (60 s
    // and more), not Node's 5 s: a client busy planning for a few seconds would otherwise find its pooled
    // connections closed under it ("other side closed") and could not safely retry the POSTs sent on them.
    { keepAliveTimeout: 65_000 },
    createRequestListener({
      env,
      handlers: HANDLERS,
      log,
      admin: (method, path, query, body) => {
        const result = handleAdminRequest(control, method, path, query, body);
        if (method !== 'GET') writer.markDirty();
        return result;
      },
      onWrite: () => writer.markDirty(),
      afterWrite,
    }),
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  writer.markDirty();

  let stopped: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${address.port}`,
    organizationId: firstOrg,
    adminToken: state.adminToken,
    state: control,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const release of [...heldAnswers]) release();
        for (const hold of waitingHolds.splice(0)) hold.reject(new Error('The emulator stopped before the write to hold.'));
      }).then(() => writer.flush());
      return stopped;
    },
  };
}
