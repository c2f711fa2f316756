/**
 * The generated validator (src/config/schema-validator.generated.ts, ajv's standalone code) against ajv
 * compiling the same schema at run time with the same options: the same verdicts and the very same
 * errors, down to the identity of the subschemas they carry, which validate.ts's messages rely on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { schema, validate } from '../../../src/config/schema-validator.generated.js';
import { EXAMPLES, FIXTURES, ROOT } from './support.js';

const runtime = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, verbose: true }).compile(schema as object);

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Every document of the fixtures and examples that YAML can read. */
const documents: unknown[] = [...yamlFiles(FIXTURES), ...yamlFiles(EXAMPLES)].flatMap((file) => {
  try {
    return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as unknown);
  } catch {
    return [];
  }
});

const REPLACEMENTS: readonly unknown[] = [null, 'x', '', 'yes', 0, -1, 1.5, true, [], ['x', 'x'], [{}], {}, { unknownKey: 1 }, 'A'.repeat(300)];

/** Each document with one value replaced, one key removed or one unknown key added, at every place. */
function* mutations(doc: unknown): Generator<unknown> {
  function* walk(node: unknown, replace: (v: unknown) => unknown): Generator<unknown> {
    for (const r of REPLACEMENTS) yield replace(r);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) yield* walk(node[i], (v) => replace(node.map((x, j) => (j === i ? v : x))));
      yield replace([...node, ...node]);
    } else if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node);
      for (const [k, child] of entries) {
        yield replace(Object.fromEntries(entries.filter(([key]) => key !== k)));
        yield* walk(child, (v) => replace({ ...node, [k]: v }));
      }
      yield replace({ ...node, nme: 'x' });
    }
  }
  yield* walk(doc, (v) => v);
}

const withoutObjects = ({ schema: _schema, parentSchema: _parentSchema, data: _data, ...rest }: ErrorObject): Partial<ErrorObject> => rest;

/** The same errors in the same order; their subschemas and data are the very same objects. */
function compare(expected: readonly ErrorObject[] | null | undefined, actual: readonly ErrorObject[] | null | undefined): void {
  expect(actual?.length).toBe(expected?.length);
  (expected ?? []).forEach((e, i) => {
    const a = actual?.[i] as ErrorObject;
    expect(Object.keys(a)).toEqual(Object.keys(e));
    expect(withoutObjects(a)).toEqual(withoutObjects(e));
    expect(a.schema).toBe(e.schema);
    expect(a.parentSchema).toBe(e.parentSchema);
    expect(a.data).toBe(e.data);
  });
}

describe('the generated schema validator', () => {
  it('holds the schema of schemas/coveo-sync.schema.json', () => {
    expect(schema).toEqual(JSON.parse(readFileSync(join(ROOT, 'schemas/coveo-sync.schema.json'), 'utf8')));
  });

  it('gives the verdicts and errors of ajv compiling at run time, for the fixtures and their mutations', () => {
    expect(documents.length).toBeGreaterThan(50);
    let inputs = 0;
    let errors = 0;
    for (const doc of documents) {
      for (const input of mutations(doc)) {
        inputs++;
        const expected = runtime(input);
        expect(validate(input)).toBe(expected);
        compare(runtime.errors, validate.errors);
        errors += runtime.errors?.length ?? 0;
      }
    }
    expect(inputs).toBeGreaterThan(1000);
    expect(errors).toBeGreaterThan(1000);
  });
});
