import { sql } from 'kysely';
import type { Db } from './database.js';

/**
 * Behind a transaction-mode pooler (PgBouncer `pool_mode = transaction`) consecutive transactions of one client run
 * on whichever server connection is free, so nothing per session survives a transaction: no LISTEN, no session
 * advisory lock (both go through DATABASE_DIRECT_URL), and no per-client startup parameters. PgBouncer 1.18 refuses
 * unknown startup parameters outright, and the ones it could ignore would be silently lost. So the session defaults
 * that a direct connection sends at startup (lock_timeout, statement_timeout, jit) are the database role's there:
 *
 *     alter role backroom in database shop set lock_timeout = 5000;   -- and statement_timeout, jit = off
 *
 * (or PgBouncer's per-database `connect_query`). Every server connection the pooler opens then has them, whichever
 * client it serves, at no cost per transaction; `SET LOCAL` in every transaction would cost a statement each.
 */

/** A pool is behind a transaction pooler when a separate session URL was given for the same database. */
export function isPooled(url: string, directUrl: string | undefined): boolean {
  return directUrl !== undefined && directUrl !== url;
}

/**
 * The settings a pooled session actually has, compared with the configured ones: a description of the differences
 * (for a start-up warning naming ALTER ROLE), or undefined when they match. Timeouts compare in milliseconds.
 */
export async function sessionSettingsMismatch(
  db: Db,
  wanted: { lock_timeout: number; statement_timeout: number; jit: 'off' | 'on' },
): Promise<string | undefined> {
  let rows: { name: string; setting: string; unit: string | null }[];
  try {
    ({ rows } = await sql<{ name: string; setting: string; unit: string | null }>`
      select name, setting, unit from pg_settings where name in ('lock_timeout', 'statement_timeout', 'jit')`.execute(
      db,
    ));
  } catch {
    return undefined; // the database is not reachable yet: the first real statement says so
  }
  const wrong = rows.flatMap((r) => {
    const want = String(wanted[r.name as keyof typeof wanted]);
    return r.setting === want ? [] : [`${r.name} is ${r.setting}${r.unit ?? ''}, configured ${want}`];
  });
  return wrong.length > 0 ? wrong.join('; ') : undefined;
}
