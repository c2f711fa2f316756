/**
 * Which sources a field or provider change touches (for applyChanges, design §5) comes from an index built
 * once per listing of live sources (issue 9: scanning every source for each of 5,000 field steps was
 * quadratic). It must find what the former scan found: sources whose mappings name the field, sources
 * that reference the provider.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/core/json.js';
import { sourcesMapping } from '../../../src/kinds/fields/ops.js';
import { sourcesSecuredBy } from '../../../src/kinds/security-providers/ops.js';

const sources: JsonObject[] = [
  { id: 's1', name: 'One', mappings: [{ id: 'm1', fieldName: 'title_x', rules: ['%[title_x]'] }], securityProviderReferences: ['Intranet'] },
  { id: 's2', name: 'Two', mappings: [{ id: 'm2', fieldName: 'author' }, { id: 'm3', fieldName: 'title_x' }], securityProviderReferences: ['Intranet', 'Email Security Provider'] },
  { id: 's3', name: 'Three', mappings: [{ id: 'm4', fieldName: 'author' }, { id: 'm5', fieldName: 'author' }] },
  { id: 's4', name: 'Four' },
];

/** The former scan, as reference. */
const scanned = (field: string): string[] => sources.filter((s) => JSON.stringify(s['mappings'] ?? []).includes(`"${field}"`)).map((s) => s['id'] as string);

describe('touched sources', () => {
  it('finds the sources whose mappings name a field, each once, in listing order, like the former scan', () => {
    for (const field of ['title_x', 'author', 'missing', 'fieldName', '%[title_x]']) expect([...sourcesMapping(sources, field)]).toEqual(scanned(field));
    expect(sourcesMapping(sources, 'author')).toEqual(['s2', 's3']);
    expect(sourcesMapping(sources, 'title')).toEqual([]);
  });

  it('finds the sources secured by a provider', () => {
    expect(sourcesSecuredBy(sources, 'Intranet')).toEqual(['s1', 's2']);
    expect(sourcesSecuredBy(sources, 'Email Security Provider')).toEqual(['s2']);
    expect(sourcesSecuredBy(sources, 'Nobody')).toEqual([]);
  });

  it('indexes each listing on its own', () => {
    const other: JsonObject[] = [{ id: 'x1', mappings: [{ fieldName: 'author' }], securityProviderReferences: ['Intranet'] }];
    expect(sourcesMapping(sources, 'author')).toEqual(['s2', 's3']);
    expect(sourcesMapping(other, 'author')).toEqual(['x1']);
    expect(sourcesSecuredBy(other, 'Intranet')).toEqual(['x1']);
  });
});
