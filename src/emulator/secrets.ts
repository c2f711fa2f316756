/**
 * How the emulated Coveo keeps secrets, for both kinds that hold them (a security provider, and a
 * source's configuration): sensitive parameter values and identity passwords are never returned, and a
 * write that sends one without a value keeps the stored one, so a client can PUT back what it read.
 */
import { asRecord } from './http.js';
import type { Doc } from './state.js';

/** Removes, in place, the sensitive parameter values and the identity passwords of `holder`. */
export function removeSecrets(holder: Doc): void {
  const params = asRecord(holder['parameters']);
  if (params) for (const v of Object.values(params)) {
    const p = asRecord(v);
    if (p && p['sensitive'] === true) delete p['value'];
  }
  const ids = asRecord(holder['userIdentities']);
  if (ids) for (const v of Object.values(ids)) delete asRecord(v)?.['password'];
}

/** Keeps, in place, each stored sensitive value and password of `previous` that `next` sends without a value. */
export function keepStoredSecrets(next: Doc, previous: Doc): void {
  const nextParams = asRecord(next['parameters']);
  const prevParams = asRecord(previous['parameters']);
  if (nextParams && prevParams) {
    for (const [k, v] of Object.entries(nextParams)) {
      const p = asRecord(v);
      const old = asRecord(prevParams[k]);
      if (p && p['sensitive'] === true && (p['value'] === undefined || p['value'] === null) && old?.['value'] !== undefined) p['value'] = old['value'];
    }
  }
  const nextIds = asRecord(next['userIdentities']);
  const prevIds = asRecord(previous['userIdentities']);
  if (nextIds && prevIds) {
    for (const [k, v] of Object.entries(nextIds)) {
      const id = asRecord(v);
      const old = asRecord(prevIds[k]);
      if (id && (id['password'] === undefined || id['password'] === null) && old?.['password'] !== undefined) id['password'] = old['password'];
    }
  }
}
