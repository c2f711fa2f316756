import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/index.js';
import { EXAMPLES, load, loadIssues } from './support.js';

const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

describe('examples/', () => {
  it('holds minimal, full and the company example', () => {
    expect(examples).toEqual(expect.arrayContaining(['minimal.yaml', 'full.yaml', 'acme.yaml']));
  });

  it.each(examples)('%s loads without errors or warnings', async (name) => {
    const config = await load([join(EXAMPLES, name)]).catch((e: unknown) => {
      const issues = (e as { issues?: readonly Parameters<typeof formatIssue>[0][] }).issues ?? [];
      throw new Error(`${name}:\n${issues.map((i) => formatIssue(i)).join('\n')}`);
    });
    expect(config.warnings.map((w) => formatIssue(w))).toEqual([]);
  });
});
