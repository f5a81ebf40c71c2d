import { pino } from 'pino';
import { migrations } from '../src/migrations/index.js';
import { createDb } from '../src/platform/db/create-db.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { withTransaction } from '../src/platform/db/transaction.js';
import { EventHandlers } from '../src/platform/outbox/handlers.js';
import { appendEvent } from '../src/platform/outbox/outbox.js';
import { relayOnce } from '../src/platform/outbox/relay.js';
import { type BenchContext, load, type Result, startScript } from './support.js';

/** Platform scenarios: cheap routes, logins under load, the outbox relay. */

export async function httpBasics(ctx: BenchContext, url: string): Promise<Record<string, Result>> {
  // The floor: a bare Fastify answering the same body, in its own process, measured in the same run.
  const bare = await startScript('bench/baseline-server.ts', { DATABASE_URL: ctx.databaseUrl ?? '' }, '/ready');
  let baseline: Result;
  try {
    baseline = await load(ctx, bare.url, { path: '/health/live' });
  } finally {
    await bare.stop();
  }
  return {
    'GET /health/live': { ...(await load(ctx, url, { path: '/health/live' })), baseline },
    'GET /health/ready (2 SQL)': await load(ctx, url, { path: '/health/ready' }),
    'GET unknown route → 404 problem': {
      ...(await load(ctx, url, { path: '/v1/nope' })),
      errors: 0,
      note: '404 is the expected answer',
    },
  };
}

/**
 * Logins are deliberately expensive (argon2id, 19 MiB), so the question is not "how many" but
 * "does a login flood starve everything else": hammer logins and, at the same time, measure a
 * cheap route. Hashing is capped at two at a time, so /health/live should keep a low p99.
 */
export async function loginUnderLoad(ctx: BenchContext, url: string): Promise<Record<string, Result>> {
  const email = `bench-${Date.now()}@example.com`;
  const password = 'bench password 123';
  const reg = await fetch(`${url}/v1/store/customers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (reg.status !== 201) throw new Error(`bench customer registration failed: ${reg.status}`);
  const [login, cheap] = await Promise.all([
    load(ctx, url, {
      path: '/v1/store/auth/sessions',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
      connections: 20,
    }),
    load(ctx, url, { path: '/health/live', connections: 5 }),
  ]);
  return {
    'POST /v1/store/auth/sessions (login)': { ...login, note: '20 conns' },
    'GET /health/live during login flood': { ...cheap, note: '5 conns' },
  };
}

export async function outboxRelay(ctx: BenchContext): Promise<Result> {
  const n = 2000;
  const handle = await createDb({
    url: ctx.databaseUrl,
    dataDir: 'memory://',
    poolMax: 10,
    lockTimeoutMs: 5000,
    statementTimeoutMs: 60_000,
  });
  try {
    await migrateToLatest(handle.db, migrations);
    for (let i = 0; i < n; i += 100) {
      await withTransaction(handle.db, async (tx) => {
        for (let j = 0; j < 100; j++) await appendEvent<string>(tx, { type: 'bench.happened', payload: { i: i + j } });
      });
    }
    let delivered = 0;
    const handlers = new EventHandlers().on('bench.happened', 'count', async () => {
      delivered++;
    });
    const t0 = performance.now();
    while (
      (await relayOnce(
        { db: handle.db, handlers, logger: pino({ level: 'silent' }) },
        { batchSize: 100, pollIntervalMs: 0, maxAttempts: 3 },
      )) > 0
    ) {}
    const seconds = (performance.now() - t0) / 1000;
    await handle.db.deleteFrom('outbox_event').execute();
    return {
      opsPerSec: Math.round(delivered / seconds),
      p50Ms: 0,
      p99Ms: 0,
      errors: n - delivered,
      note: `${n} events, batch 100 (events/s)`,
    };
  } finally {
    await handle.close();
  }
}
