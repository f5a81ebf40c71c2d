import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';

/**
 * Failed-login throttling per account and per client IP. After `freeFailures` consecutive failures
 * a key is locked for 1 s, then 2 s, 4 s … up to 15 minutes per further failure; a success clears
 * the account's counter (not the IP's, so one valid login does not launder a credential-stuffing
 * run). Counters older than a day of quiet start over. IPs get more room than accounts because
 * many customers can share one (offices, mobile carriers). Every key names its realm (customer or
 * staff): a brute force on the storefront must never lock staff out of the admin, nor the reverse.
 */
export const throttlePolicy = {
  account: { freeFailures: 5 },
  ip: { freeFailures: 20 },
  maxLockSeconds: 15 * 60,
  resetAfterHours: 24,
} as const;

export class TooManyLoginAttemptsError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, 'TOO_MANY_LOGIN_ATTEMPTS', 'Too many login attempts', {
      detail: `Too many failed logins. Try again in ${retryAfterSeconds} s.`,
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}

export interface ThrottleKeys {
  account: string;
  ip: string;
}

/** The realm is required: customer and staff counters never share a key, not even for one IP. */
export function throttleKeys(scope: 'customer' | 'staff', emailNormalized: string, ip: string): ThrottleKeys {
  return { account: `${scope}:acct:${emailNormalized}`, ip: `${scope}:ip:${ip}` };
}

/** Refuses with 429 + Retry-After while either key is locked. One statement. */
export async function assertNotThrottled(db: Db, keys: ThrottleKeys): Promise<void> {
  const row = await sql<{ wait: number | null }>`
    select ceil(extract(epoch from max(locked_until) - now()))::int as wait
      from login_throttle where key in (${keys.account}, ${keys.ip}) and locked_until > now()`.execute(db);
  const wait = row.rows[0]?.wait;
  if (wait && wait > 0) throw new TooManyLoginAttemptsError(wait);
}

/** Counts a failure for both keys and locks them once past their free failures. One statement. */
export async function recordLoginFailure(db: Db, keys: ThrottleKeys): Promise<void> {
  const p = throttlePolicy;
  await sql`
    insert into login_throttle as t (key, failures, last_failure_at, locked_until)
    select k.key, 1, now(), null from (values (${keys.account}), (${keys.ip})) as k(key)
    on conflict (key) do update set
      failures = case when t.last_failure_at < now() - make_interval(hours => ${p.resetAfterHours}) then 1 else t.failures + 1 end,
      last_failure_at = now(),
      locked_until = case
        when t.last_failure_at < now() - make_interval(hours => ${p.resetAfterHours}) then null
        when t.failures + 1 > (case when t.key like '%:acct:%' then ${p.account.freeFailures}::int else ${p.ip.freeFailures}::int end)
          then now() + make_interval(secs => least(${p.maxLockSeconds}::int,
                 power(2, t.failures + 1 - (case when t.key like '%:acct:%' then ${p.account.freeFailures}::int else ${p.ip.freeFailures}::int end) - 1)::int))
        else t.locked_until end`.execute(db);
}

/** A successful login clears the account's counter. */
export async function recordLoginSuccess(db: Db, keys: ThrottleKeys): Promise<void> {
  await sql`delete from login_throttle where key = ${keys.account}`.execute(db);
}
