import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../create-db.js';
import { DataDirLockedError } from '../data-dir-lock.js';
import { runningSocketDir } from '../local-socket.js';
import { withTransaction } from '../transaction.js';

/**
 * The embedded database served on its local socket: clients and this process share PGlite's one
 * session, taking turns a whole transaction at a time.
 */
describe('embedded database on the local socket', { timeout: 60_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'backroom-sock-'));
  const dataDir = join(scratch, 'data');
  const settings = { dataDir, poolMax: 1, lockTimeoutMs: 5000, statementTimeoutMs: 3000 };
  let h: DbHandle;
  let dir: string;
  let closed = false;
  const clients: postgres.Sql[] = [];
  const client = () => {
    const c = postgres({ host: dir, port: 5432, max: 1, prepare: false, onnotice: () => {} });
    clients.push(c);
    return c;
  };
  const values = async () =>
    (await sql<{ x: number }>`select x from kept order by x`.execute(h.db)).rows.map((r) => r.x);

  beforeAll(async () => {
    h = await createDb(settings);
    const served = await h.serveLocalSocket?.();
    if (!served || !('dir' in served)) throw new Error(`not served: ${JSON.stringify(served)}`);
    dir = served.dir;
    await sql`create table kept (x int primary key)`.execute(h.db);
  }, 60_000);
  beforeEach(async () => {
    await sql`truncate kept`.execute(h.db);
  });
  afterAll(async () => {
    for (const c of clients) await c.end({ timeout: 1 });
    if (!closed) await h?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("runs a client's statement after this process's open transaction, not inside it", async () => {
    let opened!: () => void;
    const open = new Promise<void>((r) => {
      opened = r;
    });
    let finish!: () => void;
    const gate = new Promise<void>((r) => {
      finish = r;
    });
    const rolledBack = withTransaction(h.db, async (tx) => {
      await sql`insert into kept values (1)`.execute(tx);
      opened();
      await gate;
      throw new Error('roll back');
    }).catch((err: Error) => err.message);
    await open;
    const c = client();
    const insert = c`insert into kept values (2)`.execute();
    // Give the client's statement time to reach the server while the transaction is open.
    await sleep(300);
    finish();
    expect(await rolledBack).toBe('roll back');
    await insert;
    expect(await values()).toEqual([2]);
  });

  it("keeps a client's transaction to itself: this process's statements wait and never join it", async () => {
    const c = client();
    let opened!: () => void;
    const open = new Promise<void>((r) => {
      opened = r;
    });
    let finish!: () => void;
    const gate = new Promise<void>((r) => {
      finish = r;
    });
    const clientTx = c
      .begin(async (t) => {
        await t`insert into kept values (3)`;
        opened();
        await gate;
        throw new Error('client rolls back');
      })
      .catch((err: Error) => err.message);
    await open;
    const ours = sql`insert into kept values (4)`.execute(h.db);
    await sleep(300);
    finish();
    expect(await clientTx).toBe('client rolls back');
    await ours;
    expect(await values()).toEqual([4]);
  });

  it("gives two clients whole turns: the second's statement waits for the first's transaction", async () => {
    const [a, b] = [client(), client()];
    let opened!: () => void;
    const open = new Promise<void>((r) => {
      opened = r;
    });
    let finish!: () => void;
    const gate = new Promise<void>((r) => {
      finish = r;
    });
    const first = a
      .begin(async (t) => {
        await t`insert into kept values (11)`;
        opened();
        await gate;
        throw new Error('first rolls back');
      })
      .catch((err: Error) => err.message);
    await open;
    const second = b`insert into kept values (12)`.execute();
    await sleep(300);
    finish();
    expect(await first).toBe('first rolls back');
    await second;
    expect(await values()).toEqual([12]);
  });

  it('rolls back the open transaction of a client that hangs up, and carries on', async () => {
    const c = postgres({ host: dir, port: 5432, max: 1, prepare: false, onnotice: () => {} });
    await c`begin`;
    await c`insert into kept values (5)`;
    await c.end({ timeout: 0 });
    await sql`insert into kept values (6)`.execute(h.db);
    expect(await values()).toEqual([6]);
  });

  it('cuts off a client that keeps a transaction open without a word (after the statement timeout)', async () => {
    const c = client();
    await c`begin`;
    await c`insert into kept values (7)`;
    // Waits for its turn until the idle client is cut off and its transaction rolled back.
    await sql`insert into kept values (8)`.execute(h.db);
    expect(await values()).toEqual([8]);
    // The client's connection was dropped; postgres.js reconnects to a session without its work.
    expect(await c`select count(*)::int as n from kept where x = 7`).toEqual([{ n: 0 }]);
  });

  // PGlite reads every message it writes, a socket client's included, so its LISTEN callbacks see
  // NOTIFYs sent through the socket (e.g. catalog_changed after a CLI import clears the storefront cache).
  it("hands a client's NOTIFY to this process's LISTEN callbacks, once", async () => {
    const heard: string[] = [];
    const unlisten = await h.listen('kept_changed', (payload) => heard.push(payload));
    try {
      const c = client();
      await c`select pg_notify('kept_changed', 'from the socket')`;
      // Sent at COMMIT, after a large result in the same transaction.
      await c.begin(async (t) => {
        await t`select repeat('y', 300000) as big`;
        await t`select pg_notify('kept_changed', ${'x'.repeat(7000)})`;
      });
      expect(heard).toEqual(['from the socket', 'x'.repeat(7000)]);
    } finally {
      await unlisten();
    }
  });

  it('lets a short command attach to the running database through the socket instead of failing', async () => {
    await expect(createDb(settings)).rejects.toThrow(DataDirLockedError);
    const attached = await createDb({ ...settings, attach: true });
    try {
      expect(attached.kind).toBe('postgres');
      await sql`insert into kept values (9)`.execute(attached.db);
      await withTransaction(attached.db, (tx) => sql`insert into kept values (10)`.execute(tx));
    } finally {
      await attached.close();
    }
    expect(await values()).toEqual([9, 10]);
    expect(runningSocketDir(dataDir, process.pid)).toBe(dataDir);
    expect(runningSocketDir(dataDir, process.pid + 1)).toBeUndefined();
  });

  it('removes the socket and its record when the database closes', async () => {
    expect(existsSync(join(dataDir, '.s.PGSQL.5432'))).toBe(true);
    await h.close();
    closed = true;
    expect(existsSync(join(dataDir, '.s.PGSQL.5432'))).toBe(false);
    expect(existsSync(join(dataDir, 'backroom.socket'))).toBe(false);
    expect(runningSocketDir(dataDir, process.pid)).toBeUndefined();
  });
});
