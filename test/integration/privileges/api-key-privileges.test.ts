/**
 * API key privileges checked against `GET /privileges/apikeys` of the emulator (seed 001): privileges the
 * organization does not offer are input errors (exit 3) with file:line:column and a "did you mean";
 * least-privilege warnings carry positions too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, EXIT, exitCodeOf } from '../../../src/errors.js';
import { formatIssue } from '../../../src/config/index.js';
import type { EmulatorHandle } from '../../../src/emulator/index.js';
import { checkApiKeyPrivileges, fetchAssignablePrivileges, lintConfigPrivileges } from '../../../src/privileges/index.js';
import { clientFor, createKeyWith, loadYaml, startTestEmulator } from './support.js';

const YAML = `version: 1
apiKeys:
  - name: storefront
    displayName: Storefront
    privileges:
      - { owner: SEARCH_API, targetDomain: EXECUTE_QEURY }
      - { owner: USAGE_ANALYTICS, targetDomain: ANALYTICS_DATA, type: EDIT }
  - name: ci
    displayName: CI
    privileges:
      - owner: PLATFORM
        targetDomain: SOURCE
        type: EDTI
      - { owner: PLATFROM, targetDomain: FIELD, type: VIEW }
      - { owner: PLATFORM, targetDomain: ORGANIZATION, type: EDIT }
      - { owner: PLATFORM, targetDomain: FIELD }
      - { owner: SEARCH_API, targetDomain: EXECUTE_QUERY, type: VIEW }
`;

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.stop());

describe('API key privileges against the organization', () => {
  it('reads the assignable privileges in both wire forms', async () => {
    const offered = await fetchAssignablePrivileges(clientFor(emu, emu.adminToken));
    expect(offered).toContainEqual({ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targets: '*' });
    expect(offered.some((p) => p.targetDomain === 'API_KEY')).toBe(false);
  });

  it('privileges the org does not offer are errors at their file position, with a did-you-mean (exit 3)', async () => {
    const { loaded, dir } = await loadYaml(YAML);
    const issues = await checkApiKeyPrivileges(clientFor(emu, emu.adminToken), loaded);
    expect(issues.map((i) => formatIssue(i, dir))).toEqual([
      'coveo-sync.yaml:6:44 error apiKeys[0].privileges[0].targetDomain: API key "storefront": The organization offers no API key privilege SEARCH_API / EXECUTE_QEURY. (did you mean `EXECUTE_QUERY`?)',
      'coveo-sync.yaml:13:15 error apiKeys[1].privileges[0].type: API key "ci": The organization offers PLATFORM / SOURCE as CREATE, EDIT, VIEW, not EDTI. (did you mean `EDIT`?)',
      'coveo-sync.yaml:14:18 error apiKeys[1].privileges[1].owner: API key "ci": The organization offers no API key privilege with owner PLATFROM. (did you mean `PLATFORM`?)',
      'coveo-sync.yaml:16:42 error apiKeys[1].privileges[3].targetDomain: API key "ci": PLATFORM / FIELD needs a type: the organization offers it as CREATE, EDIT, VIEW. (add `type: CREATE`)',
      'coveo-sync.yaml:17:65 error apiKeys[1].privileges[4].type: API key "ci": SEARCH_API / EXECUTE_QUERY has no type in this organization (it is granted as a whole), not VIEW. (remove `type`)',
    ]);
    expect(issues.every((i) => i.code === 'privilege_not_offered' && i.severity === 'error')).toBe(true);
    expect(exitCodeOf(new ConfigError(issues))).toBe(EXIT.input);
  });

  it('with an API key token the check cannot run: one warning, or exit 4 when asked to insist', async () => {
    const key = await createKeyWith(clientFor(emu, emu.adminToken), [{ owner: 'PLATFORM', targetDomain: 'ORGANIZATION', type: 'VIEW' }]);
    const { loaded } = await loadYaml(YAML);
    const issues = await checkApiKeyPrivileges(clientFor(emu, key), loaded);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ severity: 'warning', code: 'privileges_not_checked' });
    const error = await checkApiKeyPrivileges(clientFor(emu, key), loaded, { onForbidden: 'throw' }).catch((e: unknown) => e);
    expect(exitCodeOf(error)).toBe(EXIT.auth);
  });

  it('a configuration without API keys asks nothing', async () => {
    const { loaded } = await loadYaml('version: 1\nfields:\n  - { name: a, type: STRING }\n');
    emu.state.resetLog();
    expect(await checkApiKeyPrivileges(clientFor(emu, emu.adminToken), loaded)).toEqual([]);
    expect(emu.state.requestLog()).toEqual([]);
  });

  it('least-privilege warnings point at the privilege (the misspelt EDTI is not linted as EDIT)', async () => {
    const { loaded, dir } = await loadYaml(YAML);
    expect(lintConfigPrivileges(loaded).map((i) => formatIssue(i, dir))).toEqual([
      'coveo-sync.yaml:15:9 warning apiKeys[1].privileges[2]: API key "ci" holds PLATFORM / ORGANIZATION / EDIT: it can change or delete the organization itself. (Remove it unless the key administers the organization; no coveo-sync command needs it.)',
    ]);
  });
});
