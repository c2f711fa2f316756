/**
 * `liveStateBuilder` builds the live state kind by kind as the reads finish (issue 9: plan builds what was
 * read while schedules are still being read). Whatever the order kinds are added in and whatever the
 * budgets, the result is the one the all-at-once two-pass build gives (kept here as the reference).
 */
import { describe, expect, it } from 'vitest';
import { stableStringify } from '../../../src/core/json.js';
import type { LiveContext, NormalizedLive } from '../../../src/core/kind-spec.js';
import type { SpecTable } from '../../../src/core/plan-changes.js';
import { buildLiveState, liveStateBuilder, type BuiltLiveState } from '../../../src/core/state.js';
import { RESOURCE_KINDS, toRemoteId, toResourceKey, type LiveResource, type ResourceKey, type ResourceKind, type UnmanagedLive } from '../../../src/core/types.js';
import { SPECS } from '../../../src/kinds/specs.js';
import { dto, hash, randomFrom, shuffled } from '../../support/builders.js';

type Dtos = { readonly [K in ResourceKind]?: readonly unknown[] };

/** The two-pass build as it was written before the builder (the reference). */
function reference(dtos: Dtos, specs: SpecTable): BuiltLiveState {
  const index = new Map<string, ResourceKey>();
  let askedForKeys = false;
  const ctx: LiveContext = {
    keyOf: (kind, id) => {
      askedForKeys = true;
      return index.get(`${kind}\u0000${id}`);
    },
  };
  const first = new Map<ResourceKind, (NormalizedLive | undefined)[]>();
  for (const kind of RESOURCE_KINDS) {
    const list = dtos[kind];
    if (list === undefined) continue;
    const kept = new Array<NormalizedLive | undefined>(list.length);
    list.forEach((d, i) => {
      askedForKeys = false;
      const n = specs[kind].normalizeLive(d, ctx);
      if (n.managed) index.set(`${kind}\u0000${n.remoteId}`, n.key);
      kept[i] = askedForKeys ? undefined : n;
    });
    first.set(kind, kept);
  }
  const live: Partial<Record<ResourceKind, LiveResource[]>> = {};
  const unmanaged: UnmanagedLive[] = [];
  for (const kind of RESOURCE_KINDS) {
    const list = dtos[kind];
    if (list === undefined) continue;
    const kept = first.get(kind) ?? [];
    const out: LiveResource[] = [];
    list.forEach((d, i) => {
      const n = kept[i] ?? specs[kind].normalizeLive(d, ctx);
      if (!n.managed) {
        unmanaged.push({ kind, remoteId: n.remoteId, label: n.label, reason: n.reason });
        return;
      }
      const { managed: _m, ...rest } = n;
      out.push({ kind, ...rest, etag: hash(stableStringify(d)) });
    });
    live[kind] = out;
  }
  return { live, unmanaged };
}

/**
 * Toy specs where any kind may look up any other (earlier, later, itself), in its key as schedules do
 * and in its attrs as privileges do: `{ id, name, keyFrom?: [kind, id], refs: [kind, id][], off? }`.
 */
interface ToyDto {
  readonly id: string;
  readonly name: string;
  readonly keyFrom?: readonly [ResourceKind, string];
  readonly refs: readonly (readonly [ResourceKind, string])[];
  /** Looks up the second only when the first is known (a later pass may ask about a kind an earlier did not). */
  readonly chain?: readonly [readonly [ResourceKind, string], readonly [ResourceKind, string]];
  readonly off?: boolean;
}
const toySpecs = Object.fromEntries(
  RESOURCE_KINDS.map((kind) => [
    kind,
    {
      ...SPECS[kind],
      normalizeLive: (raw: unknown, ctx: LiveContext): NormalizedLive => {
        const d = raw as ToyDto;
        if (d.off === true) return { managed: false, remoteId: toRemoteId(d.id), label: d.name, reason: 'off' };
        const prefix = d.keyFrom ? `${ctx.keyOf(d.keyFrom[0], d.keyFrom[1]) ?? `#${d.keyFrom[1]}`}/` : '';
        return {
          managed: true,
          key: toResourceKey(`${prefix}${d.name}`),
          remoteId: toRemoteId(d.id),
          attrs: {
            refs: d.refs.map(([k, id]) => ctx.keyOf(k, id) ?? `#${id}`),
            ...(d.chain ? { chain: ctx.keyOf(...d.chain[0]) === undefined ? null : (ctx.keyOf(...d.chain[1]) ?? null) } : {}),
          },
        };
      },
    },
  ]),
) as unknown as SpecTable;

function toyDtos(seed: number): Dtos {
  const random = randomFrom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const kinds = RESOURCE_KINDS.filter(() => random() < 0.85);
  const ids = (k: ResourceKind): string[] => ['1', '2', '3', '4'].map((n) => `${k}-${n}`);
  const target = (): readonly [ResourceKind, string] => {
    const k = pick(RESOURCE_KINDS);
    return [k, random() < 0.8 ? pick(ids(k)) : 'gone'];
  };
  const out: Partial<Record<ResourceKind, ToyDto[]>> = {};
  for (const k of kinds) {
    out[k] = ids(k)
      .filter(() => random() < 0.9)
      .map((id, i) => ({
        // Duplicate ids now and then: the last one read wins in the index, as before.
        id: random() < 0.1 ? ids(k)[0] as string : id,
        name: `${k}${i}`,
        ...(random() < 0.4 ? { keyFrom: target() } : {}),
        refs: Array.from({ length: Math.floor(random() * 3) }, target),
        ...(random() < 0.3 ? { chain: [target(), target()] as const } : {}),
        ...(random() < 0.1 ? { off: true } : {}),
      }));
  }
  return out;
}

