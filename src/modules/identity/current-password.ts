import type { Db } from '../../platform/db/database.js';
import { CurrentPasswordIncorrectError } from './customers.errors.js';
import { assertNotThrottled, recordLoginFailure, throttleKeys } from './login-throttle.js';
import { verifyPassword } from './passwords.js';

/**
 * Checks the current password before a password change. A wrong one is a password guess (e.g. from
 * a stolen session), so it counts towards the same per-account and per-IP lockout as failed logins.
 */
export async function assertCurrentPassword(
  db: Db,
  account: { scope: 'customer' | 'staff'; emailNormalized: string; passwordHash: string | null },
  currentPassword: string,
  ip: string | null | undefined,
): Promise<void> {
  const throttle = throttleKeys(account.scope, account.emailNormalized, ip ?? 'unknown');
  await assertNotThrottled(db, throttle);
  const { ok } = await verifyPassword(currentPassword, account.passwordHash ?? undefined);
  if (!ok) {
    await recordLoginFailure(db, throttle);
    throw new CurrentPasswordIncorrectError();
  }
}
