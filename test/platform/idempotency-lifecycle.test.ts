import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pruneIdempotencyKeys } from '../../src/platform/http/idempotency.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { idempotencyProbes, PROBE_TABLE, type ProbeState, probeState } from '../support/idempotency-probes.js';
import { createScratchTable, rowCount } from '../support/probes.js';

let t: TestApp;
let state: ProbeState;

beforeAll(async () => {
  state = probeState(() => t.db.db);
  t = await createTestApp({ plugins: [idempotencyProbes(state)] });
  await createScratchTable(t.db.db, PROBE_TABLE);
});
afterAll(() => t.close());
beforeEach(async () => {
  state.slow.reset();
  await sql`delete from probe_order`.execute(t.db.db);
  await sql`delete from idempotency_key`.execute(t.db.db);
});

const newKey = () => `key-${randomUUID()}`;
const order = { sku: 'mug-white', qty: 1 };

function post(url: string, key: string, payload: object = order) {
  return t.app.inject({ method: 'POST', url, payload, headers: { 'idempotency-key': key } });
}
const orders = () => rowCount(t.db.db, PROBE_TABLE);
const keys = () => rowCount(t.db.db, 'idempotency_key');

describe('Idempotency-Key: expiry and crashed requests', () => {
  it('lets an expired key be used again, for any request', async () => {
    const key = newKey();
    const first = await post('/probe/orders', key);
    await sql`update idempotency_key set expires_at = now() - interval '1 second'`.execute(t.db.db);
    const reused = await post('/probe/orders', key, { sku: 'other', qty: 3 });
    expect(reused.statusCode).toBe(201);
    expect(reused.headers['idempotent-replayed']).toBeUndefined();
    expect(reused.json().id).not.toBe(first.json().id);
    const replay = await post('/probe/orders', key, { sku: 'other', qty: 3 });
    expect(replay.body).toBe(reused.body);
    expect(await orders()).toBe(2);
  });

  it('lets a retry take over a claim whose lease ran out, and stores only the new claim', async () => {
    const key = newKey();
    const crashed = post('/probe/slow', key);
    await state.slow.arrived(1);
    // What a process that died mid-request leaves behind: an in-flight claim past its lease.
    await sql`update idempotency_key set locked_until = now() - interval '1 second'`.execute(t.db.db);
    const retry = post('/probe/slow', key);
    await state.slow.arrived(2);

    // The stale request finishing late must neither complete nor release the retry's claim.
    state.slow.release(0);
    expect((await crashed).statusCode).toBe(201);
    expect((await post('/probe/slow', key)).json().code).toBe('IDEMPOTENCY_REQUEST_IN_PROGRESS');

    state.slow.release(1);
    const taken = await retry;
    expect(taken.statusCode).toBe(201);
    const replay = await post('/probe/slow', key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toBe(taken.body);
  });

  it('does not hand a crashed claim to a different request', async () => {
    const key = newKey();
    const crashed = post('/probe/slow', key);
    await state.slow.arrived(1);
    await sql`update idempotency_key set locked_until = now() - interval '1 second'`.execute(t.db.db);
    const other = await post('/probe/slow', key, { sku: 'other', qty: 1 });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    state.slow.open();
    await crashed;
  });
});

describe('Idempotency-Key: where it does not apply', () => {
  it('ignores the header on GET', async () => {
    const key = newKey();
    const a = await t.app.inject({ method: 'GET', url: '/probe/orders', headers: { 'idempotency-key': key } });
    await post('/probe/sessions', newKey());
    const b = await t.app.inject({ method: 'GET', url: '/probe/orders', headers: { 'idempotency-key': key } });
    expect(a.json()).toEqual({ count: 0 });
    expect(b.json()).toEqual({ count: 1 });
    expect(b.headers['idempotent-replayed']).toBeUndefined();
  });

  it('ignores the header on a route with config.idempotency = false', async () => {
    const key = newKey();
    const a = await post('/probe/sessions', key);
    const b = await post('/probe/sessions', key);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.json().id).not.toBe(a.json().id);
    expect(await orders()).toBe(2);
    expect(await keys()).toBe(0);
  });

  it('ignores it on an unknown route, which stays a 404', async () => {
    const res = await post('/probe/nowhere', newKey());
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('ROUTE_NOT_FOUND');
    expect((await post('/probe/nowhere', '')).statusCode).toBe(404);
    expect(await keys()).toBe(0);
  });

  it('does not spend a key on a request that fails schema validation', async () => {
    const key = newKey();
    const invalid = await post('/probe/orders', key, { sku: 'a', qty: 0 });
    expect(invalid.statusCode).toBe(400);
    expect(await keys()).toBe(0);
    expect((await post('/probe/orders', key)).statusCode).toBe(201);
  });
});

describe('pruneIdempotencyKeys', () => {
  it('deletes expired keys only, in batches', async () => {
    const live = newKey();
    for (const key of [live, newKey(), newKey(), newKey()]) await post('/probe/orders', key);
    await sql`update idempotency_key set expires_at = now() - interval '1 minute' where key <> ${live}`.execute(
      t.db.db,
    );
    expect(await pruneIdempotencyKeys(t.db.db, 2)).toBe(3);
    const left = await sql<{ key: string }>`select key from idempotency_key`.execute(t.db.db);
    expect(left.rows).toEqual([{ key: live }]);
    expect(await pruneIdempotencyKeys(t.db.db)).toBe(0);
    expect((await post('/probe/orders', live)).headers['idempotent-replayed']).toBe('true');
  });
});
