import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { UniqueViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import { type AuditContext, recordAudit } from './audit.js';
import { assertCurrentPassword } from './current-password.js';
import { type MailSettings, queueVerificationEmail } from './customers.account.service.js';
import { CustomerDisabledError, EmailTakenError } from './customers.errors.js';
import {
  type CustomerRow,
  credentialsOf,
  findCredentialsByEmail,
  findCustomerById,
  insertCustomer,
  setPasswordHash,
  updateCustomerNames,
} from './customers.repository.js';
import type {
  ChangePasswordInput,
  CustomerView,
  LoginInput,
  RegisterInput,
  UpdateMeInput,
} from './customers.schemas.js';
import { normalizeEmail } from './email.js';
import { LoginFailedError } from './identity.errors.js';
import { assertNotThrottled, recordLoginFailure, recordLoginSuccess, throttleKeys } from './login-throttle.js';
import { assertPasswordPolicy, hashPassword, verifyPassword } from './passwords.js';
import { type NewSession, openSession, revokeAllSessions, revokeSession } from './sessions.js';

/**
 * Customer commands. Each takes the caller's identity from the resolved principal (never from the
 * URL or body). Password hashing is slow on purpose, so it always happens before a transaction
 * opens: no connection is held while argon2 runs.
 */

export interface ClientInfo {
  ip?: string | null;
  userAgent?: string | null;
}

const EMAIL_CONSTRAINT = 'customer_email_normalized_key';

export function toCustomerView(row: CustomerRow): CustomerView {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    emailVerified: row.email_verified_at !== null,
    createdAt: row.created_at.toISOString(),
  };
}

/** Registers a customer and queues the email-verification email in the same transaction. */
export async function registerCustomer(
  db: Db,
  input: RegisterInput,
  audit: AuditContext,
  mail: MailSettings,
): Promise<CustomerView> {
  assertPasswordPolicy(input.password, '/body/password');
  const passwordHash = await hashPassword(input.password);
  const id = newId('customer');
  try {
    const row = await withTransaction(db, async (tx) => {
      const created = await insertCustomer(tx, {
        id,
        email: input.email.trim(),
        passwordHash,
        firstName: input.firstName ?? null,
        lastName: input.lastName ?? null,
      });
      await recordAudit(
        tx,
        { ...audit, actorType: 'customer', actorId: id },
        {
          action: 'customer.registered',
          targetType: 'customer',
          targetId: id,
        },
      );
      await queueVerificationEmail(tx, created, mail);
      await appendEvent(tx, { type: 'customer.created', aggregateId: id, payload: { customerId: id } });
      return created;
    });
    return toCustomerView(row);
  } catch (err) {
    if (err instanceof UniqueViolationError && err.constraint === EMAIL_CONSTRAINT) throw new EmailTakenError();
    throw err;
  }
}

/**
 * Customer login. An unknown email still verifies against a dummy hash, so both failures cost the
 * same and answer the same body. Failures are throttled per account and per IP (429 with
 * Retry-After once locked). A hash made with older parameters is replaced on success.
 */
export async function loginCustomer(db: Db, input: LoginInput, client: ClientInfo = {}): Promise<NewSession> {
  const email = normalizeEmail(input.email);
  const throttle = throttleKeys('customer', email, client.ip ?? 'unknown');
  await assertNotThrottled(db, throttle);
  const found = await findCredentialsByEmail(db, email);
  const result = await verifyPassword(input.password, found?.password_hash);
  if (!found || !result.ok) {
    await recordLoginFailure(db, throttle);
    throw new LoginFailedError();
  }
  const rehashed = result.needsRehash ? await hashPassword(input.password) : undefined;
  const session = await withTransaction(db, async (tx) => {
    // Share lock: a concurrent disable (row lock, then revoke all sessions) either comes first and is seen here,
    // or waits for this session to exist and then ends it.
    const account = await tx
      .selectFrom('customer')
      .select('status')
      .where('id', '=', found.id)
      .forShare()
      .executeTakeFirst();
    if (account?.status !== 'enabled') throw new CustomerDisabledError();
    await tx
      .updateTable('customer')
      .set({ last_login_at: sql`now()`, ...(rehashed ? { password_hash: rehashed } : {}) })
      .where('id', '=', found.id)
      .execute();
    return openSession(tx, { type: 'customer', id: found.id }, client);
  });
  await recordLoginSuccess(db, throttle);
  return session;
}

/** Ends the session the request was made with. */
export async function logoutCurrent(db: Db, sessionId: string): Promise<void> {
  await revokeSession(db, sessionId);
}

/** Ends every session of the customer, on every device. */
export async function logoutEverywhere(db: Db, customerId: string, audit: AuditContext): Promise<void> {
  await withTransaction(db, async (tx) => {
    const ended = await revokeAllSessions(tx, { type: 'customer', id: customerId });
    await recordAudit(tx, audit, {
      action: 'customer.sessions_revoked',
      targetType: 'customer',
      targetId: customerId,
      changes: { sessions: ended },
    });
  });
}

export async function getCustomer(db: Db, customerId: string): Promise<CustomerView> {
  const row = await findCustomerById(db, customerId);
  if (!row) throw new NotFoundError('Customer');
  return toCustomerView(row);
}

/** Updates the customer's own profile; fields left out stay as they are, `null` clears one. */
export async function updateCustomer(db: Db, customerId: string, input: UpdateMeInput): Promise<CustomerView> {
  const patch: { first_name?: string | null; last_name?: string | null } = {};
  if (input.firstName !== undefined) patch.first_name = input.firstName;
  if (input.lastName !== undefined) patch.last_name = input.lastName;
  if (Object.keys(patch).length === 0) return getCustomer(db, customerId);
  const row = await withTransaction(db, (tx) => updateCustomerNames(tx, customerId, patch));
  if (!row) throw new NotFoundError('Customer');
  return toCustomerView(row);
}

/**
 * Changes the password after checking the current one, and ends every other session of the
 * customer (a stolen session must not outlive the password change); the caller's stays open.
 */
export async function changeCustomerPassword(
  db: Db,
  customer: { id: string; sessionId: string },
  input: ChangePasswordInput,
  audit: AuditContext,
  client: ClientInfo = {},
): Promise<void> {
  assertPasswordPolicy(input.newPassword, '/body/newPassword');
  const stored = await credentialsOf(db, customer.id);
  if (!stored) throw new NotFoundError('Customer');
  await assertCurrentPassword(
    db,
    { scope: 'customer', emailNormalized: stored.email_normalized, passwordHash: stored.password_hash },
    input.currentPassword,
    client.ip,
  );
  const passwordHash = await hashPassword(input.newPassword);
  await withTransaction(db, async (tx) => {
    await setPasswordHash(tx, customer.id, passwordHash);
    const ended = await revokeAllSessions(tx, { type: 'customer', id: customer.id }, customer.sessionId);
    await recordAudit(tx, audit, {
      action: 'customer.password_changed',
      targetType: 'customer',
      targetId: customer.id,
      changes: { sessionsRevoked: ended },
    });
  });
}
