import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA } from '../../../src/config/index.js';
import type { WrittenConfig } from '../../../src/config/index.js';
import { FIELD_BOOLEAN_DEFAULTS } from '../../../src/kinds/fields/spec.js';
import { ROOT } from './support.js';

const SCHEMA_FILE = join(ROOT, 'schemas/coveo-sync.schema.json');
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;

type Node = Record<string, unknown>;
/** Every subschema with its JSON pointer. */
function walk(node: unknown, pointer: string, visit: (n: Node, pointer: string) => void): void {
  if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${pointer}/${i}`, visit));
  if (node === null || typeof node !== 'object') return;
  visit(node as Node, pointer);
  for (const [k, v] of Object.entries(node)) if (!['default', 'examples', 'const', 'enum'].includes(k)) walk(v, `${pointer}/${k}`, visit);
}

/** Objects passed through to Coveo as written, where unknown keys are allowed. */
const PASSTHROUGH = [
  '#/$defs/sourceConfiguration',
  '#/$defs/sourceConfiguration/properties/addressPatterns/items',
  '#/$defs/sourceConfiguration/properties/permissions/items',
  '#/$defs/sourceConfiguration/properties/documentConfig',
  '#/$defs/source/properties/mappings/items',
  '#/$defs/source/properties/preConversionExtensions/items',
  '#/$defs/source/properties/postConversionExtensions/items',
  '#/$defs/impersonatedUser',
  '#/$defs/apiKeyAdditionalConfiguration',
  '#/$defs/apiKeyAdditionalConfiguration/properties/search',
  '#/$defs/apiKeyAdditionalConfiguration/properties/search/properties/enforcedQueryPipelineConfiguration',
  '#/$defs/apiKeyAdditionalConfiguration/properties/search/properties/impersonationRestrictions',
  '#/$defs/apiKeyAdditionalConfiguration/properties/commerce',
  '#/$defs/apiKeyAdditionalConfiguration/properties/analytics',
];

describe('schemas/coveo-sync.schema.json', () => {
  it('is a valid JSON Schema 2020-12 document with an $id and a title', () => {
    const ajv = new Ajv2020({ strict: true, strictRequired: false });
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['$id']).toEqual(expect.any(String));
    expect(schema['title']).toEqual(expect.any(String));
    expect(CONFIG_SCHEMA).toEqual(schema);
  });

  it('describes every property, so editors show help', () => {
    const missing: string[] = [];
    walk(schema, '#', (n, pointer) => {
      if (pointer.includes('/if')) return; // conditions, not properties
      for (const [name, prop] of Object.entries((n['properties'] as Record<string, Node> | undefined) ?? {})) {
        if (typeof prop['description'] !== 'string' || prop['description'].length < 8) {
          // A $ref without its own description is described by its target.
          const ref = prop['$ref'];
          const target = typeof ref === 'string' ? (schema['$defs'] as Record<string, Node>)[ref.replace('#/$defs/', '')] : undefined;
          if (typeof target?.['description'] !== 'string') missing.push(`${pointer}/properties/${name}`);
        }
      }
    });
    expect(missing).toEqual([]);
  });

  it('says additionalProperties on every object, and allows unknown keys only in raw passthrough objects', () => {
    const open: string[] = [];
    const unsaid: string[] = [];
    walk(schema, '#', (n, pointer) => {
      if (n['type'] !== 'object') return;
      if (n['additionalProperties'] === undefined) unsaid.push(pointer);
      if (n['additionalProperties'] === true) open.push(pointer);
    });
    expect(unsaid).toEqual([]);
    expect(open.sort()).toEqual([...PASSTHROUGH].sort());
  });

  it('declares the field defaults the fields spec compares with', () => {
    const props = ((schema['$defs'] as Record<string, Node>)['field']?.['properties'] ?? {}) as Record<string, Node>;
    for (const [option, dflt] of Object.entries(FIELD_BOOLEAN_DEFAULTS)) expect(props[option]?.['default'], option).toBe(dflt);
  });

  it('gives the generated WrittenConfig type the shape of the files', () => {
    // Compile-time check (tsc runs over the tests): a typical file is a WrittenConfig.
    const written: WrittenConfig = {
      version: 1,
      fields: [{ name: 'productcategory', type: 'STRING', facet: true }],
      schedules: [{ source: 'Docs', refreshType: 'FULL_REFRESH', frequency: { type: 'WEEKLY', weekDays: ['MONDAY'] } }],
      groups: [{ displayName: 'Editors', privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', target: { source: 'Docs' } }] }],
    };
    expect(written.version).toBe(1);
  });
});

describe('scripts/gen-types.mjs', () => {
  it('finds src/config/written-config.generated.ts current', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/gen-types.mjs'), '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('fails --check when the generated file is stale', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coveo-sync-gen-'));
    for (const sub of ['scripts', 'schemas', 'src/config']) mkdirSync(join(dir, sub), { recursive: true });
    copyFileSync(join(ROOT, 'scripts/gen-types.mjs'), join(dir, 'scripts/gen-types.mjs'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const changed = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { properties: Record<string, unknown> };
    changed.properties['newTopLevelKey'] = { type: 'string', description: 'Added after the types were generated.' };
    writeFileSync(join(dir, 'schemas/coveo-sync.schema.json'), JSON.stringify(changed));
    copyFileSync(join(ROOT, 'src/config/written-config.generated.ts'), join(dir, 'src/config/written-config.generated.ts'));
    const run = spawnSync(process.execPath, [join(dir, 'scripts/gen-types.mjs'), '--check'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('is stale');
  });
});
