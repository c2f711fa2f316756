/**
 * Finishing what an interrupted apply left behind (`apply --resume`, design §5). Every kind but one is
 * found again by its identity, so planning from what is live is enough. API keys are the exception: a
 * key's value exists once, in the create answer, so a key created by a run that died before saving that
 * value is useless to everyone, and a key replaced halfway leaves two live keys with one marker (which
 * stops every later plan). This folder's journal says which key writes did not finish; the live keys say
 * what they left. `interruptedKeys` and `planKeyRecovery` decide (pure); `recoverInterruptedKeys` acts.
 */
import type { ApiClient } from '../client/types.js';
import { compareStrings, type JsonObject } from '../core/json.js';
import { toRemoteId } from '../core/types.js';
import { retireApiKey } from '../kinds/api-keys/ops.js';
import { parseMarker } from '../kinds/api-keys/spec.js';
import { asObject, asString } from '../kinds/common.js';
import { seg } from '../kinds/wire.js';
import type { Journal, JournalEntry } from './journal.js';

/** An API key whose create or replace started in some run and never finished. */
export interface InterruptedKey {
  /** `apiKeys/<name>`. */
  readonly address: string;
  readonly name: string;
  /** Ids whose value an apply saved (oldest first): someone holds their value. */
  readonly savedIds: readonly string[];
  /** Ids of keys a replace set out to retire, which existed (with a known value) before that run. */
  readonly replacedIds: readonly string[];
}

/**
 * The API keys of `org` with an unfinished create or replace in the journal, across every run (a later
 * run that did not touch a key does not make its loss go away). A key's write is finished by its `done`
 * entry, or by a `recovered` entry written by `recoverInterruptedKeys`.
 */
export function interruptedKeys(entries: readonly JournalEntry[], org: string): InterruptedKey[] {
  interface State {
    open: boolean;
    run: string;
    readonly saved: string[];
    readonly replaced: string[];
  }
  const byAddress = new Map<string, State>();
  for (const e of entries) {
    if (e.org !== org || !e.address.startsWith('apiKeys/')) continue;
    const state = byAddress.get(e.address) ?? { open: false, run: '', saved: [], replaced: [] };
    byAddress.set(e.address, state);
    if (e.phase === 'intent' && (e.action === 'create' || e.action === 'replace')) {
      // The key a replace retires had a value someone holds, unless an earlier unfinished write of this
      // very key made it (then it may be one whose value was lost).
      if (e.action === 'replace' && e.remoteId !== undefined && (!state.open || state.saved.includes(e.remoteId))) state.replaced.push(e.remoteId);
      state.open = true;
      state.run = e.run;
    } else if (e.phase === 'secret-saved' && e.remoteId !== undefined) {
      state.saved.push(e.remoteId);
    } else if ((e.phase === 'done' && e.run === state.run) || e.phase === 'recovered') {
      state.open = false;
    }
  }
  return [...byAddress.entries()]
    .filter(([, s]) => s.open)
    .map(([address, s]) => ({ address, name: address.slice('apiKeys/'.length), savedIds: [...s.saved], replacedIds: [...s.replaced] }))
    .sort((a, b) => compareStrings(a.address, b.address));
}

/** What to do about one interrupted key, given the live keys that carry its marker. */
export interface KeyRecovery {
  readonly address: string;
  readonly name: string;
  /** The key that stays (its value is held by someone), if any. */
  readonly keep?: string;
  /** Keys whose value nobody has (created by the interrupted run before it could save the value): deleted. */
  readonly lost: readonly string[];
  /** Keys superseded by `keep` (the old key of a replace that got as far as saving the new value): retired. */
  readonly superseded: readonly string[];
}

/**
 * Decides, for each interrupted key, which live key stays: the newest one whose value was saved, else the
 * key a replace set out to retire (the replace is then planned again), else none (the plan creates a new
 * key). Keys with a value nobody holds are deleted; keys a saved replacement supersedes are retired.
 */
