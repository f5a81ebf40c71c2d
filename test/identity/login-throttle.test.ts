import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertNotThrottled,
  recordLoginFailure,
  recordLoginSuccess,
  TooManyLoginAttemptsError,
  throttleKeys,
} from '../../src/modules/identity/login-throttle.js';
import { createTestDb, type TestDb } from '../support/db.js';

describe('login throttling', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(() => t.destroy());

  const keys = throttleKeys('customer', 'ann@example.com', '203.0.113.7');
  const fail = async (n: number, k = keys) => {
    for (let i = 0; i < n; i++) await recordLoginFailure(t.db, k);
  };
  const lockSeconds = async (key: string) =>
    (
      await sql<{ s: number | null }>`
        select round(extract(epoch from locked_until - now()))::int as s from login_throttle where key = ${key}`.execute(
        t.db,
      )
    ).rows[0]?.s ?? null;

  it('lets five failed logins through and locks the account on the sixth', async () => {
    await fail(5);
    await expect(assertNotThrottled(t.db, keys)).resolves.toBeUndefined();
    await fail(1);
    const err = await assertNotThrottled(t.db, keys).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyLoginAttemptsError);
    expect((err as TooManyLoginAttemptsError).status).toBe(429);
    expect(Number((err as TooManyLoginAttemptsError).headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('doubles the lockout with each further failure, up to 15 minutes', async () => {
    await fail(6);
    expect(await lockSeconds(keys.account)).toBe(1);
    await fail(3);
    expect(await lockSeconds(keys.account)).toBe(8);
    await fail(20);
    expect(await lockSeconds(keys.account)).toBe(900);
  });

  it('locks an IP only after twenty failures across accounts', async () => {
    for (let i = 0; i < 20; i++)
      await recordLoginFailure(t.db, throttleKeys('customer', `u${i}@example.com`, '198.51.100.1'));
    const fresh = throttleKeys('customer', 'new@example.com', '198.51.100.1');
    await expect(assertNotThrottled(t.db, fresh)).resolves.toBeUndefined();
    await recordLoginFailure(t.db, fresh);
    await expect(assertNotThrottled(t.db, fresh)).rejects.toBeInstanceOf(TooManyLoginAttemptsError);
  });

  it("clears the account's counter on success but keeps the IP's", async () => {
    await fail(4);
    await recordLoginSuccess(t.db, keys);
    await fail(5);
    await expect(assertNotThrottled(t.db, keys)).resolves.toBeUndefined();
    const ip = await sql<{ failures: number }>`select failures from login_throttle where key = ${keys.ip}`.execute(
      t.db,
    );
    expect(ip.rows[0]?.failures).toBe(9);
  });

  it('starts counting again after a day without failures', async () => {
    await fail(8);
    await sql`update login_throttle set last_failure_at = now() - interval '25 hours', locked_until = null`.execute(
      t.db,
    );
    await fail(1);
    const row = await sql<{
      failures: number;
    }>`select failures from login_throttle where key = ${keys.account}`.execute(t.db);
    expect(row.rows[0]?.failures).toBe(1);
    await expect(assertNotThrottled(t.db, keys)).resolves.toBeUndefined();
  });

  it('keeps customers and staff with the same email apart', async () => {
    await fail(6);
    await expect(
      assertNotThrottled(t.db, throttleKeys('staff', 'ann@example.com', '10.9.9.9')),
    ).resolves.toBeUndefined();
  });
});
