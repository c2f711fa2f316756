/**
 * Pure micro-benchmarks (issue 9), run by bench/run.mjs in a child process of their own so that their
 * memory is measured alone: `planChanges` on 50,000 synthetic resources (no I/O), then the text,
 * markdown and JSON renderers on the resulting 7,000-step plan. Prints one JSON object on stdout.
 *
 *   node --expose-gc bench/planner.mjs [--resources 50000]
 */
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { planChanges } from '../dist/core/plan-changes.js';
import { buildDesiredState, buildLiveState } from '../dist/core/state.js';
import { SPECS } from '../dist/kinds/registry.js';
import { fingerprintSecret, hashText } from '../dist/plan/hashing.js';
import { renderPlan } from '../dist/render/index.js';

const args = process.argv.slice(2);
const at = args.indexOf('--resources');
const TOTAL = at >= 0 ? Number(args[at + 1]) : 50_000;

/** Shares of the resources per kind. */
const MIX = { fields: 0.5, sources: 0.16, schedules: 0.16, groups: 0.1, apiKeys: 0.08 };
/** Of each kind: 2 % only in the files (create), 2 % only live (delete, with prune), 10 % different (update). */
const CREATE = 0.02;
const DELETE = 0.02;
const UPDATE = 0.1;

const pad = (n) => String(n).padStart(6, '0');
const counts = Object.fromEntries(Object.entries(MIX).map(([k, share]) => [k, Math.round(TOTAL * share)]));
const bands = (n) => {
  const c = Math.round(n * CREATE);
  const d = Math.round(n * DELETE);
  const u = Math.round(n * UPDATE);
  return { create: [0, c], delete: [c, c + d], update: [c + d, c + d + u] };
};
const role = (n, i) => {
  const b = bands(n);
  if (i < b.create[1]) return 'create';
  if (i < b.delete[1]) return 'delete';
  if (i < b.update[1]) return 'update';
  return 'same';
};

const written = { securityProviders: [], fields: [], sources: [], schedules: [], groups: [], apiKeys: [] };
const dtos = { securityProviders: [], fields: [], sources: [], schedules: [], groups: [], apiKeys: [] };
const add = (kind, i, w, dto) => {
  const r = role(counts[kind], i);
  if (r !== 'delete') written[kind].push({ written: w(r === 'update') });
  if (r !== 'create') dtos[kind].push(dto());
};

// Sources that stay (referred to by schedules, groups and keys).
const stableSource = (j) => {
  const b = bands(counts.sources);
  const first = b.delete[1];
  return first + (j % (counts.sources - first));
};
const sourceName = (i) => `Source ${pad(i)}`;
const sourceId = (i) => `org-src-${pad(i)}`;

for (let i = 0; i < counts.fields; i++) {
  const name = `field_${pad(i)}`;
  add(
    'fields',
    i,
    (changed) => ({ name, type: 'STRING', facet: true, description: changed ? `changed ${i}` : `field ${i}` }),
    () => ({ name, type: 'STRING', facet: true, sort: false, includeInQuery: true, includeInResults: true, description: `field ${i}`, system: false }),
  );
}
for (let i = 0; i < counts.sources; i++) {
  const config = (agent) => ({ startingAddresses: [`https://site${i}.example.com/`], parameters: { UserAgent: { value: agent } } });
  const mappings = [{ type: 'COMMON', fieldName: `field_${pad(i % counts.fields)}`, extractionMethod: 'METADATA', rules: [`%[field_${pad(i % counts.fields)}]`] }];
  add(
    'sources',
    i,
    (changed) => ({ name: sourceName(i), sourceType: 'WEB2', sourceVisibility: 'SHARED', configuration: config(changed ? 'Changed' : 'Bot'), mappings }),
    () => ({ id: sourceId(i), name: sourceName(i), sourceType: 'WEB2', sourceVisibility: 'SHARED', pushEnabled: false, configuration: { ...config('Bot'), sourceInformation: { id: i } }, mappings: mappings.map((m) => ({ ...m, id: `m${i}` })) }),
  );
}
for (let j = 0; j < counts.schedules; j++) {
  const s = stableSource(j);
  const refreshType = j < counts.sources - bands(counts.sources).delete[1] ? 'INCREMENTAL_REFRESH' : 'FULL_REFRESH';
  add(
    'schedules',
    j,
    (changed) => ({ source: sourceName(s), refreshType, frequency: { type: 'DAILY', hourMinute: { hour: changed ? 5 : 2, minute: j % 60 } } }),
    () => ({ id: `org-sch-${pad(j)}`, sourceId: sourceId(s), refreshType, enabled: true, scheduleType: 'SOURCE', frequency: { type: 'DAILY', hourMinute: { hour: 2, minute: j % 60 } } }),
  );
}
for (let i = 0; i < counts.groups; i++) {
  const s = stableSource(i * 7);
  add(
    'groups',
    i,
    (changed) => ({
      displayName: `Group ${pad(i)}`,
      privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: sourceName(s) } }],
      members: changed ? [`user${i}@example.com`, `extra${i}@example.com`] : [`user${i}@example.com`],
    }),
    () => ({ id: `org-grp-${pad(i)}`, displayName: `Group ${pad(i)}`, groupType: 'CUSTOM', deletable: true, privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: sourceId(s) }], members: [{ username: `user${i}@example.com` }] }),
  );
}
for (let i = 0; i < counts.apiKeys; i++) {
  const name = `key-${pad(i)}`;
  add(
    'apiKeys',
    i,
    (changed) => ({ name, displayName: changed ? `Key ${i} (changed)` : `Key ${i}`, privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }] }),
    () => ({ id: `org-key-${pad(i)}`, displayName: `Key ${i}`, description: `managed-by: coveo-sync name=${name}`, enabled: true, status: 'ENABLED', privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targetId: '*' }] }),
  );
}

