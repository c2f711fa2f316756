/**
 * `npm run bench` (issue 9): starts the emulator with a generated organization and a simulated network
 * latency, runs the scenarios through the real CLI (`node dist/cli/bin.js …`, one child process each, so
 * nothing is cached between them), and prints a table plus a JSON report (bench/results/latest.json).
 * Method and lower bound: bench/README.md.
 *
 *   node bench/run.mjs [--size S|M|L] [--latency-ms 50] [--jitter-ms 10] [--parallelism 8]
 *                      [--scenarios 1,2,3,4,5,6,baseline,planner] [--baseline-sample 25] [--out FILE]
 *                      [--timeline DIR]   (writes each scenario's request log there)
 */
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { startEmulator } from '../dist/emulator/index.js';
import { SPECS } from '../dist/kinds/registry.js';
import { kindsToRead } from '../dist/plan/read-live.js';
import { runBaseline } from './baseline.mjs';
import { changeConfig } from './change-config.mjs';
import { lowerBound, readWaves, writeWaves } from './lower-bound.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const BIN = join(root, 'dist', 'cli', 'bin.js');
const HOOK = join(here, 'rss-hook.mjs');

// ---------------------------------------------------------------------------------------------------
// Flags

const SCENARIOS = [
  { n: 1, name: 'plan', title: 'plan, no changes' },
  { n: 2, name: 'drift', title: 'drift' },
  { n: 3, name: 'apply-empty', title: 'apply all to an empty org' },
  { n: 4, name: 'apply-change', title: 'apply a 10 % change' },
  { n: 5, name: 'target', title: 'plan --target one source' },
  { n: 6, name: 'export', title: 'export' },
];

function parseFlags(argv) {
  const flags = { size: 'L', latencyMs: 50, jitterMs: 10, parallelism: 8, scenarios: ['1', '2', '3', '4', '5', '6', 'baseline', 'planner'], baselineSample: 25, out: join(here, 'results', 'latest.json') };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    const num = (min) => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < min) throw new Error(`${name} needs a number ≥ ${min}`);
      return v;
    };
    switch (name) {
      case '--size': {
        const v = String(value()).toUpperCase();
        if (!['S', 'M', 'L'].includes(v)) throw new Error('--size is S, M or L');
        flags.size = v;
        break;
      }
      case '--latency-ms':
        flags.latencyMs = num(0);
        break;
      case '--jitter-ms':
        flags.jitterMs = num(0);
        break;
      case '--parallelism':
        flags.parallelism = Math.trunc(num(1));
        break;
      case '--scenarios':
        flags.scenarios = String(value())
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((s) => String(SCENARIOS.find((x) => x.name === s)?.n ?? s));
        break;
      case '--baseline-sample':
        flags.baselineSample = value() === 'all' ? Infinity : Math.trunc(num(1));
        break;
      case '--out':
        flags.out = resolve(String(value()));
        break;
      case '--timeline':
        flags.timeline = resolve(String(value()));
        break;
      case '--help':
        process.stdout.write(`${readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]}*/\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${name}`);
    }
  }
  if (flags.jitterMs > flags.latencyMs) throw new Error('--jitter-ms cannot exceed --latency-ms');
  return flags;
}

// ---------------------------------------------------------------------------------------------------
// Child processes

