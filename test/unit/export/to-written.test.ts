import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { RESOURCE_KINDS } from '../../../src/core/types.js';
import { emitYaml } from '../../../src/export/emit-yaml.js';
import { escapeInterpolation, upperSnake } from '../../../src/export/to-written.js';
import { fingerprintSecret } from '../../../src/plan/hashing.js';
import { apiKey, envFor, exportOf, field, group, marker, planExported, provider, richOrg, schedule, source, writeFiles, type Dtos } from './support.js';

const shuffle = <T>(xs: readonly T[], seed: number): T[] => {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

describe('toWrittenConfig: round trip', () => {
  it('plans empty against the organization it came from, for every kind', async () => {
    const result = exportOf(richOrg());
    for (const kind of RESOURCE_KINDS) expect(result.config[kind]?.length, kind).toBeGreaterThan(0);
    const { plan, issues } = await planExported(richOrg(), result);
    expect(issues).toEqual([]);
    expect(plan.steps).toEqual([]);
    expect(plan.summary.unchanged).toBe(2 + 3 + 2 + 2 + 1 + 2);
  });

  it('plans empty from split files too', async () => {
    const { plan, issues } = await planExported(richOrg(), exportOf(richOrg()), { splitByKind: true });
    expect(issues).toEqual([]);
    expect(plan.steps).toEqual([]);
  });

  it('writes files the loader accepts without warnings', async () => {
    const result = exportOf(richOrg());
    const dir = writeFiles(emitYaml(result.config, { schemaRef: 'schema.json' }));
    const loaded = await loadConfig([dir], { env: envFor(result), salt: 's', fingerprint: fingerprintSecret, cwd: dir });
    expect(loaded.warnings).toEqual([]);
  });

  it('a change in the org after the export shows in the plan (the round trip can fail)', async () => {
    const result = exportOf(richOrg());
    const changed = richOrg();
    changed.fields = [...(changed.fields ?? []).filter((f) => (f as { name: string }).name !== 'size'), field('size', 'LONG', { ranking: true, includeInQuery: false })];
    const { plan } = await planExported(changed, result);
    expect(plan.steps.map((s) => `${s.action} ${s.kind}/${s.id}`)).toEqual(['update fields/size']);
  });
});

describe('toWrittenConfig: shape', () => {
  it('leaves defaults out: field options equal to the type default, enabled, booleans false, empty lists', () => {
    const { config } = exportOf({
      fields: [field('plain'), field('count', 'LONG'), field('tagged', 'STRING', { facet: true, sort: true, includeInResults: false })],
      schedules: [],
      sources: [source('s1', 'Docs', { configuration: {} })],
      securityProviders: [provider('P')],
      apiKeys: [apiKey('k', 'Key', { description: marker('key') })],
    });
    expect(config.fields).toEqual([
      { name: 'count', type: 'LONG' },
      { name: 'plain', type: 'STRING' },
      { name: 'tagged', type: 'STRING', facet: true, sort: true, includeInResults: false },
    ]);
    expect(config.sources).toEqual([{ name: 'Docs', sourceType: 'WEB', sourceVisibility: 'SHARED' }]);
    expect(config.securityProviders).toEqual([{ id: 'P', type: 'EMAIL' }]);
    expect(config.apiKeys).toEqual([{ name: 'key', displayName: 'Key', privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }] }]);
  });

  it('puts the identity first and keeps a fixed key order per kind', () => {
    const { config } = exportOf(richOrg());
    expect(Object.keys(config)).toEqual(['version', ...RESOURCE_KINDS]);
    expect(Object.keys(config.sources?.[1] ?? {})).toEqual(['name', 'sourceType', 'sourceVisibility', 'securityProviders', 'configuration', 'mappings', 'groupsThatCanEdit', 'apiKeysThatCanEdit']);
    expect(Object.keys(config.schedules?.[0] ?? {})).toEqual(['source', 'refreshType', 'enabled', 'frequency']);
    expect(Object.keys(config.groups?.[0] ?? {})[0]).toBe('displayName');
    expect(Object.keys(config.apiKeys?.[0] ?? {})[0]).toBe('name');
  });

  it('drops what Coveo maintains: sourceInformation, SourceId/OrganizationId parameters, mapping ids, seeds, statistics', () => {
    const { config } = exportOf(richOrg());
    const text = JSON.stringify(config);
    for (const gone of ['sourceInformation', 'SourceId', 'OrganizationId', 'map-1', 'seed', 'statistics', 'orga-src1', 'createdDate', 'lastLogin', 'xx-masked-xx']) {
      expect(text, gone).not.toContain(gone);
    }
  });

  it('writes references by name, never server ids', () => {
    const { config } = exportOf(richOrg());
    const editors = config.groups?.find((g) => g['displayName'] === 'Search editors');
    expect(editors?.['privileges']).toContainEqual({ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: 'Product docs' } });
    expect(editors?.['privileges']).toContainEqual({ owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW', target: { apiKey: 'storefront-search' } });
    expect(editors?.['groupsThatCanEdit']).toEqual(['Administrators']);
    expect(config.schedules?.map((s) => s['source'])).toEqual(['Product docs', 'Product docs']);
    const docs = config.sources?.find((s) => s['name'] === 'Product docs');
    expect(docs?.['apiKeysThatCanEdit']).toEqual(['storefront-search']);
    expect(docs?.['securityProviders']).toEqual(['Intranet Email']);
    expect(config.apiKeys?.find((k) => k['name'] === 'pusher')?.['groupsThatCanEdit']).toEqual(['Search editors']);
  });

  it('sorts resources by identity whatever the order Coveo listed them in', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const org = richOrg();
        const shuffled: Dtos = Object.fromEntries(Object.entries(org).map(([k, v]) => [k, shuffle(v, seed + k.length)]));
        const a = emitYaml(exportOf(org).config, { schemaRef: 's' });
        const b = emitYaml(exportOf(shuffled).config, { schemaRef: 's' });
        expect(b).toEqual(a);
      }),
      { numRuns: 25 },
    );
  });

  it('writes only the kinds asked for', () => {
    const { config } = exportOf(richOrg(), { kinds: ['fields', 'schedules'] });
    expect(Object.keys(config)).toEqual(['version', 'fields', 'schedules']);
  });
});

