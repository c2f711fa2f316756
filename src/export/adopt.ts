/**
 * Adopting API keys that were made outside coveo-sync (issue 7). Pure.
 *
 * A key's identity is the marker line in its description, and server ids never appear in YAML, so a key
 * without a marker cannot be named by the files until an apply writes one. Two halves:
 *
 * - export (`--adopt-api-keys`): `nameUnmanagedApiKeys` gives every unmarked key a generated `name` (a
 *   slug of its display name, made unique) as if it carried the marker, so the exported files name it and
 *   every reference to it (privilege targets, `apiKeysThatCanEdit`) by that name.
 * - plan: `findAdoptions` pairs each declared key that has no live key of its name with the one unmarked
 *   live key whose display name and privileges match; `applyAdoptions` marks those DTOs in memory before
 *   the live state is built (so references to them resolve to the name, and the plan basis records
 *   them), and `addAdoptionSteps` plans the one write adoption needs: an `update` that adds the marker to
 *   the description. `adoptionsOfPlan` finds them again in a saved plan, for the staleness check.
 */
import { jsonEquals, omitPaths, projectLive, toJsonData } from '../core/compare.js';
import { compareStrings, type JsonObject } from '../core/json.js';
import type { LiveContext } from '../core/kind-spec.js';
import { waveOf, type PlanOptions, type PlanOutcome, type SpecTable } from '../core/plan-changes.js';
import { buildLiveState } from '../core/state.js';
import {
  addressOf,
  RESOURCE_KINDS,
  type DesiredResource,
  type DesiredState,
  type LiveState,
  type Plan,
  type PlanStep,
  type PlanWarning,
  type RemoteId,
  type ResolvedRef,
  type ResourceKey,
  type ResourceKind,
  type UpdateStep,
} from '../core/types.js';
import { parseMarker, withMarker } from '../kinds/api-keys/spec.js';
import { asObject, asString } from '../kinds/common.js';
import type { LiveDtos } from '../plan/read-live.js';


/** An unmarked live API key taken over under a name. */
export interface Adoption {
  readonly name: string;
  readonly remoteId: RemoteId;
  /** Its display name, for messages. */
  readonly label: string;
  /** Its description as stored (without a marker). */
  readonly description: string | undefined;
}

const NAME_MAX = 100;

/** `Storefront search (prod)` → `storefront-search-prod`: a valid API key `name` (schema pattern). */
export function slugOf(displayName: string): string {
  const s = displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, NAME_MAX - 4);
  return s === '' ? 'api-key' : s;
}

function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
  used.add(name);
  return name;
}

const idOf = (dto: unknown): string => asString(asObject(dto)['id']) ?? '';
const markerOf = (dto: unknown): string | undefined => parseMarker(asString(asObject(dto)['description'])).name;

/** The DTO as it will be once the marker is written. */
function marked(dto: unknown, name: string): JsonObject {
  const d = asObject(dto);
  return { ...d, description: withMarker(asString(d['description']), name) };
}

/**
 * For export: names every API key without the marker (slug of its display name, unique among the
 * managed names and each other; ties broken by display name, then id, so the names are stable) and
 * returns the DTOs with the marker added in memory. Nothing is written to Coveo.
 */
export function nameUnmanagedApiKeys(dtos: readonly unknown[]): { readonly dtos: readonly unknown[]; readonly adopted: readonly Adoption[] } {
  const used = new Set(dtos.map(markerOf).filter((n): n is string => n !== undefined));
  const unmarked = dtos
    .filter((d) => markerOf(d) === undefined)
    .map((d) => ({ d, label: asString(asObject(d)['displayName']) ?? '', id: idOf(d) }))
    .sort((a, b) => compareStrings(slugOf(a.label), slugOf(b.label)) || compareStrings(a.label, b.label) || compareStrings(a.id, b.id));
  const byId = new Map<string, Adoption>();
  for (const u of unmarked) {
    const name = uniqueName(slugOf(u.label), used);
    byId.set(u.id, { name, remoteId: u.id as RemoteId, label: u.label, description: asString(asObject(u.d)['description']) });
  }
  return {
    dtos: dtos.map((d) => {
      const a = byId.get(idOf(d));
      return a && markerOf(d) === undefined ? marked(d, a.name) : d;
    }),
    adopted: [...byId.values()].sort((a, b) => compareStrings(a.name, b.name)),
  };
}

/** Marks the adopted keys' DTOs in memory, so the live state sees them under their new name. */
export function applyAdoptions(dtos: LiveDtos, adoptions: readonly Adoption[]): LiveDtos {
  if (adoptions.length === 0 || dtos.apiKeys === undefined) return dtos;
  const byId = new Map(adoptions.map((a) => [a.remoteId as string, a]));
  return {
    ...dtos,
    apiKeys: dtos.apiKeys.map((d) => {
      const a = byId.get(idOf(d));
      return a && markerOf(d) === undefined ? marked(d, a.name) : d;
    }),
  };
}

