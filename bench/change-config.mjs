/**
 * Scenario 4's input: the exported configuration with about 10 % of each kind changed, a third each
 * created, updated and deleted (deleted = left out of the files; the apply runs with --prune).
 * Deterministic. Deletes pick resources nothing else refers to, so the change is valid as a whole.
 */
import { parse, stringify } from 'yaml';

/** How many of `n` resources to create, update and delete for a `share` of change (at least one each when n > 0). */
export function changeCounts(n, share = 0.1) {
  const each = n === 0 ? 0 : Math.max(1, Math.round((n * share) / 3));
  return { create: each, update: each, delete: Math.min(each, n) };
}

/** Evenly spread indexes: `k` of `0..n-1`, avoiding the ones in `taken`. */
function spread(n, k, taken = new Set()) {
  const out = [];
  if (k <= 0) return out;
  const step = Math.max(1, Math.floor(n / k));
  for (let i = 0; i < n && out.length < k; i += step) if (!taken.has(i)) out.push(i);
  for (let i = 0; i < n && out.length < k; i++) if (!taken.has(i) && !out.includes(i)) out.push(i);
  return out;
}

/** Returns the changed YAML text and what was changed per kind. */
export function changeConfig(text, share = 0.1) {
  const config = parse(text);
  const summary = {};
  const sources = config.sources ?? [];
  const groups = config.groups ?? [];
  const apiKeys = config.apiKeys ?? [];

  // What is referred to, and so cannot be deleted.
  const mappedFields = new Set(sources.flatMap((s) => (s.mappings ?? []).map((m) => m.fieldName)));
  const usedProviders = new Set([
    ...sources.flatMap((s) => s.securityProviders ?? []),
    ...(config.securityProviders ?? []).flatMap((p) => p.cascadingSecurityProviders ?? []),
  ]);
  const targetedSources = new Set(
    [...groups, ...apiKeys].flatMap((r) => (r.privileges ?? []).map((p) => p.target?.source).filter((x) => x !== undefined)),
  );

  const edit = (kind, list, { canDelete, update, create }) => {
    const c = changeCounts(list.length, share);
    const deletable = list.map((r, i) => (canDelete(r) ? i : -1)).filter((i) => i >= 0);
    const deleted = new Set(spread(deletable.length, c.delete).map((i) => deletable[i]));
    const updated = spread(list.length, c.update, deleted);
    for (const i of updated) list[i] = update(list[i], i);
    const kept = list.filter((_, i) => !deleted.has(i));
    for (let i = 0; i < c.create; i++) kept.push(create(i));
    summary[kind] = { create: c.create, update: updated.length, delete: deleted.size };
    return { kept, deletedItems: list.filter((_, i) => deleted.has(i)) };
  };

  const pad = (n) => String(n).padStart(4, '0');
  config.securityProviders = edit('securityProviders', config.securityProviders ?? [], {
    canDelete: (p) => !usedProviders.has(p.id),
    update: (p) => ({ ...p, displayName: `${p.displayName ?? p.id} (changed)` }),
    create: (i) => ({ id: `Bench provider ${pad(i)}`, type: 'EMAIL', displayName: `Bench provider ${i}` }),
  }).kept;
  config.fields = edit('fields', config.fields ?? [], {
    canDelete: (f) => !mappedFields.has(f.name),
    update: (f) => ({ ...f, description: `Changed by the benchmark (${f.name})` }),
    create: (i) => ({ name: `bench_new_${String(i).padStart(5, '0')}`, type: 'STRING', facet: true }),
  }).kept;
  const sourceEdit = edit('sources', sources, {
    canDelete: (s) => !targetedSources.has(s.name),
    update: (s) => ({ ...s, configuration: { ...s.configuration, parameters: { ...s.configuration?.parameters, UserAgent: { value: 'BenchBot/2' } } } }),
    create: (i) => ({ name: `Bench source ${pad(i)}`, sourceType: 'WEB2', sourceVisibility: 'SHARED', configuration: { startingAddresses: [`https://bench${i}.example.com/`] } }),
  });
  config.sources = sourceEdit.kept;
  // Schedules of deleted sources go with them (prune deletes them too); they are not counted as changes of their own.
  const gone = new Set(sourceEdit.deletedItems.map((s) => s.name));
  const schedules = (config.schedules ?? []).filter((s) => !gone.has(s.source));
  const newSources = config.sources.filter((s) => s.name.startsWith('Bench source '));
  config.schedules = edit('schedules', schedules, {
    canDelete: () => true,
    update: (s) => ({ ...s, frequency: { type: 'DAILY', hourMinute: { hour: 4, minute: 30 } } }),
    create: (i) => ({ source: newSources[i % Math.max(1, newSources.length)]?.name ?? sources[0].name, refreshType: i < newSources.length ? 'FULL_REFRESH' : 'REBUILD', frequency: { type: 'DAILY', hourMinute: { hour: 1, minute: i % 60 } } }),
  }).kept;
  config.groups = edit('groups', groups, {
    canDelete: () => true,
    update: (g) => ({ ...g, members: [...(g.members ?? []), 'bench.member@example.com'] }),
    create: (i) => ({ displayName: `Bench group ${pad(i)}`, privileges: [{ owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW' }] }),
  }).kept;
  config.apiKeys = edit('apiKeys', apiKeys, {
    canDelete: () => true,
    update: (k) => ({ ...k, displayName: `${k.displayName ?? k.name} (changed)` }),
    create: (i) => ({ name: `bench-key-${pad(i)}`, displayName: `Bench key ${i}`, privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }] }),
  }).kept;
  return { text: stringify(config, { lineWidth: 0 }), summary };
}
