import { describe, expect, it } from 'vitest';
import {
  diffAttrs,
  displayPath,
  dotPath,
  isUnderAny,
  isUnderPattern,
  jsonEquals,
  omitPaths,
  projectLive,
  redactSensitive,
  redactValues,
  segmentsOf,
  sortedSet,
  type DiffOptions,
} from '../../../src/core/compare.js';
import type { JsonObject } from '../../../src/core/json.js';
import { REDACTED } from '../../../src/core/secret.js';
import { fingerprint, secret, stored } from '../../support/builders.js';

const opts = (extra: Partial<DiffOptions> = {}): DiffOptions => ({ sensitive: [], fingerprint, ...extra });
const j = (o: Record<string, unknown>): JsonObject => o as JsonObject;

describe('jsonEquals: the equality rules', () => {
  it.each([
    ['key order does not matter', { a: 1, b: 2 }, { b: 2, a: 1 }, true],
    ['an undefined key is a missing key', { a: 1, b: undefined }, { a: 1 }, true],
    ['array order matters (specs sort sets)', [1, 2], [2, 1], false],
    ['nested', { a: [{ x: 1 }] }, { a: [{ x: 1 }] }, true],
    ['null is a value', { a: null }, {}, false],
    ['types differ', { a: '1' }, { a: 1 }, false],
  ])('%s', (_name, a, b, expected) => {
    expect(jsonEquals(a, b)).toBe(expected);
    expect(jsonEquals(b, a)).toBe(expected);
  });

  it('compares secrets by reference and fingerprint, never to a plain string', () => {
    expect(jsonEquals(secret('A', 'v'), secret('A', 'v'))).toBe(true);
    expect(jsonEquals(secret('A', 'v'), secret('A', 'w'))).toBe(false);
    expect(jsonEquals(secret('A', 'v'), secret('B', 'v'))).toBe(false);
    expect(jsonEquals(secret('A', 'v'), 'v')).toBe(false);
  });
});

describe('paths', () => {
  it.each([
    [['privileges', 0, 'type'], 'privileges', true],
    [['configuration', 'parameters', 'Password', 'value'], 'configuration.parameters.*.value', true],
    [['configuration', 'parameters', 'Password'], 'configuration.parameters.*.value', false],
    [['configuration', 'userIdentities', 'x', 'password'], 'configuration.userIdentities.*.password', true],
    [['type'], 'type', true],
    [['typeName'], 'type', false],
  ])('isUnderPattern(%j, %j) = %s', (path, pattern, expected) => {
    expect(isUnderPattern(path, pattern)).toBe(expected);
  });

  it('isUnderAny is true when one pattern matches', () => {
    expect(isUnderAny(['a', 'b'], ['x', 'a'])).toBe(true);
    expect(isUnderAny(['a', 'b'], [])).toBe(false);
  });

  it.each([
    [['privileges', 0, 'target', 'source'], 'privileges[0].target.source'],
    [['configuration', 'parameters', 'Max Depth', 'value'], 'configuration.parameters["Max Depth"].value'],
    [['parameters', 'a.b'], 'parameters["a.b"]'],
    [['my-key'], 'my-key'],
  ])('displayPath(%j) = %s and segmentsOf reads it back', (path, shown) => {
    expect(displayPath(path)).toBe(shown);
    expect(segmentsOf(shown)).toEqual(path.map(String));
  });

  it('dotPath is the key of stored fingerprints', () => {
    expect(dotPath(['configuration', 'parameters', 'Password', 'value'])).toBe('configuration.parameters.Password.value');
  });
});

describe('projection and omission', () => {
  it('keeps only the top-level keys the desired side declares', () => {
    expect(projectLive(j({ a: 1, b: 2, c: { x: 1, y: 2 } }), j({ a: 0, c: {} }), [])).toEqual({ a: 1, c: { x: 1, y: 2 } });
  });

  it('below subset paths keeps only declared keys, recursively, and arrays element by element', () => {
    const live = j({ configuration: { a: 1, extra: true, list: [{ id: 'm1', x: 1 }, { id: 'm2', x: 2 }], nested: { keep: 1, drop: 2 } } });
    const desired = j({ configuration: { a: 0, list: [{ x: 0 }, { x: 0 }], nested: { keep: 0 } } });
    expect(projectLive(live, desired, ['configuration'])).toEqual({ configuration: { a: 1, list: [{ x: 1 }, { x: 2 }], nested: { keep: 1 } } });
  });

  it('arrays of another length are kept whole (so the change is visible)', () => {
    const live = j({ mappings: [{ id: 'm1', x: 1 }] });
    expect(projectLive(live, j({ mappings: [{ x: 1 }, { x: 2 }] }), ['mappings'])).toEqual({ mappings: [{ id: 'm1', x: 1 }] });
  });

  it('omitPaths removes write-only values at exactly the pattern depth', () => {
    expect(omitPaths(j({ lifetimeDuration: 'P1Y', a: 1 }), ['lifetimeDuration'])).toEqual({ a: 1 });
    expect(omitPaths(j({ p: { x: { value: 1, keep: 2 } } }), ['p.*.value'])).toEqual({ p: { x: { keep: 2 } } });
  });

  it('redactSensitive and redactValues hide what must not be shown', () => {
    expect(redactSensitive(j({ u: { a: { password: 'pw', name: 'n' } } }), ['u.*.password'])).toEqual({ u: { a: { password: REDACTED, name: 'n' } } });
    expect(redactValues({ a: ['x', 'tok'], b: 'tok', c: 'tokens' }, new Set(['tok']))).toEqual({ a: ['x', REDACTED], b: REDACTED, c: 'tokens' });
  });

  it('sortedSet sorts by stable text and drops duplicates', () => {
    expect(sortedSet([{ b: 1, a: 2 }, { a: 2, b: 1 }, { a: 1 }])).toEqual([{ a: 1 }, { b: 1, a: 2 }]);
  });
});

