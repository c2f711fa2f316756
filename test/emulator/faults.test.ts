/**
 * Fault injection over real HTTP: latency and jitter, 500/502/503 at a rate, 429 with Retry-After,
 * dropped connections, one-off failures of a route or resource (before or after the write happened),
 * slow pages, the page-size cap, the request log and counter, and the admin API that sets them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, rawSource, SAFE_SOURCE, startTestApi, type Api, type Json } from './support.js';

let api: Api;
beforeAll(async () => {
  api = await startTestApi({ seed: { fields: 30 } });
});
afterEach(() => {
  api.emu.state.resetFaults();
});
afterAll(async () => {
  await api.emu.stop();
});

const time = async (f: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};

describe('latency', () => {
  it('adds a fixed latency plus jitter to every request', async () => {
    api.emu.state.setFaults({ latencyMs: 150, jitterMs: 50 });
    const times: number[] = [];
    for (let i = 0; i < 4; i++) times.push(await time(() => api.call('GET', '/groups')));
    for (const t of times) expect(t).toBeGreaterThanOrEqual(148);
    expect(new Set(times.map((t) => Math.round(t))).size).toBeGreaterThan(1);
    api.emu.state.resetFaults();
    expect(await time(() => api.call('GET', '/groups'))).toBeLessThan(140);
  });

  it('slows listings only with slowPageMs', async () => {
    api.emu.state.setFaults({ slowPageMs: 250 });
    expect(await time(() => api.call('POST', '/indexes/fields/search', { body: {} }))).toBeGreaterThanOrEqual(248);
    expect(await time(() => api.call('GET', '/indexes/fields/title'))).toBeLessThan(240);
  });

  it('can be started with latency options', async () => {
    const slow = await startTestApi({ latencyMs: 50 });
    try {
      expect(await time(() => slow.call('GET', '/groups'))).toBeGreaterThanOrEqual(48);
    } finally {
      await slow.emu.stop();
    }
  });
});

describe('random failures', () => {
  it('answers 500/502/503 at the fail rate, with the Coveo error body', async () => {
    api.emu.state.setFaults({ failRate: 1 });
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const r = await api.call('GET', '/groups');
      statuses.add(r.status);
      expect(errorOf(r).message).toMatch(/Injected server error/);
    }
    expect([...statuses].sort()).toEqual([500, 502, 503]);
    api.emu.state.setFaults({ failRate: 1, failStatuses: [503] });
    expect((await api.call('GET', '/groups')).status).toBe(503);
  });

  it('fails about the share asked for', async () => {
    api.emu.state.setFaults({ failRate: 0.3 });
    let failed = 0;
    for (let i = 0; i < 200; i++) if ((await api.call('GET', '/indexes/fields/title')).status >= 500) failed++;
    expect(failed).toBeGreaterThan(30);
    expect(failed).toBeLessThan(90);
  });

  it('answers 429 with Retry-After in seconds', async () => {
    api.emu.state.setFaults({ rate429: 1, retryAfterSeconds: 3 });
    const r = await api.call('GET', '/groups');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('3');
    expect(errorOf(r).errorCode).toBe('TOO_MANY_REQUESTS');
  });

  it('drops connections at the drop rate (the client sees a network error)', async () => {
    api.emu.state.setFaults({ dropRate: 1 });
    await expect(api.call('GET', '/groups')).rejects.toThrow(/fetch failed/);
    api.emu.state.resetFaults();
    expect((await api.call('GET', '/groups')).status).toBe(200);
    expect(api.emu.state.requestLog().some((e) => e.status === 0 && e.fault === 'dropRate')).toBe(true);
  });

  it('makes the same decisions for the same random seed', async () => {
    const run = async (): Promise<number[]> => {
      const e = await startTestApi({ randomSeed: 7, failRate: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await e.call('GET', '/groups')).status);
      await e.emu.stop();
      return out;
    };
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    expect(new Set(a).size).toBeGreaterThan(1);
  });
});

describe('one-off rules', () => {
  it('fails a given route a given number of times, then serves it', async () => {
    api.emu.state.addFaultRule({ method: 'GET', path: '/groups$', status: 503, count: 2 });
    expect((await api.call('GET', '/groups')).status).toBe(503);
    expect((await api.call('GET', '/sources')).status).toBe(200);
    expect((await api.call('GET', '/groups')).status).toBe(503);
    expect((await api.call('GET', '/groups')).status).toBe(200);
    expect(api.emu.state.faults().rules).toEqual([]);
  });

  it('fails one resource only, with the status and code asked for, e.g. applyChanges gone (410)', async () => {
    const a = (await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Fault A') })).body.id;
    const b = (await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Fault B') })).body.id;
    api.emu.state.addFaultRule({ method: 'POST', path: `/sources/${a}/applyChanges`, status: 410, errorCode: 'GONE', message: 'applyChanges was removed', count: -1 });
    for (let i = 0; i < 3; i++) {
      const r = await api.call('POST', `/sources/${a}/applyChanges`);
      expect(r.status).toBe(410);
      expect(r.body).toMatchObject({ errorCode: 'GONE', message: 'applyChanges was removed' });
    }
    expect((await api.call('POST', `/sources/${b}/applyChanges`)).status).toBe(204);
  });

  it("with when: 'after', the write happens and then the answer fails (the server may have acted)", async () => {
    api.emu.state.addFaultRule({ method: 'POST', path: '/groups$', status: 502, when: 'after' });
    const r = await api.call('POST', '/groups', { query: { sendEmailToInvitedUsers: 'false' }, body: { displayName: 'Created anyway' } });
    expect(r.status).toBe(502);
    expect((await api.call('GET', '/groups')).body.some((g: Json) => g.displayName === 'Created anyway')).toBe(true);
    api.emu.state.addFaultRule({ method: 'POST', path: '/apikeys$', drop: true, when: 'after' });
    await expect(api.call('POST', '/apikeys', { body: { displayName: 'Lost value', privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }] } })).rejects.toThrow();
    expect((await api.call('GET', '/apikeys')).body.some((k: Json) => k.displayName === 'Lost value')).toBe(true);
  });

  it('matches the raw request target too (query strings)', async () => {
    api.emu.state.addFaultRule({ path: 'fields=doomed', status: 500 });
    expect((await api.call('DELETE', '/indexes/fields/batch/delete', { query: { fields: 'doomed' } })).status).toBe(500);
  });

  it('rejects invalid rules with 400 through the admin API', async () => {
    const bad = await api.call('POST', '/_emulator/faults/rules', { body: { path: '(' } });
    expect(bad.status).toBe(400);
    const noEffect = await api.call('POST', '/_emulator/faults/rules', { body: { path: '/groups' } });
    expect(errorOf(noEffect).message).toMatch(/status/);
  });
});

describe('page-size cap', () => {
  it('caps wrapped listings; totals follow the size used so paging still reads everything', async () => {
    api.emu.state.setFaults({ pageSizeCap: 7 });
    const first = await api.call('POST', '/indexes/fields/search', { body: { perPage: 1000 } });
    expect(first.body.items).toHaveLength(7);
    expect(first.body.totalPages).toBe(Math.ceil(first.body.totalEntries / 7));
    const all: string[] = [];
    for (let page = 0; page < first.body.totalPages; page++) {
      all.push(...(await api.call('POST', '/indexes/fields/search', { body: { page, perPage: 1000 } })).body.items.map((f: Json) => f.name));
    }
    expect(new Set(all).size).toBe(first.body.totalEntries);
  });

  it('leaves bare arrays alone unless capBareLists is set', async () => {
    for (let i = 0; i < 4; i++) await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource(`Capped ${i}`) });
    api.emu.state.setFaults({ pageSizeCap: 2 });
    expect((await api.call('GET', '/sources', { query: { filter: 'Capped' } })).body).toHaveLength(4);
    api.emu.state.setFaults({ capBareLists: true });
    expect((await api.call('GET', '/sources', { query: { filter: 'Capped' } })).body).toHaveLength(2);
  });
});

describe('request log and admin API', () => {
  it('records method, path, query, status, time and route; the counter and reset', async () => {
    api.emu.state.resetLog();
    await api.call('GET', '/sources', { query: { page: 0, perPage: 5 } });
    await api.call('GET', '/groups/nope');
    const log = api.emu.state.requestLog();
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({ method: 'GET', path: `/rest/organizations/${api.emu.organizationId}/sources`, query: 'page=0&perPage=5', status: 200, route: 'GET /sources', organizationId: api.emu.organizationId });
    expect(log[1]).toMatchObject({ status: 404, route: 'GET /groups/{groupId}' });
    expect(typeof log[0]!.durationMs).toBe('number');
    expect(api.emu.state.requestCount()).toBe(2);
    const viaHttp = await api.call('GET', '/_emulator/log');
    expect(viaHttp.body.count).toBe(2);
    expect(viaHttp.body.entries.map((e: Json) => e.status)).toEqual([200, 404]);
    expect((await api.call('DELETE', '/_emulator/log')).status).toBe(204);
    expect(api.emu.state.requestCount()).toBe(0);
  });

  it('sets faults through the admin API (admin token only)', async () => {
    expect((await api.call('PATCH', '/_emulator/faults', { body: { failRate: 1, failStatuses: [502] } })).status).toBe(200);
    expect((await api.call('GET', '/groups')).status).toBe(502);
    expect((await api.call('DELETE', '/_emulator/faults')).status).toBe(204);
    expect((await api.call('GET', '/groups')).status).toBe(200);
    const replaced = await api.call('PUT', '/_emulator/faults', { body: { latencyMs: 5 } });
    expect(replaced.body).toMatchObject({ latencyMs: 5, failRate: 0 });
    expect((await api.call('PATCH', '/_emulator/faults', { body: { failRate: 2 } })).status).toBe(400);
    const key = await api.keyToken([{ owner: 'PLATFORM', targetDomain: 'ORGANIZATION', type: 'EDIT' }]);
    expect((await api.call('GET', '/_emulator/faults', { token: key })).status).toBe(401);
    expect((await api.call('GET', '/_emulator/nothing')).status).toBe(404);
  });
});
