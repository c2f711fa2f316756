/**
 * Failures that do not go away (issue 10): a route that always fails ends the run with exit 1 and an
 * error naming the method, path and status, after a bounded number of attempts, with nothing
 * half-recorded (every journal intent has its outcome, every created key's value is in the secrets
 * file). A create whose answer is lost after the server acted is never retried blindly: the step fails,
 * a re-run finds the object by its identity (an API key by its marker) and `--resume` replaces a key whose
 * value was lost. Plus the defects this suite found around replaced API keys and retried deletes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/client/index.js';
import { duplicates, exampleText, lostSecrets, managedKeys, readJournalStrict, readSecrets, snapshotOf, orgPerTest, unfinishedSteps, type Org } from './support.js';

const FULL = exampleText('full.yaml');
/** storefront-search with one more privilege: a replace (new key, old one retired). */
const REPLACING = FULL.replace(
  '      - { owner: SEARCH_API, targetDomain: EXECUTE_QUERY }\n    enabled: true',
  '      - { owner: SEARCH_API, targetDomain: EXECUTE_QUERY }\n      - { owner: SEARCH_API, targetDomain: IMPERSONATE }\n    enabled: true',
);
const SECRETS = 'secrets.json';
const apply = ['apply', '--auto-approve', '--secrets-out', SECRETS, '--force'];

const start = orgPerTest(FULL);

const attempts = (org: Org, method: string, path: RegExp): number => org.emu.state.requestLog().filter((e) => e.method === method && path.test(e.path)).length;
const orgPath = (org: Org): string => `/rest/organizations/${org.organizationId}`;

/** Journal consistent: readable, and every intent of the finished runs has its outcome. */
function expectJournalConsistent(org: Org): void {
  const entries = readJournalStrict(org.dir);
  expect(entries.length).toBeGreaterThan(0);
  expect(unfinishedSteps(entries, new Set(entries.map((e) => e.run)))).toEqual([]);
}

describe('a route that always fails', () => {
  it('a read: exit 1 after 6 attempts, naming [GET] path and status; nothing written, no journal', async () => {
    const org = await start();
    org.emu.state.addFaultRule({ method: 'GET', path: '/groups$', status: 503, retryAfter: 0, count: -1 });
    const r = await org.run(apply);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`[GET] ${orgPath(org)}/groups: 503`);
    expect(attempts(org, 'GET', /\/groups$/)).toBe(6);
    expect(org.emu.state.writeCount()).toBe(0);
    expect(readJournalStrict(org.dir)).toEqual([]);
  });

  it('a create (POST): one attempt each, exit 1 naming [POST] path and status; what depends on it skipped; nothing half-recorded', async () => {
    const org = await start();
    org.emu.state.addFaultRule({ method: 'POST', path: '/groups$', status: 503, retryAfter: 0, count: -1 });
    const r = await org.run(apply);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`[POST] ${orgPath(org)}/groups: 503`);
    expect(r.stdout + r.stderr).toMatch(/not retried because this POST may already have reached Coveo/);
    expect(attempts(org, 'POST', /\/groups$/)).toBe(2);
    // support-push may be edited by the group that failed: skipped; storefront-search was created.
    expect(r.stdout).toMatch(/apiKeys\/support-push \(create\): skipped/);
    expect(managedKeys(org).map((k) => k.name)).toEqual(['storefront-search']);
    expect(lostSecrets(org, [join(org.dir, SECRETS)])).toEqual([]);
    expectJournalConsistent(org);
    // Once the route works again, a re-run finishes the job.
    org.emu.state.resetFaults();
    expect((await org.run(apply)).code).toBe(0);
    expect((await org.run(['plan', '--detailed-exitcode'])).code).toBe(0);
    expect(duplicates(org)).toEqual([]);
    expect(lostSecrets(org, [join(org.dir, SECRETS)])).toEqual([]);
  });

  it('an idempotent write (PUT): 6 attempts, exit 1 naming [PUT] path and status; secrets and journal complete', async () => {
    const org = await start();
    org.emu.state.addFaultRule({ method: 'PUT', path: '/sources/[^/]+/raw$', status: 500, retryAfter: 0, count: -1 });
    const r = await org.run(apply);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`\\[PUT\\] ${orgPath(org)}/sources/[^/]+/raw: 500`));
    // Two sources get their cross-references written; each PUT is tried 6 times.
    expect(attempts(org, 'PUT', /\/sources\/[^/]+\/raw$/)).toBe(12);
    expect(managedKeys(org)).toHaveLength(2);
    expect(lostSecrets(org, [join(org.dir, SECRETS)])).toEqual([]);
    expectJournalConsistent(org);
  });

  it('429 forever on a create: retried (the server refused it), then exit 1 naming 429; nothing created', async () => {
    const org = await start();
    org.emu.state.addFaultRule({ method: 'POST', path: '/apikeys$', status: 429, retryAfter: 0, count: -1 });
    const r = await org.run(apply);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`[POST] ${orgPath(org)}/apikeys: 429`);
    expect(attempts(org, 'POST', /\/apikeys$/)).toBe(12);
    expect(managedKeys(org)).toEqual([]);
    expectJournalConsistent(org);
  });
});

