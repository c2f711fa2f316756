/**
 * `apply` end to end (issue 6): every write carries the safe flags and nothing Coveo would do on its own
 * (e-mails, rebuilds, provider updates) happens; updates read, merge and write, so what the files do not
 * declare survives (a source's mappings set elsewhere, a group's members).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, writesOf, type Harness } from './apply-support.js';

const FULL = readFileSync(join(import.meta.dirname, '../../../examples/full.yaml'), 'utf8');
const SECRETS = {
  COVEO_SYNC_EXAMPLE_DOCS_PASSWORD: 'docs-pw',
  COVEO_SYNC_EXAMPLE_CRAWLER_PASSWORD: 'crawler-pw',
  COVEO_SYNC_EXAMPLE_LDAP_PASSWORD: 'ldap-pw',
};

describe('safe flags on every write (examples/full.yaml: invites, members, secured sources, cross-references)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  const run = (argv: readonly string[]) =>
    h.run([...argv, '--var', 'ENVIRONMENT=test'], { env: { ...SECRETS, COVEO_SYNC_EXAMPLE_ORGANIZATION_ID: h.emu.organizationId } });

  const checkFlags = (): void => {
    const writes = writesOf(h.emu.state.requestLog());
    const sourceWrites = writes.filter((e) => /^(POST \/sources\/raw|POST \/sources|PUT \/sources\/\{sourceId\}(\/raw)?)$/.test(e.route ?? ''));
    const groupWrites = writes.filter((e) => /^(POST \/groups|PUT \/groups\/\{groupId\})$/.test(e.route ?? ''));
    expect(sourceWrites.length).toBeGreaterThan(0);
    expect(groupWrites.length).toBeGreaterThan(0);
    for (const e of sourceWrites) {
      const q = new URLSearchParams(e.query);
      expect([e.route, q.get('rebuild'), q.get('updateSecurityProviders')]).toEqual([e.route, 'false', 'false']);
    }
    for (const e of groupWrites) expect([e.route, new URLSearchParams(e.query).get('sendEmailToInvitedUsers')]).toEqual([e.route, 'false']);
    // Nothing else that sends e-mails (members/invites endpoints) is used at all.
    expect(writes.filter((e) => /\/(members|invites)/.test(e.route ?? ''))).toEqual([]);
    expect(h.emu.state.sideEffects()).toEqual([]);
  };

  it('create: sources with rebuild=false & updateSecurityProviders=false, groups with sendEmailToInvitedUsers=false; no side effects', async () => {
    h.write(FULL);
    const r = await run(['apply', '--auto-approve', '--secrets-out', 'keys.json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    // The cross-reference pass wrote sources again (groupsThatCanEdit, apiKeysThatCanEdit): checked too.
    expect(writesOf(h.emu.state.requestLog()).filter((e) => e.route === 'PUT /sources/{sourceId}/raw').length).toBeGreaterThan(0);
    checkFlags();
  });

  it('update: the same flags, still no side effects, and the next plan is empty', async () => {
    h.emu.state.resetLog();
    const edited = FULL.replace('sourceSecurityOption: Retrieve', 'sourceSecurityOption: Retrieve\n      maximumNumberOfDocuments: 5000')
      .replace('invites: [editor@example.com]', 'invites: [editor@example.com, second@example.com]')
      .replace("password: ${env:COVEO_SYNC_EXAMPLE_CRAWLER_PASSWORD}", "password: ${env:COVEO_SYNC_EXAMPLE_CRAWLER_PASSWORD}\n      maximumNumberOfDocuments: 10");
    expect(edited).not.toBe(FULL);
    h.write(edited);
    const r = await run(['apply', '--auto-approve']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/Apply complete: 0 added, [1-9]\d* changed/);
    checkFlags();
    const again = await run(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout).toBe(0);
  });

  it('a write without the flags would have been seen: the emulator records the default rebuild', async () => {
    // Guards the check above: the emulator does flag a source write that leaves the defaults on.
    const sources = await h.api<{ id: string; name: string }[]>('GET', '/sources');
    const docs = sources.find((s) => s.name === 'Support cases')!;
    const raw = await h.api<Record<string, unknown>>('GET', `/sources/${docs.id}/raw`);
    await h.api('PUT', `/sources/${docs.id}/raw`, raw);
    expect(h.emu.state.sideEffects().map((s) => s.type)).toContain('rebuild');
    h.emu.state.resetSideEffects();
  });
});

describe('read-merge-write', () => {
  let h: Harness;
  const base = (comment: string, privileges: string) => `version: 1
fields:
  - { name: color, type: STRING }
sources:
  - name: Docs
    sourceType: WEB2
    sourceVisibility: SHARED
    additionalComments: ${comment}
    configuration:
      startingAddresses: [https://docs.example.com/]
groups:
  - displayName: Editors
    privileges:
${privileges}
apiKeys:
  - name: search
    displayName: Search ${comment}
    privileges:
      - { owner: SEARCH_API, targetDomain: EXECUTE_QUERY }
`;
  const P1 = '      - { owner: PLATFORM, targetDomain: FIELD, type: VIEW }';
  const P2 = `${P1}\n      - { owner: PLATFORM, targetDomain: SOURCE, type: VIEW }`;
  let sourceId: string;
  let groupId: string;
  let keyId: string;

  beforeAll(async () => {
    h = await startHarness();
    h.write(base('first', P1));
    const r = await h.run(['apply', '--auto-approve', '--secrets-out', 'keys.json']);
    expect(r.code, r.stderr).toBe(0);
    sourceId = (await h.api<{ id: string; name: string }[]>('GET', '/sources')).find((s) => s.name === 'Docs')!.id;
    groupId = (await h.api<{ id: string; displayName: string }[]>('GET', '/groups')).find((g) => g.displayName === 'Editors')!.id;
    keyId = (await h.api<{ id: string; displayName: string }[]>('GET', '/apikeys')).find((k) => k.displayName === 'Search first')!.id;
    // Behind the tool's back: a mapping and a crawler setting on the source, a member in the group, a
    // search configuration on the key; none of them is in the files.
    const raw = await h.api<Record<string, unknown>>('GET', `/sources/${sourceId}/raw`);
    const configuration = raw['configuration'] as Record<string, unknown>;
    await h.api('PUT', `/sources/${sourceId}/raw?rebuild=false&updateSecurityProviders=false`, {
      ...raw,
      configuration: { ...configuration, parameters: { ...(configuration['parameters'] as object), MaxCrawlDepth: { value: '7' } } },
      mappings: [{ id: 'm1', kind: 'COMMON', fieldName: 'color', extractionMethod: 'METADATA', content: '%[color]' }],
    });
    await h.api('POST', `/groups/${groupId}/members?sendEmailOnInvite=false`, { username: 'bob@example.com', email: 'bob@example.com', provider: 'EMAIL' });
    const key = await h.api<Record<string, unknown>>('GET', `/apikeys/${keyId}`);
    await h.api('PUT', `/apikeys/${keyId}`, { displayName: key['displayName'], description: key['description'], additionalConfiguration: { search: { enforcedQueryPipelineConfiguration: { searchHub: 'admin' } } } });
  });
  afterAll(() => h.stop());

  it('the properties set elsewhere are not shown as changes (the files do not declare them)', async () => {
    const r = await h.run(['plan', '--detailed-exitcode']);
    expect(r.code, r.stdout).toBe(0);
  });

  it('survive an update of the source, the group and the API key', async () => {
    h.write(base('second', P2));
    h.emu.state.resetLog();
    const r = await h.run(['apply', '--auto-approve']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Apply complete: 0 added, 3 changed, 0 replaced, 0 destroyed.');
    const raw = await h.api<Record<string, unknown>>('GET', `/sources/${sourceId}/raw`);
    expect(raw['additionalComments']).toBe('second');
    expect(raw['mappings']).toEqual([expect.objectContaining({ fieldName: 'color', content: '%[color]' })]);
    expect((raw['configuration'] as { parameters: Record<string, unknown> }).parameters['MaxCrawlDepth']).toEqual(expect.objectContaining({ value: '7' }));
    const group = await h.api<{ members: { username: string }[]; privileges: unknown[] }>('GET', `/groups/${groupId}`);
    expect(group.privileges).toHaveLength(2);
    expect(group.members.map((m) => m.username)).toContain('bob@example.com');
    const key = await h.api<Record<string, unknown>>('GET', `/apikeys/${keyId}`);
    expect(key['displayName']).toBe('Search second');
    expect(key['additionalConfiguration']).toEqual({ search: { enforcedQueryPipelineConfiguration: { searchHub: 'admin' } } });
    expect(h.emu.state.sideEffects()).toEqual([]);
  });
});