export function planKeyRecovery(interrupted: readonly InterruptedKey[], liveKeys: readonly { readonly id: string; readonly name: string }[]): KeyRecovery[] {
  const out: KeyRecovery[] = [];
  for (const k of interrupted) {
    const live = liveKeys.filter((l) => l.name === k.name).map((l) => l.id);
    if (live.length === 0) {
      out.push({ address: k.address, name: k.name, lost: [], superseded: [] });
      continue;
    }
    const keep = [...k.savedIds].reverse().find((id) => live.includes(id)) ?? k.replacedIds.find((id) => live.includes(id));
    const known = new Set([...k.savedIds, ...k.replacedIds]);
    out.push({
      address: k.address,
      name: k.name,
      ...(keep !== undefined ? { keep } : {}),
      lost: live.filter((id) => !known.has(id)).sort(compareStrings),
      superseded: live.filter((id) => known.has(id) && id !== keep).sort(compareStrings),
    });
  }
  return out;
}

export interface RecoverOptions {
  readonly client: ApiClient;
  readonly entries: readonly JournalEntry[];
  readonly organizationId: string;
  /** The run's journal: each deletion and each recovered key is recorded. */
  readonly journal: Journal;
  /** `--keep-replaced-keys`: superseded keys are disabled (and unmarked) instead of deleted. */
  readonly replacedKeys: 'delete' | 'disable';
  /** One line per action, for stderr (names and ids only; never a value). */
  readonly log: (line: string) => void;
}

/**
 * Carries out `planKeyRecovery` against the organization: lists the API keys, deletes the ones whose
 * value was lost, retires the superseded ones, and records each key as recovered. Nothing is done (and
 * nothing is read) when the journal shows no interrupted key. Throws on the first failed request (the
 * journal then still shows the key as interrupted, so the next `--resume` tries again).
 */
export async function recoverInterruptedKeys(options: RecoverOptions): Promise<readonly KeyRecovery[]> {
  const interrupted = interruptedKeys(options.entries, options.organizationId);
  if (interrupted.length === 0) return [];
  const dtos = await options.client.request<unknown[]>({ method: 'GET', path: '/apikeys', label: 'apiKeys' });
  if (!Array.isArray(dtos)) throw new Error('GET /apikeys did not answer a list');
  const byId = new Map<string, JsonObject>();
  const liveKeys: { id: string; name: string }[] = [];
  for (const dto of dtos) {
    const d = asObject(dto);
    const id = asString(d['id']);
    const name = parseMarker(asString(d['description'])).name;
    if (id === undefined || name === undefined) continue;
    byId.set(id, d);
    liveKeys.push({ id, name });
  }
  const plan = planKeyRecovery(interrupted, liveKeys);
  for (const r of plan) {
    for (const id of r.lost) {
      options.journal.record({ address: r.address, action: 'delete', phase: 'intent', remoteId: id });
      await options.client.request({ method: 'DELETE', path: `/apikeys/${seg(id)}`, label: 'apiKeys' });
      options.journal.record({ address: r.address, action: 'delete', phase: 'done', remoteId: id });
      options.log(`Resuming: deleted API key ${r.name} (id ${id}): the interrupted apply created it but never saved its value.`);
    }
    for (const id of r.superseded) {
      options.journal.record({ address: r.address, action: 'retire', phase: 'intent', remoteId: id });
      await retireApiKey(options.client, toRemoteId(id), byId.get(id), r.name, options.replacedKeys);
      options.journal.record({ address: r.address, action: 'retire', phase: 'done', remoteId: id });
      options.log(`Resuming: ${options.replacedKeys === 'disable' ? 'disabled' : 'deleted'} API key ${r.name} (id ${id}): the interrupted apply had replaced it${r.keep !== undefined ? ` with ${r.keep}` : ''}.`);
    }
    options.journal.record({ address: r.address, action: 'recover', phase: 'recovered', ...(r.keep !== undefined ? { remoteId: r.keep } : {}) });
  }
  return plan;
}
