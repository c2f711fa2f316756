/** The emulator as the export tests use it: small pages so paging is always exercised, several orgs. */
import { startEmulator } from '../../../src/emulator/index.js';

export interface TestEmulator {
  readonly url: string;
  readonly organizationId: string;
  readonly adminToken: string;
  /** A new, empty organization (with Coveo's built-ins); returns its id. */
  createOrganization(): Promise<string>;
  /** Forgets the requests served so far. */
  resetLog(): void;
  /** The writes served since the last reset, as `METHOD /path` (reads by POST excluded: field search, token privileges). */
  writes(): string[];
  stop(): Promise<void>;
}

export async function startTestEmulator(): Promise<TestEmulator> {
  const emu = await startEmulator({ pageSizeCap: 2, randomSeed: 7 });
  return {
    url: emu.url,
    organizationId: emu.organizationId,
    adminToken: emu.adminToken,
    createOrganization: () => Promise.resolve(emu.state.addOrganization()),
    resetLog: () => emu.state.resetLog(),
    writes: () =>
      emu.state
        .requestLog()
        .filter((e) => e.method !== 'GET' && !e.path.endsWith('/indexes/fields/search') && !e.path.endsWith('/privileges/token'))
        .map((e) => `${e.method} ${e.path.replace(/^\/rest\/organizations\/[^/]+/, '')}`),
    stop: () => emu.stop(),
  };
}
