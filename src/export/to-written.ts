/**
 * Live state → the written configuration (design §2): what `coveo-sync export` writes. Pure.
 *
 * The output must plan empty against the organization it came from, so every value it writes is one the
 * planner compares equal to live, and every value it leaves out is one the planner does not compare
 * (omitted attrs are unmanaged) or fills with the same default. Rules:
 * - identities and references by name (normalizeLive already turned ids into identities);
 * - defaults left out (field options equal to the type's default, `enabled: true`, source booleans false,
 *   provider `caseSensitive`/`nodeRequired` false, empty lists, privileges with no target);
 * - server-managed values dropped (raw `configuration.sourceInformation`, server-injected `SourceId` /
 *   `OrganizationId` parameters, mapping rule ids), so a clone does not carry them to another org;
 * - secrets Coveo never returns become `${env:NAME}` placeholders with deterministic names;
 * - every other string is escaped (`${` → `$${`) so the loader reads back exactly what Coveo holds;
 * - stable order: kinds in apply order, resources by identity, keys in a fixed order per kind
 *   (identity first), raw passthrough objects with sorted keys.
 */
import { compareStrings, isPlainObject, type JsonObject, type JsonValue } from '../core/json.js';
import {
  addressOf,
  RESOURCE_KINDS,
  type LiveResource,
  type LiveState,
  type ResourceAddress,
  type ResourceKind,
  type UnmanagedLive,
} from '../core/types.js';
import { asArray, asObject, asString } from '../kinds/common.js';
import { fieldDefault } from '../kinds/fields/spec.js';

/** A `${env:NAME}` placeholder that `export` wrote, for `secrets.example.env`. */
export interface SecretVariable {
  readonly name: string;
  readonly address: ResourceAddress;
  /** Where in the resource, e.g. `configuration.parameters.Password.value`. */
  readonly path: string;
}

/** Something the user must know about the exported files (org-specific values, things left out). */
export interface ExportWarning {
  readonly code: string;
  readonly message: string;
  readonly address?: string;
}

/** The written configuration: `version: 1` and one list per exported kind, in apply order. */
export type WrittenExport = { readonly version: 1 } & { readonly [K in ResourceKind]?: readonly JsonObject[] };

export interface ExportResult {
  readonly config: WrittenExport;
  readonly secrets: readonly SecretVariable[];
  readonly warnings: readonly ExportWarning[];
}

export interface ToWrittenOptions {
  /** Kinds to write (default: every kind present in `live`). Kinds not read are never written. */
  readonly kinds?: readonly ResourceKind[];
  /** Also write system fields, the Administrators group and built-in providers (default false). */
  readonly includeBuiltIns?: boolean;
}

/** Field options in the order the schema lists them (identity and type come first). */
const FIELD_KEYS = [
  'description',
  'label',
  'facet',
  'multiValueFacet',
  'hierarchicalFacet',
  'multiValueFacetTokenizers',
  'sort',
  'ranking',
  'stemming',
  'mergeWithLexicon',
  'includeInQuery',
  'includeInResults',
  'keyValue',
  'multilingual',
  'keepAccentsDisplayValueFacet',
  'keepDistinctDisplayValueFacet',
  'smartDateFacet',
  'automaticFacetsCandidate',
  'automaticFacetsCandidateTags',
  'useCacheForNestedQuery',
  'useCacheForSort',
  'useCacheForNumericQuery',
  'useCacheForComputedFacet',
  'dateFormat',
] as const;

/** Parameters Coveo injects into every raw source configuration; they name this org's objects. */
const SERVER_PARAMETERS: readonly string[] = ['SourceId', 'OrganizationId'];
/** Raw configuration keys Coveo maintains itself. */
const SERVER_CONFIGURATION_KEYS: readonly string[] = ['sourceInformation'];

/** Escapes `${` so the loader reads the literal text back instead of interpolating it. */
export function escapeInterpolation(s: string): string {
  // A replacement function, because `$$` in a replacement string means one `$`.
  return s.replaceAll('${', () => '$${');
}

/** A JSON copy with every string escaped and object keys sorted (for raw passthrough values). */
function escapeDeep(v: JsonValue): JsonValue {
  if (typeof v === 'string') return escapeInterpolation(v);
  if (Array.isArray(v)) return (v as JsonValue[]).map(escapeDeep);
  if (isPlainObject(v)) {
    const out: Record<string, JsonValue> = {};
    for (const k of Object.keys(v).sort(compareStrings)) {
      const x = v[k];
      if (x !== undefined) out[k] = escapeDeep(x);
    }
    return out;
  }
  return v;
}

