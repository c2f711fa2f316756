import { describe, expect, it } from 'vitest';
import { lintPlanPrivileges, lintPrivileges, type LintPrivilege } from '../../../src/core/privileges/lint.js';
import { describeMissing } from '../../../src/privileges/preflight.js';
import { detectTokenKind } from '../../../src/privileges/token.js';
import { parseHeldPrivileges } from '../../../src/core/privileges/required.js';
import { dto, planFor, written } from '../../support/builders.js';

const key = (privileges: LintPrivilege[], name = 'k') => ({ kind: 'apiKeys' as const, key: name, index: 0, privileges });
const codes = (privileges: LintPrivilege[]) => lintPrivileges([key(privileges)]).map((w) => `${w.code} ${w.path}`);

describe('least-privilege lint', () => {
  it.each([
    ['EDIT on every source', [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT' }], ['privilege_every_resource privileges[0]']],
    ['EDIT on every group with target *', [{ owner: 'PLATFORM', targetDomain: 'GROUP', type: 'EDIT', target: '*' }], ['privilege_every_resource privileges[0]']],
    ['EDIT on every API key', [{ owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'EDIT' }], ['privilege_every_resource privileges[0]']],
    ['EDIT on one source', [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: 'Docs' } }], []],
    ['VIEW on every source (reads need the wildcard)', [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW' }], []],
    ['EDIT on fields (no per-resource form)', [{ owner: 'PLATFORM', targetDomain: 'FIELD', type: 'EDIT' }], []],
    ['ORGANIZATION EDIT', [{ owner: 'PLATFORM', targetDomain: 'ORGANIZATION', type: 'EDIT' }], ['privilege_organization_edit privileges[0]']],
    [
      'a search key with an EDIT',
      [
        { owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' },
        { owner: 'USAGE_ANALYTICS', targetDomain: 'ANALYTICS_DATA', type: 'EDIT' },
        { owner: 'SEARCH_API', targetDomain: 'QUERY_PIPELINE', type: 'EDIT' },
        { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: 'Docs' } },
      ],
      ['privilege_edit_on_search_key privileges[2]', 'privilege_edit_on_search_key privileges[3]'],
    ],
    ['a plain search key (seed 002 shape)', [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }, { owner: 'USAGE_ANALYTICS', targetDomain: 'ANALYTICS_DATA', type: 'EDIT' }], []],
  ] as const)('%s', (_name, privileges, expected) => {
    expect(codes([...privileges] as LintPrivilege[])).toEqual(expected);
  });

  it('says what to do', () => {
    const [w] = lintPrivileges([key([{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT' }], 'ci')]);
    expect(w).toMatchObject({ severity: 'warning', address: 'apiKeys/ci', message: 'API key "ci" holds PLATFORM / SOURCE / EDIT on every source.' });
    expect(w!.hint).toMatch(/target: \{ source: NAME \}/);
  });

  it('lints the API keys a plan creates or replaces', () => {
    const outcome = planFor(
      { apiKeys: [written.apiKey('new', { privileges: [written.privilege('PLATFORM', 'ORGANIZATION', 'EDIT')] }), written.apiKey('same')] },
      { apiKeys: [dto.apiKey('key-same', 'same', { displayName: 'Key same' })] },
    );
    expect(lintPlanPrivileges(outcome.plan).map((w) => `${w.address} ${w.code}`)).toEqual(['apiKeys/new privilege_organization_edit']);
  });
});

describe('token kind', () => {
  it('an xx-prefixed UUID is an API key (seed 002), anything else is not', () => {
    expect(detectTokenKind('xx590a182c-5045-4914-a00b-1f4099581b3e')).toBe('apiKey');
    expect(detectTokenKind('XX590A182C-5045-4914-A00B-1F4099581B3E')).toBe('apiKey');
    expect(detectTokenKind('590a182c-5045-4914-a00b-1f4099581b3e')).toBe('oauth');
    expect(detectTokenKind('eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe('oauth');
    expect(detectTokenKind('emu-admin')).toBe('oauth');
  });

  it('a token holding API_KEY privileges is never an API key, whatever it looks like', () => {
    const held = parseHeldPrivileges([{ owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW' }]);
    expect(detectTokenKind('xx590a182c-5045-4914-a00b-1f4099581b3e', held)).toBe('oauth');
  });

  it('missing privileges read as actions', () => {
    const lines = describeMissing([{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: 's1', targetLabel: 'source Product docs', why: ['update source "Product docs"'] }], 'apiKey');
    expect(lines).toEqual(['needs PLATFORM / SOURCE / EDIT on source Product docs: add it to the API key or use a token of a group that has it — to update source "Product docs"']);
    expect(describeMissing([{ owner: 'PLATFORM', targetDomain: 'FIELD', type: 'CREATE', why: ['create field "a"'] }], 'oauth')[0]).toMatch(/^needs PLATFORM \/ FIELD \/ CREATE: add it to a group of the token's user/);
  });
});
