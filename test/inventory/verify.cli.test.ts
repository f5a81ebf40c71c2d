import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../src/platform/db/create-db.js';
import { backroom } from '../support/cli.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';
import { makeLocation, makeVariants, receive } from './inventory.helpers.js';

describe('backroom inventory verify', { timeout: 180_000 }, () => {
  let env: Record<string, string>;
  let dataDir: string | undefined;
  let testDb: TestDb | undefined;

  beforeAll(async () => {
    if (usingPostgres) {
      testDb = await createTestDb();
      env = { DATABASE_URL: testDb.url ?? '' };
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'backroom-inventory-cli-'));
      env = { BACKROOM_DATA_DIR: dataDir };
      expect((await backroom(['migrate'], env)).code).toBe(0);
    }
  });
  afterAll(async () => {
    await testDb?.destroy().catch(() => {});
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The embedded database admits one process at a time: open it only between CLI runs. */
  async function withDb(fn: (db: DbHandle['db']) => Promise<void>) {
    if (testDb) return fn(testDb.db);
    const h = await createDb({ dataDir: dataDir ?? '', poolMax: 1, lockTimeoutMs: 5000, statementTimeoutMs: 60_000 });
    try {
      await fn(h.db);
    } finally {
      await h.close();
    }
  }

  it('exits 0 when every level equals its ledger, and 1 naming the level a direct UPDATE broke', async () => {
    let itemId = '';
    await withDb(async (db) => {
      const loc = await makeLocation(db, 'cli-wh');
      const [v] = await makeVariants(db, 1);
      itemId = v!.itemId;
      await receive(db, itemId, loc.id, 5);
    });
    const ok = await backroom(['inventory', 'verify'], env);
    expect(ok).toMatchObject({ code: 0, stdout: 'all levels match the ledger\n' });

    await withDb(async (db) => {
      await sql`update inventory_level set on_hand = on_hand + 1 where item_id = ${itemId} and on_hand = 5`.execute(db);
    });
    const bad = await backroom(['inventory', 'verify'], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`MISMATCH ${itemId}`);
    expect(bad.stdout).toContain('level on_hand=6 reserved=0 held=0, ledger on_hand=5 reserved=0 held=0');
    expect(bad.stdout).toMatch(/1 level\(s\) differ from the ledger\n$/);
  });
});