/** `Product docs` → `PRODUCT_DOCS`: the upper snake form used in variable names. */
export function upperSnake(s: string): string {
  const t = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  return t === '' ? 'X' : t;
}

const nonEmpty = (v: JsonValue | undefined): boolean =>
  v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && !(isPlainObject(v) && Object.keys(v).length === 0);

/** Builds an object in insertion order, skipping undefined. */
function obj(entries: readonly (readonly [string, JsonValue | undefined])[]): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of entries) if (v !== undefined) out[k] = v;
  return out;
}

const str = (v: JsonValue | undefined): JsonValue | undefined => (typeof v === 'string' ? escapeInterpolation(v) : undefined);
const list = (v: JsonValue | undefined): JsonValue | undefined => (nonEmpty(v) ? escapeDeep(v as JsonValue) : undefined);
const onlyTrue = (v: JsonValue | undefined): JsonValue | undefined => (v === true ? true : undefined);
const onlyFalse = (v: JsonValue | undefined): JsonValue | undefined => (v === false ? false : undefined);

interface Context {
  /** `kind\u0000key` of every live resource, for reference checks. */
  readonly keys: ReadonlySet<string>;
  readonly live: LiveState;
  readonly warnings: ExportWarning[];
  readonly secrets: SecretVariable[];
  readonly usedNames: Set<string>;
}

/** A deterministic, unique variable name for a secret, recorded for secrets.example.env. */
function placeholder(ctx: Context, base: string, address: ResourceAddress, path: string): string {
  let name = base;
  for (let i = 2; ctx.usedNames.has(name); i++) name = `${base}_${i}`;
  ctx.usedNames.add(name);
  ctx.secrets.push({ name, address, path });
  return `\${env:${name}}`;
}

function warn(ctx: Context, code: string, address: string, message: string): void {
  ctx.warnings.push({ code, address, message });
}

/** Whether a resource of `kind` with this identity exists live (unknown kinds count as existing). */
function exists(ctx: Context, kind: ResourceKind, key: string): boolean {
  return ctx.live[kind] === undefined || ctx.keys.has(`${kind}\u0000${key}`);
}

/**
 * `groupsThatCanEdit` / `apiKeysThatCanEdit`: left out entirely when one entry names something the tool
 * cannot refer to (an API key without the marker). Left out means "not managed", so a plan never removes
 * the entry; writing the list without it would.
 */
function canEditList(ctx: Context, address: ResourceAddress, attr: string, kind: ResourceKind, v: JsonValue | undefined): JsonValue | undefined {
  if (!nonEmpty(v)) return undefined;
  const names = asArray(v).filter((x): x is string => typeof x === 'string');
  const missing = names.filter((n) => !exists(ctx, kind, n));
  if (missing.length > 0) {
    warn(
      ctx,
      'reference_not_exportable',
      address,
      `${address}: ${attr} lists ${missing.map((m) => `"${m}"`).join(', ')}, which coveo-sync cannot refer to (${kind === 'apiKeys' ? 'API keys without the coveo-sync marker; export with --adopt-api-keys to name them' : 'not found'}); ${attr} was left out, so plans leave it as it is.`,
    );
    return undefined;
  }
  return escapeDeep(names);
}

/**
 * Privileges as written, or undefined when one of them targets something the configuration language
 * cannot name (a raw id: a resource coveo-sync does not manage, or a domain whose targets are not one of
 * the six kinds). Writing the others alone would make a plan remove that one, so the caller leaves the
 * whole list (or resource) out and says so.
 */
function privilegesOf(ctx: Context, address: ResourceAddress, v: JsonValue | undefined): JsonObject[] | undefined {
  const out: JsonObject[] = [];
  const ids: string[] = [];
  for (const raw of asArray(v)) {
    const p = asObject(raw);
    const target = p['target'] === undefined ? undefined : asObject(p['target']);
    if (target && typeof target['id'] === 'string') ids.push(`${asString(p['owner']) ?? ''} ${asString(p['targetDomain']) ?? ''} ${asString(p['type']) ?? ''} on id "${target['id']}"`.replace(/ {2,}/g, ' '));
    out.push(
      obj([
        ['owner', str(p['owner'])],
        ['targetDomain', str(p['targetDomain'])],
        ['type', str(p['type'])],
        ['target', target ? escapeDeep(target) : undefined],
      ]),
    );
  }
  if (ids.length === 0) return out;
  const what = address.startsWith('apiKeys/') ? 'the key was left out (coveo-sync never touches it unless it is declared; with prune, add it to settings.ignore.apiKeys)' : 'its privileges were left out, so plans leave them as they are';
  warn(
    ctx,
    'privilege_target_id',
    address,
    `${address}: ${ids.length === 1 ? 'a privilege targets' : 'privileges target'} an object by id (${ids.join('; ')}), which the configuration cannot name: it exists only in this organization and is not one of the six kinds or not managed. ${what[0]?.toUpperCase() ?? ''}${what.slice(1)}.`,
  );
  return undefined;
}

