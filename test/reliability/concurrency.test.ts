/**
 * Concurrent change (issue 10): the organization changing between `plan --out` and `apply plan.json`,
 * and two applies against one organization at once, from one folder or two. What is guaranteed is in
 * README.md beside this file.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { duplicates, exampleText, managedKeys, orgPerTest, writesIn, type Org } from './support.js';

const FULL = exampleText('full.yaml');
const start = orgPerTest(FULL);

const apply = ['apply', '--auto-approve', '--secrets-out', 'secrets.json', '--force'];
/** One request in flight at a time: when its first write is held, nothing else of it is under way. */
const serialApply = [...apply, '--parallelism', '1'];

/** Starts an apply that plans and then waits at its "yes" prompt; resolves once it is there. */
async function applyAtPrompt(org: Org): Promise<{ answer: (a: string) => void; waiting: ReturnType<Org['runAsking']> }> {
  let answer: (a: string) => void = () => undefined;
  let asked: () => void = () => undefined;
  const atPrompt = new Promise<void>((r) => (asked = r));
  const waiting = org.runAsking(['apply', '--secrets-out', 'secrets.json'], () => {
    asked();
    return new Promise<string>((r) => (answer = r));
  });
  await atPrompt;
  return { answer: (a) => answer(a), waiting };
}

describe('a saved plan whose organization changed', () => {
  it('is refused as stale (exit 1) when an object it would create appeared, and nothing is written', async () => {
    const org = await start();
    expect((await org.run(['plan', '--out', 'plan.json'])).code).toBe(0);
    // Someone creates one of the planned groups by hand.
    const made = await fetch(`${org.emu.url}/rest/organizations/${org.organizationId}/groups?sendEmailToInvitedUsers=false`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${org.emu.adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayName: 'Search viewers' }),
    });
    expect(made.status).toBe(201);
    org.emu.state.resetLog();
    const r = await org.run(['apply', 'plan.json', '--auto-approve', '--secrets-out', 'secrets.json']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/stale/i);
    expect(r.stderr).toContain('groups/Search viewers');
    expect(writesIn(org)).toEqual([]);
    expect(duplicates(org)).toEqual([]);
  });

  it('is refused as stale when an object it read was changed, and a plan applied twice never duplicates', async () => {
    const org = await start();
    expect((await org.run(apply)).code).toBe(0);
    org.writeConfig(FULL.replace('displayName: Storefront search', 'displayName: Storefront search v2'));
    expect((await org.run(['plan', '--out', 'plan.json'])).code).toBe(0);
    const applied = await org.run(['apply', 'plan.json', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    // The same plan again: everything it read has changed since, so it is stale and sends nothing.
    org.emu.state.resetLog();
    const again = await org.run(['apply', 'plan.json', '--auto-approve']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/stale/i);
    expect(writesIn(org)).toEqual([]);

    // A change behind the tool's back to an object the plan read.
    org.writeConfig(FULL.replace('displayName: Storefront search', 'displayName: Storefront search v3'));
    expect((await org.run(['plan', '--out', 'plan2.json'])).code).toBe(0);
    org.emu.state.mutate(org.organizationId, (o) => {
      for (const g of o.groups.values()) if (g['displayName'] === 'Search viewers') g['privileges'] = [];
    });
    org.emu.state.resetLog();
    const stale = await org.run(['apply', 'plan2.json', '--auto-approve', '--format', 'json']);
    expect(stale.code).toBe(1);
    expect(stale.stdout + stale.stderr).toMatch(/plan_stale/);
    expect(writesIn(org)).toEqual([]);
  });
});

