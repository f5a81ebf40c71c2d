import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/platform/db/create-db.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import type { App } from '../../src/platform/http/types.js';
import { appendEvent } from '../../src/platform/outbox/outbox.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestDb, usingPostgres } from '../support/db.js';
import { gate } from '../support/probes.js';

/** Value of the sample `name{labels…}` in Prometheus text, or undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is live', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('is ready when the database answers and every migration is applied', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      checks: { database: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'disabled' } },
    });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('is not ready (503) on a database with no migrations applied', async () => {
    const db = await createTestDb({ empty: true });
    const app = await createTestApp({ db });
    try {
      const res = await app.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      const body = res.json();
      expect(body).toMatchObject({ status: 'unavailable', checks: { database: { status: 'up' } } });
      expect(body.checks.migrations.pending).toEqual(expect.arrayContaining(['0001_platform_outbox']));
    } finally {
      await app.close();
      await db.destroy();
    }
  });

  it('is not ready (503) when the latest migration was rolled back, and names it', async () => {
    const db = await createTestDb();
    const app = await createTestApp({ db });
    try {
      const last = await sql<{ name: string }>`select max(name) as name from kysely_migration`.execute(db.db);
      const name = last.rows[0]!.name;
      await sql`delete from kysely_migration where name = ${name}`.execute(db.db);
      const res = await app.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.migrations).toMatchObject({ status: 'down', pending: [name] });
    } finally {
      await app.close();
      await db.destroy();
    }
  });

  it('is not ready (503, never 500) when the database goes away under the app', async () => {
    const db = await createTestDb();
    const app = await createTestApp({ db });
    try {
      expect((await app.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      await db.destroy();
      const res = await app.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        status: 'unavailable',
        checks: { database: { status: 'down', detail: 'database unreachable' }, migrations: { status: 'down' } },
      });
      expect(app.logs.lines.some((l) => l.msg === 'readiness: database unreachable' && l.err)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it.runIf(usingPostgres)('is not ready (503) when its database was dropped, without naming it', async () => {
    const doomed = await createTestDb();
    const url = doomed.url!;
    await doomed.destroy();
    const handle = await createDb({ url, dataDir: '', poolMax: 2, lockTimeoutMs: 1000, statementTimeoutMs: 5000 });
    const app = await createTestApp({ db: { ...handle, destroy: () => handle.close() } });
    try {
      const res = await app.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.database.status).toBe('down');
      expect(res.body).not.toContain(new URL(url).pathname.slice(1));
    } finally {
      await app.close();
      await handle.close();
    }
  });
});

describe('metrics', () => {
  let t: TestApp;
  const slow = gate();
  const probes: FastifyPluginAsync = async (instance) => {
    const app = instance as App;
    const response = { 200: Type.Object({ id: Type.String() }) };
    app.get('/probe/items/:id', { schema: { response } }, async (request) => ({
      id: (request.params as { id: string }).id,
    }));
    app.get('/probe/slow', { schema: { response } }, async () => {
      await slow.pass();
      return { id: 'slow' };
    });
    app.get('/probe/hold-connection', { schema: { response } }, async () => {
      await withTransaction(t.db.db, async (tx) => {
        await sql`select 1`.execute(tx);
        await slow.pass();
      });
      return { id: 'held' };
    });
  };
  const scrape = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return res.body;
  };

  beforeAll(async () => {
    t = await createTestApp({ plugins: [probes] });
  });
  afterAll(() => t.close());

  it('times requests by route pattern and status, never by raw URL', async () => {
    for (const id of ['item_abc123', 'item_def456']) await t.app.inject({ method: 'GET', url: `/probe/items/${id}` });
    await t.app.inject({ method: 'GET', url: '/probe/nothing/item_zzz999' });
    const text = await scrape();
    const route = { method: 'GET', route: '/probe/items/:id', status: '200' };
    expect(sample(text, 'http_request_duration_seconds_count', route)).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_bucket', { ...route, le: '+Inf' })).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toMatch(/item_abc123|item_zzz999/);
  });

  it('counts requests in flight', async () => {
    slow.reset();
    const pending = t.app.inject({ method: 'GET', url: '/probe/slow' });
    await slow.entered;
    // The slow request plus the scrape itself.
    expect(sample(await scrape(), 'http_requests_in_flight')).toBe(2);
    slow.open();
    expect((await pending).statusCode).toBe(200);
    // A request refused before routing leaves the gauge as it was.
    expect((await t.app.inject({ method: 'GET', url: '/probe/items/%zz' })).statusCode).toBe(400);
    expect(sample(await scrape(), 'http_requests_in_flight')).toBe(1);
  });

  it('reports the pool size and the connections in use', async () => {
    const idle = await scrape();
    expect(sample(idle, 'db_pool_max_connections')).toBe(usingPostgres ? 10 : 1);
    expect(sample(idle, 'db_pool_connections_in_use')).toBe(0);
    slow.reset();
    const pending = t.app.inject({ method: 'GET', url: '/probe/hold-connection' });
    await slow.entered;
    // Read the registry directly: on the one-connection embedded database a scrape would queue behind the held one.
    const held = await t.metrics.registry.getSingleMetricAsString('db_pool_connections_in_use');
    expect(sample(held, 'db_pool_connections_in_use')).toBe(1);
    slow.open();
    expect((await pending).statusCode).toBe(200);
    expect(sample(await scrape(), 'db_pool_connections_in_use')).toBe(0);
  });

  it('exports event-loop lag and the other Node.js defaults', async () => {
    const text = await scrape();
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('reports the outbox backlog from committed events only', async () => {
    expect(sample(await scrape(), 'outbox_events', { status: 'pending' })).toBe(0);
    await withTransaction(t.db.db, async (tx) => {
      for (let i = 0; i < 3; i++) await appendEvent<string>(tx, { type: 'probe.happened', payload: { i } });
    });
    await expect(
      withTransaction(t.db.db, async (tx) => {
        await appendEvent<string>(tx, { type: 'probe.rolled_back', payload: {} });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const text = await scrape();
    expect(sample(text, 'outbox_events', { status: 'pending' })).toBe(3);
    expect(sample(text, 'outbox_events', { status: 'dead' })).toBe(0);
  });
});
