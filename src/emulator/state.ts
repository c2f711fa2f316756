/**
 * The emulator's state: several organizations, each with its resources in Maps by id (and by name where
 * Coveo looks things up by name), plus the tokens that are not API keys. Kept in memory, and in a JSON file
 * when a path is given: written atomically (temporary file + rename, mode 0600 because it holds API key
 * values and source secrets) shortly after each change, and read back on start.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

export type Doc = Record<string, unknown>;

export interface ScheduleRecord {
  readonly id: string;
  doc: Doc;
}

export interface SourceRecord {
  readonly id: string;
  /** The raw configuration as sent (secrets included), without the server-managed properties. */
  raw: Doc;
  /** Connector-specific properties of the simple model (`POST/PUT /sources`), returned by the simple reads. */
  simple: Doc;
  createdDate: number;
  lastModifiedDate: number;
  owner: string;
  lastModifier: string;
  information: Doc;
  schedules: Map<string, ScheduleRecord>;
}

export interface ApiKeyRecord {
  readonly id: string;
  /** The ApiKeyResponse without `value`. */
  doc: Doc;
  /** The secret; answered once, on create. */
  readonly value: string;
}

export interface ProviderRecord {
  readonly id: string;
  /** SecurityProviderModel as sent (secrets included), without the server-managed properties. */
  doc: Doc;
  /** RawSecurityProviderConfig when one was written with PUT …/raw. */
  raw?: Doc;
}

export interface DocumentRecord {
  readonly uniqueId: string;
  readonly uri: string;
  readonly title: string;
  /** Source id. */
  readonly sourceId: string;
  readonly sourceName: string;
  readonly permissions: Doc[];
  readonly anonymousAllowed: boolean;
  /** A full DocumentPermissionModel when the loader gave one; otherwise one is derived from `permissions`. */
  readonly permissionModel?: Doc;
  readonly lastUpdatedDate: number;
}

export interface OrgState {
  readonly id: string;
  readonly createdDate: number;
  readonly fields: Map<string, Doc>;
  readonly sources: Map<string, SourceRecord>;
  /** Source name → id (names are unique in an organization). */
  readonly sourceIdsByName: Map<string, string>;
  readonly groups: Map<string, Doc>;
  readonly apiKeys: Map<string, ApiKeyRecord>;
  readonly providers: Map<string, ProviderRecord>;
  /** Index id → uniqueId → document. */
  readonly indexes: Map<string, Map<string, DocumentRecord>>;
  readonly defaultIndexId: string;
  /** Caches of sorted views, dropped on every change of their kind. */
  cache: { fieldNames?: string[]; sourceIds?: string[]; providerRefs?: Map<string, string[]>; documentCounts?: Map<string, number> };
}

/** A token that is not an API key: the admin token, or one made through the admin API for tests. */
export interface UserToken {
  readonly token: string;
  readonly username: string;
  /** Only valid in this organization; undefined = every organization (the admin). */
  readonly organizationId?: string;
  /** Explicit privileges; when absent they come from the groups the user is a member of. */
  readonly privileges?: Doc[];
  readonly isAdmin: boolean;
}

export interface EmulatorState {
  readonly organizations: Map<string, OrgState>;
  readonly userTokens: Map<string, UserToken>;
  /** API key value → where the key lives. */
  readonly apiKeyValues: Map<string, { readonly organizationId: string; readonly keyId: string }>;
  adminToken: string;
}

export const ADMIN_USERNAME = 'admin@emulator.local';

/** An organization with no resources at all (built-ins are added by `addBuiltIns` in seed.ts). */
export function createEmptyOrg(id: string, createdDate: number, defaultIndexId: string): OrgState {
  return {
    id,
    createdDate,
    fields: new Map(),
    sources: new Map(),
    sourceIdsByName: new Map(),
    groups: new Map(),
    apiKeys: new Map(),
    providers: new Map(),
    indexes: new Map([[defaultIndexId, new Map<string, DocumentRecord>()]]),
    defaultIndexId,
    cache: {},
  };
}

/** Fields sorted by name (cached until the next field change). */
export function sortedFieldNames(org: OrgState): string[] {
  org.cache.fieldNames ??= [...org.fields.keys()].sort();
  return org.cache.fieldNames;
}

