import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { queueNotification } from '../../platform/notifications/notifications.js';
import { type AuditContext, recordAudit } from './audit.js';
import { assertCurrentPassword } from './current-password.js';
import { RESET_TTL_SECONDS } from './customers.account.service.js';
import { normalizeEmail } from './email.js';
import { issueToken } from './one-time-tokens.js';
import { resetPasswordWithToken } from './password-reset.js';
import { assertPasswordPolicy, hashPassword } from './passwords.js';
import { revokeAllSessions } from './sessions.js';
import type { InviteMail } from './staff.admin.service.js';

/**
 * Staff password change and reset. A reset does not bypass MFA: the next login still needs a code.
 * Tokens share the `password_reset` purpose with customers; the subject type keeps them apart.
 */

/** Changes the signed-in member's password; every other session of theirs ends. */
export async function changeStaffPassword(
  db: Db,
  staff: { id: string; sessionId: string },
  input: { currentPassword: string; newPassword: string },
  audit: AuditContext,
): Promise<void> {
  assertPasswordPolicy(input.newPassword, '/body/newPassword');
  const row = await db
    .selectFrom('staff_user')
    .select(['email_normalized', 'password_hash'])
    .where('id', '=', staff.id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Staff member', staff.id);
  await assertCurrentPassword(
    db,
    { scope: 'staff', emailNormalized: row.email_normalized, passwordHash: row.password_hash },
    input.currentPassword,
    audit.ip,
  );
  const passwordHash = await hashPassword(input.newPassword);
  await withTransaction(db, async (tx) => {
    await tx
      .updateTable('staff_user')
      .set({ password_hash: passwordHash, updated_at: sql`now()` })
      .where('id', '=', staff.id)
      .execute();
    const ended = await revokeAllSessions(tx, { type: 'staff', id: staff.id }, staff.sessionId);
    await recordAudit(tx, audit, {
      action: 'staff.password_changed',
      targetType: 'staff_user',
      targetId: staff.id,
      changes: { sessionsRevoked: ended },
    });
  });
}

/** Emails a 30-minute reset link to an active member; the caller always answers the same. */
export async function requestStaffPasswordReset(db: Db, email: string, mail: InviteMail): Promise<void> {
  const row = await db
    .selectFrom('staff_user')
    .select(['id', 'email', 'name'])
    .where('email_normalized', '=', normalizeEmail(email))
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!row) return;
  await withTransaction(db, async (tx) => {
    const token = await issueToken(tx, 'password_reset', { type: 'staff', id: row.id }, RESET_TTL_SECONDS);
    await queueNotification(tx, {
      template: 'staff-password-reset',
      to: row.email,
      templatesDir: mail.templatesDir,
      data: {
        shopName: mail.shopName,
        name: row.name ?? row.email,
        link: `${mail.adminUrl.replace(/\/+$/, '')}/reset-password?token=${encodeURIComponent(token)}`,
      },
    });
  });
}

/** Sets a new password with a reset token (single use) and ends every session of the member. */
export async function confirmStaffPasswordReset(
  db: Db,
  input: { token: string; password: string },
  audit: AuditContext,
): Promise<void> {
  await resetPasswordWithToken(db, input, audit, {
    type: 'staff',
    targetType: 'staff_user',
    // Only an active member: a disabled one stays locked out, reset link or not.
    setHash: async (tx, id, hash) =>
      (await tx
        .updateTable('staff_user')
        .set({ password_hash: hash, updated_at: sql`now()` })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .returning('id')
        .executeTakeFirst()) !== undefined,
  });
}
