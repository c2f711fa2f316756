/**
 * Property tests of the planner (style guide §11): for arbitrary valid configurations of every kind, with
 * references among the generated names and secrets from the environment,
 * (a) planning against the live state a faithful apply produces gives no steps (design §4's quality bar),
 * (b) the plan does not depend on the order of resources in either input,
 * (c) planning never throws, whatever the options, and whatever Coveo answers,
 * and no secret value ever appears in a plan.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planChanges } from '../../../src/core/plan-changes.js';
import { buildLiveState } from '../../../src/core/state.js';
import { RESOURCE_KINDS, type ResourceKind } from '../../../src/core/types.js';
import { SPECS } from '../../../src/kinds/specs.js';
import {
  applyToLive,
  desiredOf,
  dto,
  fingerprint,
  hash,
  liveFromDesired,
  ORG,
  planFor,
  randomFrom,
  SALT,
  secret,
  shuffled,
  type Dtos,
  type Written,
} from '../../support/builders.js';

type Obj = Record<string, unknown>;

// Small pools, so two generated configurations share names (and so updates and replaces happen).
const PROVIDERS = ['Intranet Email', 'Directory', 'Okta claims', 'Ünïcode provider'];
const FIELDS = ['title', 'price', 'cat_1', 'size', 'releasedate'];
const SOURCES = ['Docs', 'Wiki', 'Support cases', 'Catalog/EU', 'Ünïcode source'];
const GROUPS = ['Editors', 'Viewers', 'Ops', 'Admins 2'];
const KEYS = ['storefront', 'pusher', 'ops.key', 'k-1'];
const BUILT_IN_PROVIDER = 'Email Security Provider';
const BUILT_IN_GROUP = 'Administrators';
const builtIns: Dtos = { securityProviders: [dto.emailProvider()], groups: [dto.administrators()] };

interface Names {
  readonly providers: readonly string[];
  readonly fields: readonly string[];
  readonly sources: readonly string[];
  readonly groups: readonly string[];
  readonly keys: readonly string[];
}

const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
/**
 * fast-check builds records with a null prototype; the loader (like JSON.parse) builds ordinary objects,
 * which is what the core's isPlainObject expects. Secrets are kept as they are.
 */
function ordinary(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(ordinary);
  if (v !== null && typeof v === 'object' && (Object.getPrototypeOf(v) === null || Object.getPrototypeOf(v) === Object.prototype)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) out[k] = ordinary(x);
    return out;
  }
  return v;
}
/** Drops undefined values, as YAML would never hold them. */
const clean = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const text = fc.stringMatching(/^[A-Za-z0-9 ,.é-]{1,16}$/);
/** A secret value that is easy to look for in output. */
const secretValue = fc.stringMatching(/^[a-z0-9]{6,10}$/).map((s) => `SECRET-${s}`);
const envSecret = fc.tuple(fc.constantFrom('A', 'B', 'C'), secretValue).map(([n, v]) => secret(`ENV_${n}`, v));
const bool = fc.boolean();
const subset = (xs: readonly string[]): fc.Arbitrary<string[]> => fc.subarray([...xs]);

const parameters = fc.dictionary(
  fc.constantFrom('Server', 'Password', 'MaxDepth', 'Token', 'Api Key'),
  fc.oneof(
    text.map((value) => ({ value })),
    fc.tuple(text, bool).map(([value, sensitive]) => ({ value, sensitive: sensitive && false })),
    envSecret.map((value) => ({ value, sensitive: true })),
    envSecret.map((value) => ({ value })),
  ),
  { maxKeys: 3 },
);

const privilege = (names: Names): fc.Arbitrary<Obj> => {
  const targeted = (domain: string, prop: string, pool: readonly string[]): fc.Arbitrary<Obj>[] =>
    pool.length === 0 ? [] : [fc.tuple(fc.constantFrom('VIEW', 'EDIT'), fc.constantFrom(...pool)).map(([type, t]) => ({ owner: 'PLATFORM', targetDomain: domain, type, target: { [prop]: t } }))];
  return fc.oneof(
    fc.constant({ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }),
    fc.tuple(fc.constantFrom('FIELD', 'ORGANIZATION', 'SOURCE', 'GROUP'), fc.constantFrom('VIEW', 'EDIT', 'CREATE'), opt(fc.constant('*'))).map(([targetDomain, type, target]) => clean({ owner: 'PLATFORM', targetDomain, type, target })),
    ...targeted('SOURCE', 'source', names.sources),
    ...targeted('GROUP', 'group', [...names.groups, BUILT_IN_GROUP]),
    ...targeted('API_KEY', 'apiKey', names.keys),
    ...targeted('SECURITY_PROVIDER', 'securityProvider', [...names.providers, BUILT_IN_PROVIDER]),
  );
};

