/**
 * The simple YAML reader (src/config/simple-yaml.ts) against the `yaml` package: for every text it
 * accepts, the data, the value count and every position must be the ones the `yaml` package gives, and
 * the `yaml` package must find no error and no warning in it. Texts it refuses go to the `yaml` package,
 * so refusing is always safe; accepting wrongly is the defect these tests look for.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { LineCounter, parseAllDocuments, visit } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig, MAX_DEPTH } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { createOffsetLocator, type JsonPath } from '../../../src/config/positions.js';
import { createLocator } from '../../../src/config/yaml-full.js';
import { lineStartsOf, readSimpleYaml, resolvePlain } from '../../../src/config/simple-yaml.js';
import { EXAMPLE_ENV, options, ROOT } from './support.js';

/** Every path to a value of `data` (the root included). */
function pathsOf(data: unknown, path: (string | number)[] = [], out: JsonPath[] = []): JsonPath[] {
  out.push(path);
  if (Array.isArray(data)) data.forEach((v, i) => pathsOf(v, [...path, i], out));
  else if (data !== null && typeof data === 'object') for (const [k, v] of Object.entries(data)) pathsOf(v, [...path, k], out);
  return out;
}

/** The loader's value count for a `yaml` document: scalars, flow collections and aliases. */
function yamlValueCount(doc: ReturnType<typeof parseAllDocuments>[number]): number {
  let n = 0;
  visit(doc, {
    Scalar: () => void n++,
    Map: (_k, node) => void (node.flow === true && n++),
    Seq: (_k, node) => void (node.flow === true && n++),
    Alias: () => void n++,
  });
  return n;
}

/**
 * Checks the reader against the `yaml` package on one text; returns whether the reader accepted it.
 * Throws (an expect failure) when it accepted a text the `yaml` package reads differently.
 */