/** Runs `node <args>` with the RSS hook; resolves with wall time, exit code, output and resource use. */
function runNode(args, { env, cwd, nodeArgs = [] }) {
  const rssFile = join(cwd, `.rss-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const startedAt = Date.now();
    const child = spawn(process.execPath, [...nodeArgs, '--import', HOOK, ...args], { env: { ...env, BENCH_RSS_FILE: rssFile }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const endedAt = Date.now();
      let usage = {};
      try {
        usage = JSON.parse(readFileSync(rssFile, 'utf8'));
        rmSync(rssFile);
      } catch {
        // the child died before its exit hook ran
      }
      resolvePromise({ code, wallMs, startedAt, endedAt, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ...usage });
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// The organization and its counts

function countsOf(emu, organizationId) {
  let counts;
  emu.state.mutate(organizationId, (org) => {
    let schedules = 0;
    for (const s of org.sources.values()) schedules += s.schedules.size;
    counts = { fields: org.fields.size, sources: org.sources.size, schedules, groups: org.groups.size, apiKeys: org.apiKeys.size, securityProviders: org.providers.size };
  });
  return counts;
}

/** Seeded keys carry no coveo-sync marker; an organization managed by coveo-sync has one on each key. */
function markApiKeys(emu, organizationId) {
  emu.state.mutate(organizationId, (org) => {
    let i = 0;
    for (const key of org.apiKeys.values()) key.doc.description = `${key.doc.description ?? ''}\n\nmanaged-by: coveo-sync name=seed-key-${String(i++).padStart(4, '0')}`;
  });
}

/** A few changes made by hand in Coveo, for the drift scenario. */
function driftByHand(emu, organizationId) {
  emu.state.mutate(organizationId, (org) => {
    let n = 0;
    for (const f of org.fields.values()) {
      if (f.system || n++ >= 10) continue;
      f.description = 'edited in the Coveo console';
    }
    const source = [...org.sources.values()][3];
    if (source) source.raw.configuration.parameters.UserAgent = { sensitive: false, value: 'HandEdited' };
  });
}

// ---------------------------------------------------------------------------------------------------
// Measuring one scenario

function summarizeLog(entries) {
  const routes = {};
  let requestBytes = 0;
  let responseBytes = 0;
  let errors = 0;
  for (const e of entries) {
    const route = e.route ?? `${e.method} (no route)`;
    routes[route] = (routes[route] ?? 0) + 1;
    requestBytes += e.requestBytes ?? 0;
    responseBytes += e.responseBytes ?? 0;
    if (e.status >= 400 || e.status === 0) errors++;
  }
  const sorted = Object.fromEntries(Object.entries(routes).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
  // From the first request's arrival to the last answer: the part of the wall time spent on the network.
  let first = Infinity;
  let last = -Infinity;
  for (const e of entries) {
    first = Math.min(first, e.at - e.durationMs);
    last = Math.max(last, e.at);
  }
  const networkMs = entries.length === 0 ? 0 : Math.round(last - first);
  return { requests: entries.length, routes: sorted, requestBytes, responseBytes, errors, networkMs, firstRequestAt: first, lastAnswerAt: last };
}

/** When set (`--timeline DIR`), each measured scenario's request log is written there, for looking into a slow run. */
let timelineDir;

async function measure(emu, label, args, options, expectCodes) {
  emu.state.resetLog();
  const r = await runNode(args, options);
  const entries = emu.state.requestLog();
  const log = summarizeLog(entries);
  if (timelineDir !== undefined) {
    const t0 = entries[0]?.at ?? 0;
    const lines = entries.map((e) => `${String(e.at - t0).padStart(7)} ${String(Math.round(e.durationMs)).padStart(5)} ${e.status} ${e.method} ${e.path}${e.query ? `?${e.query.replace(/(accessToken=)[^&]*/gi, '$1***')}` : ''}`);
    writeFileSync(join(timelineDir, `${label.replace(/[^a-z0-9-]+/gi, '_')}.log`), `${lines.join('\n')}\n`);
  }
  if (!expectCodes.includes(r.code)) {
    const tail = (s) => s.split('\n').slice(-15).join('\n');
    throw new Error(`${label}: exit ${r.code} (expected ${expectCodes.join(' or ')})\n--- stderr ---\n${tail(r.stderr)}\n--- stdout ---\n${tail(r.stdout)}`);
  }
  const { firstRequestAt, lastAnswerAt, ...logged } = log;
  // Where the rest of the wall time goes: before the first request (start-up, loading the files) and
  // after the last answer (planning, rendering, exit).
  const phases = entries.length === 0 ? {} : { beforeNetworkMs: Math.max(0, Math.round(firstRequestAt - r.startedAt)), afterNetworkMs: Math.max(0, Math.round(r.endedAt - lastAnswerAt)) };
  return { code: r.code, wallMs: Math.round(r.wallMs), ...phases, peakRssMb: r.maxRssKb ? Math.round(r.maxRssKb / 102.4) / 10 : undefined, cpuMs: Math.round((r.userMs ?? 0) + (r.systemMs ?? 0)), bootMs: Math.round(r.bootMs ?? 0), ...logged, stdout: r.stdout };
}

/** Runs with no latency (set-up and checks that are not measured). */
async function unmeasured(emu, faults, fn) {
  emu.state.setFaults({ latencyMs: 0, jitterMs: 0 });
  try {
    return await fn();
  } finally {
    emu.state.setFaults(faults);
    emu.state.resetLog();
  }
}

/** Step counts per kind and action, and what the apply needs beyond one request per step, from a JSON plan. */
function stepCountsOf(plan, desiredSources) {
  const steps = {};
  const extra = {};
  for (const s of plan.steps) {
    const k = (steps[s.kind] ??= {});
    k[s.action] = (k[s.action] ?? 0) + 1;
    // An API key update that also enables or disables it takes a second request (activate/disable).
    if (s.kind === 'apiKeys' && s.action === 'update' && (s.changes ?? []).some((c) => c.path === 'enabled')) extra.apiKeys = (extra.apiKeys ?? 0) + 1;
  }
  // applyChanges at the end, once per touched source: sources written, and sources that map a changed
  // field or are secured by a changed provider (design §5).
  const touched = new Set();
  const changedFields = new Set(plan.steps.filter((s) => s.kind === 'fields' && s.action !== 'delete').map((s) => s.id));
  const changedProviders = new Set(plan.steps.filter((s) => s.kind === 'securityProviders' && s.action !== 'delete').map((s) => s.id));
  for (const s of plan.steps) if (s.kind === 'sources' && s.action !== 'delete') touched.add(s.id);
  for (const src of desiredSources) {
    if ((src.mappings ?? []).some((m) => changedFields.has(m.fieldName)) || (src.securityProviders ?? []).some((p) => changedProviders.has(p))) touched.add(src.name);
  }
  return { steps, extraRequests: extra, touchedSources: touched.size };
}

// ---------------------------------------------------------------------------------------------------
// Main

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.timeline !== undefined) {
    mkdirSync(flags.timeline, { recursive: true });
    timelineDir = flags.timeline;
  }
  const wants = (s) => flags.scenarios.includes(String(s));
  const mean = flags.latencyMs;
  const faults = { latencyMs: flags.latencyMs - flags.jitterMs, jitterMs: 2 * flags.jitterMs };
  const dependsOn = Object.fromEntries(Object.entries(SPECS).map(([k, s]) => [k, [...s.dependsOn]]));
  const work = mkdtempSync(join(tmpdir(), 'coveo-sync-bench-'));
  const log = (s) => process.stderr.write(`${s}\n`);
  const started = performance.now();

  const sizeCounts = { S: 50, M: 500, L: 5000 };
  const emu = await startEmulator({ seed: flags.size, ...faults, randomSeed: 20240901, logLimit: 1_000_000, fieldCap: Math.round(sizeCounts[flags.size] * 1.2) + 100 });
  const orgA = emu.organizationId;
  markApiKeys(emu, orgA);
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, CI: '1', NO_COLOR: '1', COVEO_PLATFORM_URL: emu.url, COVEO_ORGANIZATION_ID: orgA, COVEO_ACCESS_TOKEN: emu.adminToken };
  const cli = (args) => [BIN, ...args, '--parallelism', String(flags.parallelism)];
  const results = {};
  const note = [];

  try {
    const countsA = countsOf(emu, orgA);
    log(`emulator ${emu.url}: org ${flags.size} ${JSON.stringify(countsA)}; latency ${flags.latencyMs} ± ${flags.jitterMs} ms; parallelism ${flags.parallelism}`);

    // 6 (and the configuration every other scenario uses): export the organization.
    const cfgDir = join(work, 'config');
    const exportArgs = cli(['export', '--out', cfgDir, '--force']);
    if (wants(6)) {
      log('scenario 6: export');
      results.export = { ...(await measure(emu, 'export', exportArgs, { env, cwd: work }, [0])), lowerBound: lowerBound(readWaves(Object.keys(dependsOn), countsA), { parallelism: flags.parallelism, latencyMs: mean }) };
    } else {
      await unmeasured(emu, faults, () => measure(emu, 'export', exportArgs, { env, cwd: work }, [0]));
    }
    // Secrets Coveo never returns: any value works for a plan (they are write-only), but each must be set.
    const secretNames = [...readFileSync(join(cfgDir, 'secrets.example.env'), 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    for (const name of secretNames) env[name] = `bench-${name.length}`;
    const cfgText = readFileSync(join(cfgDir, 'coveo-sync.yaml'), 'utf8');

    // Local costs that no request can explain: starting the CLI, and loading and validating the files
    // (what plan, drift and apply do before their first request). Reported beside the scenarios.
    const version = await runNode([BIN, '--version'], { env, cwd: work });
    const validate = await runNode([BIN, 'validate', '-c', cfgDir], { env, cwd: work });
    if (validate.code !== 0) throw new Error(`validate of the exported configuration failed:\n${validate.stderr}`);
    results.local = { startMs: Math.round(version.wallMs), validateMs: Math.round(validate.wallMs), validatePeakRssMb: Math.round(validate.maxRssKb / 102.4) / 10, configBytes: Buffer.byteLength(cfgText) };

    // 1. plan, no changes.
    if (wants(1)) {
      log('scenario 1: plan (no changes)');
      const r = await measure(emu, 'plan', cli(['plan', '-c', cfgDir, '--detailed-exitcode']), { env, cwd: work }, [0]);
      results.plan = { ...r, lowerBound: lowerBound(readWaves(Object.keys(dependsOn), countsA), { parallelism: flags.parallelism, latencyMs: mean }) };
    }
    // 5. plan --target one source.
    if (wants(5)) {
      log('scenario 5: plan --target one source');
      const name = /^sources:\n {2}- name: (.+)$/m.exec(cfgText)?.[1] ?? 'Seed source 0000';
      const r = await measure(emu, 'target', cli(['plan', '-c', cfgDir, '--target', `sources/${name}`, '--detailed-exitcode']), { env, cwd: work }, [0]);
      // The kinds a plan of sources must read to name its references (the tool's own rule).
      results.target = { ...r, lowerBound: lowerBound(readWaves(kindsToRead(['sources'], { canReadApiKeys: true }), countsA), { parallelism: flags.parallelism, latencyMs: mean }) };
    }
    // 2. drift, after a few changes made by hand.
    if (wants(2)) {
      log('scenario 2: drift');
      driftByHand(emu, orgA);
      const r = await measure(emu, 'drift', cli(['drift', '-c', cfgDir]), { env, cwd: work }, [2]);
      results.drift = { ...r, lowerBound: lowerBound(readWaves(Object.keys(dependsOn), countsA), { parallelism: flags.parallelism, latencyMs: mean }) };
    }

    // 3. apply the whole configuration to an empty organization.
    const orgB = emu.state.addOrganization({ organizationId: 'benchempty' });
    const envB = { ...env, COVEO_ORGANIZATION_ID: orgB };
    const desiredSources = (text) => parseYaml(text).sources ?? [];
    const planJson = async (dir, extra = []) =>
      unmeasured(emu, faults, async () => JSON.parse((await measure(emu, 'plan --format json', cli(['plan', '-c', dir, '--format', 'json', ...extra]), { env: envB, cwd: work }, [0])).stdout).plan);
    const applyArgs = (dir, extra = []) => cli(['apply', '-c', dir, '--auto-approve', '--no-progress', '--secrets-out', join(work, `secrets-${Date.now()}.json`), ...extra]);
    const verifyEmpty = async (dir, label, extra = []) => {
      const plan = await planJson(dir, extra);
      if (plan.steps.length !== 0) throw new Error(`${label}: the plan after the apply is not empty (${plan.steps.length} steps)`);
    };
    if (wants(3) || wants(4)) {
      const countsB = countsOf(emu, orgB);
      const plan = await planJson(cfgDir);
      const shape = stepCountsOf(plan, desiredSources(cfgText));
      if (wants(3)) log('scenario 3: apply everything to an empty organization');
      const r = wants(3) ? await measure(emu, 'apply-empty', applyArgs(cfgDir), { env: envB, cwd: work }, [0]) : await unmeasured(emu, faults, () => measure(emu, 'apply-empty', applyArgs(cfgDir), { env: envB, cwd: work }, [0]));
      await verifyEmpty(cfgDir, 'apply-empty');
      if (wants(3)) {
        const waves = [...readWaves(Object.keys(dependsOn), countsB), ...writeWaves(shape.steps, dependsOn, shape)];
        results.applyEmpty = { ...r, plannedSteps: shape.steps, lowerBound: lowerBound(waves, { parallelism: flags.parallelism, latencyMs: mean }) };
      }
    }

    // 4. apply a 10 % mixed change (create/update/delete) to that organization.
    if (wants(4)) {
      const changed = changeConfig(cfgText);
      const cfg2 = join(work, 'config-changed');
      mkdirSync(cfg2, { recursive: true });
      writeFileSync(join(cfg2, 'coveo-sync.yaml'), changed.text);
      const countsB = countsOf(emu, orgB);
      const plan = await planJson(cfg2, ['--prune']);
      const shape = stepCountsOf(plan, desiredSources(changed.text));
      log(`scenario 4: apply a 10 % change (${plan.steps.length} steps)`);
      const r = await measure(emu, 'apply-change', applyArgs(cfg2, ['--prune']), { env: envB, cwd: work }, [0]);
      await verifyEmpty(cfg2, 'apply-change', ['--prune']);
      const waves = [...readWaves(Object.keys(dependsOn), countsB), ...writeWaves(shape.steps, dependsOn, shape)];
      results.applyChange = { ...r, plannedSteps: shape.steps, lowerBound: lowerBound(waves, { parallelism: flags.parallelism, latencyMs: mean }) };
    }

    // The per-object baseline: the same reads as scenario 1, one object at a time.
    if (wants('baseline')) {
      log(`baseline: per-object reads at concurrency 1 (${flags.baselineSample === Infinity ? 'all objects' : `${flags.baselineSample} objects per route, the rest extrapolated`})`);
      emu.state.resetLog();
      results.baseline = await runBaseline({ url: emu.url, organizationId: orgA, token: emu.adminToken, sample: flags.baselineSample });
      emu.state.resetLog();
    }
  } finally {
    await emu.stop();
  }

  // Pure micro-benchmarks, in a process of their own.
  if (wants('planner')) {
    log('micro-benchmarks: planChanges on 50,000 resources, renderers on the 7,000-step plan');
    const r = await runNode([join(here, 'planner.mjs')], { env: { PATH: process.env.PATH }, cwd: work, nodeArgs: ['--expose-gc'] });
    if (r.code !== 0) throw new Error(`planner micro-benchmark failed:\n${r.stderr}`);
    results.planner = JSON.parse(r.stdout);
  }
  rmSync(work, { recursive: true, force: true });

  const report = buildReport(flags, results, note, performance.now() - started);
  mkdirSync(dirname(flags.out), { recursive: true });
  writeFileSync(flags.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(renderTable(report));
  process.stdout.write(`\nJSON report: ${flags.out}\n`);
}

// ---------------------------------------------------------------------------------------------------
// Report

const TARGETS = { plan: 1.3, drift: 1.3, target: 1.3, export: 1.3, applyEmpty: 1.5, applyChange: 1.5 };
const ORDER = [
  ['plan', 1],
  ['drift', 2],
  ['applyEmpty', 3],
  ['applyChange', 4],
  ['target', 5],
  ['export', 6],
];

function buildReport(flags, results, notes, totalMs) {
  const scenarios = {};
  for (const [key, n] of ORDER) {
    const r = results[key];
    if (!r) continue;
    const { stdout: _stdout, ...rest } = r;
    const ratio = Math.round((r.wallMs / r.lowerBound.ms) * 100) / 100;
    const networkRatio = Math.round((r.networkMs / r.lowerBound.ms) * 100) / 100;
    scenarios[key] = { n, title: SCENARIOS[n - 1].title, ...rest, ratio, networkRatio, target: TARGETS[key], meetsTarget: ratio <= TARGETS[key] };
  }
  const baseline = results.baseline;
  const speedUp = baseline && results.plan ? Math.round((baseline.ms / results.plan.wallMs) * 10) / 10 : undefined;
  return {
    version: 1,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}` },
    settings: { size: flags.size, latencyMs: flags.latencyMs, jitterMs: flags.jitterMs, parallelism: flags.parallelism, baselineSample: flags.baselineSample === Infinity ? 'all' : flags.baselineSample },
    scenarios,
    baseline: baseline ? { ...baseline, speedUpOfPlan: speedUp, target: 10, meetsTarget: speedUp !== undefined && speedUp >= 10 } : undefined,
    planner: results.planner ? { ...results.planner, targets: { planMs: 2000, maxRssMb: 500 }, meetsTarget: results.planner.planMs < 2000 && results.planner.maxRssMb < 500 } : undefined,
    local: results.local,
    notes,
    totalMs: Math.round(totalMs),
  };
}

