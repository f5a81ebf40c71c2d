import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backroom } from '../support/cli.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';

describe('backroom outbox retry', { timeout: 120_000 }, () => {
  let env: Record<string, string>;
  let dir: string;
  let testDb: TestDb | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backroom-outbox-cli-'));
    if (usingPostgres) {
      testDb = await createTestDb({ empty: true });
      env = { DATABASE_URL: testDb.url ?? '' };
    } else {
      env = { BACKROOM_DATA_DIR: join(dir, 'data') };
    }
  });
  afterAll(async () => {
    await testDb?.destroy().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 1 for an event that is not dead, on either database', async () => {
    expect((await backroom(['migrate'], env)).code).toBe(0);
    const run = await backroom(['outbox', 'retry', 'evt_nope'], env);
    expect(run.stdout).toContain('evt_nope is not a dead event');
    expect(run.code).toBe(1);
  });
});