describe('toWrittenConfig: secrets', () => {
  it('turns values Coveo never returns into ${env:…} placeholders with deterministic names', () => {
    const { config, secrets } = exportOf(richOrg());
    const docs = config.sources?.find((s) => s['name'] === 'Product docs');
    expect(docs?.['configuration']).toMatchObject({
      parameters: { Password: { sensitive: true, value: '${env:COVEO_SOURCE_PRODUCT_DOCS_PASSWORD}' } },
      userIdentities: { Crawler: { userName: 'crawler@example.com', password: '${env:COVEO_SOURCE_PRODUCT_DOCS_CRAWLER_PASSWORD}' } },
    });
    expect(config.securityProviders?.find((p) => p['id'] === 'Intranet Claims')?.['parameters']).toEqual({
      ClientId: { value: 'abc' },
      ClientSecret: { sensitive: true, value: '${env:COVEO_PROVIDER_INTRANET_CLAIMS_CLIENTSECRET}' },
    });
    expect(secrets.map((s) => [s.name, s.address, s.path])).toEqual([
      ['COVEO_PROVIDER_INTRANET_CLAIMS_CLIENTSECRET', 'securityProviders/Intranet Claims', 'parameters.ClientSecret.value'],
      ['COVEO_SOURCE_PRODUCT_DOCS_PASSWORD', 'sources/Product docs', 'configuration.parameters.Password.value'],
      ['COVEO_SOURCE_PRODUCT_DOCS_CRAWLER_PASSWORD', 'sources/Product docs', 'configuration.userIdentities.Crawler.password'],
    ]);
  });

  it('makes colliding variable names unique', () => {
    const withPassword = { configuration: { parameters: { Password: { sensitive: true } } } };
    const { secrets } = exportOf({ sources: [source('a', 'Docs A', withPassword), source('b', 'Docs-A', withPassword), source('c', 'docs a', withPassword)] });
    expect(secrets.map((s) => s.name)).toEqual(['COVEO_SOURCE_DOCS_A_PASSWORD', 'COVEO_SOURCE_DOCS_A_PASSWORD_2', 'COVEO_SOURCE_DOCS_A_PASSWORD_3']);
  });

  it('escapes ${ in values so the loader reads them back literally', async () => {
    expect(escapeInterpolation('a ${b} $${c}')).toBe('a $${b} $$${c}');
    const org: Dtos = { sources: [source('s', 'Docs ${x}', { additionalComments: 'cost: ${price}', configuration: { parameters: { UserAgent: { sensitive: false, value: 'Bot ${v}' } } } })] };
    const result = exportOf(org);
    const { plan, issues } = await planExported(org, result);
    expect(issues).toEqual([]);
    expect(plan.steps).toEqual([]);
    expect(plan.summary.unchanged).toBe(1);
  });

  it('upper-snakes names for variables', () => {
    expect(upperSnake('Product docs (EN) – été')).toBe('PRODUCT_DOCS_EN_ETE');
    expect(upperSnake('***')).toBe('X');
  });
});

