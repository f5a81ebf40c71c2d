import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
  Object.assign(state, { calls: 0, failures: 0, limited: false });
  await sql`delete from probe_order`.execute(t.db.db);
  await sql`delete from idempotency_key`.execute(t.db.db);
});

const newKey = () => `key-${randomUUID()}`;
const order = { sku: 'tee-black-m', qty: 2 };

function post(url: string, key: string, payload: object = order, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url, payload, headers: { 'idempotency-key': key, ...headers } });
}
const orders = () => rowCount(t.db.db, PROBE_TABLE);
const keys = () => rowCount(t.db.db, 'idempotency_key');

describe('Idempotency-Key: replay', () => {
  it('replays the stored 201 for the same key and body, with the same id, and runs the command once', async () => {
    const key = newKey();
    const first = await post('/probe/orders', key);
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post('/probe/orders', key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(await orders()).toBe(1);
    expect(state.calls).toBe(1);
  });

  it('treats the same fields in another order as the same request', async () => {
    const key = newKey();
    const first = await post('/probe/orders', key, { sku: 'a', qty: 1 });
    const again = await post('/probe/orders', key, { qty: 1, sku: 'a' });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect(await orders()).toBe(1);
  });

  it('stores a 4xx from the handler and replays it without running the handler again', async () => {
    const key = newKey();
    const first = await post('/probe/orders', key, { sku: 'a', qty: 50 });
    expect(first.statusCode).toBe(422);
    expect(first.json().code).toBe('OUT_OF_STOCK');
    const again = await post('/probe/orders', key, { sku: 'a', qty: 50 });
    expect(again.statusCode).toBe(422);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.body).toBe(first.body);
    expect(state.calls).toBe(1);
  });

  it('does not store a 5xx: the key is released and a retry runs the command', async () => {
    const key = newKey();
    state.failures = 1;
    const failed = await post('/probe/orders', key);
    expect(failed.statusCode).toBe(500);
    expect(await keys()).toBe(0);
    const retry = await post('/probe/orders', key);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    const replay = await post('/probe/orders', key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toBe(retry.body);
    expect(await orders()).toBe(1);
  });

  it('does not store a refusal about the caller (429): the retry runs once allowed', async () => {
    const key = newKey();
    state.limited = true;
    expect((await post('/probe/orders', key)).statusCode).toBe(429);
    state.limited = false;
    const retry = await post('/probe/orders', key);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await orders()).toBe(1);
  });

  it('stores the response for IDEMPOTENCY_TTL_HOURS', async () => {
    await post('/probe/orders', newKey());
    const res = await sql<{ hours: number }>`
      select extract(epoch from expires_at - created_at)::float8 / 3600 as hours from idempotency_key`.execute(t.db.db);
    expect(res.rows[0]?.hours).toBe(t.config.IDEMPOTENCY_TTL_HOURS);
  });
});

describe('Idempotency-Key: refusals', () => {
  it('refuses the same key with a different body (422 IDEMPOTENCY_KEY_REUSED) and runs nothing', async () => {
    const key = newKey();
    await post('/probe/orders', key);
    const res = await post('/probe/orders', key, { sku: 'other', qty: 2 });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', requestId: res.headers['x-request-id'] });
    expect(await orders()).toBe(1);
  });

  it('refuses the same key on a different path or query string', async () => {
    const key = newKey();
    await post('/probe/orders', key);
    expect((await post('/probe/orders-b', key)).json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await post('/probe/orders?channel=web', key)).json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await orders()).toBe(1);
  });

  it('answers 409 IDEMPOTENCY_REQUEST_IN_PROGRESS while the first request runs, then replays its result', async () => {
    const key = newKey();
    state.slow.reset();
    const first = post('/probe/slow', key);
    await state.slow.entered;
    const during = await post('/probe/slow', key);
    expect(during.statusCode).toBe(409);
    expect(during.json().code).toBe('IDEMPOTENCY_REQUEST_IN_PROGRESS');
    expect(during.headers['retry-after']).toBe('1');
    state.slow.open();
    const done = await first;
    expect(done.statusCode).toBe(201);
    const after = await post('/probe/slow', key);
    expect(after.headers['idempotent-replayed']).toBe('true');
    expect(after.body).toBe(done.body);
    expect(await orders()).toBe(1);
  });

  it.each([
    ['empty', ''],
    ['longer than 255 characters', 'k'.repeat(256)],
    ['a control character', 'key\twith-tab'],
    ['non-ASCII', 'ключ'],
  ])('refuses a key that is %s with 400 naming /headers/idempotency-key', async (_, key) => {
    const res = await post('/probe/orders', key);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: '/headers/idempotency-key', message: expect.any(String) }],
    });
    expect(state.calls).toBe(0);
    expect(await orders()).toBe(0);
  });

  it('accepts a key of exactly 255 visible characters', async () => {
    expect((await post('/probe/orders', randomBytes(192).toString('base64url').slice(0, 255))).statusCode).toBe(201);
  });
});

describe('Idempotency-Key: scope', () => {
  it('keeps callers apart: the same key from two credentials runs twice and each sees only its own', async () => {
    const key = newKey();
    const alice = { authorization: 'Bearer alice-session' };
    const bob = { authorization: 'Bearer bob-session' };
    const a = await post('/probe/orders', key, order, alice);
    const b = await post('/probe/orders', key, order, bob);
    const anonymous = await post('/probe/orders', key, order);
    expect([a.statusCode, b.statusCode, anonymous.statusCode]).toEqual([201, 201, 201]);
    expect(new Set([a.json().id, b.json().id, anonymous.json().id]).size).toBe(3);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    const aAgain = await post('/probe/orders', key, order, alice);
    const bAgain = await post('/probe/orders', key, order, bob);
    expect(aAgain.body).toBe(a.body);
    expect(bAgain.body).toBe(b.body);
    expect(await orders()).toBe(3);
  });

  it('stores no credential in clear', async () => {
    await post('/probe/orders', newKey(), order, { authorization: 'Bearer alice-session' });
    const rows = await sql<{ scope: string }>`select scope from idempotency_key`.execute(t.db.db);
    expect(rows.rows[0]?.scope).toMatch(/^cred:/);
    expect(rows.rows[0]?.scope).not.toContain('alice-session');
  });
});