describe('diffAttrs', () => {
  it('reports per-key changes and an RFC 6902 patch', () => {
    const r = diffAttrs(j({ a: 1, o: { x: 1, y: 2 }, l: [1] }), j({ a: 2, o: { x: 1 }, l: [1, 2], n: 'new' }), opts());
    expect(r.changes).toEqual([
      { path: 'a', from: 1, to: 2 },
      { path: 'l', from: [1], to: [1, 2] },
      { path: 'n', to: 'new' },
      { path: 'o.y', from: 2 },
    ]);
    expect(r.patch).toEqual([
      { op: 'remove', path: '/o/y' },
      { op: 'add', path: '/l/1', value: 2 },
      { op: 'replace', path: '/a', value: 2 },
      { op: 'add', path: '/n', value: 'new' },
    ]);
  });

  it('an unchanged write-only secret makes no change and no patch operation, even when live does not show it', () => {
    const before = j({ p: { Password: { sensitive: true } }, other: 1 });
    const after = j({ p: { Password: { sensitive: true, value: secret('P', 'pw') } }, other: 2 });
    const r = diffAttrs(before, after, opts());
    expect(r.changes).toEqual([{ path: 'other', from: 1, to: 2 }]);
    expect(r.patch).toEqual([{ op: 'replace', path: '/other', value: 2 }]);
  });

  it('a secret whose stored fingerprint differs is one sensitive change; the patch value is redacted', () => {
    const after = j({ p: { Password: { sensitive: true, value: secret('P', 'new-pw') } } });
    const r = diffAttrs(j({ p: { Password: { sensitive: true } } }), after, opts({ fingerprints: { 'p.Password.value': stored('old-pw') } }));
    expect(r.changes).toEqual([{ path: 'p.Password.value', from: REDACTED, to: REDACTED, isSensitive: true }]);
    expect(r.patch).toEqual([{ op: 'add', path: '/p/Password/value', value: REDACTED }]);
    expect(JSON.stringify(r)).not.toContain('new-pw');
  });

  it('a secret whose stored fingerprint matches is equal', () => {
    const r = diffAttrs(j({}), j({ v: secret('P', 'pw') }), opts({ fingerprints: { v: stored('pw') } }));
    expect(r.changes).toEqual([]);
    expect(r.patch).toEqual([]);
  });

  it('secrets inside arrays compare element by element and never show the live copy', () => {
    const after = j({ urls: ['https://a/', secret('U', 'https://b/?token=t')] });
    expect(diffAttrs(j({ urls: ['https://a/', 'https://b/?token=t'] }), after, opts())).toEqual({ changes: [], patch: [], before: { urls: ['https://a/', REDACTED] } });
    const changed = diffAttrs(j({ urls: ['https://c/', 'https://b/?token=t'] }), after, opts());
    expect(changed.changes).toEqual([{ path: 'urls[0]', from: 'https://c/', to: 'https://a/' }]);
    expect(JSON.stringify(changed)).not.toContain('token=t');
  });

  it('values under sensitive paths are redacted on both sides, and the patch still has the operation', () => {
    const r = diffAttrs(j({ u: { a: { password: 'old' } } }), j({ u: { a: { password: 'new' } } }), opts({ sensitive: ['u.*.password'] }));
    expect(r.changes).toEqual([{ path: 'u.a.password', from: REDACTED, to: REDACTED, isSensitive: true }]);
    expect(r.patch).toEqual([{ op: 'replace', path: '/u/a/password', value: REDACTED }]);
    expect(r.before).toEqual({ u: { a: { password: REDACTED } } });
    expect(JSON.stringify(r)).not.toMatch(/old|new/);
  });
});