describe('toWrittenConfig: built-ins and unmanaged', () => {
  it('leaves out system fields, the Administrators group and Email Security Provider unless asked', () => {
    const plain = exportOf(richOrg()).config;
    expect(plain.fields?.map((f) => f['name'])).not.toContain('sysuri');
    expect(plain.groups?.map((g) => g['displayName'])).toEqual(['Search editors']);
    expect(plain.securityProviders?.map((p) => p['id'])).not.toContain('Email Security Provider');
    const all = exportOf(richOrg(), { includeBuiltIns: true }).config;
    expect(all.fields?.map((f) => f['name'])).toContain('sysuri');
    expect(all.groups?.map((g) => g['displayName'])).toEqual(['Administrators', 'Search editors']);
    expect(all.securityProviders?.map((p) => p['id'])).toContain('Email Security Provider');
  });

  it('built-ins included still plan empty', async () => {
    const result = exportOf(richOrg(), { includeBuiltIns: true });
    const { plan, issues } = await planExported(richOrg(), result);
    expect(issues).toEqual([]);
    expect(plan.steps).toEqual([]);
  });

  it('exports only API keys with the marker, and says how many were left out', () => {
    const { config, warnings } = exportOf(richOrg());
    expect(config.apiKeys?.map((k) => k['name'])).toEqual(['pusher', 'storefront-search']);
    expect(warnings.find((w) => w.code === 'unmanaged_left_out')?.message).toMatch(/1 API key without the coveo-sync marker was left out \("Made by hand"\); export with --adopt-api-keys/);
  });

  it('leaves out a can-edit list that names an unmanaged key, rather than write one a plan would shrink', async () => {
    const org: Dtos = {
      groups: [group('g1', 'Editors', { apiKeysThatCanEdit: [{ id: 'k9', displayName: 'Hand made' }], groupsThatCanEdit: [{ id: 'g1', displayName: 'Editors' }] })],
      apiKeys: [apiKey('k9', 'Hand made', { description: 'no marker' })],
    };
    const result = exportOf(org);
    expect(result.config.groups).toEqual([{ displayName: 'Editors', groupsThatCanEdit: ['Editors'] }]);
    expect(result.warnings.map((w) => w.code)).toContain('reference_not_exportable');
    const { plan } = await planExported(org, result);
    expect(plan.steps).toEqual([]);
  });
});

describe('toWrittenConfig: org-specific values', () => {
  it('warns about crawling modules, logical indexes, push sources and extensions, with what to do', () => {
    const { warnings } = exportOf({
      sources: [
        source('s1', 'Onprem', { crawlingModuleId: 'cm-123', logicalIndex: 'index-b', configuration: {} }),
        source('s2', 'Pushed', { pushEnabled: true, sourceType: 'PUSH', configuration: {}, preConversionExtensions: [{ extensionId: 'orga-ext1', actionOnError: 'SKIP_EXTENSION' }] }),
      ],
      securityProviders: [provider('AD', { type: 'ACTIVE_DIRECTORY2', crawlingModuleId: 'cm-123' })],
    });
    const byAddress = warnings.map((w) => `${w.address ?? ''} ${w.code}`);
    expect(byAddress).toEqual([
      'securityProviders/AD org_specific',
      'sources/Onprem org_specific',
      'sources/Onprem org_specific',
      'sources/Pushed push_source',
      'sources/Pushed org_specific',
    ]);
    for (const w of warnings) expect(w.message).toMatch(/another organization/);
  });

  it('leaves out privileges that target a raw id (groups) or the key itself (API keys), with a warning', async () => {
    const pipeline = { owner: 'SEARCH_API', targetDomain: 'QUERY_PIPELINE', type: 'EDIT', targetId: 'pipe-1' };
    const org: Dtos = {
      groups: [group('g1', 'Tuners', { privileges: [pipeline, { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW', targetId: '*' }], members: [{ username: 'a@example.com' }] })],
      apiKeys: [apiKey('k1', 'Tuner key', { description: marker('tuner'), privileges: [pipeline] })],
    };
    const result = exportOf(org);
    expect(result.config.groups).toEqual([{ displayName: 'Tuners', members: ['a@example.com'] }]);
    expect(result.config.apiKeys).toEqual([]);
    expect(result.warnings.filter((w) => w.code === 'privilege_target_id').map((w) => w.address)).toEqual(['groups/Tuners', 'apiKeys/tuner']);
    expect(result.warnings[0]?.message).toContain('SEARCH_API QUERY_PIPELINE EDIT on id "pipe-1"');
    const { plan } = await planExported(org, result);
    expect(plan.steps).toEqual([]);
  });

  it('warns about two live objects with one identity and writes the first', () => {
    const { config, warnings } = exportOf({ groups: [group('g2', 'Twins'), group('g1', 'Twins')] });
    expect(config.groups).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'live_duplicate', address: 'groups/Twins' });
    expect(warnings[0]?.message).toContain('ids g1 and g2');
  });

  it('keeps schedules of every frequency in a canonical form', () => {
    const { config } = exportOf({
      sources: [source('s1', 'Docs', { configuration: {} })],
      schedules: [
        schedule('a', 's1', 'FULL_REFRESH', { frequency: { type: 'MONTHLY', monthDay: 3, hourMinute: { hour: 4, minute: 5 }, seed: 1 } }),
        schedule('b', 's1', 'INCREMENTAL_REFRESH', { frequency: { type: 'HOURLY', value: 6, seed: 9 } }),
      ],
    });
    expect(config.schedules).toEqual([
      { source: 'Docs', refreshType: 'FULL_REFRESH', frequency: { type: 'MONTHLY', hourMinute: { hour: 4, minute: 5 }, monthDay: 3 } },
      { source: 'Docs', refreshType: 'INCREMENTAL_REFRESH', frequency: { type: 'HOURLY', value: 6 } },
    ]);
  });
});
