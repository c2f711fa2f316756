import { describe, expect, it } from 'vitest';
import { waveOf } from '../../../src/core/plan-changes.js';
import { apiKeysSpec, normalizeDescription, parseMarker, withMarker } from '../../../src/kinds/api-keys/spec.js';
import { actionsOf, dto, ORG, planFor, stepOf, written } from '../../support/builders.js';

const search = { owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' };
const noRefs = { keyOf: () => undefined };

describe('api keys: the marker', () => {
  it.each([
    [undefined, 'k', 'managed-by: coveo-sync name=k'],
    ['', 'k', 'managed-by: coveo-sync name=k'],
    ['Storefront', 'storefront-search', 'Storefront\n\nmanaged-by: coveo-sync name=storefront-search'],
    ['Two\nlines\n', 'k.v_1-2', 'Two\nlines\n\nmanaged-by: coveo-sync name=k.v_1-2'],
  ])('withMarker(%j, %j)', (description, name, expected) => {
    expect(withMarker(description, name)).toBe(expected);
  });

  it.each([
    [undefined, undefined, undefined],
    ['', undefined, ''],
    ['made by hand', undefined, 'made by hand'],
    ['managed-by: coveo-sync name=k', 'k', undefined],
    ['text\n\nmanaged-by: coveo-sync name=k', 'k', 'text'],
    ['text\nmanaged-by: coveo-sync name=k', 'k', 'text'],
    ['text\r\n\r\nmanaged-by: coveo-sync name=k\r\n', 'k', 'text'],
    ['text\n\nmanaged-by: coveo-sync name=k  \n', 'k', 'text'],
    ['managed-by: coveo-sync name=k\nmore text', undefined, 'managed-by: coveo-sync name=k\nmore text'],
    ['see managed-by: coveo-sync name=k', undefined, 'see managed-by: coveo-sync name=k'],
  ])('parseMarker(%j) → name %j, description %j', (stored, name, description) => {
    expect(parseMarker(stored)).toEqual({ name, description });
  });

  it.each([['plain'], ['with trailing newline\n'], ['multi\nline\n\n'], [''], ['   ']])('parse(format(%j)) gives back the normalised description', (text) => {
    const round = parseMarker(withMarker(text, 'k'));
    expect(round.name).toBe('k');
    expect(round.description ?? '').toBe(normalizeDescription(text));
  });
});

describe('api keys: identity and unmanaged keys', () => {
  it('keys without a marker are unmanaged: never in steps, not even with prune', () => {
    const out = planFor({ apiKeys: [] }, { apiKeys: [dto.apiKey('key-hand', undefined, { text: 'made by hand' }), dto.apiKey('key-1', 'kept')] }, { prune: true, allowMassDelete: true });
    expect(actionsOf(out)).toEqual(['apiKeys/kept delete']);
    expect(out.unmanaged).toEqual([{ kind: 'apiKeys', remoteId: 'key-hand', label: 'Key key-hand', reason: 'no coveo-sync marker in its description' }]);
    expect(out.plan.undeclared.map((u) => u.remoteId)).toEqual(['key-1']);
  });

  it('two live keys with one marker stop the plan, naming both ids', () => {
    const out = planFor({ apiKeys: [written.apiKey('dup')] }, { apiKeys: [dto.apiKey('key-b', 'dup'), dto.apiKey('key-a', 'dup')] });
    expect(out.issues).toEqual([expect.objectContaining({ severity: 'error', code: 'live_duplicate' })]);
    expect(out.issues[0]?.message).toContain('key-a, key-b');
  });

  it('reads a problem status for drift, and not a healthy one', () => {
    const bad = apiKeysSpec.normalizeLive(dto.apiKey('k1', 'a', { status: 'DISABLED_EXPOSED' }), noRefs);
    const good = apiKeysSpec.normalizeLive(dto.apiKey('k2', 'b'), noRefs);
    expect(bad).toMatchObject({ managed: true, status: 'DISABLED_EXPOSED' });
    expect(good).not.toHaveProperty('status');
  });
});

describe('api keys: create', () => {
  it('a new key is a security change (a new secret), in the last create wave', () => {
    const out = planFor({ apiKeys: [written.apiKey('storefront', { description: 'Storefront' })] }, { apiKeys: [] });
    const step = stepOf(out, 'apiKeys/storefront');
    expect(step).toMatchObject({ action: 'create', risk: 'security', wave: waveOf('apiKeys', 'create') });
    expect(step?.notes).toEqual(['creates an API key: a new secret that grants access']);
    expect(step?.action === 'create' && step.after).toEqual({ displayName: 'Key storefront', description: 'Storefront', privileges: [search], enabled: true });
  });
});

describe('api keys: no-op after Coveo normalisation', () => {
  it.each([
    ['server fields (value masked, tokenId, dates, status, createdBy, resourceId)', written.apiKey('k'), dto.apiKey('key-1', 'k')],
    [
      'privileges and IPs reordered, targetId "*" for all',
      written.apiKey('k', {
        privileges: [
          { owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' },
          { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW', target: '*' },
        ],
        allowedIps: ['10.0.0.0/8', '192.168.0.1'],
      }),
      dto.apiKey('key-1', 'k', {
        privileges: [
          { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW', targetId: '*', level: 'NORMAL' },
          { owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targetId: '*' },
        ],
        allowedIps: ['192.168.0.1', '10.0.0.0/8'],
      }),
    ],
    ['a description from a YAML block scalar (trailing newline)', written.apiKey('k', { description: 'For the storefront.\n' }), dto.apiKey('key-1', 'k', { text: 'For the storefront.' })],
    ['the marker followed by a newline', written.apiKey('k', { description: 'd' }), dto.apiKey('key-1', 'k', { description: 'd\n\nmanaged-by: coveo-sync name=k\n' })],
    ['a write-only lifetime (never returned)', written.apiKey('k', { lifetimeDuration: 'P1Y' }), dto.apiKey('key-1', 'k')],
    [
      'additional configuration with keys Coveo adds',
      written.apiKey('k', { additionalConfiguration: { search: { enforcedQueryPipelineConfiguration: { searchHub: 'storefront' } } } }),
      dto.apiKey('key-1', 'k', { additionalConfiguration: { search: { enforcedQueryPipelineConfiguration: { searchHub: 'storefront' }, apiKeyQueryAuthentication: [] }, commerce: null } }),
    ],
  ])('%s', (_name, w, d) => {
    const out = planFor({ apiKeys: [w] }, { apiKeys: [d] });
    expect(out.issues).toEqual([]);
    expect(out.plan.steps).toEqual([]);
    expect(out.plan.summary.unchanged).toBe(1);
  });
});

describe('api keys: update', () => {
  it.each([
    ['display name', { displayName: 'New name' }, {}, [{ path: 'displayName', from: 'Key k', to: 'New name' }], [{ op: 'replace', path: '/displayName', value: 'New name' }]],
    ['description', { description: 'now described' }, {}, [{ path: 'description', from: '', to: 'now described' }], [{ op: 'replace', path: '/description', value: 'now described' }]],
    ['disabled', { enabled: false }, {}, [{ path: 'enabled', from: true, to: false }], [{ op: 'replace', path: '/enabled', value: false }]],
    ['allowed IPs', { allowedIps: ['10.0.0.1'] }, {}, [{ path: 'allowedIps', from: [], to: ['10.0.0.1'] }], [{ op: 'add', path: '/allowedIps/0', value: '10.0.0.1' }]],
  ])('%s: a safe update with the exact patch', (_name, extra, dtoExtra, changes, patch) => {
    const out = planFor({ apiKeys: [written.apiKey('k', extra)] }, { apiKeys: [dto.apiKey('key-1', 'k', dtoExtra)] });
    const step = stepOf(out, 'apiKeys/k');
    expect(step).toMatchObject({ action: 'update', risk: 'safe', remoteId: 'key-1' });
    expect(step?.action === 'update' && step.changes).toEqual(changes);
    expect(step?.action === 'update' && step.patch).toEqual(patch);
  });
});

describe('api keys: privileges cannot change in place', () => {
  it('a privilege change replaces the key, marked security, with the reason', () => {
    const out = planFor(
      { apiKeys: [written.apiKey('k', { privileges: [search, { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT' }] })] },
      { apiKeys: [dto.apiKey('key-1', 'k')] },
    );
    const step = stepOf(out, 'apiKeys/k');
    expect(step).toMatchObject({ action: 'replace', risk: 'security', remoteId: 'key-1' });
    expect(step?.action === 'replace' && step.reason).toBe(
      "privileges cannot be changed in place: Coveo cannot change an API key's privileges (ApiKeyUpdateRequest has none); a new key with a new secret replaces it",
    );
    expect(step?.notes).toEqual(["broadens the API key's privileges: adds PLATFORM / SOURCE / EDIT; the key is replaced, so clients need the new value"]);
  });

  it('narrowing privileges still replaces the key (new value), marked security', () => {
    const out = planFor(
      { apiKeys: [written.apiKey('k', { privileges: [search] })] },
      { apiKeys: [dto.apiKey('key-1', 'k', { privileges: [{ ...search, targetId: '*' }, { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW', targetId: '*' }] })] },
    );
    expect(stepOf(out, 'apiKeys/k')).toMatchObject({ action: 'replace', risk: 'security', notes: ['replaces the key: clients need the new value'] });
  });

  it('privileges in the legacy targetIds[]/global form read the same as targetId', () => {
    const w = written.apiKey('k', { privileges: [search, { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW', target: { source: 'Docs' } }] });
    const live = {
      sources: [dto.source('src-docs', 'Docs')],
      apiKeys: [
        dto.apiKey('key-1', 'k', {
          privileges: [
            { owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targetIds: [], global: true },
            { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW', targetIds: ['src-docs'], global: false },
          ],
        }),
      ],
    };
    const out = planFor({ apiKeys: [w] }, live);
    expect(out.issues).toEqual([]);
    expect(out.plan.steps).toEqual([]);
  });

  it('a forced replace (value lost by an interrupted apply) is planned even without changes', () => {
    const out = planFor({ apiKeys: [written.apiKey('k')] }, { apiKeys: [dto.apiKey('key-1', 'k')] }, { forceReplace: ['apiKeys/k'] });
    const step = stepOf(out, 'apiKeys/k');
    expect(step).toMatchObject({ action: 'replace', remoteId: 'key-1' });
    expect(step?.action === 'replace' && step.reason).toMatch(/interrupted apply/);
  });
});

describe('api keys: references', () => {
  it('resolves groups and keys that can edit it, live ones to ids and new ones to null (known after apply)', () => {
    const out = planFor(
      {
        groups: [written.group('Editors')],
        apiKeys: [written.apiKey('k', { groupsThatCanEdit: ['Editors', 'Administrators'], apiKeysThatCanEdit: ['other'] }), written.apiKey('other')],
      },
      { groups: [dto.administrators()], apiKeys: [dto.apiKey('key-o', 'other')] },
    );
    expect(out.issues).toEqual([]);
    const step = stepOf(out, 'apiKeys/k');
    expect(step?.action === 'create' && step.refs).toEqual([
      { kind: 'groups', key: 'Administrators', path: 'groupsThatCanEdit[0]', remoteId: `${ORG}-administrators-x1y2` },
      { kind: 'groups', key: 'Editors', path: 'groupsThatCanEdit[1]', remoteId: null },
      { kind: 'apiKeys', key: 'other', path: 'apiKeysThatCanEdit[0]', remoteId: 'key-o' },
    ]);
    expect(step?.dependsOn).toEqual(['groups/Editors']);
  });

  it('a key whose privileges target a replaced source is replaced too (its privilege would hold the old id)', () => {
    const out = planFor(
      {
        sources: [written.source('Docs', { sourceType: 'SITEMAP' })],
        apiKeys: [written.apiKey('pusher', { privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: 'Docs' } }] })],
      },
      {
        sources: [dto.source('src-docs', 'Docs')],
        apiKeys: [dto.apiKey('key-p', 'pusher', { privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: 'src-docs' }] })],
      },
    );
    expect(actionsOf(out)).toEqual(['sources/Docs replace', 'apiKeys/pusher replace']);
    const step = stepOf(out, 'apiKeys/pusher');
    expect(step?.action === 'replace' && step.reason).toMatch(/^privileges\[0\]\.target\.source refers to sources\/Docs, which this plan replaces \(new id\)/);
    expect(step?.dependsOn).toEqual(['sources/Docs']);
  });
});
