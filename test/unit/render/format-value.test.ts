import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/core/secret.js';
import { displayPathOf, formatValue, parseDisplayPath, sanitizeText, type ValueContext } from '../../../src/render/format-value.js';

const ctx: ValueContext = { sensitive: ['configuration.userIdentities.*.password'], pendingRefs: new Set(['target.source']) };

describe('formatValue', () => {
  it('writes JSON-ish values with sorted keys', () => {
    expect(formatValue({ b: 1, a: ['x', null, true], 'odd key': {} }, [], ctx)).toBe('{a: ["x", null, true], b: 1, "odd key": {}}');
  });

  it('marks a reference known after apply at its path', () => {
    expect(formatValue({ source: 'Docs' }, ['target'], ctx)).toBe('{source: "Docs" (known after apply)}');
    expect(formatValue({ source: 'Docs' }, ['other'], ctx)).toBe('{source: "Docs"}');
  });

  it('redacts secrets, planner placeholders, sensitive paths and values beside sensitive: true', () => {
    const s = new Secret('env:X', 'the-value', 'ab'.repeat(8));
    expect(formatValue([s, '(sensitive)#new', { sensitive: true, value: 'plain' }], [], ctx)).toBe('[(sensitive), (sensitive), {sensitive: true, value: (sensitive)}]');
    expect(formatValue({ userIdentities: { u: { password: 'p', name: 'n' } } }, ['configuration'], ctx)).toBe('{userIdentities: {u: {name: "n", password: (sensitive)}}}');
  });

  it('never exceeds its budget, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 8, max: 200 }), (v, budget) => {
        expect(formatValue(v, [], ctx, budget).length).toBeLessThanOrEqual(budget);
      }),
    );
  });

  it('never shows a secret value, wherever it sits in any JSON value', () => {
    const s = new Secret('env:X', 'SECRET-7d1e', 'cd'.repeat(8));
    const withSecret = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constant(s as unknown), fc.jsonValue(), fc.array(tie('value')), fc.dictionary(fc.string(), tie('value'))),
    })).value;
    fc.assert(
      fc.property(withSecret, (v) => {
        expect(formatValue(v, [], ctx, 100_000)).not.toContain('SECRET-7d1e');
      }),
    );
  });
});

describe('display paths', () => {
  it('parse back to the segments they were made of', () => {
    const seg = fc.oneof(fc.nat({ max: 999 }), fc.string(), fc.constantFrom('a', 'b-c', 'Max depth', '0', '', 'x.y', 'q"u\\o', '\u202e', '\n'));
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 6 }), (segs) => {
        expect(parseDisplayPath(displayPathOf(segs))).toEqual(segs);
      }),
    );
  });

  it('spell keys like the planner does', () => {
    expect(displayPathOf(['privileges', 0, 'target', 'source'])).toBe('privileges[0].target.source');
    expect(displayPathOf(['parameters', 'Max depth', 'value'])).toBe('parameters["Max depth"].value');
  });
});

describe('sanitizeText', () => {
  it('escapes control characters, line breaks and bidi overrides, and keeps the rest', () => {
    expect(sanitizeText('a\u001b[31mb\nc\u202ed\te é')).toBe('a\\u001b[31mb\\u000ac\\u202ed\te é');
  });
});
