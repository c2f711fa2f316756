/**
 * `equalsLive` spares the full comparison to resources that match their live twin (issue 9: sources and
 * API keys, with sensitive, write-only and subset paths, went through the projected copies and the walk
 * every plan). It may say false when they are equal, never true when the full comparison finds a change.
 */
import { describe, expect, it } from 'vitest';
import { diffAttrs, equalsLive, jsonEquals, omitPaths, projectLive, subsetEquals, type CompareRules } from '../../../src/core/compare.js';
import type { JsonObject, JsonValue } from '../../../src/core/json.js';
import { buildLiveState } from '../../../src/core/state.js';
import { SPECS } from '../../../src/kinds/specs.js';
import { desiredOf, dto, fingerprint, hash, liveFromDesired, randomFrom, secret, stored, written } from '../../support/builders.js';

/** The full comparison planChanges makes (compareResource). */
function changesOf(desired: JsonObject, live: JsonObject, rules: CompareRules, fingerprints?: JsonObject): readonly unknown[] {
  const after = omitPaths(desired, rules.writeOnly);
  const before = projectLive(omitPaths(live, rules.writeOnly), after, rules.subsetPaths);
  return diffAttrs(before, after, { sensitive: rules.sensitive, fingerprint, ...(fingerprints ? { fingerprints: fingerprints as never } : {}) }).changes;
}

const KEYS = ['configuration', 'userIdentities', 'password', 'lifetimeDuration', 'parameters', 'value', 'a', 'b', '0', '7'];
const RULES: readonly CompareRules[] = [
  SPECS.sources,
  SPECS.apiKeys,
  SPECS.securityProviders,
  SPECS.fields,
  { sensitive: [], writeOnly: [], subsetPaths: ['configuration', 'a'] },
  { sensitive: ['a.*.password'], writeOnly: ['b'], subsetPaths: ['configuration'] },
  { sensitive: [], writeOnly: ['configuration.password'], subsetPaths: [] },
];

function randomTrees(seed: number): { desired: JsonObject; live: JsonObject } {
  const random = randomFrom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const leaf = (): JsonValue => pick<JsonValue>([1, 2, 'x', 'y', true, false, null, '', 0]);
  const tree = (depth: number): JsonValue => {
    const r = random();
    if (depth > 3 || r < 0.35) return random() < 0.1 ? (secret('ENV_A', 'SECRET-a') as unknown as JsonValue) : leaf();
    if (r < 0.55) return Array.from({ length: Math.floor(random() * 3) }, () => tree(depth + 1));
    // Now and then an undefined value (the same as no key), which the projection must treat so too.
    return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [pick(KEYS), random() < 0.05 ? undefined : tree(depth + 1)]));
  };
  // Live: a copy with changes now and then (values, keys added, keys removed, undefined values).
  const mutate = (v: JsonValue | undefined, depth: number): JsonValue | undefined => {
    const r = random();
    if (r < 0.04) return tree(depth);
    if (r < 0.06) return undefined;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { reveal?: unknown }).reveal === 'function') return random() < 0.5 ? 'SECRET-a' : 'REDACTED';
    if (Array.isArray(v)) return v.map((x) => mutate(x, depth + 1) ?? null);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, JsonValue | undefined> = {};
      for (const [k, x] of Object.entries(v)) out[k] = mutate(x, depth + 1);
      if (random() < 0.15) out[pick(KEYS)] = tree(depth + 1);
      return out;
    }
    return v;
  };
  const top = Object.fromEntries(Array.from({ length: 1 + Math.floor(random() * 4) }, () => [pick(KEYS), tree(1)])) as JsonObject;
  const live = (random() < 0.3 ? top : mutate(top, 0)) as JsonObject;
  // Live attrs never hold Secrets (they come from JSON).
  return { desired: top, live: JSON.parse(JSON.stringify(live ?? {})) as JsonObject };
}

describe('equalsLive', () => {
  it('never says equal when the full comparison finds a change', () => {
    let equal = 0;
    for (let seed = 1; seed <= 4000; seed++) {
      const { desired, live } = randomTrees(seed);
      for (const rules of RULES) {
        if (!equalsLive(desired, live, rules)) continue;
        equal++;
        expect(changesOf(desired, live, rules, { 'configuration.password': stored('other') as unknown as JsonValue })).toEqual([]);
      }
    }
    expect(equal).toBeGreaterThan(2000);
  });

  it('says equal for the resources of a faithful apply (no secrets), in every kind', () => {
    const w = {
      securityProviders: [written.provider('Directory', { parameters: { Server: { value: 'ldap://x' } } })],
      fields: [written.field('title')],
      sources: [written.source('Docs', { configuration: { startingAddresses: ['https://a.example.com/'], parameters: { MaxDepth: { value: '3' } } }, mappings: [{ fieldName: 'title', extractionMethod: 'METADATA', rules: ['%[title]'] }] })],
      schedules: [written.schedule('Docs')],
      groups: [written.group('Editors', { privileges: [written.privilege('PLATFORM', 'SOURCE', 'EDIT', { source: 'Docs' })] })],
      apiKeys: [written.apiKey('k-1', { lifetimeDuration: 'P1Y', additionalConfiguration: { search: { enforcedQueryPipelineConfiguration: { searchHub: 'x' } } } })],
    };
    const desired = desiredOf(w);
    const { live } = buildLiveState(liveFromDesired(desired, { seed: 3, extra: { securityProviders: [dto.emailProvider()] } }), SPECS, hash);
    for (const kind of ['securityProviders', 'fields', 'sources', 'schedules', 'groups', 'apiKeys'] as const) {
      for (const d of desired[kind]) {
        const l = live[kind]?.find((x) => x.key === d.key);
        expect(l, `${kind}/${d.key}`).toBeDefined();
        expect(equalsLive(d.attrs, l?.attrs ?? {}, SPECS[kind]), `${kind}/${d.key}`).toBe(true);
      }
    }
  });

  it('leaves Secrets and write-only paths below the top level to the full comparison', () => {
    const withSecret = { configuration: { parameters: { Password: { value: secret('ENV_A', 'SECRET-a') } } } } as unknown as JsonObject;
    expect(equalsLive(withSecret, withSecret, SPECS.sources)).toBe(false);
    expect(equalsLive({ a: 1 }, { a: 1 }, { sensitive: [], writeOnly: ['a.b'], subsetPaths: [] })).toBe(false);
    expect(equalsLive({ a: 1, lifetimeDuration: 'P1Y' }, { a: 1 }, SPECS.apiKeys)).toBe(true);
  });
});

describe('subsetEquals', () => {
  it('is jsonEquals of the subset projection', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const { desired, live } = randomTrees(seed);
      const projected = projectLive({ s: live }, { s: desired }, ['s'])['s'];
      expect(subsetEquals(live, desired), `seed ${seed}`).toBe(jsonEquals(projected, desired));
    }
  });
});
