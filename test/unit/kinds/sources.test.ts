import { describe, expect, it } from 'vitest';
import { waveOf } from '../../../src/core/plan-changes.js';
import { REDACTED } from '../../../src/core/secret.js';
import { FINGERPRINTS_INFO_KEY, readFingerprints, sourcesSpec } from '../../../src/kinds/sources/spec.js';
import { actionsOf, dto, planFor, secret, stepOf, stored, written } from '../../support/builders.js';

const PASSWORD = 's3cret-Pa55';
const CRAWLER = 'crawler-pw-42';
const withPassword = (extra: Record<string, unknown> = {}) =>
  written.source('Docs', {
    configuration: {
      startingAddresses: ['https://docs.example.com/'],
      parameters: { Password: { sensitive: true, value: secret('DOCS_PASSWORD', PASSWORD) }, MaxDepth: { value: '10' } },
      userIdentities: { Crawler: { name: 'Crawler', userName: 'svc', password: secret('CRAWLER_PASSWORD', CRAWLER) } },
    },
    ...extra,
  });
const liveDocs = (extra: Record<string, unknown> = {}, fingerprints?: Record<string, unknown>) =>
  dto.source('src-docs', 'Docs', {
    configuration: {
      startingAddresses: ['https://docs.example.com/'],
      parameters: { Password: { sensitive: true }, MaxDepth: { sensitive: false, value: '10' } },
      userIdentities: { Crawler: { name: 'Crawler', userName: 'svc' } },
    },
    ...(fingerprints ? { additionalInfos: { [FINGERPRINTS_INFO_KEY]: fingerprints } } : {}),
    ...extra,
  });

describe('sources: create', () => {
  it('creates with references by identity and secrets kept as Secret (redacted in JSON)', () => {
    const out = planFor({ securityProviders: [written.provider('Intranet')], sources: [withPassword({ sourceVisibility: 'SECURED', securityProviders: ['Intranet', 'Email Security Provider'] })] }, {
      securityProviders: [dto.emailProvider()],
      sources: [],
    });
    expect(out.issues).toEqual([]);
    const step = stepOf(out, 'sources/Docs');
    expect(step).toMatchObject({ action: 'create', risk: 'safe', wave: waveOf('sources', 'create'), dependsOn: ['securityProviders/Intranet'] });
    expect(step?.action === 'create' && step.refs).toEqual([
      { kind: 'securityProviders', key: 'Email Security Provider', path: 'securityProviders[0]', remoteId: 'Email Security Provider' },
      { kind: 'securityProviders', key: 'Intranet', path: 'securityProviders[1]', remoteId: null },
    ]);
    const text = JSON.stringify(out.plan);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(CRAWLER);
    expect(text).toContain('"ref":"env:DOCS_PASSWORD"');
  });

  it('fills the boolean defaults Coveo fills', () => {
    expect(sourcesSpec.normalizeDesired({ name: 'S', sourceType: 'PUSH', pushEnabled: true })).toEqual({ sourceType: 'PUSH', pushEnabled: true, streamEnabled: false, onPremisesEnabled: false });
  });
});

describe('sources: no-op after Coveo normalisation', () => {
  it.each([
    ['server fields (ids, dates, owner, information, sourceInformation, SourceId/OrganizationId parameters, additionalInfos)', written.source('Docs'), dto.source('src-docs', 'Docs')],
    ['masked sensitive values with no stored fingerprint (write-only)', withPassword(), liveDocs()],
    ['secrets whose stored fingerprints match', withPassword(), liveDocs({}, { 'configuration.parameters.Password.value': stored(PASSWORD), 'configuration.userIdentities.Crawler.password': stored(CRAWLER) })],
    [
      'mappings with server ids and default extension settings',
      written.source('Docs', { mappings: [{ fieldName: 'cat', extractionMethod: 'METADATA', rules: ['%[cat]'] }], preConversionExtensions: [{ extensionId: 'ext-1' }] }),
      dto.source('src-docs', 'Docs', {
        mappings: [{ id: 'map-1', kind: 'MAPPING', fieldName: 'cat', extractionMethod: 'METADATA', rules: ['%[cat]'] }],
        preConversionExtensions: [{ extensionId: 'ext-1', actionOnError: 'SKIP_EXTENSION', condition: '', parameters: {} }],
      }),
    ],
    [
      'security providers and editors reordered, editors as {id, displayName}',
      written.source('Docs', { securityProviders: ['B', 'A'], groupsThatCanEdit: ['Editors', 'Administrators'] }),
      dto.source('src-docs', 'Docs', { securityProviderReferences: ['A', 'B'], groupsThatCanEdit: [{ id: 'grp-admins', displayName: 'Administrators' }, { id: 'grp-ed', displayName: 'Editors' }] }),
    ],
    [
      'a plain value taken from the environment (visible in Coveo)',
      written.source('Docs', { configuration: { startingAddresses: [secret('DOCS_URL', 'https://docs.example.com/?token=abc')] } }),
      dto.source('src-docs', 'Docs', { configuration: { startingAddresses: ['https://docs.example.com/?token=abc'] } }),
    ],
  ])('%s', (_name, w, d) => {
    const out = planFor({ sources: [w] }, { securityProviders: [dto.provider('A'), dto.provider('B')], groups: [dto.administrators(), dto.group('grp-ed', 'Editors')], sources: [d] });
    expect(out.issues).toEqual([]);
    expect(out.plan.steps).toEqual([]);
    expect(out.plan.summary.unchanged).toBe(1);
  });
});

