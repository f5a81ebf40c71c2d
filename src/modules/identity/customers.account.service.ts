import { sql } from 'kysely';
import type { Db, Queryable, Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { queueNotification } from '../../platform/notifications/notifications.js';
import { type AuditContext, recordAudit } from './audit.js';
import { setPasswordHash } from './customers.repository.js';
import { normalizeEmail } from './email.js';
import { InvalidTokenError } from './identity.errors.js';
import { consumeToken, issueToken } from './one-time-tokens.js';
import { resetPasswordWithToken } from './password-reset.js';

/** Email verification and password reset for customers. Every email is queued in the transaction of its change. */

export interface MailSettings {
  storefrontUrl: string;
  shopName: string;
  templatesDir: string;
}

export const VERIFICATION_TTL_SECONDS = 24 * 60 * 60;
export const RESET_TTL_SECONDS = 30 * 60;

const link = (mail: MailSettings, path: string, token: string) =>
  `${mail.storefrontUrl.replace(/\/+$/, '')}/${path}?token=${encodeURIComponent(token)}`;

interface Recipient {
  id: string;
  email: string;
  first_name: string | null;
}

function findRecipient(db: Queryable, where: { id: string } | { emailNormalized: string }) {
  // An erased customer is nobody: no verification email, no password reset (its password stays unset).
  const q = db
    .selectFrom('customer')
    .select(['id', 'email', 'first_name', 'email_verified_at'])
    .where('erased_at', 'is', null);
  return (
    'id' in where ? q.where('id', '=', where.id) : q.where('email_normalized', '=', where.emailNormalized)
  ).executeTakeFirst();
}

/** Issues a 24-hour verification token and queues the email, in `tx`. */
export async function queueVerificationEmail(tx: Tx, customer: Recipient, mail: MailSettings): Promise<void> {
  const token = await issueToken(
    tx,
    'email_verification',
    { type: 'customer', id: customer.id },
    VERIFICATION_TTL_SECONDS,
  );
  await queueNotification(tx, {
    template: 'email-verification',
    to: customer.email,
    templatesDir: mail.templatesDir,
    data: {
      shopName: mail.shopName,
      name: customer.first_name ?? customer.email,
      link: link(mail, 'verify-email', token),
    },
  });
}

/** Sends a new verification email; nothing happens when the email is already verified. */
export async function resendVerificationEmail(db: Db, customerId: string, mail: MailSettings): Promise<void> {
  await withTransaction(db, async (tx) => {
    const row = await findRecipient(tx, { id: customerId });
    if (!row) throw new NotFoundError('Customer');
    if (row.email_verified_at !== null) return;
    await queueVerificationEmail(tx, row, mail);
  });
}

/** Consumes a verification token and marks the customer's email verified. Bad token → `INVALID_TOKEN`. */
export async function verifyEmail(db: Db, token: string, audit: AuditContext): Promise<void> {
  await withTransaction(db, async (tx) => {
    const subject = await consumeToken(tx, 'email_verification', token);
    if (subject?.type !== 'customer') throw new InvalidTokenError();
    const updated = await tx
      .updateTable('customer')
      .set({ email_verified_at: sql`coalesce(email_verified_at, now())`, updated_at: sql`now()` })
      .where('id', '=', subject.id)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw new InvalidTokenError();
    await recordAudit(
      tx,
      { ...audit, actorType: 'customer', actorId: subject.id },
      { action: 'customer.email_verified', targetType: 'customer', targetId: subject.id },
    );
  });
}

/**
 * Starts a password reset. Only an existing customer gets an email (30-minute token); the caller
 * answers the same either way, so the endpoint does not reveal which emails have accounts.
 */
export async function requestPasswordReset(db: Db, email: string, mail: MailSettings): Promise<void> {
  const row = await findRecipient(db, { emailNormalized: normalizeEmail(email) });
  if (!row) return;
  await withTransaction(db, async (tx) => {
    const token = await issueToken(tx, 'password_reset', { type: 'customer', id: row.id }, RESET_TTL_SECONDS);
    await queueNotification(tx, {
      template: 'password-reset',
      to: row.email,
      templatesDir: mail.templatesDir,
      data: { shopName: mail.shopName, name: row.first_name ?? row.email, link: link(mail, 'reset-password', token) },
    });
  });
}

/**
 * Completes a password reset: checks the policy, consumes the token (single use), sets the new
 * hash and ends every session of the customer, all in one transaction. Bad token → `INVALID_TOKEN`.
 */
export async function confirmPasswordReset(
  db: Db,
  input: { token: string; password: string },
  audit: AuditContext,
): Promise<void> {
  await resetPasswordWithToken(db, input, audit, {
    type: 'customer',
    targetType: 'customer',
    setHash: async (tx, id, hash) => {
      if (!(await findRecipient(tx, { id }))) return false;
      await setPasswordHash(tx, id, hash);
      return true;
    },
  });
}
