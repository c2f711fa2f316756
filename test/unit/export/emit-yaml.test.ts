import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emitSecretsExample, emitYaml, KIND_FILES, SINGLE_FILE } from '../../../src/export/emit-yaml.js';
import { exportOf, richOrg } from './support.js';

describe('emitYaml', () => {
  it('matches the golden file (the format, reviewed like code)', async () => {
    const [file] = emitYaml(exportOf(richOrg()).config, { schemaRef: '../schemas/coveo-sync.schema.json' });
    expect(file?.path).toBe(SINGLE_FILE);
    await expect(file?.text).toMatchFileSnapshot('../../golden/export/rich-org.yaml');
  });

  it('is byte-identical for the same input', () => {
    const a = emitYaml(exportOf(richOrg()).config, { schemaRef: 's.json' });
    const b = emitYaml(exportOf(richOrg()).config, { schemaRef: 's.json' });
    expect(b).toEqual(a);
  });

  it('starts with the $schema comment for editors, then version 1', () => {
    const [file] = emitYaml(exportOf(richOrg()).config, { schemaRef: 'https://example.com/s.json' });
    const lines = file?.text.split('\n') ?? [];
    expect(lines[0]).toBe('# yaml-language-server: $schema=https://example.com/s.json');
    expect(lines.find((l) => !l.startsWith('#') && l !== '')).toBe('version: 1');
  });

  it('reads back as the same data', () => {
    const { config } = exportOf(richOrg());
    const [file] = emitYaml(config, { schemaRef: 's' });
    expect(parse(file?.text ?? '')).toEqual(config);
  });

  it('writes privileges and frequencies on one line, as in the design', () => {
    const text = emitYaml(exportOf(richOrg()).config, { schemaRef: 's' })[0]?.text ?? '';
    expect(text).toContain('      - { owner: PLATFORM, targetDomain: SOURCE, type: EDIT, target: { source: Product docs } }\n');
    expect(text).toContain('    frequency: { type: DAILY, hourMinute: { hour: 2, minute: 30 } }\n');
  });

  it('splits by kind: one complete file per kind, named after it', () => {
    const { config } = exportOf(richOrg());
    const files = emitYaml(config, { schemaRef: 's', splitByKind: true });
    expect(files.map((f) => f.path)).toEqual(Object.values(KIND_FILES));
    for (const f of files) {
      const data = parse(f.text) as Record<string, unknown>;
      expect(Object.keys(data)).toHaveLength(2);
      expect(data['version']).toBe(1);
      expect(f.text.startsWith('# yaml-language-server: $schema=s\n')).toBe(true);
    }
    expect(parse(files[1]?.text ?? '')).toEqual({ version: 1, fields: config.fields });
  });

  it('writes an empty kind as an empty list (declared but not managed)', () => {
    const files = emitYaml({ version: 1, groups: [] }, { schemaRef: 's', splitByKind: true });
    expect(files).toHaveLength(1);
    expect(files[0]?.text).toContain('\ngroups: []\n');
  });

  it('never folds long lines and keeps multi-line text exact', () => {
    const long = 'x'.repeat(300);
    const text = emitYaml({ version: 1, groups: [{ displayName: long }], apiKeys: [{ name: 'k', displayName: 'K', description: 'line 1\nline 2\n', privileges: [] }] }, { schemaRef: 's' })[0]?.text ?? '';
    expect(text).toContain(`- displayName: ${long}\n`);
    expect((parse(text) as { apiKeys: { description: string }[] }).apiKeys[0]?.description).toBe('line 1\nline 2\n');
  });
});

describe('emitSecretsExample', () => {
  it('lists every variable with where it goes, and no values', () => {
    const text = emitSecretsExample(exportOf(richOrg()).secrets);
    expect(text).toContain('\n# sources/Product docs: configuration.parameters.Password.value\nCOVEO_SOURCE_PRODUCT_DOCS_PASSWORD=\n');
    const assignments = text.split('\n').filter((l) => l.includes('=') && !l.startsWith('#'));
    expect(assignments).toEqual(['COVEO_PROVIDER_INTRANET_CLAIMS_CLIENTSECRET=', 'COVEO_SOURCE_PRODUCT_DOCS_PASSWORD=', 'COVEO_SOURCE_PRODUCT_DOCS_CRAWLER_PASSWORD=']);
  });

  it('is only comments when nothing is secret', () => {
    expect(emitSecretsExample([]).split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual([]);
  });
});
