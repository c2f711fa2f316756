import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, validateWritten } from '../../../src/config/index.js';
import type { JsonValue } from '../../../src/core/json.js';
import { isSecret } from '../../../src/core/secret.js';
import { RESOURCE_KINDS } from '../../../src/core/types.js';
import { ConfigError } from '../../../src/errors.js';
import { EXAMPLES, load } from './support.js';
import { parse } from 'yaml';

const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

describe('examples/', () => {
  it('holds minimal, full and the company example', () => {
    expect(examples).toEqual(expect.arrayContaining(['minimal.yaml', 'full.yaml', 'acme.yaml']));
  });

  it.each(examples)('%s loads without errors or warnings', async (name) => {
    const config = await load([join(EXAMPLES, name)]).catch((e: unknown) => {
      const issues = e instanceof ConfigError ? e.issues : [];
      throw new Error(`${name}:\n${issues.map((i) => formatIssue(i)).join('\n')}`);
    });
    expect(config.warnings.map((w) => formatIssue(w))).toEqual([]);
    expect(RESOURCE_KINDS.some((k) => config.resources[k].length > 0)).toBe(true);
  });

  it.each(examples)('%s points editors at the schema', (name) => {
    const text = readFileSync(join(EXAMPLES, name), 'utf8');
    expect(text.startsWith('# yaml-language-server: $schema=../schemas/coveo-sync.schema.json\n')).toBe(true);
  });

  it.each(examples)('%s validates without its secrets when unset variables are allowed (validate)', async (name) => {
    const config = await load([join(EXAMPLES, name)], { env: {}, vars: {}, allowUnset: true });
    expect(config.warnings.every((w) => w.code === 'env_missing' || w.code === 'var_missing')).toBe(true);
  });

  it('load together as one directory (`coveo-sync validate -c examples/`)', async () => {
    const config = await load([EXAMPLES]);
    expect(config.files).toHaveLength(examples.length);
    expect(config.warnings).toEqual([]);
    const withoutSecrets = await load([EXAMPLES], { env: {}, vars: {}, allowUnset: true });
    expect(withoutSecrets.warnings.filter((w) => w.code !== 'env_missing' && w.code !== 'var_missing')).toEqual([]);
  });

  it('full.yaml declares every kind and uses every top-level key', async () => {
    const config = await load([join(EXAMPLES, 'full.yaml')]);
    for (const kind of RESOURCE_KINDS) expect(config.resources[kind].length, kind).toBeGreaterThan(0);
    expect(config.assertions.length).toBeGreaterThan(0);
    expect(isSecret(config.organization)).toBe(true);
    const raw = parse(readFileSync(join(EXAMPLES, 'full.yaml'), 'utf8')) as Record<string, unknown>;
    expect(validateWritten(raw as JsonValue)).toEqual([]);
  });

  it('acme.yaml is a realistic company: schedules, a secured source with its provider, editors and viewers, a search-only key', async () => {
    const config = await load([join(EXAMPLES, 'acme.yaml')]);
    const sources = config.resources.sources.map((r) => r.written);
    expect(sources.length).toBeGreaterThanOrEqual(3);
    const secured = sources.find((s) => s['sourceVisibility'] === 'SECURED');
    expect(secured?.['securityProviders']).toEqual(['Acme SharePoint']);
    const scheduled = new Set(config.resources.schedules.map((r) => r.written['source']));
    expect(scheduled.size).toBeGreaterThanOrEqual(2);
    const groups = config.resources.groups.map((r) => (typeof r.written['displayName'] === 'string' ? r.written['displayName'].toLowerCase() : ''));
    expect(groups.some((g) => g.includes('editor'))).toBe(true);
    expect(groups.some((g) => g.includes('viewer'))).toBe(true);
    const searchKey = config.resources.apiKeys.find((r) => r.written['name'] === 'website-search');
    expect(searchKey?.written['privileges']).toEqual([{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }]);
  });
});
