/**
 * The emulator hooks the reliability suite stands on: the write counter, holding the answer to the n-th
 * write once the state has changed, and random faults that strike after processing (`afterRate`).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';

let emu: EmulatorHandle;
beforeEach(async () => {
  emu = await startEmulator({ randomSeed: 11 });
});
afterEach(async () => {
  await emu.stop();
});

const call = (method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${emu.url}/rest/organizations/${emu.organizationId}${path}`, {
    method,
    headers: { Authorization: `Bearer ${emu.adminToken}`, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

const groupNames = (): string[] => (emu.state.snapshot(emu.organizationId)['groups'] as { displayName: string }[]).map((g) => g.displayName).sort();

describe('writeCount', () => {
  it('counts accepted writes only: not reads, searches, refused or failed requests', async () => {
    expect(emu.state.writeCount()).toBe(0);
    await call('GET', '/groups');
    await call('POST', '/indexes/fields/search', {});
    expect((await call('POST', '/groups', { displayName: 'A' })).status).toBe(201);
    expect((await call('POST', '/indexes/fields', { name: 'Bad Name', type: 'STRING' })).status).toBe(400);
    emu.state.addFaultRule({ method: 'POST', path: '/groups$', status: 503 });
    expect((await call('POST', '/groups', { displayName: 'B' })).status).toBe(503);
    expect((await call('DELETE', '/indexes/fields/nosuchfield')).status).toBe(404);
    expect(emu.state.writeCount()).toBe(1);
    const health = (await (await fetch(`${emu.url}/_emulator/health`, { headers: { Authorization: `Bearer ${emu.adminToken}` } })).json()) as { writeCount: number };
    expect(health.writeCount).toBe(1);
    emu.state.resetLog();
    expect(emu.state.writeCount()).toBe(0);
  });
});

describe('holdWrite', () => {
  it('holds the answer to the n-th write after the state changed, until released', async () => {
    const held = emu.state.holdWrite(2);
    expect((await call('POST', '/groups', { displayName: 'first' })).status).toBe(201);
    let answered = false;
    const second = call('POST', '/groups', { displayName: 'second' }).then((r) => {
      answered = true;
      return r;
    });
    const h = await held;
    expect(h).toMatchObject({ method: 'POST', route: 'POST /groups', writeNumber: 2 });
    // The group exists already; its creator has no answer yet.
    expect(groupNames()).toContain('second');
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    h.release();
    expect((await second).status).toBe(201);
    // Reads are never held or counted.
    expect((await call('GET', '/groups')).status).toBe(200);
  });

  it('cancelHolds releases held answers and rejects waiting holds', async () => {
    const first = emu.state.holdWrite(1);
    const waiting = emu.state.holdWrite(3);
    const pending = call('POST', '/groups', { displayName: 'held' });
    await first;
    const refused = expect(waiting).rejects.toThrow(/cancelled/);
    emu.state.cancelHolds();
    expect((await pending).status).toBe(201);
    await refused;
    // Nothing is held any more.
    for (const name of ['a', 'b', 'c']) expect((await call('POST', '/groups', { displayName: name })).status).toBe(201);
  });

  it('counts from the call, refuses a bad n, and rejects waiting holds when the emulator stops', async () => {
    await call('POST', '/groups', { displayName: 'before' });
    const h = emu.state.holdWrite(1);
    const pending = call('POST', '/groups', { displayName: 'after' });
    expect((await h).writeNumber).toBe(2);
    await expect(emu.state.holdWrite(0)).rejects.toThrow(/whole number/);
    const never = expect(emu.state.holdWrite(5)).rejects.toThrow(/stopped/);
    await emu.stop();
    await never;
    // The held answer was released on stop; the client sees an answer or a closed connection, never a hang.
    await pending.then(
      (r) => expect([201]).toContain(r.status),
      (e: unknown) => expect(e).toBeInstanceOf(Error),
    );
  });
});

describe('afterRate', () => {
  it('makes random 5xx strike after processing: the write happened, the answer is an error', async () => {
    emu.state.setFaults({ failRate: 1, afterRate: 1 });
    const r = await call('POST', '/groups', { displayName: 'processed' });
    expect([500, 502, 503]).toContain(r.status);
    expect(groupNames()).toEqual(expect.arrayContaining(['processed']));
    expect(emu.state.requestLog().at(-1)?.fault).toBe('failRate (after processing)');
  });

  it('makes random drops strike after processing', async () => {
    emu.state.setFaults({ dropRate: 1, afterRate: 1 });
    await expect(call('POST', '/groups', { displayName: 'dropped-late' })).rejects.toThrow();
    expect(groupNames()).toEqual(expect.arrayContaining(['dropped-late']));
    expect(emu.state.requestLog().at(-1)).toMatchObject({ status: 0, fault: 'dropRate (after processing)' });
  });

  it('never delays a 429, and with afterRate 0 faults strike before processing', async () => {
    emu.state.setFaults({ rate429: 1, afterRate: 1 });
    expect((await call('POST', '/groups', { displayName: 'limited' })).status).toBe(429);
    emu.state.setFaults({ rate429: 0, failRate: 1, afterRate: 0 });
    expect([500, 502, 503]).toContain((await call('POST', '/groups', { displayName: 'refused' })).status);
    expect(groupNames()).not.toContain('limited');
    expect(groupNames()).not.toContain('refused');
  });

  it('is validated like the other rates', () => {
    expect(() => emu.state.setFaults({ afterRate: 2 })).toThrow(/afterRate/);
  });
});
