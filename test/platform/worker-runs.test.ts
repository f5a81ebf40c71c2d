import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { workerRuns } from '../../src/platform/ops/worker-runs.js';
import { EventHandlers } from '../../src/platform/outbox/handlers.js';
import { startWorkers } from '../../src/workers/index.js';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';

interface RunView {
  name: string;
  node: string;
  intervalMs: number;
  lastOkAt: string | null;
  lastError: string | null;
  rounds: number;
  failures: number;
  state: 'ok' | 'failing' | 'late';
}

let t: TestApp;
let reader: string;
beforeAll(async () => {
  t = await createTestApp();
  reader = (await staffSession(t, await customRole(t, ['events:read']))).token;
});
afterAll(async () => {
  await t?.close();
});

const silent = pino({ level: 'silent' });
const list = async (token = reader) => {
  const res = await t.app.inject({ method: 'GET', url: '/v1/admin/system/workers', headers: auth(token) });
  expect(res.statusCode).toBe(200);
  return res.json<{ now: string; data: RunView[] }>().data;
};
const rowsOf = async (node: string) =>
  (await t.db.db.selectFrom('worker_run').selectAll().where('node', '=', node).execute()).map((r) => ({
    ...r,
    rounds: Number(r.rounds),
    failures: Number(r.failures),
  }));

describe("the workers' last runs", () => {
  it('writes a loop’s first round at once, then at most every writeEveryMs; a failure and a recovery at once', async () => {
    const runs = workerRuns(t.db.db, silent, { node: 'test:throttle', writeEveryMs: 60_000 });
    runs.loop('hold-expiry', 5000);
    for (let i = 0; i < 5; i++) await runs.round('hold-expiry', async () => i);
    await runs.flush();
    const [first] = await rowsOf('test:throttle');
    expect(first).toMatchObject({
      name: 'hold-expiry',
      interval_ms: 5000,
      rounds: 5,
      failures: 0,
      last_error: null,
    });

    // Within the throttle window, a failure is written at once (no flush), with its error.
    await expect(
      runs.round('hold-expiry', async () => {
        throw new Error('connection terminated unexpectedly');
      }),
    ).rejects.toThrow('connection terminated');
    await new Promise((r) => setTimeout(r, 200));
    const [failed] = await rowsOf('test:throttle');
    expect(failed).toMatchObject({
      rounds: 6,
      failures: 1,
      last_error: 'Error: connection terminated unexpectedly',
    });
    expect((await list()).find((r) => r.node === 'test:throttle')).toMatchObject({
      state: 'failing',
      lastError: 'Error: connection terminated unexpectedly',
    });

    // The recovery too; the last error stays for the reader, the state is ok again.
    await runs.round('hold-expiry', async () => 0);
    await new Promise((r) => setTimeout(r, 200));
    const recovered = (await list()).find((r) => r.node === 'test:throttle');
    expect(recovered).toMatchObject({
      state: 'ok',
      rounds: 7,
      failures: 1,
      lastError: expect.stringContaining('terminated'),
    });
    expect(recovered?.lastOkAt).not.toBeNull();

    // No round for three intervals (and a minute): late — the loop is stuck or its process is gone.
    await sql`update worker_run set finished_at = now() - interval '2 minutes' where node = 'test:throttle'`.execute(
      t.db.db,
    );
    expect((await list()).find((r) => r.node === 'test:throttle')?.state).toBe('late');

    // A graceful stop removes the process's rows; nothing is recorded after it.
    await runs.stop();
    await runs.round('hold-expiry', async () => 0);
    await runs.flush();
    expect(await rowsOf('test:throttle')).toEqual([]);
  });

  it('a failed write never fails the loop: the round counts again on the next write', async () => {
    const broken = workerRuns(t.db.db, silent, { node: 'test:refused', writeEveryMs: 0 });
    // A check the database enforces on new rows only: this loop's first write is refused.
    await sql`alter table worker_run add constraint worker_run_test_refuse check (name <> 'imports-refused') not valid`.execute(
      t.db.db,
    );
    try {
      broken.loop('imports-refused', 1000);
      await expect(broken.round('imports-refused', async () => 'done')).resolves.toBe('done');
      await broken.flush();
    } finally {
      await sql`alter table worker_run drop constraint worker_run_test_refuse`.execute(t.db.db);
    }
    await broken.round('imports-refused', async () => 'done');
    await broken.flush();
    const [row] = await t.db.db
      .selectFrom('worker_run')
      .select(['rounds'])
      .where('name', '=', 'imports-refused')
      .execute();
    // Both rounds: the one whose write failed was counted again.
    expect(Number(row?.rounds)).toBe(2);
    await broken.stop();
  });

  it('startWorkers records every loop; stopping removes its rows', async () => {
    const workers = startWorkers({
      config: loadConfig({
        HOLD_EXPIRY_INTERVAL_MS: '100',
        OUTBOX_POLL_INTERVAL_MS: '100',
        WEBHOOK_INBOX_INTERVAL_MS: '100',
      }),
      db: t.db.db,
      logger: silent,
      metrics: createMetrics(),
      events: new EventHandlers(),
    });
    const expected = ['hold-expiry', 'imports', 'maintenance', 'outbox-relay', 'webhook-inbox'];
    try {
      const until = Date.now() + 15_000;
      let names: string[] = [];
      while (Date.now() < until) {
        names = (await list()).filter((r) => r.node.endsWith(`:${process.pid}`)).map((r) => r.name);
        if (expected.every((n) => names.includes(n))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(names).toEqual(expect.arrayContaining(expected));
      const relay = (await list()).find((r) => r.name === 'outbox-relay' && r.node.endsWith(`:${process.pid}`));
      expect(relay).toMatchObject({ intervalMs: 100, state: 'ok' });
    } finally {
      await workers.stop();
    }
    expect((await list()).filter((r) => r.node.endsWith(`:${process.pid}`))).toEqual([]);
  });

  it('needs events:read: 401 without credentials, 403 without it', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/admin/system/workers' })).statusCode).toBe(401);
    const { token } = await staffSession(t, await customRole(t, ['orders:read']));
    const res = await t.app.inject({ method: 'GET', url: '/v1/admin/system/workers', headers: auth(token) });
    expect(res.statusCode).toBe(403);
  });
});
