import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { planChanges, type PlanOptions } from '../../../src/core/plan-changes.js';
import { buildDesiredState, buildLiveState } from '../../../src/core/state.js';
import { RESOURCE_KINDS, type DesiredState } from '../../../src/core/types.js';
import { addAdoptionSteps, adoptionsOfPlan, applyAdoptions, findAdoptions, nameUnmanagedApiKeys, slugOf } from '../../../src/export/adopt.js';
import { emitYaml } from '../../../src/export/emit-yaml.js';
import { toWrittenConfig } from '../../../src/export/to-written.js';
import { withMarker } from '../../../src/kinds/api-keys/spec.js';
import { SPECS } from '../../../src/kinds/specs.js';
import { fingerprintSecret, hashText } from '../../../src/plan/hashing.js';
import { apiKey, envFor, group, marker, source, writeFiles, type Dtos } from './support.js';

const query = { owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targetId: '*' };

/** An org where keys were made by hand and other resources refer to them. */
function handMadeOrg(): Dtos {
  return {
    sources: [source('s1', 'Docs', { configuration: {}, apiKeysThatCanEdit: [{ id: 'k-hand', displayName: 'Storefront search' }] })],
    groups: [group('g1', 'Editors', { privileges: [{ owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW', targetId: 'k-hand' }] })],
    apiKeys: [
      apiKey('k-hand', 'Storefront search', { description: 'Made in the admin console', privileges: [query], allowedIps: ['10.0.0.1'] }),
      apiKey('k-managed', 'Managed', { description: marker('storefront-search-2') }),
      apiKey('k-other', 'Storefront search!', { privileges: [{ owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW', targetId: '*' }] }),
    ],
  };
}

async function desiredFromExport(dtos: Dtos): Promise<DesiredState> {
  const named = nameUnmanagedApiKeys(dtos.apiKeys ?? []);
  const { live, unmanaged } = buildLiveState({ ...dtos, apiKeys: [...named.dtos] }, SPECS, hashText);
  const result = toWrittenConfig(live, unmanaged);
  const dir = writeFiles(emitYaml(result.config, { schemaRef: 's' }));
  const loaded = await loadConfig([dir], { env: envFor(result), salt: 's', fingerprint: fingerprintSecret, cwd: dir });
  return buildDesiredState(loaded.resources, SPECS);
}

const options = (overrides: Partial<PlanOptions> = {}): PlanOptions => ({
  specs: SPECS,
  organizationId: 'orga',
  kinds: [...RESOURCE_KINDS],
  prune: false,
  protect: [],
  ignore: {},
  salt: 's',
  hash: hashText,
  fingerprint: fingerprintSecret,
  ...overrides,
});

/** The plan pipeline with adoption, as get-plan.ts would run it. */
function planWithAdoption(desired: DesiredState, dtos: Dtos, overrides: Partial<PlanOptions> = {}) {
  const opts = options(overrides);
  const found = findAdoptions(desired, dtos, SPECS, hashText);
  const adopted = applyAdoptions(dtos, found.adoptions);
  const { live } = buildLiveState(adopted, SPECS, hashText);
  const outcome = addAdoptionSteps(planChanges(desired, live, opts), found, desired, live, opts);
  return { ...outcome, found, adopted };
}

describe('nameUnmanagedApiKeys', () => {
  it('names unmarked keys after their display name, unique among managed names and each other', () => {
    const { adopted, dtos } = nameUnmanagedApiKeys(handMadeOrg().apiKeys ?? []);
    expect(adopted.map((a) => [a.name, a.remoteId])).toEqual([
      ['storefront-search', 'k-hand'],
      ['storefront-search-3', 'k-other'],
    ]);
    expect((dtos[0] as { description: string }).description).toBe(withMarker('Made in the admin console', 'storefront-search'));
    expect(dtos[1]).toEqual(handMadeOrg().apiKeys?.[1]);
  });

  it('gives the same names whatever the listing order', () => {
    const keys = handMadeOrg().apiKeys ?? [];
    expect(nameUnmanagedApiKeys([...keys].reverse()).adopted).toEqual(nameUnmanagedApiKeys(keys).adopted);
  });

  it('slugs display names into valid key names', () => {
    expect(slugOf('Storefront search (prod)')).toBe('storefront-search-prod');
    expect(slugOf('  Été: clé #1 ')).toBe('ete-cle-1');
    expect(slugOf('***')).toBe('api-key');
    expect(slugOf('x'.repeat(200))).toHaveLength(96);
    expect(slugOf('v1.2_beta')).toBe('v1.2_beta');
  });
});

describe('adoption at plan time', () => {
  it('plans only the marker on adopted keys: no create, no change to what refers to them', async () => {
    const dtos = handMadeOrg();
    const desired = await desiredFromExport(dtos);
    const { plan, issues, found } = planWithAdoption(desired, dtos);
    expect(issues).toEqual([]);
    expect(found.adoptions.map((a) => [a.name, a.remoteId])).toEqual([
      ['storefront-search', 'k-hand'],
      ['storefront-search-3', 'k-other'],
    ]);
    expect(plan.steps.map((s) => `${s.action} ${s.kind}/${s.id}`)).toEqual(['update apiKeys/storefront-search', 'update apiKeys/storefront-search-3']);
    const step = plan.steps[0];
    expect(step?.action === 'update' && step.changes).toEqual([
      { path: 'description', from: 'Made in the admin console', to: 'Made in the admin console\n\nmanaged-by: coveo-sync name=storefront-search' },
    ]);
    expect(step?.action === 'update' && step.remoteId).toBe('k-hand');
    expect(step?.risk).toBe('safe');
    expect(step?.notes[0]).toMatch(/adopts the existing key "Storefront search" \(id k-hand\)/);
    expect(plan.summary).toMatchObject({ add: 0, change: 2, replace: 0, destroy: 0 });
    expect(Object.keys(plan.basis.live)).toContain('apiKeys/storefront-search');
  });

  it('without adoption the same files would create new keys (why the planner needs it)', async () => {
    const dtos = handMadeOrg();
    const desired = await desiredFromExport(dtos);
    const { live } = buildLiveState(dtos, SPECS, hashText);
    const { plan } = planChanges(desired, live, options());
    expect(plan.steps.filter((s) => s.action === 'create').map((s) => s.id)).toEqual(['storefront-search', 'storefront-search-3']);
  });

  it('is empty once the marker is written', async () => {
    const dtos = handMadeOrg();
    const desired = await desiredFromExport(dtos);
    const first = planWithAdoption(desired, dtos);
    // What the apply does: write the marker.
    const after = first.adopted;
    const { plan, found } = planWithAdoption(desired, after);
    expect(found.adoptions).toEqual([]);
    expect(plan.steps).toEqual([]);
  });

  it('joins the marker to an update the planner makes anyway', async () => {
    const dtos = handMadeOrg();
    const desired = await desiredFromExport(dtos);
    const edited: DesiredState = {
      ...desired,
      apiKeys: desired.apiKeys.map((k) => (k.key === 'storefront-search' ? { ...k, attrs: { ...k.attrs, allowedIps: ['10.0.0.2'] } } : k)),
    };
    const { plan } = planWithAdoption(edited, dtos);
    const step = plan.steps.find((s) => s.id === 'storefront-search');
    expect(step?.action).toBe('update');
    expect(step?.action === 'update' && step.changes.map((c) => c.path)).toEqual(['allowedIps', 'description']);
    expect(plan.summary.change).toBe(2);
  });

  it('leaves protected, ignored and untargeted keys alone', async () => {
    const dtos = handMadeOrg();
    const desired = await desiredFromExport(dtos);
    expect(planWithAdoption(desired, dtos, { protect: ['apiKeys/storefront-search'] }).plan.steps.map((s) => s.id)).toEqual(['storefront-search-3']);
    expect(planWithAdoption(desired, dtos, { ignore: { apiKeys: ['-3$'] } }).plan.steps.map((s) => s.id)).toEqual(['storefront-search']);
    expect(planWithAdoption(desired, dtos, { targets: ['apiKeys/storefront-search-3'] }).plan.steps.map((s) => s.id)).toEqual(['storefront-search-3']);
  });

  it('adopts only a key with the same display name and privileges', async () => {
    const dtos = handMadeOrg();
    const desired = await desiredFromExport(dtos);
    const changed: Dtos = { ...dtos, apiKeys: (dtos.apiKeys ?? []).map((k) => ((k as { id: string }).id === 'k-hand' ? { ...(k as object), displayName: 'Renamed' } : k)) };
    const { found, plan } = planWithAdoption(desired, changed);
    expect(found.adoptions.map((a) => a.name)).toEqual(['storefront-search-3']);
    expect(plan.steps.find((s) => s.id === 'storefront-search')?.action).toBe('create');
  });

  it('between look-alike keys, adopts the one that matches every declared attribute, else warns', async () => {
    const dtos = handMadeOrg();
    const desired = await desiredFromExport(dtos);
    const twin = apiKey('k-twin', 'Storefront search', { description: 'Made in the admin console', privileges: [query], allowedIps: ['10.9.9.9'] });
    const withTwin: Dtos = { ...dtos, apiKeys: [twin, ...(dtos.apiKeys ?? [])] };
    expect(planWithAdoption(desired, withTwin).found.adoptions.find((a) => a.name === 'storefront-search')?.remoteId).toBe('k-hand');
    const otherTwin = apiKey('k-twin2', 'Storefront search', { description: 'Made in the admin console', privileges: [query], allowedIps: ['10.8.8.8'] });
    const noExact: Dtos = { ...dtos, apiKeys: [twin, otherTwin, ...(dtos.apiKeys ?? []).filter((k) => (k as { id: string }).id !== 'k-hand')] };
    const { found } = planWithAdoption(desired, noExact);
    expect(found.adoptions.map((a) => a.name)).toEqual(['storefront-search-3']);
    expect(found.warnings).toEqual([expect.objectContaining({ code: 'adoption_ambiguous', address: 'apiKeys/storefront-search' })]);
    expect(planWithAdoption(desired, noExact).plan.warnings).toEqual(found.warnings);
  });

  it('finds the adoptions of a saved plan again, so the staleness check sees the same etags', async () => {
    const dtos = handMadeOrg();
    const desired = await desiredFromExport(dtos);
    const { plan } = planWithAdoption(desired, dtos);
    const again = adoptionsOfPlan(plan, dtos);
    expect(again.map((a) => [a.name, a.remoteId])).toEqual([
      ['storefront-search', 'k-hand'],
      ['storefront-search-3', 'k-other'],
    ]);
    const { live } = buildLiveState(applyAdoptions(dtos, again), SPECS, hashText);
    for (const l of live.apiKeys ?? []) expect(plan.basis.live[`apiKeys/${l.key}`]).toBe(l.etag);
  });
});