function writeSecurityProvider(ctx: Context, r: LiveResource): JsonObject {
  const a = r.attrs;
  const address = addressOf('securityProviders', r.key);
  if (typeof a['crawlingModuleId'] === 'string') {
    warn(ctx, 'org_specific', address, `${address}: crawlingModuleId "${a['crawlingModuleId']}" names a Crawling Module of this organization; on another organization set it per environment with \${var:NAME} (--var/--var-file) or remove it.`);
  }
  const parameters: Record<string, JsonValue> = {};
  for (const name of Object.keys(asObject(a['parameters'])).sort(compareStrings)) {
    const p = asObject(asObject(a['parameters'])[name]);
    if (p['sensitive'] === true) {
      const value = placeholder(ctx, `COVEO_PROVIDER_${upperSnake(r.key)}_${upperSnake(name)}`, address, `parameters.${name}.value`);
      parameters[name] = { sensitive: true, value };
    } else if (typeof p['value'] === 'string') {
      parameters[name] = { value: escapeInterpolation(p['value']) };
    }
  }
  return obj([
    ['id', escapeInterpolation(r.key)],
    ['type', str(a['type'])],
    ['displayName', a['displayName'] === r.key ? undefined : str(a['displayName'])],
    ['caseSensitive', onlyTrue(a['caseSensitive'])],
    ['nodeRequired', onlyTrue(a['nodeRequired'])],
    ['crawlingModuleId', str(a['crawlingModuleId'])],
    ['cascadingSecurityProviders', list(a['cascadingSecurityProviders'])],
    ['parameters', Object.keys(parameters).length > 0 ? parameters : undefined],
  ]);
}

function writeField(_ctx: Context, r: LiveResource): JsonObject {
  const a = r.attrs;
  const type = asString(a['type']);
  const entries: [string, JsonValue | undefined][] = [
    ['name', escapeInterpolation(r.key)],
    ['type', str(a['type'])],
  ];
  for (const k of FIELD_KEYS) {
    const v = a[k];
    if (typeof v === 'boolean') entries.push([k, v === fieldDefault(k, type) ? undefined : v]);
    else if (typeof v === 'string') entries.push([k, escapeInterpolation(v)]);
    else entries.push([k, list(v)]);
  }
  return obj(entries);
}