/** What `findAdoptions` found: the keys to adopt, and why look-alikes were not. */
export interface AdoptionResult {
  readonly adoptions: readonly Adoption[];
  readonly warnings: readonly PlanWarning[];
}

export const NO_ADOPTIONS: AdoptionResult = { adoptions: [], warnings: [] };

/**
 * Pairs declared API keys that have no live key of their name with unmarked live keys: a candidate has
 * the same display name and the same privileges (privileges cannot change in place, so any other
 * candidate would be a new key anyway). One candidate is adopted; among several, one whose every
 * declared attribute matches; otherwise nothing is adopted (the plan creates the key) and a warning
 * says why.
 */
export function findAdoptions(
  desired: DesiredState,
  dtos: LiveDtos,
  specs: SpecTable,
  hash: (text: string) => string,
): AdoptionResult {
  const keyDtos = dtos.apiKeys;
  if (keyDtos === undefined) return NO_ADOPTIONS;
  const managed = new Set(keyDtos.map(markerOf).filter((n): n is string => n !== undefined));
  const unmarked = keyDtos.filter((d) => markerOf(d) === undefined).sort((a, b) => compareStrings(idOf(a), idOf(b)));
  const orphans = desired.apiKeys.filter((d) => !managed.has(d.key)).sort((a, b) => compareStrings(a.key, b.key));
  // The usual case (every declared key already carries its marker) costs nothing more.
  if (orphans.length === 0 || unmarked.length === 0) return NO_ADOPTIONS;
  // Privilege targets name sources, groups and keys (providers are named by their id already).
  const { live } = buildLiveState({ sources: dtos.sources ?? [], groups: dtos.groups ?? [], apiKeys: keyDtos }, specs, hash);
  const ctx = liveContextOf(live);
  const spec = specs.apiKeys;
  const taken = new Set<string>();
  const adoptions: Adoption[] = [];
  const warnings: PlanWarning[] = [];
  for (const d of orphans) {
    const candidates = unmarked.flatMap((dto) => {
      if (taken.has(idOf(dto))) return [];
      const n = spec.normalizeLive(marked(dto, d.key), ctx);
      if (!n.managed || n.attrs['displayName'] !== d.attrs['displayName'] || !jsonEquals(n.attrs['privileges'], d.attrs['privileges'])) return [];
      return [{ dto, attrs: n.attrs }];
    });
    if (candidates.length === 0) continue;
    const exact = candidates.filter((c) => matchesDeclared(c.attrs, d, specs));
    const chosen = candidates.length === 1 ? candidates[0] : exact[0];
    if (chosen === undefined) {
      warnings.push({
        code: 'adoption_ambiguous',
        address: addressOf('apiKeys', d.key),
        message: `API key "${d.key}": ${candidates.length} existing keys without the coveo-sync marker have its display name and privileges, and none matches every declared attribute, so none is adopted and a new key would be created. Make the declaration match the key to adopt, or delete the others.`,
      });
      continue;
    }
    const id = idOf(chosen.dto);
    taken.add(id);
    const o = asObject(chosen.dto);
    adoptions.push({ name: d.key, remoteId: id as RemoteId, label: asString(o['displayName']) ?? id, description: asString(o['description']) });
  }
  return { adoptions, warnings };
}

function liveContextOf(live: LiveState): LiveContext {
  const index = new Map<string, ResourceKey>();
  for (const kind of RESOURCE_KINDS) for (const l of live[kind] ?? []) index.set(`${kind}\u0000${l.remoteId}`, l.key);
  return { keyOf: (kind, id) => index.get(`${kind}\u0000${id}`) };
}

/** Whether live attrs equal every attribute the declaration compares (the planner's own rules). */
function matchesDeclared(liveAttrs: JsonObject, d: DesiredResource, specs: SpecTable): boolean {
  const spec = specs.apiKeys;
  const after = omitPaths(d.attrs, spec.writeOnly);
  const before = projectLive(omitPaths(liveAttrs, spec.writeOnly), after, spec.subsetPaths);
  return jsonEquals(before, after);
}

/**
 * Adds to a plan the write each adoption needs: the marker in the key's description. When the planner
 * already updates the key (another declared attribute differs), the marker joins that update; otherwise
 * an `update` is added. Keys the plan leaves alone on purpose (protected, ignored, outside `--target`)
 * get nothing. The adoption warnings join the plan's. Call with the same options `planChanges` was given
 * and the live state built from `applyAdoptions`.
 */
