/**
 * One invalid input per rule (test/fixtures/invalid/NAME.yaml), each with its expectation beside it
 * (NAME.expect.json): the first error must be at that line and column, with that code and message.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/index.js';
import { FIXTURES, loadIssues } from './support.js';

interface Expectation {
  readonly line: number;
  readonly column: number;
  readonly code?: string;
  readonly messageIncludes: string;
}

const DIR = join(FIXTURES, 'invalid');
const names = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .sort();
const SECRET = 'hunter2-not-real';

describe('invalid configurations', () => {
  it('has at least 40 fixtures, each with its expectation', () => {
    expect(names.length).toBeGreaterThanOrEqual(40);
    for (const name of names) expect(readdirSync(DIR), name).toContain(`${name}.expect.json`);
  });

  it.each(names)('%s', async (name) => {
    const file = join(DIR, `${name}.yaml`);
    const expected = JSON.parse(readFileSync(join(DIR, `${name}.expect.json`), 'utf8')) as Expectation;
    const issues = await loadIssues([file], { env: { COVEO_SYNC_TEST_SECRET: SECRET }, vars: {} });
    const errors = issues.filter((i) => i.severity === 'error');
    const first = errors[0];
    expect(first, 'at least one error').toBeDefined();
    if (first === undefined) return;
    expect(first.position).toEqual({ file, line: expected.line, column: expected.column });
    if (expected.code !== undefined) expect(first.code).toBe(expected.code);
    expect(first.message).toContain(expected.messageIncludes);
    const printed = issues.map((i) => formatIssue(i, join(DIR, '../../..'))).join('\n');
    expect(printed).toContain(`test/fixtures/invalid/${name}.yaml:${expected.line}:${expected.column} error`);
    // No stack traces and no secret values in what the user reads.
    expect(printed).not.toMatch(/\n\s+at /);
    expect(printed).not.toContain(SECRET);
  });
});