const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmtBytes = (b) => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MB` : `${Math.round(b / 1024)} kB`);

function renderTable(report) {
  const rows = [['#', 'scenario', 'wall', 'lower bound', 'ratio', 'target', 'network span (ratio)', 'requests (LB)', 'sent / received', 'peak RSS', 'CPU']];
  for (const s of Object.values(report.scenarios)) {
    rows.push([
      String(s.n),
      s.title,
      fmtMs(s.wallMs),
      `${fmtMs(s.lowerBound.ms)} (${s.lowerBound.rounds} RT)`,
      `${s.ratio.toFixed(2)}${s.meetsTarget ? '' : ' ✗'}`,
      `≤ ${s.target}`,
      `${fmtMs(s.networkMs)} (${s.networkRatio.toFixed(2)})`,
      `${s.requests} (${s.lowerBound.requests})`,
      `${fmtBytes(s.requestBytes)} / ${fmtBytes(s.responseBytes)}`,
      s.peakRssMb === undefined ? '?' : `${s.peakRssMb} MB`,
      fmtMs(s.cpuMs),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  const out = [
    `coveo-sync benchmark: org ${report.settings.size}, latency ${report.settings.latencyMs} ± ${report.settings.jitterMs} ms, parallelism ${report.settings.parallelism}; ${report.machine.cpus} CPUs, Node ${report.machine.node}`,
    '',
    line(rows[0]),
    ...rows.slice(1).map(line),
    '',
  ];
  for (const s of Object.values(report.scenarios)) {
    out.push(`${s.n}. ${s.title}: ${fmtMs(s.beforeNetworkMs ?? 0)} before the first request, ${fmtMs(s.networkMs)} on the network, ${fmtMs(s.afterNetworkMs ?? 0)} after the last answer. ${Object.entries(s.routes).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  }
  if (report.local) {
    const l = report.local;
    out.push(
      '',
      `Local costs, no network: \`coveo-sync --version\` ${fmtMs(l.startMs)}; \`validate\` of the exported files (${fmtBytes(l.configBytes)} of YAML) ${fmtMs(l.validateMs)}, which plan, drift and apply spend before their first request.`,
    );
  }
  if (report.baseline) {
    const b = report.baseline;
    out.push(
      '',
      `Per-object baseline (concurrency 1, per-object GETs): ${b.requests} requests, ${fmtMs(b.ms)}${b.extrapolated ? ` (extrapolated from ${b.measuredRequests} measured requests, ${fmtMs(b.measuredMs)})` : ''}; plan is ${b.speedUpOfPlan ?? '?'}× faster (target ≥ 10×).`,
    );
  }
  if (report.planner) {
    const p = report.planner;
    out.push(
      '',
      `planChanges on ${p.resources} resources: ${fmtMs(p.planMs)} (target < 2 s), ${p.steps} steps; peak RSS ${p.maxRssMb} MB (target < 500 MB); building the inputs: desired ${fmtMs(p.buildDesiredMs)}, live ${fmtMs(p.buildLiveMs)}.`,
      `Rendering the ${p.steps}-step plan: text ${fmtMs(p.render.text.ms)}, markdown ${fmtMs(p.render.markdown.ms)}, json ${fmtMs(p.render.json.ms)}.`,
    );
  }
  for (const n of report.notes) out.push('', `Note: ${n}`);
  out.push('', `Total benchmark time: ${fmtMs(report.totalMs)}.`);
  return `${out.join('\n')}\n`;
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