describe('sources: update', () => {
  it('a configuration change gives the exact change and patch, and leaves unchanged secrets out of the patch', () => {
    const out = planFor({ sources: [withPassword({ configuration: { ...(withPassword()['configuration'] as object), startingAddresses: ['https://docs.example.com/', 'https://help.example.com/'] } })] }, { sources: [liveDocs()] });
    const step = stepOf(out, 'sources/Docs');
    expect(step).toMatchObject({ action: 'update', risk: 'safe', remoteId: 'src-docs', wave: waveOf('sources', 'update') });
    expect(step?.action === 'update' && step.changes).toEqual([
      { path: 'configuration.startingAddresses', from: ['https://docs.example.com/'], to: ['https://docs.example.com/', 'https://help.example.com/'] },
    ]);
    expect(step?.action === 'update' && step.patch).toEqual([{ op: 'add', path: '/configuration/startingAddresses/1', value: 'https://help.example.com/' }]);
  });

  it('a secret whose stored fingerprint differs is a sensitive change, redacted everywhere', () => {
    const out = planFor({ sources: [withPassword()] }, { sources: [liveDocs({}, { 'configuration.parameters.Password.value': stored('the-old-password') })] });
    const step = stepOf(out, 'sources/Docs');
    expect(step?.action === 'update' && step.changes).toEqual([{ path: 'configuration.parameters.Password.value', from: REDACTED, to: REDACTED, isSensitive: true }]);
    expect(step?.action === 'update' && step.patch).toEqual([{ op: 'add', path: '/configuration/parameters/Password/value', value: REDACTED }]);
    const text = JSON.stringify(out.plan);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('the-old-password');
  });

  it('a plain value from the environment never shows in the step, even when something else changes', () => {
    const token = 'https://docs.example.com/?token=abc';
    const out = planFor(
      { sources: [written.source('Docs', { additionalComments: 'new', configuration: { startingAddresses: [secret('DOCS_URL', token)], parameters: { Key: { value: secret('KEY', 'plain-key') } } } })] },
      { sources: [dto.source('src-docs', 'Docs', { configuration: { startingAddresses: [token], parameters: { Key: { sensitive: false, value: 'plain-key' } } } })] },
    );
    const step = stepOf(out, 'sources/Docs');
    expect(step?.action === 'update' && step.changes).toEqual([{ path: 'additionalComments', to: 'new' }]);
    expect(step?.action === 'update' && step.patch).toEqual([{ op: 'add', path: '/additionalComments', value: 'new' }]);
    const text = JSON.stringify(out.plan);
    expect(text).not.toContain('token=abc');
    expect(text).not.toContain('plain-key');
  });

  it('a plain value from the environment that Coveo holds differently shows redacted on both sides', () => {
    const out = planFor(
      { sources: [written.source('Docs', { configuration: { startingAddresses: [secret('U1', 'https://a/?t=1'), secret('U2', 'https://b/?t=2')] } })] },
      { sources: [dto.source('src-docs', 'Docs', { configuration: { startingAddresses: ['https://a/?t=1'] } })] },
    );
    const step = stepOf(out, 'sources/Docs');
    expect(step?.action).toBe('update');
    const text = JSON.stringify(out.plan);
    expect(text).not.toContain('t=1');
    expect(text).not.toContain('t=2');
  });

  it('reads stored fingerprints from additionalInfos and ignores malformed ones', () => {
    expect(readFingerprints({ [FINGERPRINTS_INFO_KEY]: { a: { salt: 's', hash: 'h' }, b: { salt: 1 }, c: 'x' } })).toEqual({ a: { salt: 's', hash: 'h' } });
    expect(readFingerprints(undefined)).toEqual({});
  });
});

