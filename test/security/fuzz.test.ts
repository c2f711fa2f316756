/**
 * Fuzzing the two readers of untrusted text (issue 10): the configuration loader and the plan-file
 * reader. Whatever they are given, they return or throw one of our typed errors (ConfigError for the
 * loader, UsageError `plan_file_invalid` for plan files): never a TypeError, a RangeError or a hang.
 * Bounded runs (2,850 in all) with a fixed seed, so a failure replays; FUZZ_SEED=n explores another seed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { checksumOf, parsePlanFile, serializePlanFile } from '../../src/core/plan-file.js';
import { ConfigError, isSyncError, UsageError } from '../../src/errors.js';
import { fingerprintSecret } from '../../src/plan/hashing.js';
import { tempDir } from '../support/cli.js';
import { representativePlan } from '../unit/render/plan-builder.js';

const SEED = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : 20_261_204;
const DIR = tempDir('coveo-sync-fuzz-');
const FILE = join(DIR, 'fuzz.yaml');
const ENV = { FUZZ_SECRET: 'fuzz-secret-value', FUZZ_MULTILINE: 'a\nb: c\n- d' };

/** Runs the loader on `text`; fails the property on anything but success or a ConfigError. */
async function loadsOrConfigError(text: string | Uint8Array): Promise<void> {
  writeFileSync(FILE, text);
  try {
    await loadConfig([FILE], { env: ENV, vars: { V: 'x' }, salt: 's', fingerprint: fingerprintSecret, cwd: DIR });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw new Error(`loadConfig threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
    expect(e.issues.length).toBeGreaterThan(0);
    for (const i of e.issues) expect(i.position?.file ?? FILE).toBe(FILE);
    expect(JSON.stringify(e.issues)).not.toContain(ENV.FUZZ_SECRET);
  }
}

/** Parses `text` as a plan file; fails on anything but success or a `plan_file_invalid` UsageError. */
function parsesOrPlanFileError(text: string): void {
  try {
    parsePlanFile(text, 'fuzz.json');
  } catch (e) {
    if (!(e instanceof UsageError) || !isSyncError(e) || e.code !== 'plan_file_invalid') {
      throw new Error(`parsePlanFile threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
    }
    expect(e.message.startsWith('fuzz.json: ')).toBe(true);
  }
}

/** YAML-looking text: indicators, indentation, anchors, tags, interpolation, keys of the schema. */
const yamlToken = fc.constantFrom(
  'version: 1\n', 'fields:\n', 'sources:\n', 'groups:\n', 'apiKeys:\n', 'schedules:\n', 'securityProviders:\n', 'settings:\n', '  ignore:\n', '  protect:\n',
  '  - ', '- ', '    ', '  ', '\n', '\t', ': ', ':', ',', '[', ']', '{', '}', '&a ', '*a', '&b ', '*b', '!!str ', '!!binary ', '!custom ', '<<: ', '? ', '|', '>', '---\n', '...\n',
  '%YAML 1.1\n', '"', "'", '#', 'name: ', 'type: STRING', 'type: ', 'id: ', 'displayName: ', 'privileges: ', 'target: ', 'source: ', '{owner: PLATFORM, targetDomain: SOURCE, type: EDIT}',
  'configuration: ', 'parameters: ', 'sensitive: true', 'value: ', '${env:FUZZ_SECRET}', '${env:FUZZ_MULTILINE}', '${env:NOPE}', '${var:V}', '${', '$${', 'true', 'null', '~', '1e999', '-1', '0x1F',
  '.nan', 'productcategory', 'Docs', '(a+)+$', '[z-a]', '\u0000', '\u001b[2J', '\u2028', '\ufeff', 'é', '\r\n', '\r',
);
const yamlText = fc.array(fc.oneof({ weight: 4, arbitrary: yamlToken }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), { maxLength: 60 }).map((parts) => parts.join(''));

