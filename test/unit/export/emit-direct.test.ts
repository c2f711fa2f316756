/**
 * The direct YAML writer of `export` (writeDirect in src/export/emit-yaml.ts) against the yaml package's
 * rendering: wherever it writes a document, the text must be the yaml package's, byte for byte; where
 * it is not sure, it gives up (and the yaml package writes the document).
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { writeDirect, writeWithYaml } from '../../../src/export/emit-yaml.js';

const HEADER = [' yaml-language-server: $schema=s', ' Written by `coveo-sync export`: edit freely; `coveo-sync plan` shows what an apply would change.'];
const ROOT = join(import.meta.dirname, '../../..');

/** Checks one document; returns whether the direct writer wrote it. */
function agrees(data: Record<string, unknown>): boolean {
  const direct = writeDirect(data, HEADER);
  if (direct === undefined) return false;
  expect(direct, JSON.stringify(data).slice(0, 300)).toBe(writeWithYaml(data, 's'));
  return true;
}

describe('writeDirect against the yaml package', () => {
  it('writes the examples (as export would lay them out) exactly as the yaml package does', () => {
    for (const name of ['examples/minimal.yaml', 'examples/full.yaml', 'examples/acme.yaml']) {
      const data = parse(readFileSync(join(ROOT, name), 'utf8')) as Record<string, unknown>;
      delete data['settings'];
      delete data['assertions'];
      agrees(data);
    }
  });

  const STRING = fc.oneof(
    fc.constantFrom('abc', 'a b', 'Seed source 0001', 'https://a.example.com/', 'color_01694', '%[color_01694]', '007', '1.5', 'true', 'yes', 'null', '~', '.inf', '.x', '-a', '- a', '?x', ':x', 'x:', 'a: b', 'a #b', 'a#b', 'a,b', '[a]', 'a]', '{a}', '@x', '`x', '!x', '&x', '*x', '|x', '>x', "'x", '"x', 'a"b', "a'b", "it's: x", 'a\\b', 'tab\tx', 'é', '日本', ' lead', 'trail ', '', '${env:X}', 'a  b', '<<', 'line1\nline2', 'SUNDAY', 'a;b', 'a=b', 'a+b', '(a)', 'a%b', 'a&b', 'a*b', 'a~b', 'a^b', 'a<b>', 'a|b', 'é:x'),
    fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', ':', '#', ',', '-', '.', '/', '"', "'", '%', '@', '[', '{', '&', '*', '!', '?', 'é', '\\'), maxLength: 8 }),
  );
  const SCALAR = fc.oneof(STRING, fc.integer({ min: -5, max: 100_000 }), fc.boolean(), fc.constant(null), fc.constantFrom(1.5, -0, 1e21));
  const KEY = fc.oneof(fc.constantFrom('name', 'type', 'privileges', 'frequency', 'hourMinute', 'target', 'parameters', 'value', 'rules', 'ClientId', 'a b', '007', 'true', 'a:b', 'é', '%x'), STRING);
  type Tree = unknown;
  const value = fc.letrec<{ node: Tree; list: Tree[]; map: Record<string, Tree> }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, SCALAR, tie('list'), tie('map')),
    list: fc.array(tie('node'), { maxLength: 5 }),
    map: fc.dictionary(KEY, tie('node'), { maxKeys: 5 }),
  })).node;
  const RESOURCE = fc.dictionary(KEY, value, { minKeys: 1, maxKeys: 6 });
  const DOCUMENT = fc.record({ fields: fc.array(RESOURCE, { maxLength: 4 }), sources: fc.array(RESOURCE, { maxLength: 3 }), groups: fc.array(RESOURCE, { maxLength: 3 }) }, { requiredKeys: [] }).map((kinds) => ({ version: 1, ...kinds }));

  it('agrees on generated documents full of subtle strings (or gives up on them)', () => {
    let written = 0;
    let runs = 0;
    fc.assert(
      fc.property(DOCUMENT, (data) => {
        runs++;
        if (agrees(data)) written++;
      }),
      { numRuns: 1500, seed: 20261204 },
    );
    // Most of these documents hold some value it leaves to the yaml package; some must still be written.
    expect(written).toBeGreaterThan(runs / 20);
  });

  const CLEAN = fc.constantFrom('abc', 'a b', 'Seed source 0001', 'https://a.example.com/', 'color_01694', '%[color_01694]', '007', 'SUNDAY', 'user0@example.com', '${env:COVEO_X}', 'a#b', 'é');
  const CLEAN_VALUE = fc.letrec<{ node: Tree; list: Tree[]; map: Record<string, Tree> }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, CLEAN, fc.integer({ min: 0, max: 59 }), fc.boolean(), tie('list'), tie('map')),
    list: fc.array(tie('node'), { maxLength: 4 }).filter((l) => !l.some(Array.isArray)),
    map: fc.dictionary(fc.constantFrom('name', 'type', 'privileges', 'frequency', 'hourMinute', 'target', 'parameters', 'value', 'rules', 'ClientId'), tie('node'), { maxKeys: 4 }),
  })).node;

  it('writes documents made of what exports hold (no list directly in a list), all of them', () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.constantFrom('name', 'type', 'privileges', 'frequency', 'mappings', 'members'), CLEAN_VALUE, { minKeys: 1, maxKeys: 5 }), { maxLength: 4 }), (sources) => {
        expect(agrees({ version: 1, sources })).toBe(true);
      }),
      { numRuns: 800, seed: 20261207 },
    );
  });

  it('leaves to the yaml package what it must not write itself: keys over 1,024 characters, objects that are not plain, one-line lists at the top', () => {
    const long = 'p'.repeat(1030);
    const withLongKey = { version: 1, sources: [{ name: 's', configuration: { parameters: { [long]: { value: 'v' } } } }] };
    expect(writeDirect(withLongKey, HEADER)).toBeUndefined();
    expect(parse(writeWithYaml(withLongKey, 's'))).toEqual(withLongKey);
    expect(writeDirect({ version: 1, sources: [{ name: 's', at: new Date(0) }] }, HEADER)).toBeUndefined();
    expect(writeDirect({ version: 1, sources: [{ name: 's', m: new Map([['a', 1]]) }] }, HEADER)).toBeUndefined();
    expect(writeDirect({ version: 1, fields: ['a', 'b'] }, HEADER)).toBeUndefined();
    // A key of 1,000 characters is still written directly, and as the yaml package writes it.
    expect(agrees({ version: 1, sources: [{ name: 's', parameters: { ['k'.repeat(1000)]: 1 } }] })).toBe(true);
  });
});
