/**
 * Write-only secrets through `apply` end to end (design §4): a sensitive value is sent on create and when
 * it changes (a salted fingerprint on the resource tells), is never shown as drift, and the plan after the
 * apply is empty. Sources keep fingerprints in `additionalInfos`; security providers in a parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './apply-support.js';

const CONFIG = `version: 1
securityProviders:
  - id: Directory
    type: ACTIVE_DIRECTORY2
    displayName: Directory
    parameters:
      ServerAddress: { value: ldap.example.com }
      BindPassword: { value: '\${env:BIND_PASSWORD}', sensitive: true }
sources:
  - name: Crawled
    sourceType: WEB2
    sourceVisibility: SECURED
    securityProviders: [Directory]
    configuration:
      startingAddresses: ['https://crawled.example.com/']
      parameters:
        Password: { sensitive: true, value: '\${env:CRAWLER_PASSWORD}' }
`;

let h: Harness;
const stored = () => {
  const org = h.emu.state.snapshot(h.emu.organizationId) as {
    providers: { id: string; doc: { parameters: Record<string, { value?: string }> } }[];
    sources: { raw: { name: string; configuration: { parameters: Record<string, { value?: string }> } } }[];
  };
  return {
    bind: org.providers.find((p) => p.id === 'Directory')?.doc.parameters['BindPassword']?.value,
    crawler: org.sources.find((s) => s.raw.name === 'Crawled')?.raw.configuration.parameters['Password']?.value,
  };
};
const env = (bind: string, crawler: string) => ({ env: { BIND_PASSWORD: bind, CRAWLER_PASSWORD: crawler } });

beforeAll(async () => {
  h = await startHarness();
  h.write(CONFIG);
  const r = await h.run(['apply', '--auto-approve'], env('bind-1', 'crawler-1'));
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => h.stop());

describe('sensitive values', () => {
  it('are stored on create, and the next plan with the same values is empty', async () => {
    expect(stored()).toEqual({ bind: 'bind-1', crawler: 'crawler-1' });
    expect((await h.run(['plan', '--detailed-exitcode'], env('bind-1', 'crawler-1'))).code).toBe(0);
  });

  it('a rotated source password is planned as a (redacted) change, applied, and then plans empty', async () => {
    const p = await h.run(['plan', '--detailed-exitcode'], env('bind-1', 'crawler-2'));
    expect(p.code, p.stdout).toBe(2);
    expect(p.stdout).not.toContain('crawler-2');
    const r = await h.run(['apply', '--auto-approve'], env('bind-1', 'crawler-2'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('crawler-2');
    expect(stored()).toEqual({ bind: 'bind-1', crawler: 'crawler-2' });
    expect((await h.run(['plan', '--detailed-exitcode'], env('bind-1', 'crawler-2'))).code).toBe(0);
  });

  it('a rotated security provider password too', async () => {
    const p = await h.run(['plan', '--detailed-exitcode'], env('bind-2', 'crawler-2'));
    expect(p.code, p.stdout).toBe(2);
    expect(p.stdout).toContain('security provider "Directory"');
    expect(p.stdout).not.toContain('bind-2');
    const r = await h.run(['apply', '--auto-approve'], env('bind-2', 'crawler-2'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('bind-2');
    expect(stored()).toEqual({ bind: 'bind-2', crawler: 'crawler-2' });
    expect((await h.run(['plan', '--detailed-exitcode'], env('bind-2', 'crawler-2'))).code).toBe(0);
  });

  it('the fingerprint bookkeeping does not show as drift or in an export', async () => {
    const d = await h.run(['drift'], env('bind-2', 'crawler-2'));
    expect(d.code, d.stdout).toBe(0);
    const x = await h.run(['export', '--out', '-', '--kinds', 'securityProviders']);
    expect(x.code, x.stderr).toBe(0);
    expect(x.stdout).toContain('Directory');
    expect(x.stdout).not.toMatch(/fingerprint/i);
  });
});