describe('sources: replace', () => {
  it('a sourceType change replaces the source and re-creates its schedules', () => {
    const out = planFor(
      { sources: [written.source('Docs', { sourceType: 'SITEMAP' })], schedules: [written.schedule('Docs', 'FULL_REFRESH'), written.schedule('Docs', 'INCREMENTAL_REFRESH', { enabled: false })] },
      { sources: [dto.source('src-docs', 'Docs')], schedules: [dto.schedule('sch-1', 'src-docs', 'FULL_REFRESH'), dto.schedule('sch-2', 'src-docs', 'INCREMENTAL_REFRESH')] },
    );
    expect(actionsOf(out)).toEqual(['sources/Docs replace', 'schedules/Docs/FULL_REFRESH create', 'schedules/Docs/INCREMENTAL_REFRESH create']);
    const step = stepOf(out, 'sources/Docs');
    expect(step).toMatchObject({ risk: 'destructive', remoteId: 'src-docs' });
    expect(step?.action === 'replace' && step.reason).toBe(
      'sourceType cannot be changed in place: Coveo does not change the type of an existing source; it is deleted and created again, and its content is re-indexed',
    );
    expect(stepOf(out, 'schedules/Docs/FULL_REFRESH')).toMatchObject({ notes: ['re-created with its source "Docs", which is replaced'], dependsOn: ['sources/Docs'] });
    expect(out.plan.summary).toEqual({ add: 2, change: 0, replace: 1, destroy: 0, unchanged: 0 });
  });

  it('a protected source is not replaced, and its schedules are not re-created (no duplicates)', () => {
    const out = planFor(
      { sources: [written.source('Docs', { sourceType: 'SITEMAP' })], schedules: [written.schedule('Docs', 'FULL_REFRESH')] },
      { sources: [dto.source('src-docs', 'Docs')], schedules: [dto.schedule('sch-1', 'src-docs', 'FULL_REFRESH')] },
      { protect: ['sources/Docs'] },
    );
    expect(out.plan.steps).toEqual([]);
    expect(out.plan.summary.unchanged).toBe(1);
  });

  it('sources and groups that refer to a replaced source get the new id', () => {
    const out = planFor(
      {
        sources: [written.source('Docs', { sourceType: 'SITEMAP' })],
        groups: [written.group('Editors', { privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: 'Docs' } }] })],
      },
      { sources: [dto.source('src-docs', 'Docs')], groups: [dto.group('grp-ed', 'Editors', { privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: 'src-docs' }] })] },
    );
    expect(actionsOf(out)).toEqual(['sources/Docs replace', 'groups/Editors update']);
    expect(stepOf(out, 'groups/Editors')).toMatchObject({ dependsOn: ['sources/Docs'], notes: ['writes the new id of sources/Docs, which is replaced'] });
  });
});

describe('sources: delete and references', () => {
  it('prune deletes an undeclared source, last among creates and before fields', () => {
    const out = planFor({ sources: [written.source('A'), written.source('B'), written.source('C'), written.source('D')] }, {
      sources: ['A', 'B', 'C', 'D', 'Old'].map((n) => dto.source(`src-${n}`, n)),
    }, { prune: true });
    expect(actionsOf(out)).toEqual(['sources/Old delete']);
    expect(stepOf(out, 'sources/Old')?.wave).toBeGreaterThan(waveOf('apiKeys', 'create'));
    expect(waveOf('sources', 'delete')).toBeLessThan(waveOf('fields', 'delete'));
  });

  it('a declared reference to a source that prune would delete is an error', () => {
    const out = planFor(
      { sources: ['A', 'B', 'C', 'D'].map((n) => written.source(n)), groups: [written.group('G', { privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW', target: { source: 'Old' } }] })] },
      { sources: ['A', 'B', 'C', 'D', 'Old'].map((n) => dto.source(`src-${n}`, n)), groups: [dto.group('g', 'G', { privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW', targetId: 'src-Old' }] })] },
      { prune: true },
    );
    expect(out.issues).toEqual([expect.objectContaining({ code: 'reference_unresolved', path: 'privileges[0].target.source' })]);
    expect(out.issues[0]?.message).toMatch(/prune deletes it/);
  });

  it('a reference to a security provider that does not exist is an error', () => {
    const out = planFor({ sources: [written.source('Docs', { securityProviders: ['Nope'] })] }, { securityProviders: [dto.emailProvider()], sources: [] });
    expect(out.issues).toEqual([expect.objectContaining({ code: 'reference_unresolved', path: 'securityProviders[0]', severity: 'error' })]);
  });

  it('a reference into a kind that was not read is warned about, not an error', () => {
    const out = planFor({ sources: [written.source('Docs', { securityProviders: ['Email Security Provider'] })] }, { sources: [] });
    expect(out.issues).toEqual([]);
    expect(out.plan.warnings).toEqual([expect.objectContaining({ code: 'reference_unchecked', address: 'sources/Docs' })]);
    expect(stepOf(out, 'sources/Docs')?.dependsOn).toEqual([]);
  });
});
