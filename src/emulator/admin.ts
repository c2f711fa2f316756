/**
 * The emulator's own admin API under `/_emulator/…` (admin token only, never faulted, never logged): the
 * same operations as the `EmulatorControl` handle, for tests and tools in other processes.
 *
 * | Method | Path | Does |
 * |---|---|---|
 * | GET | /health | `{ok, organizations, requestCount, writeCount}` |
 * | GET, DELETE | /log | the request log `{count, entries}` (`?since=seq`); DELETE resets it |
 * | GET, PUT, PATCH, DELETE | /faults | read; replace (PUT); change some settings (PATCH); reset (DELETE) |
 * | POST | /faults/rules | add a one-off rule; 201 with the rule |
 * | GET, POST | /organizations | list; create `{organizationId?, seed?}` (201) |
 * | DELETE | /organizations/{id} | remove an organization |
 * | GET, PATCH | /organizations/{id}/state | the organization as JSON; apply an RFC 6902 patch to it |
 * | POST | /organizations/{id}/documents | load `{documents: [...]}` into its index (201) |
 * | POST | /tokens | a user token `{username, organizationId?, privileges?}` (201 `{token}`) |
 * | GET, DELETE | /side-effects | e-mails, rebuilds and provider updates Coveo would have made |
 * | POST | /save | write the state file now |
 */
import type { Operation } from 'fast-json-patch';
import type { FaultRuleInput } from './faults.js';
import { asRecord, badRequest, HttpError, noContent, ok, requireObject, type HandlerResult } from './http.js';
import type { DocumentInput } from './routes/indexes.js';
import type { SeedSize } from './seed.js';
import type { EmulatorControl } from './server.js';
import type { Doc } from './state.js';

/** Answers one admin API request (path relative to `/_emulator`); throws HttpError. */
export function handleAdminRequest(control: EmulatorControl, method: string, path: string, query: URLSearchParams, body: unknown): HandlerResult {
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const [head, id, sub] = parts;
  const route = `${method} /${head ?? ''}${id !== undefined ? (head === 'organizations' ? '/{id}' : `/${id}`) : ''}${sub !== undefined ? `/${sub}` : ''}`;
  switch (route) {
    case 'GET /health':
      return ok({ ok: true, organizations: control.organizationIds(), requestCount: control.requestCount(), writeCount: control.writeCount(), stateFileError: control.saveError() ?? null });
    case 'GET /log': {
      const since = Number(query.get('since') ?? '0');
      return ok({ count: control.requestCount(), entries: control.requestLog().filter((e) => e.seq > since) });
    }
    case 'DELETE /log':
      control.resetLog();
      return noContent();
    case 'GET /faults':
      return ok(control.faults());
    case 'PUT /faults':
      control.resetFaults();
      control.setFaults(requireObject(body, 'fault settings'));
      return ok(control.faults());
    case 'PATCH /faults':
      control.setFaults(requireObject(body, 'fault settings'));
      return ok(control.faults());
    case 'DELETE /faults':
      control.resetFaults();
      return noContent();
    case 'POST /faults/rules':
      return ok(control.addFaultRule(requireObject(body, 'a fault rule') as unknown as FaultRuleInput), 201);
    case 'GET /organizations':
      return ok(control.organizationIds());
    case 'POST /organizations': {
      const o = asRecord(body) ?? {};
      const organizationId = typeof o['organizationId'] === 'string' ? o['organizationId'] : undefined;
      const seed = o['seed'] as SeedSize | 'S' | 'M' | 'L' | undefined;
      return ok({ organizationId: control.addOrganization({ ...(organizationId ? { organizationId } : {}), ...(seed !== undefined ? { seed } : {}) }) }, 201);
    }
    case 'DELETE /organizations/{id}':
      control.removeOrganization(id ?? '');
      return noContent();
    case 'GET /organizations/{id}/state':
      return ok(control.snapshot(id ?? ''));
    case 'PATCH /organizations/{id}/state': {
      if (!Array.isArray(body)) throw badRequest('The body must be an RFC 6902 JSON patch (an array of operations).', 'INVALID_BODY');
      control.patch(id ?? '', body as Operation[]);
      return noContent();
    }
    case 'POST /organizations/{id}/documents': {
      const docs = requireObject(body, '{documents: [...]}')['documents'];
      if (!Array.isArray(docs)) throw badRequest("'documents' must be a list.", 'INVALID_BODY');
      const stored = control.loadDocuments(id ?? '', docs as DocumentInput[]);
      return ok({ documents: stored.map((d) => ({ uniqueId: d.uniqueId, uri: d.uri, sourceId: d.sourceId })) }, 201);
    }
    case 'POST /tokens': {
      const o = requireObject(body, '{username, organizationId?, privileges?}');
      const privileges = o['privileges'];
      if (privileges !== undefined && !Array.isArray(privileges)) throw badRequest("'privileges' must be a list.", 'INVALID_BODY');
      const token = control.createToken({
        username: typeof o['username'] === 'string' ? o['username'] : '',
        ...(typeof o['organizationId'] === 'string' ? { organizationId: o['organizationId'] } : {}),
        ...(Array.isArray(privileges) ? { privileges: privileges as Doc[] } : {}),
      });
      return ok({ token }, 201);
    }
    case 'GET /side-effects':
      return ok(control.sideEffects());
    case 'DELETE /side-effects':
      control.resetSideEffects();
      return noContent();
    case 'POST /save':
      control.save();
      return noContent();
    default:
      throw new HttpError(404, 'INVALID_URI', `No emulator admin operation ${method} /_emulator${path}.`);
  }
}
