/**
 * The per-object baseline (issue 9): what a simple script does today to read an organization, one
 * request at a time (concurrency 1): every listing at its default page size, then one GET per object
 * (`GET /indexes/fields/{name}`, `GET /sources/{id}/raw`, `GET /sources/{id}/schedules`,
 * `GET /groups/{id}`, `GET /apikeys/{id}`, `GET /securityproviders/{id}`).
 *
 * A full run on org L takes minutes (about 6,500 requests of 50 ms one after the other), so by default
 * the listings are read in full and `sample` objects of each per-object route are fetched; the time of the
 * rest is extrapolated from the mean time measured on that route. The report says which.
 */
import { performance } from 'node:perf_hooks';

async function timed(fn) {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
}

/**
 * Runs the baseline against an organization. `sample` = per-object GETs measured per route (Infinity =
 * all of them, no extrapolation).
 */
export async function runBaseline({ url, organizationId, token, sample = 25 }) {
  const base = `${url}/rest/organizations/${encodeURIComponent(organizationId)}`;
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' };
  const call = async (method, path, body) => {
    const res = await globalThis.fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (!res.ok) throw new Error(`baseline: ${method} ${path} answered ${res.status}`);
    return text === '' ? undefined : JSON.parse(text);
  };
  const routes = {};
  const note = (route, ms, n = 1) => {
    const r = (routes[route] ??= { measured: 0, measuredMs: 0, total: 0 });
    r.measured += n;
    r.measuredMs += ms;
    r.total += n;
  };

  // Listings at their default page sizes, one page after the other.
  const fields = [];
  for (let page = 0; ; page++) {
    const { value, ms } = await timed(() => call('POST', '/indexes/fields/search', { page, perPage: 100 }));
    note('POST /indexes/fields/search', ms);
    fields.push(...value.items);
    if (page + 1 >= value.totalPages) break;
  }
  const sources = [];
  for (let page = 0; ; page++) {
    const { value, ms } = await timed(() => call('GET', `/sources?page=${page}&perPage=100`));
    note('GET /sources', ms);
    sources.push(...value);
    if (value.length < 100) break;
  }
  const lists = {};
  for (const [name, path] of [
    ['groups', '/groups'],
    ['apiKeys', '/apikeys'],
    ['securityProviders', '/securityproviders'],
  ]) {
    const { value, ms } = await timed(() => call('GET', path));
    note(`GET ${path}`, ms);
    lists[name] = value;
  }

  // One GET per object: a sample is measured, the rest extrapolated from it.
  const perObject = [
    ['GET /indexes/fields/{name}', fields.map((f) => `/indexes/fields/${encodeURIComponent(f.name)}`)],
    ['GET /sources/{id}/raw', sources.map((s) => `/sources/${encodeURIComponent(s.id)}/raw`)],
    ['GET /sources/{id}/schedules', sources.map((s) => `/sources/${encodeURIComponent(s.id)}/schedules`)],
    ['GET /groups/{id}', lists.groups.map((g) => `/groups/${encodeURIComponent(g.id)}`)],
    ['GET /apikeys/{id}', lists.apiKeys.map((k) => `/apikeys/${encodeURIComponent(k.id)}`)],
    ['GET /securityproviders/{id}', lists.securityProviders.map((p) => `/securityproviders/${encodeURIComponent(p.id)}`)],
  ];
  for (const [route, paths] of perObject) {
    const measured = paths.slice(0, Math.min(paths.length, sample));
    for (const path of measured) {
      const { ms } = await timed(() => call('GET', path));
      note(route, ms);
    }
    const r = (routes[route] ??= { measured: 0, measuredMs: 0, total: 0 });
    r.total = paths.length;
  }

  let measuredMs = 0;
  let estimatedMs = 0;
  let measured = 0;
  let total = 0;
  for (const r of Object.values(routes)) {
    measuredMs += r.measuredMs;
    measured += r.measured;
    total += r.total;
    estimatedMs += r.measured === 0 ? 0 : (r.measuredMs / r.measured) * r.total;
  }
  return {
    requests: total,
    measuredRequests: measured,
    measuredMs: Math.round(measuredMs),
    ms: Math.round(estimatedMs),
    extrapolated: measured < total,
    routes: Object.fromEntries(Object.entries(routes).map(([k, r]) => [k, { requests: r.total, measured: r.measured, meanMs: r.measured === 0 ? 0 : Math.round((r.measuredMs / r.measured) * 10) / 10 }])),
  };
}