export function addAdoptionSteps(outcome: PlanOutcome, found: AdoptionResult, desired: DesiredState, live: LiveState, options: PlanOptions): PlanOutcome {
  const adoptions = found.adoptions;
  const withWarnings: PlanOutcome =
    found.warnings.length === 0 ? outcome : { ...outcome, plan: { ...outcome.plan, warnings: [...outcome.plan.warnings, ...found.warnings] } };
  if (adoptions.length === 0 || !options.kinds.includes('apiKeys')) return withWarnings;
  const plan = withWarnings.plan;
  const spec = options.specs.apiKeys;
  const steps: PlanStep[] = [...plan.steps];
  let added = 0;
  const liveIds = new Map<string, RemoteId>();
  for (const kind of RESOURCE_KINDS) for (const l of live[kind] ?? []) liveIds.set(addressOf(kind, l.key), l.remoteId);
  const renewed = new Set(plan.steps.filter((s) => s.action === 'create' || s.action === 'replace').map((s) => addressOf(s.kind, s.id)));
  const ignore = (options.ignore.apiKeys ?? []).map((r) => new RegExp(r));
  for (const a of adoptions) {
    const address = addressOf('apiKeys', a.name);
    if (options.protect.includes(address) || ignore.some((r) => r.test(a.name))) continue;
    if (options.targets && options.targets.length > 0 && !options.targets.includes(address)) continue;
    const d = desired.apiKeys.find((x) => x.key === a.name);
    const l = live.apiKeys?.find((x) => x.key === a.name);
    if (!d || !l) continue;
    const declared = asString(d.attrs['description']);
    const change = { path: 'description', from: a.description ?? '', to: withMarker(declared === '' ? undefined : declared, a.name) };
    const note = `adopts the existing key "${a.label}" (id ${a.remoteId}): writes the coveo-sync marker into its description; its value and privileges stay the same`;
    const i = steps.findIndex((s) => s.kind === 'apiKeys' && s.id === a.name);
    const existing = steps[i];
    if (existing) {
      if (existing.action === 'update') {
        steps[i] = { ...existing, changes: [...existing.changes.filter((c) => c.path !== 'description'), change], notes: [...existing.notes, note] };
      }
      continue;
    }
    const after = omitPaths(d.attrs, spec.writeOnly);
    const refs: ResolvedRef[] = spec.references(d.attrs).map((r) => {
      const target = addressOf(r.kind, r.key);
      return { ...r, remoteId: renewed.has(target) ? null : (liveIds.get(target) ?? null) };
    });
    const step: UpdateStep = {
      kind: 'apiKeys',
      id: d.key,
      action: 'update',
      remoteId: l.remoteId,
      before: toJsonData(projectLive(omitPaths(l.attrs, spec.writeOnly), after, spec.subsetPaths)) as JsonObject,
      after: d.attrs,
      changes: [change],
      patch: [{ op: 'replace', path: '/description', value: change.to }],
      refs,
      risk: 'safe',
      wave: waveOf('apiKeys', 'update'),
      dependsOn: [...new Set(refs.filter((r) => r.remoteId === null).map((r) => addressOf(r.kind, r.key)))].sort(compareStrings),
      notes: [note],
    };
    steps.push(step);
    added++;
  }
  if (added === 0 && steps.every((s, i) => s === plan.steps[i])) return withWarnings;
  const kindIndex = (k: ResourceKind): number => RESOURCE_KINDS.indexOf(k);
  steps.sort((x, y) => x.wave - y.wave || kindIndex(x.kind) - kindIndex(y.kind) || compareStrings(x.id, y.id));
  const next: Plan = {
    ...plan,
    steps,
    summary: { ...plan.summary, change: plan.summary.change + added, unchanged: Math.max(0, plan.summary.unchanged - added) },
  };
  return { ...withWarnings, plan: next };
}

/**
 * The adoptions a saved plan makes: its API key updates whose live key has no marker yet. Used before
 * re-reading for the staleness check, so the adopted keys get the same etags as when the plan was made.
 */
export function adoptionsOfPlan(plan: Plan, dtos: LiveDtos): Adoption[] {
  const byId = new Map((dtos.apiKeys ?? []).map((d) => [idOf(d), d]));
  return plan.steps.flatMap((s) => {
    if (s.kind !== 'apiKeys' || s.action !== 'update') return [];
    const dto = byId.get(s.remoteId);
    if (dto === undefined || markerOf(dto) !== undefined) return [];
    const o = asObject(dto);
    return [{ name: s.id, remoteId: s.remoteId, label: asString(o['displayName']) ?? s.remoteId, description: asString(o['description']) }];
  });
}
