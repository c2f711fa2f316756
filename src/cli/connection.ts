/**
 * Where and as whom to connect (design §3): `--org`/`COVEO_ORGANIZATION_ID` (or `organization:` in the
 * files), `COVEO_ACCESS_TOKEN` (never a flag, so it stays out of shell history), and `--region` or
 * `--platform-url`/`COVEO_PLATFORM_URL`.
 */
import { createApiClient, resolvePlatformUrl } from '../client/index.js';
import type { ApiClient } from '../client/types.js';
import { isSecret, type Secret } from '../core/secret.js';
import { UsageError } from '../errors.js';
import type { CliIo } from './io.js';

export interface ConnectionFlags {
  readonly org?: string;
  readonly region?: string;
  readonly platformUrl?: string;
  readonly parallelism?: number;
}

export interface Connection {
  readonly client: ApiClient;
  readonly organizationId: string;
  readonly token: string;
  readonly baseUrl: string;
}

const REGIONS = ['us', 'eu', 'au', 'ca'] as const;

export function resolveOrganization(flags: ConnectionFlags, io: CliIo, fromConfig?: string | Secret): string {
  const org = flags.org ?? io.env['COVEO_ORGANIZATION_ID'] ?? (isSecret(fromConfig) ? fromConfig.reveal() : fromConfig);
  if (org === undefined || org.trim() === '') {
    throw new UsageError('No organization: pass --org ORG_ID, set COVEO_ORGANIZATION_ID, or set `organization:` in the configuration.', 'organization_missing');
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(org)) {
    throw new UsageError('The organization id may only contain letters, digits, ".", "_" and "-"; check --org or COVEO_ORGANIZATION_ID.', 'organization_invalid');
  }
  return org;
}

export function connect(flags: ConnectionFlags, io: CliIo, organizationId: string, onRequest?: Parameters<typeof createApiClient>[0]['onRequest']): Connection {
  const token = io.env['COVEO_ACCESS_TOKEN'];
  if (token === undefined || token === '') {
    throw new UsageError('No access token: set COVEO_ACCESS_TOKEN to an OAuth token or an API key (it is never read from a flag, so it stays out of shell history).', 'token_missing');
  }
  const region = flags.region;
  if (region !== undefined && !(REGIONS as readonly string[]).includes(region)) {
    throw new UsageError(`--region must be one of ${REGIONS.join(', ')} (got "${region}").`, 'region_invalid');
  }
  const platformUrl = flags.platformUrl ?? io.env['COVEO_PLATFORM_URL'];
  const baseUrl = resolvePlatformUrl({ ...(region ? { region } : {}), ...(platformUrl ? { platformUrl } : {}) });
  const client = createApiClient({
    baseUrl,
    organizationId,
    token,
    ...(io.fetch ? { fetch: io.fetch } : {}),
    ...(flags.parallelism ? { concurrency: flags.parallelism } : {}),
    ...(onRequest ? { onRequest } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
  });
  return { client, organizationId, token, baseUrl };
}
