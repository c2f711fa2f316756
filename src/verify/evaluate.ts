/**
 * Judging an assertion from the effective permissions of its item (pure). Coveo lets a denial win over
 * an allowance; an item open to anonymous users is seen by everyone not denied. Permissions that are not
 * up to date (OUT_OF_DATE, IN_ERROR, …) are never counted as evidence: a check that depends on them is
 * `inconclusive`, and they are reported with their state. A filter that hid entries (`includeEntities`)
 * makes a verdict that relies on their absence inconclusive too.
 */
import type { AssertionResult, CheckResult, EffectivePermissions, PermissionEntry, PermissionFilters, VerifyAssertion } from './types.js';

const UP_TO_DATE = 'UP_TO_DATE';

/** Identities compare without case: e-mail addresses are the common case and are case-insensitive. */
const sameIdentity = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function describeEntry(e: PermissionEntry): string {
  const state = e.state === UP_TO_DATE ? '' : `, ${e.state}${e.lastUpdateResult && e.lastUpdateResult !== 'SUCCESS' ? ` (${e.lastUpdateResult}${e.lastUpdateErrorDetail ? `: ${e.lastUpdateErrorDetail}` : ''})` : ''}`;
  return `${e.allowed ? 'allowed' : 'denied'} by ${e.securityProvider} (${e.identityType}${state})`;
}

type Visibility = { readonly sees: boolean; readonly why: string } | { readonly sees: undefined; readonly why: string };

/** Whether an identity can see the item, as far as the entries read can tell. */
function visibilityOf(identity: string, entries: readonly PermissionEntry[], anonymousAllowed: boolean, filters: PermissionFilters): Visibility {
  const include = filters.includeEntities ?? 'ALL';
  const reliable = entries.filter((e) => e.state === UP_TO_DATE);
  const stale = entries.filter((e) => e.state !== UP_TO_DATE);
  const deny = reliable.find((e) => !e.allowed);
  if (deny) return { sees: false, why: describeEntry(deny) };
  if (stale.length > 0) {
    return { sees: undefined, why: `its permissions are not up to date: ${stale.map(describeEntry).join('; ')}` };
  }
  const allow = reliable.find((e) => e.allowed);
  if (allow || anonymousAllowed) {
    if (include === 'ALLOWED') return { sees: undefined, why: `${allow ? describeEntry(allow) : 'the item is open to anonymous users'}, but denials were not read (includeEntities ALLOWED)` };
    return { sees: true, why: allow ? describeEntry(allow) : `not listed, and the item is open to anonymous users` };
  }
  if (include === 'DENIED') return { sees: undefined, why: 'not denied, but allowances were not read (includeEntities DENIED)' };
  if (filters.states && filters.states.length > 0 && !filters.states.includes(UP_TO_DATE)) {
    return { sees: undefined, why: `not listed, but only permissions in state ${filters.states.join(', ')} were read` };
  }
  return { sees: false, why: `not in the item's permissions (${identity} is not allowed by any provider)` };
}

function check(kind: 'allowed' | 'denied', identity: string, perms: EffectivePermissions, filters: PermissionFilters): CheckResult {
  const entries = perms.items.filter((e) => sameIdentity(e.identity, identity));
  const v = visibilityOf(identity, entries, perms.anonymousAllowed, filters);
  const wanted = kind === 'allowed';
  const status = v.sees === undefined ? 'inconclusive' : v.sees === wanted ? 'pass' : 'fail';
  const verdict = v.sees === undefined ? 'cannot tell whether it can see the item' : v.sees ? 'can see the item' : 'cannot see the item';
  return { check: kind, identity, status, detail: `${identity} ${verdict}: ${v.why}`, entries };
}

/** The result of one assertion against the permissions of its item. */
export function evaluateAssertion(
  assertion: VerifyAssertion,
  item: { readonly indexId: string; readonly uniqueId: string },
  perms: EffectivePermissions,
  filters: PermissionFilters = {},
): AssertionResult {
  const checks: CheckResult[] = [
    ...assertion.allowed.map((id) => check('allowed', id, perms, filters)),
    ...assertion.denied.map((id) => check('denied', id, perms, filters)),
  ];
  if (assertion.anonymous !== undefined) {
    const ok = perms.anonymousAllowed === assertion.anonymous;
    checks.push({
      check: 'anonymous',
      status: ok ? 'pass' : 'fail',
      detail: `anonymous users ${perms.anonymousAllowed ? 'can' : 'cannot'} see the item (expected: ${assertion.anonymous ? 'can' : 'cannot'})`,
      entries: [],
    });
  }
  const status = checks.some((c) => c.status === 'fail') ? 'fail' : checks.some((c) => c.status === 'inconclusive') ? 'inconclusive' : 'pass';
  return {
    ...base(assertion),
    status,
    item,
    checks,
    permissions: { entries: perms.items.length, pages: perms.pages, anonymousAllowed: perms.anonymousAllowed, notUpToDate: perms.items.filter((e) => e.state !== UP_TO_DATE) },
  };
}

/** An assertion that could not be checked. */
export function erroredAssertion(assertion: VerifyAssertion, error: string): AssertionResult {
  return { ...base(assertion), status: 'error', checks: [], error };
}

function base(a: VerifyAssertion): Pick<AssertionResult, 'index' | 'description' | 'document' | 'origin'> {
  return {
    index: a.index,
    ...(a.description !== undefined ? { description: a.description } : {}),
    document: { source: a.source, uri: a.uri },
    ...(a.origin ? { origin: a.origin } : {}),
  };
}