function agrees(text: string): boolean {
  const simple = readSimpleYaml(text, MAX_DEPTH - 1);
  if (simple === undefined) return false;
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const shown = JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…` : text);
  expect(docs.length, shown).toBe(1);
  const doc = docs[0];
  if (doc === undefined) return true;
  expect(doc.errors.map((e) => e.message), shown).toEqual([]);
  expect(doc.warnings.map((e) => e.message), shown).toEqual([]);
  const js: unknown = doc.toJS({ maxAliasCount: 100 });
  expect(isDeepStrictEqual(simple.value, js), `${shown}\nsimple: ${JSON.stringify(simple.value)}\nyaml:   ${JSON.stringify(js)}`).toBe(true);
  expect(simple.values, shown).toBe(yamlValueCount(doc));
  const full = createLocator(doc, lineCounter, 'f.yaml');
  const fast = createOffsetLocator(simple.offsets, lineStartsOf(text), 'f.yaml');
  // As the loader reads: offsets kept down to a depth, the rest from a full read when asked for.
  const shallow = readSimpleYaml(text, MAX_DEPTH - 1, 1);
  expect(shallow?.value, shown).toEqual(simple.value);
  const partial = createOffsetLocator((shallow ?? simple).offsets, lineStartsOf(text), 'f.yaml', () => simple.offsets);
  for (const path of pathsOf(js)) {
    for (const p of [path, [...path, 'absent'], [...path, 99]]) {
      const expected = full.positionOf(p);
      expect(fast.positionOf(p), `${shown} at ${JSON.stringify(p)}`).toEqual(expected);
      expect(partial.positionOf(p), `${shown} at ${JSON.stringify(p)} (offsets kept to depth 1)`).toEqual(expected);
      expect(fast.positionOf(p, 'key'), `${shown} at key ${JSON.stringify(p)}`).toEqual(full.positionOf(p, 'key'));
    }
    const value = path.reduce<unknown>((v, seg) => (v as Record<string | number, unknown>)[seg], js);
    if (typeof value === 'string') {
      expect(fast.rangeOf(path), `${shown} range at ${JSON.stringify(path)}`).toEqual(full.rangeOf(path));
      expect(partial.rangeOf(path), `${shown} range at ${JSON.stringify(path)} (offsets kept to depth 1)`).toEqual(full.rangeOf(path));
    }
  }
  return true;
}

/** Every YAML text of the repository: examples, fixtures (valid and invalid), the security corpus, goldens. */
function repositoryYaml(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const info = lstatSync(path);
      if (info.isDirectory()) walk(path);
      else if (info.isFile() && /\.(ya?ml|txt)$/i.test(name) && info.size < 2_000_000) out.push({ name: relative(ROOT, path), text: readFileSync(path, 'utf8') });
    }
  };
  for (const dir of ['examples', 'test/fixtures', 'test/security/corpus', 'test/golden']) walk(join(ROOT, dir));
  return out;
}

describe('readSimpleYaml against the yaml package', () => {
  it('reads the examples and every file of the repository the same way (or refuses it)', () => {
    const files = repositoryYaml();
    expect(files.length).toBeGreaterThan(100);
    let accepted = 0;
    for (const { text } of files) {
      if (agrees(text)) accepted++;
      // The same with Windows line ends: read, or left to the yaml package, the same way.
      if (!text.includes('\r')) agrees(text.replace(/\n/g, '\r\n'));
    }
    // The subset is the common case: most files must take the fast way, or the reader is pointless.
    expect(accepted).toBeGreaterThan(files.length / 2);
    for (const example of ['examples/minimal.yaml', 'examples/full.yaml', 'examples/acme.yaml']) {
      const text = readFileSync(join(ROOT, example), 'utf8');
      expect(readSimpleYaml(text, 63), example).toBeDefined();
      expect(readSimpleYaml(text.replace(/\n/g, '\r\n'), 63), `${example} with CRLF`).toBeDefined();
    }
  });

  it('resolves plain scalars as the core schema does', () => {
    const cases = ['~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'yes', 'no', 'on', 'false', 'FALSE', '0', '-0', '+12', '007', '0o17', '0o8', '0x1F', '0xg', '1_000', '1.5', '1.', '.5', '-.5', '1e3', '1E-3', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'NaN', '12345678901234567890', '2024-01-01', '1st', 'a', '-a', 'é'];
    for (const s of cases) {
      const doc = parseAllDocuments(`k: ${s}\n`, { strict: true })[0];
      const expected = (doc?.toJS() as Record<string, unknown> | undefined)?.['k'];
      expect(Object.is(resolvePlain(s), expected) || isDeepStrictEqual(resolvePlain(s), expected), s).toBe(true);
    }
  });

  it('refuses what is outside the subset', () => {
    const outside = [
      'a: &x 1\nb: *x\n', // anchors and aliases
      'a: !!str 1\n', // tags
      'a: |\n  text\n', // block scalars
      'a: >\n  text\n',
      'a: one\n  two\n', // multi-line plain scalar
      'a: [1,\n  2]\n', // multi-line flow
      'a: "x\n  y"\n', // multi-line quoted
      'a:\n\t- 1\n', // tab
      'a: 1\rb: 2\n', // CR alone
      '---\na: 1\n', // document marker
      '%YAML 1.2\n---\na: 1\n', // directive
      'a: 1\na: 2\n', // duplicate key
      '1: x\n', // a key that is not text
      'true: x\n',
      '? a\n: b\n', // explicit key
      'a:\n- 1\n', // list at the key's indentation
      '- - 1\n', // nested compact list
      '-\n  a: 1\n', // item on the next line
      'a: b: c\n', // mapping in a value
      'a : 1\n', // space before the colon
      '<<: {a: 1}\n', // merge key
      '__proto__: 1\n',
      'a: "\\x41"\n', // escapes left to the full parser
      'a: [ b: c ]\n', // pair in a flow list
      'a: { b }\n', // flow key without value
      'a: 1 # c\n  b: 2\n', // bad indentation
      '',
      '# only a comment\n',
      `${'k'.repeat(1100)}: 1\n`, // implicit key over 1,024 characters
    ];
    for (const text of outside) expect(readSimpleYaml(text, 63), JSON.stringify(text)).toBeUndefined();
  });

  it('reads a mapping of many keys, and finds a key repeated far from its first place', () => {
    const keys = Array.from({ length: 30_000 }, (_, i) => `key_${i}`);
    const text = keys.map((k, i) => `${k}: ${i}`).join('\n');
    const read = readSimpleYaml(`${text}\n`, 63);
    expect(Object.keys(read?.value as object)).toHaveLength(30_000);
    expect(read?.values).toBe(60_000);
    expect(readSimpleYaml(`${text}\nkey_3: again\n`, 63)).toBeUndefined();
    expect(readSimpleYaml(`a: { ${keys.slice(0, 40).map((k) => `${k}: 1`).join(', ')}, key_20: 2 }\n`, 63)).toBeUndefined();
  });

  it('gives up beyond the nesting limit, so the full parser reports it', () => {
    const nest = (depth: number): string => `${'a: '.repeat(1)}${'['.repeat(depth)}1${']'.repeat(depth)}\n`;
    expect(readSimpleYaml(nest(10), 63)).toBeDefined();
    expect(readSimpleYaml(nest(70), 63)).toBeUndefined();
  });

  // Texts built from the pieces configurations are made of: clean ones (which the reader must read) and
  // ones with the characters that make YAML subtle (where it must agree or refuse).
  // (Keys distinct once unquoted, and no flow indicator in a plain scalar: those are broken YAML, not clean.)
  const CLEAN_KEY = fc.constantFrom('name', 'type', 'a', 'a b', 'a-b', 'a.b', 'a/b', 'k1', 'toString', 'x:y', 'a#b', '"q"', "'s'", '"a c"', "'it''s'", 'é', '"1"', 'üñí');
  const CLEAN_SCALAR = fc.constantFrom('x', 'a b', 'SeedBot', 'https://a.example.com/', 'x:y', 'a#b', '-1', '-.5', '0', '007', '0o7', '0x1F', '1.50', '1e3', '.inf', '.NaN', '~', 'Null', 'TRUE', 'yes', '1_0', '2024-01-01', '"%[color]"', '"a\\"b"', '"\\u00e9\\n"', '"\\/"', "'it''s'", '""', "''", '"${env:X}"', 'é', '日本');
  const TRICKY_KEY = fc.oneof(CLEAN_KEY, fc.constantFrom('constructor', 'a[0]', 'a]', '"a b"', 'null', 'true', '1', '-a', '""', '? a', '- a', 'a ', '&a', '!a', '<<', '__proto__'));
  const TRICKY_SCALAR = fc.oneof(
    CLEAN_SCALAR,
    fc.constantFrom('${env:X}', 'a #b', 'a, b', 'a]', 'a}', '[a', '-a', '- a', '+1', '%[color]', '@x', '`x', '!x', '&x', '*x', '|', '>', '?x', ':x', 'a:', 'a: b', '"\\x41"', "'a''", '"', "'", '#x'),
    fc.string({ unit: fc.constantFrom('a', ' ', ':', '#', ',', '[', ']', '{', '}', '-', '"', "'", '\\', '1', '.', 'é'), maxLength: 6 }),
  );
  type Tree = string | Tree[] | { [k: string]: Tree };
  const treeOf = (key: fc.Arbitrary<string>, scalar: fc.Arbitrary<string>): fc.Arbitrary<Record<string, Tree>> => {
    const t = fc.letrec<{ node: Tree; list: Tree[]; map: Record<string, Tree> }>((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
      list: fc.array(tie('node'), { maxLength: 4 }),
      map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    }));
    return fc.dictionary(key, t.node, { minKeys: 1, maxKeys: 5 });
  };
  const STYLE = fc.record({ step: fc.constantFrom(2, 4, 1, 3), flow: fc.boolean(), comments: fc.boolean(), blank: fc.boolean() });
  type Style = { step: number; flow: boolean; comments: boolean; blank: boolean };

  /** Writes a tree as YAML at indentation `at`: block style (mappings in lists written `- key: …`, as `export` does) or flow style. */
  function write(node: Tree, style: Style, at: number): string {
    const pad = ' '.repeat(at);
    const tail = style.comments ? '  # note' : '';
    const flow = (n: Tree): string => (typeof n === 'string' ? n : Array.isArray(n) ? `[ ${n.map(flow).join(', ')} ]` : `{ ${Object.entries(n).map(([k, v]) => `${k}: ${flow(v)}`).join(', ')} }`);
    const inline = (n: Tree): string | undefined => (typeof n === 'string' || style.flow || (Array.isArray(n) ? n.length === 0 : Object.keys(n).length === 0) ? flow(n) : undefined);
    const lines = Array.isArray(node)
      ? node.map((v) => {
          const text = inline(v) ?? (Array.isArray(v) ? flow(v) : undefined);
          return text !== undefined ? `${pad}- ${text}${tail}` : `${pad}- ${write(v, style, at + 2).slice(at + 2)}`;
        })
      : Object.entries(node).map(([k, v]) => {
          const text = inline(v);
          return text !== undefined ? `${pad}${k}: ${text}${tail}` : `${pad}${k}:${tail}\n${write(v, style, at + style.step)}`;
        });
    return lines.join(style.blank ? '\n\n' : '\n');
  }

  it('reads clean generated texts, as the yaml package does', () => {
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(treeOf(CLEAN_KEY, CLEAN_SCALAR), STYLE, (root, style) => {
        runs++;
        const text = `${write(root, style, 0)}\n`;
        if (agrees(text)) accepted++;
        agrees(text.replace(/\n/g, '\r\n'));
      }),
      { numRuns: 600, seed: 20261204 },
    );
    // Clean texts are what the reader is for: it must take nearly all of them.
    expect(accepted).toBeGreaterThan(runs * 0.9);
  });

  it('agrees with the yaml package on generated texts with subtle characters (or refuses them)', () => {
    fc.assert(
      fc.property(treeOf(TRICKY_KEY, TRICKY_SCALAR), STYLE, (root, style) => {
        agrees(`${write(root, style, 0)}\n`);
      }),
      { numRuns: 1000, seed: 20261206 },
    );
  });

  it('agrees with the yaml package on texts with one character changed', () => {
    const base = [
      '# a comment',
      'version: 1',
      'fields:',
      '  - name: color # trailing',
      '    type: STRING',
      '    facet: true',
      '',
      '  - name: "size"',
      "    label: 'it''s'",
      '    multiValueFacetTokenizers: [ ";", "," ]',
      'sources:',
      '  - name: Docs',
      '    configuration:',
      '      parameters:',
      '        UserAgent:',
      '          value: ${env:UA}',
      '      startingAddresses: [ https://a.example.com/ ]',
      'schedules:',
      '  - source: Docs',
      '    frequency: { type: WEEKLY, hourMinute: { hour: 3, minute: 0 }, weekDays: [ SUNDAY ] }',
      'groups:',
      '  -   displayName: Team',
      '      members: []',
      '',
    ].join('\n');
    expect(agrees(base)).toBe(true);
    fc.assert(
      fc.property(fc.nat({ max: base.length - 1 }), fc.constantFrom('', ' ', '  ', '-', ':', '#', '"', "'", '[', ']', '{', '}', ',', '\n', '\r', '\r\n', 'a', '1', '&', '*', '!', '|', '>', '?', '%', '@', '\\'), fc.boolean(), (at, insert, crlf) => {
        const text = crlf ? base.replace(/\n/g, '\r\n') : base;
        agrees(text.slice(0, at) + insert + text.slice(at + 1));
        agrees(text.slice(0, at) + insert + text.slice(at));
      }),
      { numRuns: 700, seed: 20261205 },
    );
  });
});

