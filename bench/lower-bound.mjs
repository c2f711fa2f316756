/**
 * The round-trip lower bound of a scenario (issue 9): the requests the Coveo API makes unavoidable, laid
 * out on dependency waves at the chosen parallelism, times the latency. Pure: the benchmark passes in the
 * counts (what the organization holds, what the plan changes), and the unit test checks the arithmetic
 * (test/unit/bench/lower-bound.test.ts).
 *
 * What counts as unavoidable:
 * - a listing costs one request per page at the largest page size the API allows (LIST_PAGE_SIZE); its
 *   first page comes first (its answer says how many pages there are), the others can all go at once;
 * - schedules are listed per source (no organization-wide listing exists), once that source is known;
 * - a write costs one request per object, except fields, whose batch endpoints take a chunk of objects
 *   per request; a replace is a delete and a create (two requests);
 * - creates and updates run by kind on the levels of the kinds' `dependsOn` graph (kinds on one level
 *   share the parallelism), then deletes on the reverse levels, then one `applyChanges` per touched
 *   source (design §5);
 * - a wave of n independent requests takes ceil(n / parallelism) round trips.
 */

/**
 * Largest page per listing. Fields: `perPage` 1..1000 (documented). Sources (`GET /sources/raw/all`):
 * no documented maximum; 1000 is assumed, the same as the fields listing (the client checks the count
 * against `GET /sources/pages`, so a smaller server cap is detected, never mistaken for the end).
 * Groups, API keys and security providers are bare lists without paging (one request).
 */
export const LIST_PAGE_SIZE = Object.freeze({ fields: 1000, sources: 1000 });

/** Objects per batch request (fields only): the sizes the client uses; Coveo documents no maximum. */
export const BATCH_SIZE = Object.freeze({ fields: Object.freeze({ create: 500, update: 500, delete: 100 }) });

const KINDS = ['securityProviders', 'fields', 'sources', 'schedules', 'groups', 'apiKeys'];

/** Round trips for waves of independent requests: the sum over waves of ceil(n / parallelism). */
export function roundsOf(waves, parallelism) {
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new Error(`parallelism must be a whole number ≥ 1 (got ${parallelism})`);
  let rounds = 0;
  for (const wave of waves) {
    const n = wave.reduce((sum, part) => sum + part.count, 0);
    if (n > 0) rounds += Math.ceil(n / parallelism);
  }
  return rounds;
}

/** Pages of a listing of `count` items at `pageSize` (an empty listing still costs one request). */
export function pagesOf(count, pageSize) {
  return Math.max(1, Math.ceil(count / pageSize));
}

/**
 * The waves of requests that reading `kinds` needs. `counts` is what the organization holds per kind
 * (fields including system fields, the Administrators group, the built-in provider). Wave 0: the first
 * page of every listing; wave 1: the other pages, and the schedules of the sources on the first page;
 * wave 2: the schedules of sources on later pages.
 */
export function readWaves(kinds, counts, pageSize = LIST_PAGE_SIZE) {
  const wanted = new Set(kinds);
  if (wanted.has('schedules')) wanted.add('sources');
  const w0 = [];
  const w1 = [];
  const w2 = [];
  for (const kind of ['securityProviders', 'groups', 'apiKeys']) if (wanted.has(kind)) w0.push({ route: kind, count: 1 });
  for (const kind of ['fields', 'sources']) {
    if (!wanted.has(kind)) continue;
    const pages = pagesOf(counts[kind] ?? 0, pageSize[kind]);
    w0.push({ route: kind, count: 1 });
    if (pages > 1) w1.push({ route: kind, count: pages - 1 });
  }
  if (wanted.has('schedules')) {
    const sources = counts.sources ?? 0;
    const first = Math.min(sources, pageSize.sources);
    w1.push({ route: 'schedules', count: first });
    if (sources > first) w2.push({ route: 'schedules', count: sources - first });
  }
  return [w0, w1, w2].filter((w) => w.length > 0);
}

/** Level of each kind in the `dependsOn` graph (a kind with no dependency is on level 0). */
export function kindLevels(dependsOn) {
  const level = {};
  const visit = (kind, path) => {
    if (level[kind] !== undefined) return level[kind];
    if (path.includes(kind)) throw new Error(`dependency cycle: ${[...path, kind].join(' → ')}`);
    const deps = dependsOn[kind] ?? [];
    level[kind] = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => visit(d, [...path, kind])));
    return level[kind];
  };
  for (const kind of Object.keys(dependsOn)) visit(kind, []);
  return level;
}

/** Requests for `n` objects of a kind and action: batches for fields, one per object otherwise, two per replace. */
export function writeRequests(kind, action, n, batch = BATCH_SIZE) {
  if (n <= 0) return 0;
  const sizes = batch[kind];
  if (action === 'replace') return 2 * n;
  if (sizes && sizes[action] !== undefined) return Math.ceil(n / sizes[action]);
  return n;
}

/**
 * The waves of writes of an apply. `steps[kind][action]` counts the plan's steps; `extraRequests[kind]`
 * adds requests a step needs beyond its main one (an API key update that also enables or disables it);
 * `touchedSources` is the number of sources that get `applyChanges` at the end.
 */
export function writeWaves(steps, dependsOn, options = {}) {
  const levels = kindLevels(dependsOn);
  const top = Math.max(0, ...Object.values(levels));
  const batch = options.batch ?? BATCH_SIZE;
  const extra = options.extraRequests ?? {};
  const ups = Array.from({ length: top + 1 }, () => []);
  const downs = Array.from({ length: top + 1 }, () => []);
  for (const kind of KINDS) {
    const s = steps[kind] ?? {};
    const level = levels[kind] ?? 0;
    const up = writeRequests(kind, 'create', s.create ?? 0, batch) + writeRequests(kind, 'update', s.update ?? 0, batch) + writeRequests(kind, 'replace', s.replace ?? 0, batch) + (extra[kind] ?? 0);
    if (up > 0) ups[level].push({ route: kind, count: up });
    const down = writeRequests(kind, 'delete', s.delete ?? 0, batch);
    if (down > 0) downs[top - level].push({ route: kind, count: down });
  }
  const after = (options.touchedSources ?? 0) > 0 ? [[{ route: 'applyChanges', count: options.touchedSources }]] : [];
  return [...ups, ...downs, ...after].filter((w) => w.length > 0);
}

/** Requests in a set of waves, by route. */
export function requestsByRoute(waves) {
  const out = {};
  for (const wave of waves) for (const part of wave) out[part.route] = (out[part.route] ?? 0) + part.count;
  return out;
}

/**
 * The lower bound of a scenario in milliseconds, with its parts: `rounds` round trips of `latencyMs`
 * (the mean latency) each.
 */
export function lowerBound(waves, { parallelism, latencyMs }) {
  const rounds = roundsOf(waves, parallelism);
  const requests = waves.reduce((sum, w) => sum + w.reduce((s, p) => s + p.count, 0), 0);
  return { rounds, requests, ms: rounds * latencyMs, byRoute: requestsByRoute(waves) };
}