/** Adds the kinds in `order`, advancing with `budget` after each add, then finishes. */
function incremental(dtos: Dtos, specs: SpecTable, order: readonly ResourceKind[], budget: number): BuiltLiveState {
  const builder = liveStateBuilder(order, specs, hash);
  const early = new Map<ResourceKind, unknown>();
  for (const kind of order) {
    builder.add(kind, dtos[kind] ?? []);
    for (let i = 0; i < 1000 && builder.advance(budget); i++);
    for (const k of order) if (!early.has(k) && builder.liveOf(k) !== undefined) early.set(k, builder.liveOf(k));
  }
  const built = builder.finish();
  // What a kind gave as soon as it was done is what finish gives.
  for (const [k, list] of early) expect(list).toBe(built.live[k]);
  return built;
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('liveStateBuilder', () => {
  it('gives the all-at-once result for the real specs, whatever order the kinds come in and whatever the budget', () => {
    const dtos: Dtos = {
      securityProviders: [dto.emailProvider(), dto.provider('ldap')],
      fields: [dto.field('alpha'), dto.field('beta')],
      sources: [dto.source('s1', 'Docs', { groupsThatCanEdit: [{ id: 'g1', displayName: 'Stale name' }], apiKeysThatCanEdit: [{ id: 'key-1', displayName: 'x' }] })],
      schedules: [dto.schedule('sch-1', 's1', 'REBUILD'), dto.schedule('sch-2', 'gone', 'INCREMENTAL_REFRESH')],
      groups: [dto.group('g1', 'Editors', { privileges: [{ owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW', targetId: 'key-2' }, { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: 's1' }] })],
      apiKeys: [dto.apiKey('key-2', 'second', { apiKeysThatCanEdit: [{ id: 'key-1', displayName: 'x' }] }), dto.apiKey('key-1', 'first'), dto.apiKey('key-3', undefined)],
    };
    const expected = reference(dtos, SPECS);
    expect(buildLiveState(dtos, SPECS, hash)).toEqual(expected);
    permutations(RESOURCE_KINDS).forEach((order, i) => expect(incremental(dtos, SPECS, order, [1, 2, Infinity][i % 3] as number)).toEqual(expected));
  });

  it('gives the all-at-once result when any kind looks up any other, in its key or its attributes', () => {
    const orders = permutations(RESOURCE_KINDS);
    for (let seed = 1; seed <= 100; seed++) {
      const dtos = toyDtos(seed);
      const kinds = RESOURCE_KINDS.filter((k) => dtos[k] !== undefined);
      const expected = reference(dtos, toySpecs);
      expect(buildLiveState(dtos, toySpecs, hash)).toEqual(expected);
      const random = randomFrom(seed);
      for (let n = 0; n < 12; n++) {
        const order = shuffled(orders[Math.floor(random() * orders.length)] as ResourceKind[], random).filter((k) => kinds.includes(k));
        expect(incremental(dtos, toySpecs, order, 1 + Math.floor(random() * 3))).toEqual(expected);
      }
    }
  });

  it('normalises each DTO as often as the all-at-once build does when the kinds come in order', () => {
    let calls = 0;
    const specs = Object.fromEntries(
      RESOURCE_KINDS.map((k) => [k, { ...SPECS[k], normalizeLive: (d: unknown, ctx: LiveContext) => (calls++, SPECS[k].normalizeLive(d, ctx)) }]),
    ) as unknown as SpecTable;
    const dtos: Dtos = {
      fields: [dto.field('alpha')],
      sources: [dto.source('s1', 'Docs')],
      schedules: [dto.schedule('sch-1', 's1', 'REBUILD')],
      groups: [dto.group('g1', 'Editors')],
      apiKeys: [dto.apiKey('key-1', 'first')],
    };
    buildLiveState(dtos, specs, hash);
    const all = calls;
    calls = 0;
    // Sources before schedules (as they are read); groups and API keys before schedules.
    incremental(dtos, specs, ['fields', 'sources', 'groups', 'apiKeys', 'schedules'], 1);
    expect(calls).toBe(all);
  });

  it('does the work of the kinds added so far, and refuses to finish without every kind', () => {
    const builder = liveStateBuilder(['fields', 'schedules'], SPECS, hash);
    builder.add('fields', [dto.field('alpha'), dto.field('beta'), dto.field('gamma')]);
    expect(builder.advance(2)).toBe(true);
    expect(builder.liveOf('fields')).toBeUndefined();
    expect(builder.advance(2)).toBe(false);
    expect(builder.liveOf('fields')?.map((l) => l.key)).toEqual(['alpha', 'beta', 'gamma']);
    expect(builder.liveOf('schedules')).toBeUndefined();
    expect(() => builder.finish()).toThrow(/schedules not added/);
    expect(() => builder.add('fields', [])).toThrow(/added twice/);
    expect(() => builder.add('groups', [])).toThrow(/not expected/);
    builder.add('schedules', []);
    const fields = builder.liveOf('fields');
    const built = builder.finish();
    expect(built.live.fields).toBe(fields);
    expect(built).toEqual(buildLiveState({ fields: [dto.field('alpha'), dto.field('beta'), dto.field('gamma')], schedules: [] }, SPECS, hash));
  });
});