const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const gc = () => globalThis.gc?.();
const time = (fn) => {
  const t = performance.now();
  const value = fn();
  return { value, ms: Math.round((performance.now() - t) * 10) / 10 };
};

gc();
const heapBefore = process.memoryUsage().heapUsed;
const desired = time(() => buildDesiredState(written, SPECS));
const live = time(() => buildLiveState(dtos, SPECS, hashText));
const kinds = ['fields', 'sources', 'schedules', 'groups', 'apiKeys'];
gc();
const heapInputs = process.memoryUsage().heapUsed;
const planOnce = () =>
  planChanges(desired.value, live.value.live, {
    specs: SPECS,
    organizationId: 'benchorg',
    kinds,
    prune: true,
    allowMassDelete: true,
    protect: [],
    ignore: {},
    salt: 'bench',
    hash: hashText,
    fingerprint: fingerprintSecret,
  });
// Three runs on the same inputs (planChanges is pure); the median is reported, with each run's wall and
// CPU time, since other work on a shared machine stretches single runs.
const runs = [];
let planned;
let heapAfterPlan = 0;
for (let i = 0; i < 3; i++) {
  if (i > 0) gc();
  const cpu = process.cpuUsage();
  planned = time(planOnce);
  const used = process.cpuUsage(cpu);
  runs.push({ ms: planned.ms, cpuMs: Math.round((used.user + used.system) / 100) / 10 });
  if (i === 0) heapAfterPlan = process.memoryUsage().heapUsed;
}
// Peak RSS of the process up to here: the inputs and planChanges, before any rendering.
const maxRssPlanMb = mb(process.resourceUsage().maxRSS * 1024);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const plan = planned.value.plan;
const errors = planned.value.issues.filter((i) => i.severity === 'error');
if (errors.length > 0) throw new Error(`the synthetic input does not plan: ${errors[0].message}`);

const resources = Object.values(written).reduce((a, l) => a + l.length, 0) + plan.summary.destroy;
const render = {};
for (const format of ['text', 'markdown', 'json']) {
  const r = time(() => renderPlan(format, plan, { color: false }));
  render[format] = { ms: r.ms, chars: r.value.length };
}

process.stdout.write(
  `${JSON.stringify({
    resources,
    liveResources: Object.values(dtos).reduce((a, l) => a + l.length, 0),
    buildDesiredMs: desired.ms,
    buildLiveMs: live.ms,
    planMs: median(runs.map((r) => r.ms)),
    planCpuMs: median(runs.map((r) => r.cpuMs)),
    planRuns: runs,
    steps: plan.steps.length,
    summary: plan.summary,
    heapInputsMb: mb(heapInputs - heapBefore),
    heapPlanMb: mb(heapAfterPlan - heapInputs),
    render,
    maxRssMb: maxRssPlanMb,
    maxRssWithRenderMb: mb(process.resourceUsage().maxRSS * 1024),
  })}\n`,
);