const providerArb = (id: string, names: Names): fc.Arbitrary<Obj> =>
  fc
    .record(
      {
        type: fc.constantFrom('EMAIL', 'CLAIMS', 'ACTIVE_DIRECTORY2'),
        displayName: text,
        caseSensitive: bool,
        nodeRequired: bool,
        crawlingModuleId: fc.constantFrom('cm-1', 'cm-2'),
        cascadingSecurityProviders: subset([...names.providers.filter((p) => p !== id), BUILT_IN_PROVIDER]),
        parameters,
      },
      { requiredKeys: ['type'] },
    )
    .map((r) => ({ id, ...r }));

const STRING_ONLY = ['multiValueFacet', 'hierarchicalFacet', 'ranking', 'stemming', 'mergeWithLexicon', 'keepAccentsDisplayValueFacet', 'keepDistinctDisplayValueFacet', 'multilingual'];
const ANY_TYPE = ['automaticFacetsCandidate', 'includeInQuery', 'includeInResults', 'keyValue', 'smartDateFacet', 'useCacheForNestedQuery', 'useCacheForSort'];
const fieldArb = (name: string): fc.Arbitrary<Obj> =>
  fc.constantFrom('STRING', 'LONG', 'LONG_64', 'DOUBLE', 'DATE').chain((type) => {
    const isString = type === 'STRING';
    const options = isString ? [...STRING_ONLY, ...ANY_TYPE] : [...ANY_TYPE, 'useCacheForNumericQuery', 'useCacheForComputedFacet'];
    return fc
      .record(
        {
          ...Object.fromEntries(options.map((o) => [o, bool])),
          facet: isString ? bool : fc.constant(true),
          sort: isString ? bool : fc.constant(true),
          description: text,
          label: text,
          automaticFacetsCandidateTags: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
          ...(type === 'DATE' ? { dateFormat: fc.constant('yyyy-MM-dd') } : {}),
        },
        { requiredKeys: [] },
      )
      .map((r) => ({ name, type, ...r }));
  });

const sourceArb = (name: string, names: Names): fc.Arbitrary<Obj> =>
  fc
    .record(
      {
        sourceType: fc.constantFrom('WEB2', 'SITEMAP', 'PUSH', 'CONFLUENCE2'),
        sourceVisibility: fc.constantFrom('PRIVATE', 'SECURED', 'SHARED'),
        securityProviders: subset([...names.providers, BUILT_IN_PROVIDER]),
        pushEnabled: bool,
        streamEnabled: bool,
        onPremisesEnabled: bool,
        crawlingModuleId: fc.constantFrom('cm-1'),
        logicalIndex: fc.constantFrom('default', 'other'),
        additionalComments: text,
        configuration: fc.record(
          {
            startingAddresses: fc.array(fc.oneof(fc.constantFrom('https://a.example.com/', 'https://b.example.com/'), envSecret), { maxLength: 3 }),
            addressPatterns: fc.array(fc.record({ expression: fc.constantFrom('https://a.example.com/*', '*/archive/*'), patternType: fc.constantFrom('Wildcard', 'RegEx'), allowed: bool }), { maxLength: 2 }),
            parameters,
            userIdentities: fc.dictionary(fc.constantFrom('Crawler', 'Reader'), fc.record({ name: opt(text), userName: text, password: envSecret }).map(clean), { maxKeys: 2 }),
            sourceSecurityOption: fc.constantFrom('Retrieve', 'Specified', 'Merge'),
            caseSensitivePatterns: bool,
            documentConfig: fc.constant({ extensions: [] }),
          },
          { requiredKeys: [] },
        ),
        mappings: fc.array(fc.record({ fieldName: fc.constantFrom(...FIELDS), extractionMethod: fc.constantFrom('METADATA', 'LITERAL'), rules: fc.array(fc.constantFrom('%[a]', '%[b]'), { maxLength: 2 }) }), { maxLength: 2 }),
        preConversionExtensions: fc.array(fc.record({ extensionId: fc.constantFrom('ext-1', 'ext-2'), actionOnError: fc.constantFrom('SKIP_EXTENSION', 'REJECT_DOCUMENT') }), { maxLength: 2 }),
        groupsThatCanEdit: subset([...names.groups, BUILT_IN_GROUP]),
        apiKeysThatCanEdit: subset(names.keys),
      },
      { requiredKeys: ['sourceType'] },
    )
    .map((r) => ({ name, ...r }));