/** A value shaped a little like a configuration: the schema's keys with random values under them. */
const configLike = fc.record(
  {
    version: fc.oneof(fc.constant(1), fc.jsonValue()),
    fields: fc.oneof(fc.jsonValue(), fc.array(fc.record({ name: fc.oneof(fc.string(), fc.jsonValue()), type: fc.oneof(fc.constantFrom('STRING', 'LONG', 'DATE'), fc.jsonValue()) }, { requiredKeys: [] }), { maxLength: 4 })),
    sources: fc.jsonValue(),
    groups: fc.jsonValue(),
    apiKeys: fc.jsonValue(),
    schedules: fc.jsonValue(),
    securityProviders: fc.jsonValue(),
    settings: fc.oneof(fc.jsonValue(), fc.record({ prune: fc.jsonValue(), protect: fc.jsonValue(), ignore: fc.dictionary(fc.constantFrom('fields', 'sources', 'x'), fc.array(fc.string({ maxLength: 6 }))) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

describe('loadConfig on random input', () => {
  it('random YAML-looking text', async () => {
    await fc.assert(fc.asyncProperty(yamlText, loadsOrConfigError), { numRuns: 400, seed: SEED });
  });

  it('random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), loadsOrConfigError), { numRuns: 150, seed: SEED });
  });

  it('random JSON values written as YAML and as JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.boolean(), async (value, asJson) => {
        await loadsOrConfigError(asJson ? JSON.stringify(value) : stringify(value));
      }),
      { numRuns: 250, seed: SEED },
    );
  });

  it('random values under the schema keys', async () => {
    await fc.assert(
      fc.asyncProperty(configLike, async (value) => {
        await loadsOrConfigError(stringify(value));
      }),
      { numRuns: 250, seed: SEED },
    );
  });
});

/** Sets `value` at a random place of a JSON document (any depth), returning the new document. */
function mutateAt(doc: unknown, choices: readonly number[], value: unknown): unknown {
  if (choices.length === 0 || doc === null || typeof doc !== 'object') return value;
  const [pick = 0, ...rest] = choices;
  if (Array.isArray(doc)) {
    if (doc.length === 0) return [value];
    const i = pick % doc.length;
    return doc.map((x: unknown, j) => (j === i ? mutateAt(x, rest, value) : x));
  }
  const entries = Object.entries(doc as Record<string, unknown>);
  if (entries.length === 0) return { x: value };
  const i = pick % entries.length;
  return Object.fromEntries(entries.map(([k, x], j) => [k, j === i ? mutateAt(x, rest, value) : x]));
}

describe('parsePlanFile on random input', () => {
  const valid = JSON.parse(serializePlanFile(representativePlan())) as Record<string, unknown>;

  it('random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), parsesOrPlanFileError), { numRuns: 400, seed: SEED });
  });

  it('random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        parsesOrPlanFileError(JSON.stringify(v));
      }),
      { numRuns: 400, seed: SEED },
    );
  });

  it('a valid plan cut anywhere', () => {
    const text = serializePlanFile(representativePlan());
    fc.assert(
      // Anything shorter than the text up to its final brace.
      fc.property(fc.nat({ max: text.trimEnd().length - 1 }), (n) => {
        expect(() => parsePlanFile(text.slice(0, n), 'fuzz.json')).toThrow(UsageError);
      }),
      { numRuns: 200, seed: SEED },
    );
  });

  it('a valid plan with one value replaced anywhere (checksum left as it was: always refused)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), fc.jsonValue(), (path, value) => {
        const mutated = mutateAt(valid, path, value);
        const text = JSON.stringify(mutated);
        if (JSON.stringify(valid) === text) return;
        expect(() => parsePlanFile(text, 'fuzz.json')).toThrow(UsageError);
      }),
      { numRuns: 400, seed: SEED },
    );
  });

  it('a valid plan with one value replaced anywhere and its checksum recomputed (the structure checks alone)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), fc.jsonValue(), (path, value) => {
        const { checksum: _, ...content } = mutateAt(valid, path, value) as Record<string, unknown>;
        parsesOrPlanFileError(JSON.stringify({ ...content, checksum: checksumOf(content) }));
      }),
      { numRuns: 400, seed: SEED },
    );
  });
});
