import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/migrations/index.js';
import { createDb } from '../../src/platform/db/create-db.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';
import { appendEvents, eventRow, eventually } from '../support/fixtures/outbox.js';
import { type ChildServer, request, spawnScript, tryConnect } from '../support/fixtures/server-process.js';

/**
 * `serve` and `worker` as real processes, stopped with real signals. Each test gets its own
 * database: a copy of a migrated embedded data dir (made once: creating one takes seconds), or
 * its own PostgreSQL database when TEST_DATABASE_URL is set.
 */
describe('graceful shutdown', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'backroom-shutdown-'));
  const template = join(scratch, 'template');
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    if (usingPostgres) return;
    const h = await createDb({ dataDir: template, poolMax: 1, lockTimeoutMs: 5000, statementTimeoutMs: 60_000 });
    await migrateToLatest(h.db, migrations);
    await h.close();
  });
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** Database settings for one child: its own data dir, or its own PostgreSQL database. */
  async function database(): Promise<{ env: Record<string, string>; dataDir?: string; testDb?: TestDb }> {
    if (usingPostgres) {
      const testDb = await createTestDb();
      cleanup.push(() => testDb.destroy());
      return { env: { DATABASE_URL: testDb.url as string }, testDb };
    }
    const dataDir = mkdtempSync(join(scratch, 'data-'));
    cpSync(template, dataDir, { recursive: true });
    return { env: { BACKROOM_DATA_DIR: dataDir }, dataDir };
  }

  async function startServer(env: Record<string, string>): Promise<{ server: ChildServer; port: number }> {
    const server = spawnScript(['test/support/fixtures/slow-server.ts'], { OUTBOX_POLL_INTERVAL_MS: '50', ...env });
    cleanup.push(async () => {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server.exited;
    });
    const listening = await server.waitFor((l) => l.probe === 'listening');
    return { server, port: listening.port as number };
  }

  const logged = (server: ChildServer, msg: string) => server.lines.some((l) => l.msg === msg);

  /** Puts `load` slow requests in flight, sends `signal`, and checks every one is answered. */
  async function stopUnderLoad(signal: NodeJS.Signals, load: number) {
    const db = await database();
    const { server, port } = await startServer(db.env);
    const agent = new http.Agent({ keepAlive: true, maxSockets: load + 50 });
    let answered = 0;
    const answers = Array.from({ length: load }, (_, n) =>
      request(agent, port, 'GET', `/__test/slow?ms=1000&afterSignal=1&n=${n}`).finally(() => {
        answered += 1;
      }),
    );
    await eventually(async () => server.lines.filter((l) => l.probe === 'entered').length === load, 30_000);
    const answeredBeforeSignal = answered;
    server.child.kill(signal);

    await server.waitFor((l) => l.msg === 'shutting down: no new connections, finishing in-flight requests');
    // The listening socket closes a few ticks after the log line; from then on, while every
    // request is still in flight, a new connection is refused.
    await eventually(async () => (await tryConnect(port)) === 'ECONNREFUSED', 1000);
    const answeredWhenRefusing = answered;
    const results = await Promise.allSettled(answers);
    const exit = await server.exited;
    agent.destroy();

    expect(answeredBeforeSignal).toBe(0); // the signal really arrived with every request in flight
    expect(answeredWhenRefusing).toBe(0);
    const bodies = results.map((r) => (r.status === 'fulfilled' ? r.value : { status: 0, body: String(r.reason) }));
    expect(bodies).toEqual(Array.from({ length: load }, (_, n) => ({ status: 200, body: `{"n":"${n}","done":true}` })));
    expect(exit).toEqual({ code: 0, signal: null });
    expect(logged(server, 'workers stopped')).toBe(true);
    expect(logged(server, 'shutdown complete')).toBe(true);
    if (db.dataDir) expect(existsSync(join(db.dataDir, 'backroom.pid'))).toBe(false);
  }

  it('answers all 200 in-flight requests on SIGTERM, refuses new connections, and exits 0', async () => {
    await stopUnderLoad('SIGTERM', 200);
  }, 90_000);

  it('does the same on SIGINT', async () => {
    await stopUnderLoad('SIGINT', 20);
  }, 90_000);

  it('delivers an event appended through the database with the in-process relay', async () => {
    const { server, port } = await startServer((await database()).env);
    const agent = new http.Agent();
    const { id } = JSON.parse((await request(agent, port, 'POST', '/__test/events')).body) as { id: string };

    await server.waitFor((l) => l.probe === 'delivered' && l.id === id, 10_000);
    await eventually(async () => {
      const row = JSON.parse((await request(agent, port, 'GET', `/__test/events/${id}`)).body) as { status: string };
      return row.status === 'delivered';
    });
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('starts no relay with BACKROOM_WORKERS=off: an appended event stays pending', async () => {
    const { server, port } = await startServer({ ...(await database()).env, BACKROOM_WORKERS: 'off' });
    const agent = new http.Agent();
    const { id } = JSON.parse((await request(agent, port, 'POST', '/__test/events')).body) as { id: string };

    await sleep(600); // a dozen poll intervals
    const row = JSON.parse((await request(agent, port, 'GET', `/__test/events/${id}`)).body) as unknown;
    expect(row).toEqual({ status: 'pending', attempts: 0 });
    expect(server.lines.filter((l) => l.probe === 'delivered')).toEqual([]);
    expect(logged(server, 'workers started')).toBe(false);
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  }, 90_000);

  it.runIf(usingPostgres)(
    '`backroom worker` relays events from PostgreSQL and exits 0 on SIGTERM',
    async () => {
      const { env, testDb } = await database();
      const worker = spawnScript(['src/main.ts', 'worker'], { ...env, OUTBOX_POLL_INTERVAL_MS: '50' });
      cleanup.push(async () => {
        if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
        await worker.exited;
      });
      await worker.waitFor((l) => l.msg === 'worker started');
      const db = (testDb as TestDb).db;
      const [id] = (await appendEvents(db, 1)) as [string];

      await eventually(async () => (await eventRow(db, id)).status === 'delivered');
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toEqual({ code: 0, signal: null });
      expect(logged(worker, 'workers stopped')).toBe(true);
    },
    90_000,
  );
});