/** Source ids sorted by source name (cached until the next source change). */
export function sortedSourceIds(org: OrgState): string[] {
  org.cache.sourceIds ??= [...org.sources.values()]
    .sort((a, b) => compareText(String(a.raw['name']), String(b.raw['name'])) || compareText(a.id, b.id))
    .map((s) => s.id);
  return org.cache.sourceIds;
}

/** Provider id → ids of the sources that reference it (cached until the next source change). */
export function providerReferences(org: OrgState): Map<string, string[]> {
  if (!org.cache.providerRefs) {
    const refs = new Map<string, string[]>();
    for (const s of org.sources.values()) {
      for (const p of referencedProviders(s.raw)) {
        const list = refs.get(p) ?? [];
        list.push(s.id);
        refs.set(p, list);
      }
    }
    org.cache.providerRefs = refs;
  }
  return org.cache.providerRefs;
}

/** The provider ids a raw source configuration names (top-level references and configuration.securityProviders). */
export function referencedProviders(raw: Doc): string[] {
  const out = new Set<string>();
  const refs = raw['securityProviderReferences'];
  if (Array.isArray(refs)) for (const r of refs) if (typeof r === 'string') out.add(r);
  const configuration = raw['configuration'];
  if (typeof configuration === 'object' && configuration !== null) {
    const providers = (configuration as Doc)['securityProviders'];
    if (typeof providers === 'object' && providers !== null) {
      for (const [key, value] of Object.entries(providers as Doc)) {
        const name = typeof value === 'object' && value !== null ? (value as Doc)['name'] : undefined;
        out.add(typeof name === 'string' ? name : key);
      }
    }
  }
  return [...out];
}

/** Source id → number of documents in the organization's indexes (cached until documents change). */
export function documentCounts(org: OrgState): Map<string, number> {
  if (!org.cache.documentCounts) {
    const counts = new Map<string, number>();
    for (const docs of org.indexes.values()) for (const d of docs.values()) counts.set(d.sourceId, (counts.get(d.sourceId) ?? 0) + 1);
    org.cache.documentCounts = counts;
  }
  return org.cache.documentCounts;
}

/** Drops the cached document counts (after documents were loaded or removed). */
export function touchDocuments(org: OrgState): void {
  delete org.cache.documentCounts;
}

/** Drops the cached field order (after any field change). */
export function touchFields(org: OrgState): void {
  delete org.cache.fieldNames;
}

/** Drops the cached source order and provider references (after any source change). */
export function touchSources(org: OrgState): void {
  delete org.cache.sourceIds;
  delete org.cache.providerRefs;
}

/** Case-insensitive order, ties broken by code units: how Coveo sorts names. */
export function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------
// Serialisation

interface SerializedSource extends Omit<SourceRecord, 'schedules'> {
  readonly schedules: ScheduleRecord[];
}

interface SerializedOrg {
  readonly id: string;
  readonly createdDate: number;
  readonly defaultIndexId: string;
  readonly fields: Doc[];
  readonly sources: SerializedSource[];
  readonly groups: Doc[];
  readonly apiKeys: ApiKeyRecord[];
  readonly providers: ProviderRecord[];
  readonly indexes: { readonly id: string; readonly documents: DocumentRecord[] }[];
}

export interface SerializedState {
  readonly version: 1;
  readonly adminToken: string;
  readonly userTokens: UserToken[];
  readonly organizations: SerializedOrg[];
}

/** One organization as plain JSON (also what the admin API shows and patches). */
export function serializeOrg(org: OrgState): SerializedOrg {
  return {
    id: org.id,
    createdDate: org.createdDate,
    defaultIndexId: org.defaultIndexId,
    fields: [...org.fields.values()],
    sources: [...org.sources.values()].map((s) => ({ ...s, schedules: [...s.schedules.values()] })),
    groups: [...org.groups.values()],
    apiKeys: [...org.apiKeys.values()],
    providers: [...org.providers.values()],
    indexes: [...org.indexes.entries()].map(([id, docs]) => ({ id, documents: [...docs.values()] })),
  };
}