const frequency = fc.oneof(
  fc.integer({ min: 1, max: 59 }).map((value) => ({ type: 'MINUTELY', value })),
  fc.tuple(fc.integer({ min: 1, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([value, minute]) => ({ type: 'HOURLY', value, hourMinute: { hour: 0, minute } })),
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([hour, minute]) => ({ type: 'DAILY', hourMinute: { hour, minute } })),
  fc
    .tuple(fc.uniqueArray(fc.constantFrom('MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'), { minLength: 1, maxLength: 7 }), fc.integer({ min: 0, max: 23 }))
    .map(([weekDays, hour]) => ({ type: 'WEEKLY', weekDays, hourMinute: { hour, minute: 0 } })),
  fc.tuple(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 0, max: 23 })).map(([monthDay, hour]) => ({ type: 'MONTHLY', monthDay, hourMinute: { hour, minute: 5 } })),
);

const schedulesArb = (sourceName: string): fc.Arbitrary<Obj[]> =>
  fc
    .uniqueArray(fc.constantFrom('FULL_REFRESH', 'INCREMENTAL_REFRESH', 'REBUILD', 'SECURITY_PROVIDER_REFRESH'), { maxLength: 2 })
    .chain((types) => fc.tuple(...types.map((refreshType) => fc.record({ enabled: opt(bool), frequency }).map((r) => clean({ source: sourceName, refreshType, ...r })))));

const groupArb = (displayName: string, names: Names): fc.Arbitrary<Obj> =>
  fc
    .record(
      {
        privileges: fc.array(privilege(names), { maxLength: 4 }),
        members: fc.uniqueArray(fc.constantFrom('ann@example.com', 'bob@example.com', 'svc-user'), { maxLength: 3 }),
        invites: fc.uniqueArray(fc.constantFrom('cy@example.com', 'dee@example.com'), { maxLength: 2 }),
        groupsThatCanEdit: subset([...names.groups.filter((g) => g !== displayName), BUILT_IN_GROUP]),
        apiKeysThatCanEdit: subset(names.keys),
      },
      { requiredKeys: [] },
    )
    .map((r) => ({ displayName, ...r }));

const apiKeyArb = (name: string, names: Names): fc.Arbitrary<Obj> =>
  fc
    .record(
      {
        displayName: text,
        description: fc.oneof(text, text.map((t) => `${t}\n`), fc.constant('Line one\nline two\n\n')),
        privileges: fc.array(privilege(names), { minLength: 1, maxLength: 3 }),
        enabled: bool,
        allowedIps: fc.uniqueArray(fc.constantFrom('10.0.0.0/8', '192.168.1.1', '203.0.113.0/24'), { maxLength: 3 }),
        deniedIps: fc.uniqueArray(fc.constantFrom('198.51.100.7', '203.0.113.9'), { maxLength: 2 }),
        additionalConfiguration: fc.record({ search: fc.record({ enforcedQueryPipelineConfiguration: fc.record({ searchHub: text }) }) }),
        lifetimeDuration: fc.constantFrom('P1Y', 'P90D'),
        groupsThatCanEdit: subset([...names.groups, BUILT_IN_GROUP]),
        apiKeysThatCanEdit: subset(names.keys.filter((k) => k !== name)),
      },
      { requiredKeys: ['displayName', 'privileges'] },
    )
    .map((r) => ({ name, ...r }));