describe('two applies at once', () => {
  it('from one folder: the second is refused (exit 3, apply_locked) before it reads or writes; the first converges', async () => {
    const org = await start();
    const held = org.emu.state.holdWrite(1);
    const first = org.run(serialApply);
    const h = await held;
    const before = org.emu.state.requestCount();
    const second = await org.run(apply);
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr).toMatch(/Another coveo-sync apply \(pid \d+/);
    expect(org.emu.state.requestCount()).toBe(before);
    h.release();
    expect((await first).code).toBe(0);
    expect((await org.run(['plan', '--detailed-exitcode'])).code).toBe(0);
    expect(duplicates(org)).toEqual([]);
  });

  it('from two folders of one machine: the second is refused by the machine-wide lock', async () => {
    const org = await start();
    const other = tempDir('coveo-sync-rel-other-');
    org.writeConfig(FULL, other);
    const held = org.emu.state.holdWrite(1);
    const first = org.run(serialApply);
    const h = await held;
    const before = org.emu.state.requestCount();
    const second = await org.run(apply, other);
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr).toMatch(/is running against/);
    expect(org.emu.state.requestCount()).toBe(before);
    h.release();
    expect((await first).code).toBe(0);
    // The other folder now has nothing to do.
    const after = await org.run(apply, other);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('No changes');
    expect(duplicates(org)).toEqual([]);
    expect(managedKeys(org)).toHaveLength(2);
  });

  it('an apply waiting at its prompt holds the lock: it planned before the other wrote, so the other is refused', async () => {
    const org = await start();
    const other = tempDir('coveo-sync-rel-other-');
    org.writeConfig(FULL, other);
    const { answer, waiting } = await applyAtPrompt(org);
    // The first apply has planned (everything to create) and waits for "yes"; a second one starts.
    const second = await org.run(apply, other);
    expect(second.code, second.stderr + second.stdout).toBe(3);
    expect(writesIn(org)).toEqual([]);
    answer('yes');
    const first = await waiting;
    expect(first.code, first.stderr).toBe(0);
    expect(duplicates(org)).toEqual([]);
    expect((await org.run(['plan', '--detailed-exitcode'], other)).code).toBe(0);
  });

  it('from two machines (no shared lock): an apply answered at its prompt after the other wrote is refused as stale', async () => {
    const org = await start();
    // "Another machine": its own folder and its own machine-wide lock folder.
    const other = tempDir('coveo-sync-rel-machine-b-');
    org.writeConfig(FULL, other);
    const machineB = { ...org.env, COVEO_SYNC_LOCK_DIR: tempDir('coveo-sync-locks-b-') };
    const { answer, waiting } = await applyAtPrompt(org);
    const b = await runCli([...apply, ...org.vars], { env: machineB, cwd: other });
    expect(b.code, b.stderr).toBe(0);
    org.emu.state.resetLog();
    answer('yes');
    const first = await waiting;
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/plan is stale/);
    expect(writesIn(org)).toEqual([]);
    expect(duplicates(org)).toEqual([]);
  });

  it('a lock left by a killed apply (dead pid on this host) is taken over', async () => {
    const org = await start();
    const { acquireApplyLock } = await import('../../src/apply/lock.js');
    // Write a lock as a process that no longer exists would have left it.
    const { writeFileSync, mkdirSync } = await import('node:fs');
    const { hostname } = await import('node:os');
    mkdirSync(join(org.dir, '.coveo-sync'), { recursive: true });
    const dead = { pid: 2 ** 22 + 12345, host: hostname(), organizationId: org.organizationId, platformUrl: org.emu.url, cwd: org.dir, startedAt: '2020-01-01T00:00:00.000Z', token: 'x' };
    writeFileSync(join(org.dir, '.coveo-sync', `apply-${org.organizationId}.lock`), JSON.stringify(dead));
    const r = await org.run(apply);
    expect(r.code, r.stderr).toBe(0);
    // A live holder is never taken over.
    const release = acquireApplyLock({ stateDir: join(org.dir, '.coveo-sync'), lockDir: org.env['COVEO_SYNC_LOCK_DIR'] ?? '', organizationId: org.organizationId, platformUrl: org.emu.url, cwd: org.dir, now: () => new Date() });
    try {
      const refused = await org.run(apply);
      expect(refused.code).toBe(3);
    } finally {
      release();
    }
    expect((await org.run(apply)).code).toBe(0);
    // Nor a holder on another host (a shared COVEO_SYNC_LOCK_DIR): its processes cannot be seen from here.
    writeFileSync(join(org.dir, '.coveo-sync', `apply-${org.organizationId}.lock`), JSON.stringify({ ...dead, host: 'another-host.invalid' }));
    const elsewhere = await org.run(apply);
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toMatch(/another-host\.invalid.*delete .*apply-.*\.lock/s);
  });
});