/** Rebuilds an organization from its JSON form; throws a plain Error naming what is wrong. */
export function deserializeOrg(data: unknown): OrgState {
  const o = data as Partial<SerializedOrg> | null;
  if (!o || typeof o.id !== 'string' || typeof o.defaultIndexId !== 'string') throw new Error('an organization needs "id" and "defaultIndexId"');
  const org = createEmptyOrg(o.id, typeof o.createdDate === 'number' ? o.createdDate : 0, o.defaultIndexId);
  for (const f of o.fields ?? []) {
    if (typeof f['name'] !== 'string') throw new Error('every field needs a "name"');
    org.fields.set(f['name'], f);
  }
  for (const s of o.sources ?? []) {
    if (typeof s.id !== 'string' || typeof s.raw !== 'object') throw new Error('every source needs "id" and "raw"');
    const record: SourceRecord = { ...s, simple: s.simple ?? {}, information: s.information ?? {}, schedules: new Map((s.schedules ?? []).map((x) => [x.id, x])) };
    org.sources.set(s.id, record);
    org.sourceIdsByName.set(String(s.raw['name']), s.id);
  }
  for (const g of o.groups ?? []) org.groups.set(String(g['id']), g);
  for (const k of o.apiKeys ?? []) org.apiKeys.set(k.id, k);
  for (const p of o.providers ?? []) org.providers.set(p.id, p);
  for (const index of o.indexes ?? []) org.indexes.set(index.id, new Map(index.documents.map((d) => [d.uniqueId, d])));
  if (!org.indexes.has(org.defaultIndexId)) org.indexes.set(org.defaultIndexId, new Map());
  return org;
}

/** The whole state as JSON (the state file's content). */
export function serializeState(state: EmulatorState): SerializedState {
  return {
    version: 1,
    adminToken: state.adminToken,
    userTokens: [...state.userTokens.values()].filter((t) => !t.isAdmin),
    organizations: [...state.organizations.values()].map(serializeOrg),
  };
}

/** Rebuilds the whole state (and the API key value index) from its JSON form. */
export function deserializeState(data: unknown): EmulatorState {
  const s = data as Partial<SerializedState> | null;
  if (!s || s.version !== 1 || typeof s.adminToken !== 'string') throw new Error('not an emulator state file (version 1)');
  const state: EmulatorState = { organizations: new Map(), userTokens: new Map(), apiKeyValues: new Map(), adminToken: s.adminToken };
  for (const o of s.organizations ?? []) state.organizations.set(o.id, deserializeOrg(o));
  for (const t of s.userTokens ?? []) state.userTokens.set(t.token, t);
  reindexApiKeys(state);
  return state;
}

/** Rebuilds the API key value index after organizations were loaded or replaced. */
export function reindexApiKeys(state: EmulatorState): void {
  state.apiKeyValues.clear();
  for (const org of state.organizations.values()) for (const k of org.apiKeys.values()) state.apiKeyValues.set(k.value, { organizationId: org.id, keyId: k.id });
}

// ---------------------------------------------------------------------------------------------------
// Persistence

/** Reads a state file; undefined when it does not exist. Throws with the file name when it is unreadable. */
export function loadStateFile(path: string): EmulatorState | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return deserializeState(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    throw new Error(`Cannot read the emulator state file ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Writes the state atomically: a temporary file beside the target, then a rename over it. */
export function writeStateFile(path: string, state: EmulatorState): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(serializeState(state))}\n`, { mode: 0o600 });
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/**
 * Coalesces writes: `markDirty()` after each change schedules one write a little later, so a burst of
 * requests costs one write. `flush()` writes now if anything is pending (called on stop).
 */
export interface StateWriter {
  markDirty(): void;
  flush(): void;
  /** The last write error, if any (the server keeps serving; the admin API reports it). */
  readonly lastError: () => string | undefined;
}

/** A writer that persists the state to `path` (or does nothing without one). */
export function createStateWriter(path: string | undefined, state: () => EmulatorState, delayMs = 50): StateWriter {
  let timer: NodeJS.Timeout | undefined;
  let dirty = false;
  let lastError: string | undefined;
  const write = (): void => {
    timer = undefined;
    if (!dirty || path === undefined) return;
    dirty = false;
    try {
      writeStateFile(path, state());
      lastError = undefined;
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
  };
  return {
    markDirty() {
      if (path === undefined) return;
      dirty = true;
      timer ??= setTimeout(write, delayMs);
    },
    flush() {
      if (timer) clearTimeout(timer);
      write();
    },
    lastError: () => lastError,
  };
}
