import { describe, expect, it } from 'vitest';
import { exitCodeOf, isSyncError } from '../../../src/errors.js';
import { createRedactor, validateToken } from '../../../src/client/token.js';
import { assertSafePath, buildQueryString, describeQuery, isLoopbackHost, pathSegment, resolvePlatformUrl } from '../../../src/client/url.js';

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('resolvePlatformUrl', () => {
  it.each([
    ['us', 'https://platform.cloud.coveo.com'],
    ['eu', 'https://platform-eu.cloud.coveo.com'],
    ['au', 'https://platform-au.cloud.coveo.com'],
    ['ca', 'https://platform-ca.cloud.coveo.com'],
  ] as const)('maps region %s to %s', (region, url) => {
    expect(resolvePlatformUrl({ region })).toBe(url);
  });

  it('defaults to us and lets an explicit URL win over the region', () => {
    expect(resolvePlatformUrl({})).toBe('https://platform.cloud.coveo.com');
    expect(resolvePlatformUrl({ region: 'eu', platformUrl: 'https://proxy.example.com/coveo//' })).toBe('https://proxy.example.com/coveo');
  });

  it('trims trailing slashes and keeps a port', () => {
    expect(resolvePlatformUrl({ platformUrl: 'https://platform.cloud.coveo.com/' })).toBe('https://platform.cloud.coveo.com');
    expect(resolvePlatformUrl({ platformUrl: 'https://h.example:8443///' })).toBe('https://h.example:8443');
  });

  it.each(['http://127.0.0.1:8080', 'http://127.9.8.7', 'http://localhost:3000/', 'http://[::1]:9000', 'http://LOCALHOST'])('allows plain http to loopback %s', (url) => {
    expect(resolvePlatformUrl({ platformUrl: url })).toMatch(/^http:\/\//);
  });

  it.each(['http://platform.cloud.coveo.com', 'http://10.0.0.1', 'http://128.0.0.1', 'http://localhost.example.com', 'http://[::2]'])(
    'refuses plain http to %s with exit 3',
    (url) => {
      const e = thrown(() => resolvePlatformUrl({ platformUrl: url }));
      expect(e.name).toBe('UsageError');
      expect(e.code).toBe('platform_url_insecure');
      expect(exitCodeOf(e)).toBe(3);
    },
  );

  it('refuses credentials, queries and fragments without echoing the URL', () => {
    for (const url of ['https://user:hunter2@h.example', 'https://h.example/?token=hunter2', 'https://h.example/#hunter2', 'https://h.example?']) {
      const e = thrown(() => resolvePlatformUrl({ platformUrl: url }));
      expect(e.name).toBe('UsageError');
      expect(e.message).not.toContain('hunter2');
      expect(exitCodeOf(e)).toBe(3);
    }
  });

  it('refuses other schemes, garbage and unknown regions', () => {
    expect(thrown(() => resolvePlatformUrl({ platformUrl: 'ftp://h.example' })).name).toBe('UsageError');
    expect(thrown(() => resolvePlatformUrl({ platformUrl: 'not a url' })).name).toBe('UsageError');
    expect(thrown(() => resolvePlatformUrl({ region: 'mars' })).code).toBe('region_invalid');
  });

  it('recognises loopback hosts only', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.255.255.255')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false);
  });
});

describe('pathSegment and assertSafePath', () => {
  it('encodes ids so they stay one segment', () => {
    expect(pathSegment('a/b')).toBe('a%2Fb');
    expect(pathSegment('../../x')).toBe('..%2F..%2Fx');
    expect(pathSegment('name with space?#')).toBe('name%20with%20space%3F%23');
  });

  it.each(['', '.', '..', '%2e', '%2E%2e', '.%2e'])('refuses %j', (id) => {
    const e = thrown(() => pathSegment(id));
    expect(isSyncError(e)).toBe(true);
    expect(e.code).toBe('unsafe_path_segment');
  });

  it('refuses request paths that could leave the organization', () => {
    for (const p of ['/sources/../../other', '/sources/%2e%2e/x', 'sources', '/a?b=1', '/a#b', '/a b', '/a\nb']) {
      expect(() => assertSafePath(p)).toThrow(/Refusing request path/);
    }
    expect(() => assertSafePath('/sources/a%2F..%2Fb/schedules')).not.toThrow();
  });
});

describe('query strings', () => {
  it('repeats keys for arrays, drops undefined, encodes everything', () => {
    expect(buildQueryString({ fields: ['a', 'b c'], page: 0, rebuild: false, skip: undefined, 'we ird': 'x&y=z' })).toBe(
      '?fields=a&fields=b%20c&page=0&rebuild=false&we%20ird=x%26y%3Dz',
    );
    expect(buildQueryString({})).toBe('');
    expect(buildQueryString(undefined)).toBe('');
  });

  it('hides secret-looking values and cuts long strings in the log form', () => {
    expect(describeQuery({ accessToken: 'abc', page: 2, apiKey: 'k' })).toBe('?accessToken=***&page=2&apiKey=***');
    expect(describeQuery({ fields: Array.from({ length: 100 }, (_, i) => `field${i}`) })).toHaveLength(201);
  });
});

describe('token checks and redaction', () => {
  it.each([
    ['', 'token_missing'],
    ['abc\n', 'token_invalid'],
    ['ab c', 'token_invalid'],
    ['abc\u0000', 'token_invalid'],
    ['abc\u00a0', 'token_invalid'],
    ['tökén', 'token_invalid'],
  ])('refuses %j naming the variable, not the value', (token, code) => {
    const e = thrown(() => validateToken(token));
    expect(e.code).toBe(code);
    expect(e.message).toContain('COVEO_ACCESS_TOKEN');
    if (token !== '') expect(e.message).not.toContain(token.trim());
    expect(exitCodeOf(e)).toBe(3);
  });

  it('accepts an ordinary token', () => {
    expect(() => validateToken('xx12345678-abcd-efgh')).not.toThrow();
  });

  it('removes the token, its encoded form and credential-shaped text', () => {
    const redact = createRedactor(['s3cr+t/tok']);
    const text = redact('got s3cr+t/tok and s3cr%2Bt%2Ftok; Authorization: Bearer other.jwt.value; ?accessToken=zzz&page=1 {"refreshToken": "rrr"}');
    expect(text).not.toMatch(/s3cr|other\.jwt|zzz|rrr/);
    expect(text).toContain('page=1');
    expect(redact('Invalid token: expired')).toBe('Invalid token: expired');
  });
});