describe('loadConfig reads the same configuration either way', () => {
  /** Every configuration input of the repository: examples, valid and invalid fixtures, the hostile corpus. */
  const inputs = repositoryYaml().filter(({ name }) => /\.ya?ml$/i.test(name));

  /** What a load gives: the configuration (with its origins and warnings) or the issues of its ConfigError. */
  async function outcome(file: string, yamlPackageOnly: boolean): Promise<unknown> {
    try {
      const c = await loadConfig([file], options({ env: { ...EXAMPLE_ENV, COVEO_SYNC_TEST_SECRET: 'hunter2-not-real' }, yamlPackageOnly }));
      return { files: c.files, organization: c.organization, settings: c.settings, resources: c.resources, assertions: c.assertions, warnings: c.warnings };
    } catch (e) {
      if (e instanceof ConfigError) return { issues: e.issues, message: e.message };
      throw e;
    }
  }

  it('with the simple reader as with the yaml package only: the same data, positions, warnings and errors', async () => {
    let simpleRead = 0;
    for (const { name, text } of inputs) {
      if (readSimpleYaml(text, MAX_DEPTH - 1) !== undefined) simpleRead++;
      const file = join(ROOT, name);
      expect(await outcome(file, false), name).toEqual(await outcome(file, true));
    }
    expect(inputs.length).toBeGreaterThan(100);
    expect(simpleRead).toBeGreaterThan(inputs.length / 2);
  });
});
