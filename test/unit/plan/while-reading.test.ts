/**
 * `whileReading` makes the desired state, its fingerprint, the adoptions, the live state and the plan
 * while the reads are in flight (issue 9). Whatever the order the kinds are read in and however the work is spread
 * between the answers, it gives what get-plan made after the reads, one step after the other; and it
 * gives up (undefined) rather than give anything else.
 */
import { describe, expect, it } from 'vitest';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { compareStrings, stableStringify, type JsonObject } from '../../../src/core/json.js';
import { planChanges, type PlanOptions } from '../../../src/core/plan-changes.js';
import { buildDesiredState, buildLiveState } from '../../../src/core/state.js';
import { RESOURCE_KINDS, type ResourceKind } from '../../../src/core/types.js';
import { applyAdoptions, findAdoptions } from '../../../src/export/adopt.js';
import { SPECS } from '../../../src/kinds/specs.js';
import type { PlanInput } from '../../../src/plan/get-plan.js';
import { fingerprintSecret, hashText } from '../../../src/plan/hashing.js';
import type { LiveDtos } from '../../../src/plan/read-live.js';
import { whileReading } from '../../../src/plan/while-reading.js';
import { dto, randomFrom, shuffled, written, type Dtos } from '../../support/builders.js';

const query = { owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' };

function inputOf(w: { readonly [K in ResourceKind]?: readonly Record<string, unknown>[] }): Pick<PlanInput, 'resources'> {
  const resources = Object.fromEntries(
    RESOURCE_KINDS.map((k) => [k, (w[k] ?? []).map((r, i) => ({ written: r as JsonObject, origin: { file: `${k}.yaml`, line: i + 1, column: 3 } }))]),
  ) as unknown as PlanInput['resources'];
  return { resources };
}

const input = inputOf({
  securityProviders: [written.provider('Directory')],
  fields: Array.from({ length: 1100 }, (_, i) => written.field(`f${String(i).padStart(4, '0')}`, i % 3 === 0 ? 'LONG' : 'STRING')),
  sources: [written.source('Docs', { groupsThatCanEdit: ['Editors'] }), written.source('Wiki')],
  schedules: [written.schedule('Docs'), written.schedule('Wiki', 'REBUILD')],
  groups: [written.group('Editors', { privileges: [written.privilege('PLATFORM', 'SOURCE', 'EDIT', { source: 'Docs' })] })],
  // "storefront" has no live key of its name: it adopts the unmarked k-hand (same display name and privileges).
  apiKeys: [written.apiKey('storefront', { displayName: 'Storefront', privileges: [query] }), written.apiKey('managed')],
});

const read: Dtos = {
  securityProviders: [dto.emailProvider(), dto.provider('Directory')],
  fields: Array.from({ length: 600 }, (_, i) => dto.field(`f${String(i).padStart(4, '0')}`)),
  sources: [dto.source('s1', 'Docs', { groupsThatCanEdit: [{ id: 'g1', displayName: 'old' }], apiKeysThatCanEdit: [{ id: 'k-hand', displayName: 'x' }] }), dto.source('s2', 'Wiki')],
  schedules: [dto.schedule('sch-1', 's1'), dto.schedule('sch-2', 's2', 'REBUILD')],
  groups: [dto.group('g1', 'Editors', { privileges: [{ owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW', targetId: 'k-hand' }] })],
  apiKeys: [dto.apiKey('k-hand', undefined, { displayName: 'Storefront', privileges: [{ ...query, targetId: '*' }] }), dto.apiKey('k-1', 'managed')],
};

const optionsOf = (kinds: readonly ResourceKind[]): PlanOptions => ({
  specs: SPECS,
  organizationId: 'orga',
  kinds,
  prune: true,
  protect: [],
  ignore: {},
  salt: 's',
  hash: hashText,
  fingerprint: fingerprintSecret,
});

/** What get-plan made after the reads before. */
function sequential(managedKinds: readonly ResourceKind[], dtos: LiveDtos) {
  const desired = buildDesiredState(input.resources, SPECS);
  const adoptions = managedKinds.includes('apiKeys') ? findAdoptions(desired, dtos, SPECS, hashText) : undefined;
  const adopted = adoptions ? applyAdoptions(dtos, adoptions.adoptions) : dtos;
  const built = buildLiveState(adopted, SPECS, hashText);
  const planned = planChanges(desired, built.live, optionsOf(managedKinds));
  // The fingerprint of the configuration as it was computed before the pieces.
  const managed = RESOURCE_KINDS.filter((k) => managedKinds.includes(k));
  const text = stableStringify(managed.map((k) => [k, [...desired[k]].sort((a, b) => compareStrings(a.key, b.key)).map((d) => [d.key, d.attrs])]));
  expect(planned.plan.basis.config).toBe(hashText(text));
  return { desired, adoptions, dtos: adopted, built, planned };
}

/** Reads `kinds` in `order`, with `turns` turns of the event loop before each answer and after the last. */
async function early(managedKinds: readonly ResourceKind[], kinds: readonly ResourceKind[], order: readonly ResourceKind[], turns: number) {
  const w = whileReading(input, managedKinds, kinds, optionsOf(managedKinds));
  const dtos: Partial<Record<ResourceKind, readonly unknown[]>> = {};
  for (const kind of order) {
    for (let i = 0; i < turns; i++) await nextTurn();
    const list = read[kind] ?? [];
    dtos[kind] = list;
    w.read(kind, list);
  }
  for (let i = 0; i < turns; i++) await nextTurn();
  w.stop();
  return { made: w.finish(dtos), dtos };
}

describe('whileReading', () => {
  it('makes what the sequential steps make, whatever the order of the reads and the time between them', async () => {
    expect(findAdoptions(buildDesiredState(input.resources, SPECS), read, SPECS, hashText).adoptions.map((a) => a.remoteId)).toEqual(['k-hand']);
    const random = randomFrom(9);
    for (const turns of [0, 2, 40]) {
      for (let n = 0; n < 3; n++) {
        const order = shuffled(RESOURCE_KINDS, random);
        const { made, dtos } = await early(RESOURCE_KINDS, RESOURCE_KINDS, order, turns);
        expect(JSON.stringify(made)).toBe(JSON.stringify(sequential(RESOURCE_KINDS, dtos)));
      }
    }
  });

  it('reads API keys without adopting when they are not managed, and fingerprints only the managed kinds', async () => {
    const managed: ResourceKind[] = ['sources', 'groups'];
    const kinds: ResourceKind[] = ['securityProviders', 'sources', 'groups', 'apiKeys'];
    const { made, dtos } = await early(managed, kinds, ['apiKeys', 'groups', 'sources', 'securityProviders'], 2);
    expect(made?.adoptions).toBeUndefined();
    expect(JSON.stringify(made)).toBe(JSON.stringify(sequential(managed, dtos)));
  });

  it('gives up when the reads are not the ones it was given', async () => {
    const w = whileReading(input, ['fields'], ['fields'], optionsOf(['fields']));
    w.read('fields', read.fields ?? []);
    await nextTurn();
    w.stop();
    expect(w.finish({ fields: [...(read.fields ?? [])] })).toBeUndefined();
    const v = whileReading(input, ['fields'], ['fields'], optionsOf(['fields']));
    v.read('fields', read.fields ?? []);
    v.stop();
    expect(v.finish({ fields: read.fields ?? [], groups: [] })).toBeUndefined();
    expect(v.finish({ fields: read.fields ?? [] })).toEqual(sequential(['fields'], { fields: read.fields ?? [] }));
  });

  it('gives up when a step fails, so the caller meets the error in the usual order', async () => {
    const bad = inputOf({ fields: [written.field('ok')] });
    const throwing = { ...bad, resources: { ...bad.resources, fields: [{ get written(): JsonObject { throw new Error('boom'); } }] } } as unknown as Pick<PlanInput, 'resources'>;
    const w = whileReading(throwing, ['fields'], ['fields'], optionsOf(['fields']));
    w.read('fields', read.fields ?? []);
    await nextTurn();
    await nextTurn();
    w.stop();
    expect(w.finish({ fields: read.fields ?? [] })).toBeUndefined();
  });
});