/** An arbitrary valid configuration of every kind, with references only to generated or built-in names. */
const configArb: fc.Arbitrary<Written> = fc
  .record({
    providers: fc.subarray(PROVIDERS),
    fields: fc.subarray(FIELDS),
    sources: fc.subarray(SOURCES),
    groups: fc.subarray(GROUPS),
    keys: fc.subarray(KEYS),
  })
  .chain((names) =>
    fc
      .record({
        securityProviders: fc.tuple(...names.providers.map((id) => providerArb(id, names))),
        fields: fc.tuple(...names.fields.map(fieldArb)),
        sources: fc.tuple(...names.sources.map((n) => sourceArb(n, names))),
        schedules: fc.tuple(...names.sources.map(schedulesArb)).map((xs) => xs.flat()),
        groups: fc.tuple(...names.groups.map((g) => groupArb(g, names))),
        apiKeys: fc.tuple(...names.keys.map((k) => apiKeyArb(k, names))),
      })
      .map((w) => ordinary(Object.fromEntries(Object.entries(w).filter(([, list]) => list.length > 0))) as Written),
  );

const secretValuesOf = (v: unknown): string[] => {
  const out: string[] = [];
  const walk = (x: unknown): void => {
    if (x !== null && typeof x === 'object' && typeof (x as { reveal?: unknown }).reveal === 'function') out.push((x as { reveal: () => string }).reveal());
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x !== null && typeof x === 'object') Object.values(x).forEach(walk);
  };
  walk(v);
  return out;
};

const declaredCount = (w: Written): number => RESOURCE_KINDS.reduce((n, k) => n + (w[k]?.length ?? 0), 0);

const shuffleWritten = (w: Written, seed: number): Written => {
  const r = randomFrom(seed);
  return Object.fromEntries(shuffled(Object.entries(w), r).map(([k, list]) => [k, shuffled(list ?? [], r)]));
};
const shuffleDtos = (d: Dtos, seed: number): Dtos => {
  const r = randomFrom(seed);
  return Object.fromEntries(Object.entries(d).map(([k, list]) => [k, shuffled(list ?? [], r)]));
};

// FC_RUNS raises the count for a deeper local search (e.g. FC_RUNS=5000).
const RUNS = Number(process.env['FC_RUNS'] ?? 100);

