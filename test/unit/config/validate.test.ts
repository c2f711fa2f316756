import { describe, expect, it } from 'vitest';
import { editDistance, suggestClosest, validateWritten } from '../../../src/config/index.js';

describe('suggestions', () => {
  it('measures edits, counting a swap as one', () => {
    expect(editDistance('facet', 'facet')).toBe(0);
    expect(editDistance('facett', 'facet')).toBe(1);
    expect(editDistance('fcaet', 'facet')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests close candidates only', () => {
    expect(suggestClosest('multivaluefacet', ['multiValueFacet', 'facet'])).toBe('multiValueFacet');
    expect(suggestClosest('mulitValueFacet', ['multiValueFacet', 'facet'])).toBe('multiValueFacet');
    expect(suggestClosest('colour', ['name', 'type'])).toBeUndefined();
  });
});

describe('validateWritten', () => {
  it('accepts a valid file and raw passthrough keys', () => {
    expect(
      validateWritten({
        version: 1,
        sources: [{ name: 'Docs', sourceType: 'WEB2', configuration: { anyConnectorKey: { nested: [1, 2] } }, mappings: [{ anything: true }] }],
        apiKeys: [{ name: 'k', displayName: 'K', privileges: [], additionalConfiguration: { search: { somethingNew: 1 } } }],
      }),
    ).toEqual([]);
  });

  it('collects every problem, not just the first, with paths and hints', () => {
    const problems = validateWritten({
      version: 1,
      fields: [
        { name: 'a', type: 'STRING', multivalueFacet: true },
        { name: 'b', type: 'LONGG' },
      ],
    });
    expect(problems).toEqual([
      { path: ['fields', 0, 'multivalueFacet'], at: 'key', code: 'unknown_key', message: 'unknown key `multivalueFacet`', hint: 'did you mean `multiValueFacet`?' },
      { path: ['fields', 1, 'type'], at: 'value', code: 'enum_invalid', message: 'must be one of STRING, LONG, LONG_64, DOUBLE, DATE, VECTOR', hint: 'did you mean `LONG`?' },
    ]);
  });

  it('does not quote values that came from the environment', () => {
    const problems = validateWritten({ version: 1, fields: [{ name: 'a', type: 'STRINGG' }] }, { isSecretAt: () => true });
    expect(problems).toEqual([{ path: ['fields', 0, 'type'], at: 'value', code: 'enum_invalid', message: 'must be one of STRING, LONG, LONG_64, DOUBLE, DATE, VECTOR' }]);
  });

  it('explains the privilege target forms', () => {
    const privilege = (target: unknown): unknown => ({ version: 1, groups: [{ displayName: 'G', privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', target }] }] });
    expect(validateWritten(privilege('*') as never)).toEqual([]);
    expect(validateWritten(privilege({ source: 'Docs' }) as never)).toEqual([]);
    expect(validateWritten(privilege({ sauce: 'Docs' }) as never).map((p) => [p.message, p.hint])).toEqual([['unknown key `sauce`', 'did you mean `source`?']]);
    expect(validateWritten(privilege(['Docs']) as never).map((p) => p.message)).toEqual([expect.stringContaining('must be `*` or one resource')]);
  });
});
