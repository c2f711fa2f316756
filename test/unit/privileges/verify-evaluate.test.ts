/** verify's pure parts: judging assertions, the double encoding of document ids, the renderers. */
import { describe, expect, it } from 'vitest';
import { assertSafePath } from '../../../src/client/url.js';
import { encodeDocumentId, evaluateAssertion, renderVerifyReport, summarizeVerify, type EffectivePermissions, type PermissionEntry, type VerifyAssertion } from '../../../src/verify/index.js';

const entry = (identity: string, allowed: boolean, extra: Partial<PermissionEntry> = {}): PermissionEntry => ({
  allowed,
  identity,
  identityType: 'USER',
  securityProvider: 'Email Security Provider',
  state: 'UP_TO_DATE',
  ...extra,
});
const perms = (items: PermissionEntry[], anonymousAllowed = false): EffectivePermissions => ({ items, anonymousAllowed, totalEntries: items.length, pages: 1 });
const assertion = (extra: Partial<VerifyAssertion>): VerifyAssertion => ({ index: 0, source: 'Docs', uri: 'https://x/1', allowed: [], denied: [], ...extra });
const ITEM = { indexId: 'idx', uniqueId: '42.1$https://x/1' };

describe('evaluateAssertion', () => {
  // The seed 003 sample: two providers, jzoidberg denied in both.
  const seed = perms([
    entry('pjfry@example.com', true),
    entry('tleela@example.com', true),
    entry('jzoidberg@example.com', false),
    entry('pjfry@example.com', true, { securityProvider: 'Movie Security Identity Provider' }),
    entry('tleela@example.com', true, { securityProvider: 'Movie Security Identity Provider' }),
    entry('jzoidberg@example.com', false, { securityProvider: 'Movie Security Identity Provider' }),
  ]);

  it('passes when the allowed are allowed and the denied are denied', () => {
    const r = evaluateAssertion(assertion({ allowed: ['pjfry@example.com', 'TLeela@Example.com'], denied: ['jzoidberg@example.com', 'nobody@example.com'], anonymous: false }), ITEM, seed);
    expect(r.status).toBe('pass');
    expect(r.checks.map((c) => `${c.check} ${c.identity ?? ''} ${c.status}`)).toEqual([
      'allowed pjfry@example.com pass',
      'allowed TLeela@Example.com pass',
      'denied jzoidberg@example.com pass',
      'denied nobody@example.com pass',
      'anonymous  pass',
    ]);
    expect(r.checks[0]!.entries.map((e) => e.securityProvider)).toEqual(['Email Security Provider', 'Movie Security Identity Provider']);
  });

  it('fails when someone denied can see it, or someone allowed cannot, naming the provider', () => {
    const r = evaluateAssertion(assertion({ allowed: ['jzoidberg@example.com'], denied: ['pjfry@example.com'], anonymous: true }), ITEM, seed);
    expect(r.status).toBe('fail');
    expect(r.checks.map((c) => c.status)).toEqual(['fail', 'fail', 'fail']);
    expect(r.checks[0]!.detail).toBe('jzoidberg@example.com cannot see the item: denied by Email Security Provider (USER)');
    expect(r.checks[1]!.detail).toBe('pjfry@example.com can see the item: allowed by Email Security Provider (USER)');
  });

  it('a denial wins over an allowance from another provider', () => {
    const r = evaluateAssertion(assertion({ allowed: ['a@x'] }), ITEM, perms([entry('a@x', true), entry('a@x', false, { securityProvider: 'Other' })]));
    expect(r.status).toBe('fail');
    expect(r.checks[0]!.detail).toMatch(/denied by Other/);
  });

  it('anonymous access lets everyone not denied see it', () => {
    const r = evaluateAssertion(assertion({ allowed: ['anyone@x'], denied: ['blocked@x', 'other@x'] }), ITEM, perms([entry('blocked@x', false)], true));
    expect(r.checks.map((c) => c.status)).toEqual(['pass', 'pass', 'fail']);
  });

  it('permissions not up to date are reported, never counted as a pass', () => {
    const items = [
      entry('stale@x', true, { state: 'OUT_OF_DATE' }),
      entry('broken@x', true, { state: 'IN_ERROR', lastUpdateResult: 'TIMED_OUT', lastUpdateErrorDetail: 'provider slow' }),
      entry('stale-denied@x', false, { state: 'OUT_OF_DATE' }),
      entry('ok@x', true),
    ];
    const r = evaluateAssertion(assertion({ allowed: ['stale@x', 'broken@x', 'ok@x'], denied: ['stale-denied@x'] }), ITEM, perms(items));
    expect(r.checks.map((c) => c.status)).toEqual(['inconclusive', 'inconclusive', 'pass', 'inconclusive']);
    expect(r.status).toBe('inconclusive');
    expect(r.checks[1]!.detail).toMatch(/IN_ERROR \(TIMED_OUT: provider slow\)/);
    expect(r.permissions?.notUpToDate.map((e) => `${e.identity} ${e.state}`)).toEqual(['stale@x OUT_OF_DATE', 'broken@x IN_ERROR', 'stale-denied@x OUT_OF_DATE']);
  });

  it('a filter that hid entries makes verdicts that rely on their absence inconclusive', () => {
    const allowedOnly = evaluateAssertion(assertion({ allowed: ['a@x'], denied: ['b@x'] }), ITEM, perms([entry('a@x', true)]), { includeEntities: 'ALLOWED' });
    expect(allowedOnly.checks.map((c) => c.status)).toEqual(['inconclusive', 'pass']);
    const deniedOnly = evaluateAssertion(assertion({ allowed: ['a@x'], denied: ['b@x'] }), ITEM, perms([entry('b@x', false)]), { includeEntities: 'DENIED' });
    expect(deniedOnly.checks.map((c) => c.status)).toEqual(['inconclusive', 'pass']);
  });
});

