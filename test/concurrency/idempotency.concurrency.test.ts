import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { idempotencyProbes, PROBE_TABLE, type ProbeState, probeState } from '../support/idempotency-probes.js';
import { createScratchTable, rowCount } from '../support/probes.js';

/**
 * Real parallel requests on a listening server (meaningful on PostgreSQL, where the claims race on
 * separate connections): however many copies of one request arrive at once, the command runs once.
 */
let t: TestApp;
let state: ProbeState;
let base: string;

beforeAll(async () => {
  state = probeState(() => t.db.db);
  t = await createTestApp({ plugins: [idempotencyProbes(state)] });
  await createScratchTable(t.db.db, PROBE_TABLE);
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t.close());
beforeEach(async () => {
  await sql`delete from probe_order`.execute(t.db.db);
  // Long enough that the copies arrive while the first is still in flight.
  state.delayMs = 150;
});

interface Outcome {
  status: number;
  replayed: boolean;
  body: string;
}

async function send(key: string, body: object, headers: Record<string, string> = {}): Promise<Outcome> {
  const res = await fetch(`${base}/probe/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true', body: await res.text() };
}

describe('Idempotency-Key under concurrency', () => {
  it('runs 30 simultaneous copies of one request exactly once', async () => {
    const key = `race-${randomUUID()}`;
    const body = { sku: 'flash-sale', qty: 1 };
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => send(key, body)));

    expect(await rowCount(t.db.db, PROBE_TABLE)).toBe(1);
    const created = outcomes.filter((o) => o.status === 201);
    const busy = outcomes.filter((o) => o.status === 409);
    expect(created.length + busy.length).toBe(30);
    expect(created.filter((o) => !o.replayed)).toHaveLength(1);
    expect(new Set(created.map((o) => o.body)).size).toBe(1);
    for (const o of busy) expect(JSON.parse(o.body).code).toBe('IDEMPOTENCY_REQUEST_IN_PROGRESS');

    const retry = await send(key, body);
    expect(retry).toMatchObject({ status: 201, replayed: true });
    expect(retry.body).toBe(created[0]!.body);
    expect(await rowCount(t.db.db, PROBE_TABLE)).toBe(1);
  });

  it('runs each of 10 keys once when 3 copies of each arrive together', async () => {
    const keys = Array.from({ length: 10 }, () => `race-${randomUUID()}`);
    const outcomes = await Promise.all(
      keys.flatMap((key, i) => [0, 1, 2].map(async () => ({ key, ...(await send(key, { sku: `sku-${i}`, qty: 1 })) }))),
    );
    expect(await rowCount(t.db.db, PROBE_TABLE)).toBe(10);
    for (const key of keys) {
      const mine = outcomes.filter((o) => o.key === key);
      expect(mine.filter((o) => o.status === 201 && !o.replayed)).toHaveLength(1);
      expect(mine.every((o) => o.status === 201 || o.status === 409)).toBe(true);
    }
  });

  it('keeps simultaneous callers with the same key apart', async () => {
    const key = `race-${randomUUID()}`;
    const callers = ['alice', 'bob', 'carol'];
    const outcomes = await Promise.all(
      callers.flatMap((who) =>
        [0, 1, 2, 3].map(async () => ({
          who,
          ...(await send(key, { sku: 'shared', qty: 1 }, { authorization: `Bearer ${who}-token` })),
        })),
      ),
    );
    expect(await rowCount(t.db.db, PROBE_TABLE)).toBe(callers.length);
    const ids = new Set<string>();
    for (const who of callers) {
      const created = outcomes.filter((o) => o.who === who && o.status === 201);
      expect(created.filter((o) => !o.replayed)).toHaveLength(1);
      ids.add(JSON.parse(created[0]!.body).id);
    }
    expect(ids.size).toBe(callers.length);
  });
});