describe('a create whose answer is lost after the server acted', () => {
  it('fails that step (no blind retry); a re-run does not duplicate; --resume replaces the key whose value was lost', async () => {
    const org = await start();
    org.emu.state.addFaultRule({ method: 'POST', path: '/apikeys$', drop: true, when: 'after', count: 1 });
    const r = await org.run(apply);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`\\[POST\\] ${orgPath(org)}/apikeys: .*not retried`));
    // One POST per key: the dropped one was not sent again, and the server did create it.
    expect(attempts(org, 'POST', /\/apikeys$/)).toBe(2);
    expect(managedKeys(org)).toHaveLength(2);
    const lost = lostSecrets(org, [join(org.dir, SECRETS)]);
    expect(lost).toHaveLength(1);
    expectJournalConsistent(org);

    // A plain re-run finds the key by its marker: nothing is created twice; it says to resume.
    const again = await org.run(apply);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/apply --resume/);
    expect(duplicates(org)).toEqual([]);
    expect(managedKeys(org)).toHaveLength(2);

    // --resume deletes the key nobody has the value of and creates a new one, whose value is saved.
    const resumed = await org.run(['apply', '--resume', '--auto-approve', '--secrets-out', SECRETS]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/Resuming: deleted API key .* never saved its value/);
    expect(duplicates(org)).toEqual([]);
    expect(snapshotOf(org).apiKeys).toHaveLength(2);
    expect(lostSecrets(org, [join(org.dir, SECRETS)])).toEqual([]);
    expect((await org.run(['plan', '--detailed-exitcode'])).code).toBe(0);
    // A second resume has nothing left to recover.
    const twice = await org.run(['apply', '--resume', '--auto-approve', '--secrets-out', SECRETS]);
    expect(twice.code).toBe(0);
    expect(twice.stderr).not.toMatch(/Resuming/);
  });
});

describe('replaced API keys', () => {
  it('the new value is saved before the old key is retired, so a retire that fails loses nothing; --resume finishes it', async () => {
    const org = await start();
    expect((await org.run(apply)).code).toBe(0);
    const before = managedKeys(org).find((k) => k.name === 'storefront-search');
    org.writeConfig(REPLACING);
    org.emu.state.addFaultRule({ method: 'DELETE', path: '/apikeys/', status: 500, retryAfter: 0, count: -1 });
    const r = await org.run(apply);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`\\[DELETE\\] ${orgPath(org)}/apikeys/[^:]+: 500`));
    const fresh = managedKeys(org).filter((k) => k.name === 'storefront-search' && k.id !== before?.id);
    expect(fresh).toHaveLength(1);
    expect(readSecrets([join(org.dir, SECRETS)]).get('storefront-search')).toEqual({ id: fresh[0]?.id, value: fresh[0]?.value });
    expect(readJournalStrict(org.dir).some((e) => e.phase === 'secret-saved' && e.remoteId === fresh[0]?.id)).toBe(true);

    org.emu.state.resetFaults();
    const resumed = await org.run(['apply', '--resume', '--auto-approve', '--secrets-out', SECRETS]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/Resuming: deleted API key storefront-search .* had replaced it/);
    expect(managedKeys(org).filter((k) => k.name === 'storefront-search').map((k) => k.id)).toEqual([fresh[0]?.id]);
    expect(lostSecrets(org, [join(org.dir, SECRETS)])).toEqual([]);
    expect((await org.run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('--keep-replaced-keys disables the old key and takes its marker off, so the next plan still works', async () => {
    const org = await start();
    expect((await org.run(apply)).code).toBe(0);
    const old = managedKeys(org).find((k) => k.name === 'storefront-search');
    org.writeConfig(REPLACING);
    const r = await org.run([...apply, '--keep-replaced-keys']);
    expect(r.code, r.stderr).toBe(0);
    const kept = snapshotOf(org).apiKeys.find((k) => k.id === old?.id);
    expect(kept?.doc.enabled).toBe(false);
    expect(kept?.doc.description).toMatch(/retired-by: coveo-sync name=storefront-search$/);
    expect(duplicates(org)).toEqual([]);
    const plan = await org.run(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stderr).toBe(0);
  });

  it('a DELETE whose answer is lost after it acted is retried, and the 404 that follows counts as done', async () => {
    const org = await start();
    expect((await org.run(apply)).code).toBe(0);
    org.writeConfig(REPLACING);
    org.emu.state.addFaultRule({ method: 'DELETE', path: '/apikeys/', status: 503, retryAfter: 0, when: 'after', count: 1 });
    const r = await org.run(apply);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(org.emu.state.requestLog().filter((e) => e.method === 'DELETE').map((e) => e.status)).toEqual([503, 404]);
    expect(duplicates(org)).toEqual([]);
    expect(lostSecrets(org, [join(org.dir, SECRETS)])).toEqual([]);
  });
});

describe('the client on its own', () => {
  it('reports a 404 on a DELETE that never acted, and treats one after a lost answer as done', async () => {
    const org = await start();
    const client = createApiClient({ baseUrl: org.emu.url, organizationId: org.organizationId, token: org.emu.adminToken, retryBaseMs: 0 });
    await expect(client.request({ method: 'DELETE', path: '/groups/no-such-group' })).rejects.toMatchObject({ status: 404 });
    const made = await client.request<{ id: string }>({ method: 'POST', path: '/groups', query: { sendEmailToInvitedUsers: false }, body: { displayName: 'Doomed' } });
    org.emu.state.addFaultRule({ method: 'DELETE', path: '/groups/', drop: true, when: 'after', count: 1 });
    await expect(client.request({ method: 'DELETE', path: `/groups/${made.id}` })).resolves.toBeUndefined();
    expect(snapshotOf(org).groups.map((g) => g.displayName)).not.toContain('Doomed');
    // A 404 after a 429 (refused, never acted) is still an error.
    org.emu.state.addFaultRule({ method: 'DELETE', path: '/groups/', status: 429, retryAfter: 0, count: 1 });
    await expect(client.request({ method: 'DELETE', path: `/groups/${made.id}` })).rejects.toMatchObject({ status: 404 });
  });
});