describe('document ids are encoded twice', () => {
  it('matches the seed 004 example', () => {
    expect(encodeDocumentId('42.31537$file://movies/the-shining.txt')).toBe('42.31537%2524file%253A%252F%252Fmovies%252Fthe-shining.txt');
  });

  it.each(['42.1$https://a/b c?d#e', '42.1$x/%2e%2e/y', '42.1$ü/日本/é', '..', '%2e%2e', '42.1$a%20b'])('%s passes the client path checks and decodes back twice', (id) => {
    if (id === '..') {
      expect(() => encodeDocumentId(id)).toThrow(/cannot be empty/);
      return;
    }
    const seg = encodeDocumentId(id);
    expect(() => assertSafePath(`/indexes/idx/documents/${seg}/permissions/effective`)).not.toThrow();
    expect(seg).not.toMatch(/[/?# ]/);
    expect(decodeURIComponent(decodeURIComponent(seg))).toBe(id);
  });
});

describe('rendering', () => {
  const results = [
    evaluateAssertion(assertion({ description: 'roadmap is internal', allowed: ['a@x'], denied: ['c|d@x'], origin: { file: '/w/c.yaml', line: 3, column: 5 } }), ITEM, perms([entry('a@x', true), entry('c|d@x', true)])),
  ];
  const report = summarizeVerify(results, {}, { tokenKind: 'apiKey', needed: [{ privilege: 'PLATFORM / SOURCE / VIEW', why: ['read sources'] }], missing: [], problems: [], warnings: [] });

  it('summarises: one failing check fails the run', () => {
    expect(report.status).toBe('fail');
    expect(report.summary).toEqual({ assertions: 1, passed: 0, failed: 1, inconclusive: 0, errors: 0 });
  });

  it('text names the file position and each check', () => {
    const text = renderVerifyReport('text', report, (f) => f.replace('/w/', ''));
    expect(text).toContain('✗ https://x/1 in source "Docs" — roadmap is internal (c.yaml:3:5)');
    expect(text).toContain('    ✓ allowed a@x: a@x can see the item: allowed by Email Security Provider (USER)');
    expect(text).toContain('    ✗ denied c|d@x: c|d@x can see the item');
    expect(text.trim().split('\n').at(-1)).toBe('Verify failed: 1 assertion(s), 0 passed, 1 failed; privileges: complete.');
  });

  it('markdown escapes table cells; json is the report itself', () => {
    const md = renderVerifyReport('markdown', report);
    expect(md).toContain('| ✗ |');
    expect(md).toContain('denied c\\|d@x');
    expect(JSON.parse(renderVerifyReport('json', report))).toEqual(JSON.parse(JSON.stringify(report)));
  });
});
