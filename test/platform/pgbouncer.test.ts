import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { CATALOG_CHANGED_CHANNEL } from '../../src/modules/catalog/index.js';
import { createDb } from '../../src/platform/db/create-db.js';
import { sessionSettingsMismatch } from '../../src/platform/db/pooled-sessions.js';
import { appFor, createRuntime, type Runtime, workersFor } from '../../src/runtime.js';
import type { RunningWorkers } from '../../src/workers/index.js';
import { countStatements } from '../catalog/storefront.support.js';
import { ownerClient } from '../checkout/checkout.helpers.js';
import { complete, readyCart } from '../checkout/completion.helpers.js';
import type { TestApp } from '../support/app.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { type Pgbouncer, startPgbouncer, topologyUnavailable } from '../support/pg-cluster.js';

/**
 * `serve` and `worker` behind Debian's PgBouncer (1.18) in transaction mode: DATABASE_URL is the pooler,
 * DATABASE_DIRECT_URL the database itself (LISTEN, migrations), prepared statements off, and the session settings
 * on the role (ALTER ROLE … IN DATABASE … SET), as the README's "PgBouncer and read replicas" says.
 */
const unavailable = topologyUnavailable('pgbouncer');

describe.skipIf(unavailable)(
  `behind PgBouncer in transaction mode${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let direct: TestDb;
    let bouncer: Pgbouncer;
    let rt: Runtime;
    let t: TestApp;
    let workers: RunningWorkers;
    let dataDir: string;
    const lockTimeoutMs = 4321;
    const statementTimeoutMs = 54_321;

    beforeAll(async () => {
      direct = await createTestDb();
      const url = direct.url ?? '';
      // Two server connections for every client: consecutive transactions of one client land on different ones.
      bouncer = await startPgbouncer(url, 2);
      dataDir = mkdtempSync(join(tmpdir(), 'bk-pgbouncer-app-'));
      const config = loadConfig({
        DATABASE_URL: bouncer.url,
        DATABASE_DIRECT_URL: url,
        DATABASE_PREPARED_STATEMENTS: 'false',
        DATABASE_POOL_MAX: '6',
        DATABASE_LOCK_TIMEOUT_MS: String(lockTimeoutMs),
        DATABASE_STATEMENT_TIMEOUT_MS: String(statementTimeoutMs),
        BACKROOM_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        OUTBOX_POLL_INTERVAL_MS: '100',
      });
      const name = new URL(url).pathname.slice(1);
      await sql
        .raw(
          `alter role postgres in database "${name}" set lock_timeout = ${lockTimeoutMs};` +
            `alter role postgres in database "${name}" set statement_timeout = ${statementTimeoutMs};` +
            `alter role postgres in database "${name}" set jit = off`,
        )
        .execute(direct.db);
      rt = await createRuntime(config);
      const app = await appFor(rt);
      await app.ready();
      workers = workersFor(rt);
      t = {
        app,
        db: { ...rt.dbHandle, url: bouncer.url, destroy: async () => {} },
        metrics: rt.metrics,
        config,
        logs: undefined as never,
        close: () => app.close(),
      };
    });

    afterAll(async () => {
      await t?.close();
      await workers?.stop();
      await rt?.close();
      await bouncer?.stop();
      await direct?.destroy();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    const transactions = async () => {
      const stats = await bouncer.admin('show stats');
      const name = new URL(bouncer.url).pathname.slice(1);
      return Number(stats.find((s) => s.database === name)?.total_xact_count ?? 0);
    };

    it('refuses a pool that sends session settings at startup, which is why a pooled DATABASE_URL sends none', async () => {
      const naive = await createDb({ url: bouncer.url, dataDir: '', poolMax: 1, lockTimeoutMs, statementTimeoutMs });
      try {
        await expect(sql`select 1`.execute(naive.db)).rejects.toThrow(/unsupported startup parameter/);
      } finally {
        await naive.close();
      }
    });

    it("gives pooled sessions the role's settings, and tells when they differ from the configuration", async () => {
      const wanted = { lock_timeout: lockTimeoutMs, statement_timeout: statementTimeoutMs, jit: 'off' as const };
      expect(await sessionSettingsMismatch(rt.dbHandle.db, wanted)).toBeUndefined();
      expect(await sessionSettingsMismatch(rt.dbHandle.db, { ...wanted, lock_timeout: 1000 })).toBe(
        `lock_timeout is ${lockTimeoutMs}ms, configured 1000`,
      );
    });

    it('completes a guest checkout through the pooler, and the workers relay its events through it', async () => {
      const before = await transactions();
      const cart = await readyCart(t, { quantities: [2, 1] });
      const done = await complete(t, cart.cartId);
      expect(done.statusCode).toBe(200);
      const order = done.json<{ order: { id: string; status: string } }>().order;
      expect(order.status).toBe('placed');
      // Every request ran through PgBouncer: its counters saw the transactions.
      expect((await transactions()) - before).toBeGreaterThan(10);
      const row = await direct.db.selectFrom('order').select('status').where('id', '=', order.id).executeTakeFirst();
      expect(row?.status).toBe('placed');
      // The worker (outbox relay over the pooled DATABASE_URL) delivers the order's events.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const pending = await direct.db
          .selectFrom('outbox_event')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('aggregate_id', '=', order.id)
          .where('status', '=', 'pending')
          .executeTakeFirstOrThrow();
        const all = await direct.db
          .selectFrom('outbox_event')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('aggregate_id', '=', order.id)
          .executeTakeFirstOrThrow();
        if (all.n > 0 && pending.n === 0) break;
        if (Date.now() > deadline) throw new Error(`events of ${order.id} still pending: ${pending.n} of ${all.n}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    it('caches storefront answers and drops them on a catalog change heard on the direct LISTEN connection', async () => {
      const cart = await readyCart(t, { quantities: [1] });
      const { productId, variantId } = cart.variants[0]!;
      const detail = async () =>
        (await t.app.inject({ method: 'GET', url: `/v1/store/products/${productId}?currency=EUR` })).json<{
          variants: { price: { amount: number } | null }[];
        }>();
      expect((await detail()).variants[0]?.price?.amount).toBe(1999);
      // Cached: the storefront's LISTEN (on DATABASE_DIRECT_URL) is up, else it would not cache at all.
      expect((await countStatements(detail)).count).toBe(0);
      let heard!: () => void;
      const notified = new Promise<void>((resolve) => {
        heard = resolve;
      });
      // Registered after the app's listener on the same connection: it runs after the app's cache was cleared.
      const stop = await rt.dbHandle.listen(CATALOG_CHANGED_CHANNEL, () => heard());
      try {
        const call = await ownerClient(t);
        const res = await call('POST', '/v1/admin/prices/bulk', {
          prices: [{ variantId, currency: 'EUR', amount: 2999 }],
        });
        expect(res.statusCode).toBe(200);
        await notified;
      } finally {
        await stop();
      }
      expect((await detail()).variants[0]?.price?.amount).toBe(2999);
    });
  },
);
