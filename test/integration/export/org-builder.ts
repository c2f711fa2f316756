/**
 * Builds an organization in the emulator straight through the Platform API with `fetch`, the way a
 * person or another tool would (not through coveo-sync's apply), using every kind, every kind of
 * reference between kinds, and the secrets Coveo never returns.
 */
export interface Api {
  call<T = unknown>(method: string, path: string, options?: { body?: unknown; query?: Record<string, string> }): Promise<T>;
}

/** A small fetch wrapper for one organization of the emulator. */
export function apiFor(baseUrl: string, organizationId: string, token: string): Api {
  return {
    async call<T>(method: string, path: string, options: { body?: unknown; query?: Record<string, string> } = {}): Promise<T> {
      const qs = options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
      const res = await fetch(`${baseUrl}/rest/organizations/${encodeURIComponent(organizationId)}${path}${qs}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    },
  };
}

const SAFE_SOURCE = { rebuild: 'false', updateSecurityProviders: 'false' };
const SAFE_GROUP = { sendEmailToInvitedUsers: 'false' };

export interface BuiltOrg {
  readonly sources: { readonly docs: string; readonly catalog: string };
  readonly groups: { readonly editors: string; readonly admins: string };
  readonly apiKeys: { readonly storefront: string; readonly pusher: string; readonly handMade: string };
}

const idOf = (o: unknown): string => {
  const id = (o as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string') throw new Error(`no id in ${JSON.stringify(o)}`);
  return id;
};

/** Creates the reference organization and returns the ids the server gave. */
export async function buildOrg(api: Api): Promise<BuiltOrg> {
  // Security providers: a provider cascading to another, a sensitive parameter.
  await api.call('PUT', '/securityproviders/Intranet%20Email', {
    body: { id: 'Intranet Email', name: 'Intranet Email', displayName: 'Intranet email identities', type: 'EMAIL', caseSensitive: true, nodeRequired: false },
  });
  await api.call('PUT', '/securityproviders/Intranet%20Claims', {
    body: {
      id: 'Intranet Claims',
      name: 'Intranet Claims',
      displayName: 'Intranet Claims',
      type: 'CLAIMS',
      cascadingSecurityProviders: { 'Intranet Email': { id: 'Intranet Email', name: 'Intranet Email' } },
      parameters: { ClientId: { sensitive: false, value: 'client-abc' }, ClientSecret: { sensitive: true, value: 'provider-secret' } },
    },
  });

  // Fields: defaults and non-defaults on several types.
  await api.call('POST', '/indexes/fields/batch/create', {
    body: [
      { name: 'productcategory', type: 'STRING', facet: true, multiValueFacet: true, label: 'Category', description: 'What the product is' },
      { name: 'price', type: 'DOUBLE', useCacheForNumericQuery: true },
      { name: 'productsize', type: 'LONG' },
      { name: 'summary', type: 'STRING', includeInResults: false, stemming: true },
    ],
  });

  // Sources: secured by a provider, sensitive parameter and password, mappings; a push source.
  const docs = idOf(
    await api.call('POST', '/sources/raw', {
      query: SAFE_SOURCE,
      body: {
        name: 'Product docs',
        sourceType: 'WEB',
        sourceVisibility: 'SECURED',
        securityProviderReferences: ['Intranet Email'],
        configuration: {
          startingAddresses: ['https://docs.example.com/'],
          addressPatterns: [{ expression: '*', patternType: 'Wildcard', allowed: true }],
          parameters: { Password: { sensitive: true, value: 'crawler-password' }, UserAgent: { sensitive: false, value: 'DocsBot ${literal}' } },
          userIdentities: { Crawler: { name: 'Crawler', userName: 'crawler@example.com', password: 'identity-password' } },
        },
        mappings: [{ type: 'COMMON', fieldName: 'productcategory', extractionMethod: 'METADATA', rules: ['%[category]'] }],
      },
    }),
  );
  const catalog = idOf(await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: { name: 'Catalog', sourceType: 'PUSH', sourceVisibility: 'SHARED', pushEnabled: true, configuration: {} } }));

  // Schedules of the docs source.
  await api.call('POST', `/sources/${docs}/schedules`, {
    body: { refreshType: 'INCREMENTAL_REFRESH', enabled: true, scheduleType: 'SOURCE', frequency: { type: 'DAILY', hourMinute: { hour: 2, minute: 30 } } },
  });
  await api.call('POST', `/sources/${docs}/schedules`, {
    body: { refreshType: 'FULL_REFRESH', enabled: false, scheduleType: 'SOURCE', frequency: { type: 'WEEKLY', weekDays: ['SUNDAY'], hourMinute: { hour: 1, minute: 0 } } },
  });

  // API keys: two with the coveo-sync marker, one made by hand.
  const storefront = idOf(
    await api.call('POST', '/apikeys', {
      body: {
        displayName: 'Storefront search',
        description: 'Used by the storefront\n\nmanaged-by: coveo-sync name=storefront-search',
        privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targetId: '*' }],
        allowedIps: ['10.0.0.0/8'],
      },
    }),
  );
  const pusher = idOf(
    await api.call('POST', '/apikeys', {
      body: { displayName: 'Catalog pusher', description: 'managed-by: coveo-sync name=catalog-pusher', privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: catalog }] },
    }),
  );
  const handMade = idOf(
    await api.call('POST', '/apikeys', {
      body: { displayName: 'Made by hand', description: 'Created in the admin console', privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targetId: '*' }] },
    }),
  );

  // Groups: privileges on a source and on a key by id, an editor group, invites.
  const groups = await api.call<{ id: string; displayName: string; groupType?: string }[]>('GET', '/groups');
  const admins = groups.find((g) => g.displayName === 'Administrators' || g.groupType === 'ADMINISTRATOR');
  if (!admins) throw new Error('the emulator has no Administrators group');
  const editors = idOf(
    await api.call('POST', '/groups', {
      query: { ...SAFE_GROUP, canEditItself: 'false' },
      body: {
        displayName: 'Search editors',
        privileges: [
          { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: docs },
          { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW', targetId: '*' },
          { owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW', targetId: storefront },
        ],
        invites: [{ email: 'editor@example.com', username: 'editor@example.com' }],
        groupsThatCanEdit: [{ id: admins.id, displayName: admins.displayName }],
      },
    }),
  );

  // Cross-references written after both ends exist: who can edit the docs source and the pusher key.
  const raw = await api.call<Record<string, unknown>>('GET', `/sources/${docs}/raw`);
  await api.call('PUT', `/sources/${docs}/raw`, {
    query: SAFE_SOURCE,
    body: { ...raw, groupsThatCanEdit: [{ id: editors, displayName: 'Search editors' }], apiKeysThatCanEdit: [{ id: storefront, displayName: 'Storefront search' }] },
  });
  const key = await api.call<Record<string, unknown>>('GET', `/apikeys/${pusher}`);
  await api.call('PUT', `/apikeys/${pusher}`, {
    body: {
      displayName: key['displayName'],
      description: key['description'],
      allowedIps: key['allowedIps'] ?? [],
      deniedIps: key['deniedIps'] ?? [],
      groupsThatCanEdit: [{ id: editors, displayName: 'Search editors' }],
    },
  });

  return { sources: { docs, catalog }, groups: { editors, admins: admins.id }, apiKeys: { storefront, pusher, handMade } };
}

/** The values of the secrets the export turns into `${env:…}` (any values do: Coveo cannot compare them). */
export const SECRET_ENV: Readonly<Record<string, string>> = {
  COVEO_PROVIDER_INTRANET_CLAIMS_CLIENTSECRET: 'provider-secret',
  COVEO_SOURCE_PRODUCT_DOCS_PASSWORD: 'crawler-password',
  COVEO_SOURCE_PRODUCT_DOCS_CRAWLER_PASSWORD: 'identity-password',
};