/** The raw configuration without what Coveo maintains, with placeholders for what it never returns. */
function writeConfiguration(ctx: Context, r: LiveResource, v: JsonValue | undefined): JsonValue | undefined {
  if (!isPlainObject(v)) return undefined;
  const address = addressOf('sources', r.key);
  const out: Record<string, JsonValue> = {};
  for (const k of Object.keys(v).sort(compareStrings)) {
    const x = v[k];
    if (x === undefined || SERVER_CONFIGURATION_KEYS.includes(k)) continue;
    if (k === 'parameters' && isPlainObject(x)) {
      const params: Record<string, JsonValue> = {};
      for (const name of Object.keys(x).sort(compareStrings)) {
        if (SERVER_PARAMETERS.includes(name)) continue;
        const p = asObject(x[name]);
        // The schema's parameter holds `value` and `sensitive` only.
        if (p['sensitive'] === true) {
          const value = placeholder(ctx, `COVEO_SOURCE_${upperSnake(r.key)}_${upperSnake(name)}`, address, `configuration.parameters.${name}.value`);
          params[name] = { sensitive: true, value };
        } else if (typeof p['value'] === 'string') {
          params[name] = { value: escapeInterpolation(p['value']) };
        }
        // A non-sensitive parameter without a value cannot be written (the schema requires one); left
        // out, it is not compared.
      }
      if (Object.keys(params).length > 0) out[k] = params;
      continue;
    }
    if (k === 'userIdentities' && isPlainObject(x)) {
      const identities: Record<string, JsonValue> = {};
      for (const name of Object.keys(x).sort(compareStrings)) {
        const u = asObject(x[name]);
        const password = placeholder(ctx, `COVEO_SOURCE_${upperSnake(r.key)}_${upperSnake(name)}_PASSWORD`, address, `configuration.userIdentities.${name}.password`);
        // The schema's user identity holds these three; Coveo adds nothing else worth carrying over.
        identities[name] = obj([
          ['name', str(u['name'])],
          ['userName', str(u['userName'])],
          ['password', password],
        ]);
      }
      if (Object.keys(identities).length > 0) out[k] = identities;
      continue;
    }
    out[k] = escapeDeep(x);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function writeSource(ctx: Context, r: LiveResource): JsonObject {
  const a = r.attrs;
  const address = addressOf('sources', r.key);
  if (typeof a['crawlingModuleId'] === 'string') {
    warn(ctx, 'org_specific', address, `${address}: crawlingModuleId "${a['crawlingModuleId']}" names a Crawling Module of this organization; on another organization set it per environment with \${var:NAME} (--var/--var-file) or remove it.`);
  }
  if (typeof a['logicalIndex'] === 'string' && a['logicalIndex'] !== 'default') {
    warn(ctx, 'org_specific', address, `${address}: logicalIndex "${a['logicalIndex']}" is an index of this organization; on another organization set it with \${var:NAME} or remove it to use the default index.`);
  }
  if (a['pushEnabled'] === true) {
    warn(
      ctx,
      'push_source',
      address,
      `${address} is a Push source: the API keys that push to it belong to this organization and are not part of the source. On another organization, declare a key with a { owner: PLATFORM, targetDomain: SOURCE, type: EDIT, target: { source: ${r.key} } } privilege in apiKeys, and give its new value (--secrets-out) to the pushing application.`,
    );
  }
  const extensions = [...asArray(a['preConversionExtensions']), ...asArray(a['postConversionExtensions'])];
  if (extensions.length > 0) {
    warn(ctx, 'org_specific', address, `${address}: its indexing pipeline extensions are referred to by extensionId, which exists only in this organization; on another organization create the extensions first and set their ids with \${var:NAME}.`);
  }
  const mappings = asArray(a['mappings']).map((m) => {
    const { id: _id, ...rest } = asObject(m);
    return escapeDeep(rest);
  });
  return obj([
    ['name', escapeInterpolation(r.key)],
    ['sourceType', str(a['sourceType'])],
    ['sourceVisibility', str(a['sourceVisibility'])],
    ['securityProviders', list(a['securityProviders'])],
    ['pushEnabled', onlyTrue(a['pushEnabled'])],
    ['streamEnabled', onlyTrue(a['streamEnabled'])],
    ['onPremisesEnabled', onlyTrue(a['onPremisesEnabled'])],
    ['crawlingModuleId', str(a['crawlingModuleId'])],
    ['logicalIndex', str(a['logicalIndex'])],
    ['additionalComments', str(a['additionalComments'])],
    ['configuration', writeConfiguration(ctx, r, a['configuration'])],
    ['mappings', mappings.length > 0 ? mappings : undefined],
    ['preConversionExtensions', list(a['preConversionExtensions'])],
    ['postConversionExtensions', list(a['postConversionExtensions'])],
    ['groupsThatCanEdit', canEditList(ctx, address, 'groupsThatCanEdit', 'groups', a['groupsThatCanEdit'])],
    ['apiKeysThatCanEdit', canEditList(ctx, address, 'apiKeysThatCanEdit', 'apiKeys', a['apiKeysThatCanEdit'])],
  ]);
}

function writeSchedule(_ctx: Context, r: LiveResource): JsonObject {
  const a = r.attrs;
  const f = asObject(a['frequency']);
  const hm = f['hourMinute'] === undefined ? undefined : asObject(f['hourMinute']);
  return obj([
    ['source', str(a['source'])],
    ['refreshType', str(a['refreshType'])],
    ['enabled', onlyFalse(a['enabled'])],
    [
      'frequency',
      obj([
        ['type', str(f['type'])],
        ['value', f['value']],
        ['hourMinute', hm ? obj([['hour', hm['hour']], ['minute', hm['minute']]]) : undefined],
        ['monthDay', f['monthDay']],
        ['weekDays', list(f['weekDays'])],
      ]),
    ],
  ]);
}

function writeGroup(ctx: Context, r: LiveResource): JsonObject {
  const a = r.attrs;
  const address = addressOf('groups', r.key);
  const privileges = privilegesOf(ctx, address, a['privileges']);
  return obj([
    ['displayName', escapeInterpolation(r.key)],
    ['privileges', privileges && privileges.length > 0 ? privileges : undefined],
    ['members', list(a['members'])],
    ['invites', list(a['invites'])],
    ['groupsThatCanEdit', canEditList(ctx, address, 'groupsThatCanEdit', 'groups', a['groupsThatCanEdit'])],
    ['apiKeysThatCanEdit', canEditList(ctx, address, 'apiKeysThatCanEdit', 'apiKeys', a['apiKeysThatCanEdit'])],
  ]);
}

function writeApiKey(ctx: Context, r: LiveResource): JsonObject | undefined {
  const a = r.attrs;
  const address = addressOf('apiKeys', r.key);
  // Privileges cannot change in place: a key written without one of them would be replaced.
  const privileges = privilegesOf(ctx, address, a['privileges']);
  if (privileges === undefined) return undefined;
  if (r.status !== undefined) {
    warn(ctx, 'api_key_status', address, `${address} is ${r.status} in this organization; on another organization the key is created new and working.`);
  }
  return obj([
    ['name', r.key],
    ['displayName', str(a['displayName'])],
    ['description', a['description'] === '' ? undefined : str(a['description'])],
    ['enabled', onlyFalse(a['enabled'])],
    // Required by the schema, so written even when empty.
    ['privileges', privileges],
    ['allowedIps', list(a['allowedIps'])],
    ['deniedIps', list(a['deniedIps'])],
    ['additionalConfiguration', list(a['additionalConfiguration'])],
    ['groupsThatCanEdit', canEditList(ctx, address, 'groupsThatCanEdit', 'groups', a['groupsThatCanEdit'])],
    ['apiKeysThatCanEdit', canEditList(ctx, address, 'apiKeysThatCanEdit', 'apiKeys', a['apiKeysThatCanEdit'])],
  ]);
}

/** One writer per kind; `undefined` means "left out" (the writer has said why). */
const WRITERS: { readonly [K in ResourceKind]: (ctx: Context, r: LiveResource) => JsonObject | undefined } = {
  securityProviders: writeSecurityProvider,
  fields: writeField,
  sources: writeSource,
  schedules: writeSchedule,
  groups: writeGroup,
  apiKeys: writeApiKey,
};

/**
 * Turns live state into the written configuration, with the `${env:…}` variables it needs and the
 * warnings the user must read before using the files on another organization.
 *
 * `unmanaged` are the live objects the tool does not manage (API keys without the marker): they are
 * left out and counted in a warning.
 */
export function toWrittenConfig(live: LiveState, unmanaged: readonly UnmanagedLive[], options: ToWrittenOptions = {}): ExportResult {
  const kinds = RESOURCE_KINDS.filter((k) => live[k] !== undefined && (options.kinds === undefined || options.kinds.includes(k)));
  const keys = new Set(RESOURCE_KINDS.flatMap((k) => (live[k] ?? []).map((r) => `${k}\u0000${r.key}`)));
  const ctx: Context = { keys, live, warnings: [], secrets: [], usedNames: new Set() };
  const config: { version: 1 } & { [K in ResourceKind]?: JsonObject[] } = { version: 1 };
  for (const kind of kinds) {
    const seen = new Map<string, LiveResource>();
    const resources = [...(live[kind] ?? [])].sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.remoteId, b.remoteId));
    const out: JsonObject[] = [];
    for (const r of resources) {
      if (r.isBuiltIn && options.includeBuiltIns !== true) continue;
      const twin = seen.get(r.key);
      if (twin) {
        warn(
          ctx,
          'live_duplicate',
          addressOf(kind, r.key),
          `${addressOf(kind, r.key)}: two live objects have this identity (ids ${twin.remoteId} and ${r.remoteId}); only the first was written. Rename or delete one in Coveo, then export again.`,
        );
        continue;
      }
      seen.set(r.key, r);
      const written = WRITERS[kind](ctx, r);
      if (written) out.push(written);
    }
    config[kind] = out;
  }
  const leftOut = unmanaged.filter((u) => kinds.includes(u.kind));
  if (leftOut.length > 0) {
    const labels = [...leftOut].sort((a, b) => compareStrings(a.label, b.label) || compareStrings(a.remoteId, b.remoteId)).map((u) => `"${u.label}"`);
    ctx.warnings.push({
      code: 'unmanaged_left_out',
      message: `${leftOut.length} API key${leftOut.length === 1 ? '' : 's'} without the coveo-sync marker ${leftOut.length === 1 ? 'was' : 'were'} left out (${labels.join(', ')}); export with --adopt-api-keys to manage ${leftOut.length === 1 ? 'it' : 'them'}.`,
    });
  }
  return { config, secrets: ctx.secrets, warnings: ctx.warnings };
}