describe('planner properties', () => {
  it('(a) planning against the live state a faithful apply produces gives no steps', () => {
    fc.assert(
      fc.property(configArb, fc.integer(), bool, (w, seed, legacyPrivileges) => {
        const live = liveFromDesired(desiredOf(w), { seed, legacyPrivileges, extra: builtIns });
        const out = planFor(w, live, { prune: true });
        expect(out.issues).toEqual([]);
        expect(out.plan.steps).toEqual([]);
        expect(out.plan.undeclared).toEqual([]);
        expect(out.plan.summary).toEqual({ add: 0, change: 0, replace: 0, destroy: 0, unchanged: declaredCount(w) });
      }),
      { numRuns: RUNS },
    );
  });

  it('(a) the plan after a faithful apply is empty, whatever the organization looked like before', () => {
    fc.assert(
      fc.property(configArb, configArb, fc.integer(), fc.integer(), (a, b, s1, s2) => {
        const before = liveFromDesired(desiredOf(b), { seed: s1, extra: builtIns });
        const first = planFor(a, before, { prune: true, allowMassDelete: true });
        expect(first.issues).toEqual([]);
        const after = applyToLive(first.desired, before, first.plan, { seed: s2 });
        const second = planFor(a, after, { prune: true, allowMassDelete: true });
        expect(second.issues).toEqual([]);
        expect(second.plan.steps.map((s) => `${s.kind}/${s.id} ${s.action}`)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('(a) against an empty organization, every declared resource is a create and nothing else', () => {
    fc.assert(
      fc.property(configArb, (w) => {
        const empty = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, [...(builtIns[k] ?? [])]])) as Dtos;
        const out = planFor(w, empty, { prune: true });
        expect(out.issues).toEqual([]);
        expect(out.plan.steps.every((s) => s.action === 'create')).toBe(true);
        expect(out.plan.steps).toHaveLength(declaredCount(w));
        // Every dependency is a step of this plan; one on a kind the spec depends on runs in an earlier wave
        // (others, such as a source's editors among new API keys, are written in the cross-references pass).
        const byAddress = new Map(out.plan.steps.map((s) => [`${s.kind}/${s.id}`, s]));
        for (const s of out.plan.steps) {
          for (const d of s.dependsOn) {
            const dep = byAddress.get(d);
            expect(dep).toBeDefined();
            if (dep && SPECS[s.kind].dependsOn.includes(dep.kind)) expect(dep.wave).toBeLessThan(s.wave);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('(b) the plan does not depend on the order of resources in the files or in the organization', () => {
    fc.assert(
      fc.property(configArb, configArb, fc.integer(), fc.integer(), bool, subset(['fields/title', 'sources/Docs', 'groups/Editors', 'apiKeys/pusher']), (a, b, s1, s2, prune, protect) => {
        const live = { ...liveFromDesired(desiredOf(b), { seed: s1, extra: builtIns }) };
        const options = { prune, protect, allowMassDelete: true, ignore: { fields: ['^size$'] } as Partial<Record<ResourceKind, string[]>> };
        const one = planFor(a, live, options);
        const two = planFor(shuffleWritten(a, s2), shuffleDtos(live, s2), options);
        expect(JSON.stringify(two.plan)).toBe(JSON.stringify(one.plan));
        expect(two.issues).toEqual(one.issues);
      }),
      { numRuns: RUNS },
    );
  });

  it('(c) planning never throws on valid input, whatever the options; no secret value is ever printed', () => {
    const address = fc.oneof(
      fc.constantFrom(...PROVIDERS).map((k) => `securityProviders/${k}`),
      fc.constantFrom(...SOURCES).map((k) => `sources/${k}`),
      fc.constantFrom(...GROUPS, BUILT_IN_GROUP).map((k) => `groups/${k}`),
      fc.constantFrom(...KEYS).map((k) => `apiKeys/${k}`),
      fc.constantFrom(...FIELDS).map((k) => `fields/${k}`),
    );
    fc.assert(
      fc.property(
        configArb,
        configArb,
        fc.record({
          prune: bool,
          allowMassDelete: bool,
          protect: fc.array(address, { maxLength: 3 }),
          targets: fc.array(address, { maxLength: 2 }),
          forceReplace: fc.array(address, { maxLength: 2 }),
          ignore: fc.record({ sources: fc.array(fc.constantFrom('^D', 'EU$', '.'), { maxLength: 1 }), apiKeys: fc.array(fc.constantFrom('^k', 'key'), { maxLength: 1 }) }, { requiredKeys: [] }),
        }),
        fc.integer(),
        (a, b, options, seed) => {
          const live = liveFromDesired(desiredOf(b), { seed, extra: builtIns });
          const out = planFor(a, live, options);
          // The files' secrets never show; a value Coveo shows in clear for a resource the files do not
          // declare (B's) is not a secret of this plan.
          const text = JSON.stringify({ plan: out.plan, issues: out.issues });
          for (const v of secretValuesOf(a)) expect(text).not.toContain(v);
          for (const s of out.plan.steps) expect(['safe', 'destructive', 'security']).toContain(s.risk);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('(c) planning never throws, whatever Coveo answers', () => {
    const junk = fc.array(fc.oneof(fc.jsonValue(), fc.record({ id: fc.string(), name: fc.string(), displayName: fc.string(), description: fc.string(), privileges: fc.jsonValue(), sourceId: fc.jsonValue() })), { maxLength: 4 });
    fc.assert(
      fc.property(configArb, fc.record(Object.fromEntries(RESOURCE_KINDS.map((k) => [k, junk])) as Record<ResourceKind, fc.Arbitrary<unknown[]>>), bool, (w, dtos, prune) => {
        const { live } = buildLiveState(dtos, SPECS, hash);
        planChanges(desiredOf(w), live, { specs: SPECS, organizationId: ORG, kinds: [...RESOURCE_KINDS], prune, protect: [], ignore: {}, allowMassDelete: true, salt: SALT, hash, fingerprint });
      }),
      { numRuns: RUNS },
    );
  });
});
