import { sql } from 'kysely';
import type { SecretBox } from '../../platform/crypto/secret-box.js';
import type { Db } from '../../platform/db/database.js';
import { UniqueViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { type AuditContext, recordAudit, systemActor } from './audit.js';
import { normalizeEmail } from './email.js';
import { LoginFailedError } from './identity.errors.js';
import './identity.tables.js';
import { assertNotThrottled, recordLoginFailure, recordLoginSuccess, throttleKeys } from './login-throttle.js';
import { MfaRequiredError } from './mfa.errors.js';
import { consumeMfaCode, requireBox } from './mfa.service.js';
import { assertPasswordPolicy, hashPassword, verifyPassword } from './passwords.js';
import { rolePermissions } from './permissions.js';
import { type NewSession, openSession, revokeAllSessions } from './sessions.js';
import { StaffEmailTakenError } from './staff.errors.js';

/** The same shape the customer schema accepts (the CLI calls createStaff without a route schema). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface NewStaff {
  email: string;
  password: string;
  name?: string | undefined;
  roleId: string;
}

/** Creates an active staff member; the audit row commits with it. */
export async function createStaff(db: Db, input: NewStaff, ctx: AuditContext = systemActor): Promise<{ id: string }> {
  const email = input.email.trim();
  if (!EMAIL.test(email)) throw new ValidationError([{ path: '/body/email', message: 'must be an email address' }]);
  assertPasswordPolicy(input.password);
  const passwordHash = await hashPassword(input.password);
  const id = newId('staff');
  try {
    await withTransaction(db, async (tx) => {
      const role = await tx.selectFrom('role').select('id').where('id', '=', input.roleId).executeTakeFirst();
      if (!role) throw new NotFoundError('Role', input.roleId);
      await tx
        .insertInto('staff_user')
        .values({
          id,
          email,
          email_normalized: normalizeEmail(email),
          name: input.name ?? null,
          password_hash: passwordHash,
          role_id: input.roleId,
          status: 'active',
        })
        .execute();
      await recordAudit(tx, ctx, {
        action: 'staff.created',
        targetType: 'staff_user',
        targetId: id,
        changes: { email, roleId: input.roleId },
      });
    });
  } catch (err) {
    if (err instanceof UniqueViolationError && err.constraint === 'staff_user_email_normalized_key') {
      throw new StaffEmailTakenError();
    }
    throw err;
  }
  return { id };
}

/** A built-in role id by its name; `catalog-manager` also finds `catalog manager`. */
export async function findRoleIdByName(db: Db, name: string): Promise<string | undefined> {
  const wanted = name.trim().toLowerCase();
  const row = await db
    .selectFrom('role')
    .select('id')
    .where('name', 'in', [wanted, wanted.replaceAll('-', ' ')])
    .executeTakeFirst();
  return row?.id;
}

export async function staffExists(db: Db): Promise<boolean> {
  const row = await db.selectFrom('staff_user').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * Staff login. The cost is the same whether or not the email exists (a dummy hash is verified).
 * Failures are throttled per account and per IP (429 once locked). With MFA enabled, `code` (a TOTP
 * code for a step after the last used one, or an unused recovery code) is required: without it,
 * or with a wrong one (which counts as a failure), 401 MFA_REQUIRED.
 */
export async function loginStaff(
  db: Db,
  input: { email: string; password: string; code?: string | undefined },
  client: { ip?: string | null; userAgent?: string | null } = {},
  box?: SecretBox,
): Promise<NewSession> {
  const email = normalizeEmail(input.email);
  const throttle = throttleKeys('staff', email, client.ip ?? 'unknown');
  await assertNotThrottled(db, throttle);
  const row = await db
    .selectFrom('staff_user')
    .select(['id', 'password_hash', 'status', 'mfa_secret', 'mfa_enabled_at'])
    .where('email_normalized', '=', email)
    .executeTakeFirst();
  const result = await verifyPassword(input.password, row?.password_hash ?? undefined);
  if (!row || !result.ok || row.status !== 'active') {
    await recordLoginFailure(db, throttle);
    throw new LoginFailedError();
  }
  const mfaSecret = row.mfa_enabled_at ? row.mfa_secret : null;
  if (mfaSecret) {
    if (input.code === undefined || input.code.trim() === '') throw new MfaRequiredError();
    if (!(await consumeMfaCode(db, requireBox(box), row.id, mfaSecret, input.code))) {
      await recordLoginFailure(db, throttle);
      throw new MfaRequiredError();
    }
  }
  // One write records the sign-in and, when the hash parameters changed, the rehashed password.
  const fresh = result.needsRehash ? await hashPassword(input.password) : undefined;
  await db
    .updateTable('staff_user')
    .set({ last_login_at: sql`now()`, ...(fresh ? { password_hash: fresh } : {}) })
    .where('id', '=', row.id)
    .execute();
  const session = await openSession(db, { type: 'staff', id: row.id }, { ...client, mfaVerified: mfaSecret !== null });
  await recordLoginSuccess(db, throttle);
  return session;
}

export interface StaffProfile {
  id: string;
  email: string;
  name: string | null;
  role: { id: string; name: string };
  permissions: string[];
  /** Emailed when an item runs low or comes back in stock (needs `inventory:read` to take effect). */
  stockAlerts: boolean;
  /** Two-factor authentication (TOTP) is on for this member. */
  mfaEnabled: boolean;
}

export async function getStaffProfile(db: Db, staffId: string): Promise<StaffProfile> {
  const row = await db
    .selectFrom('staff_user as s')
    .innerJoin('role as r', 'r.id', 's.role_id')
    .select([
      's.id',
      's.email',
      's.name',
      's.stock_alerts',
      's.mfa_enabled_at',
      'r.id as role_id',
      'r.name as role_name',
      'r.permissions',
    ])
    .where('s.id', '=', staffId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Staff member', staffId);
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: { id: row.role_id, name: row.role_name },
    permissions: [...rolePermissions({ id: row.role_id, permissions: row.permissions })],
    stockAlerts: row.stock_alerts,
    mfaEnabled: row.mfa_enabled_at !== null,
  };
}

/**
 * A staff member's change to their own profile (today: the stock-alert opt-in). The audit row commits with the
 * change; setting the value it already has changes nothing and records nothing.
 */
export async function updateOwnProfile(
  db: Db,
  ctx: AuditContext,
  staffId: string,
  patch: { stockAlerts: boolean },
): Promise<StaffProfile> {
  await withTransaction(db, async (tx) => {
    const changed = await tx
      .updateTable('staff_user')
      .set({ stock_alerts: patch.stockAlerts, updated_at: sql`now()` })
      .where('id', '=', staffId)
      .where('stock_alerts', '<>', patch.stockAlerts)
      .returning('id')
      .executeTakeFirst();
    if (!changed) return;
    await recordAudit(tx, ctx, {
      action: 'staff.profile_updated',
      targetType: 'staff_user',
      targetId: staffId,
      changes: { stockAlerts: { from: !patch.stockAlerts, to: patch.stockAlerts } },
    });
  });
  return getStaffProfile(db, staffId);
}

/** "Sign out everywhere": ends every session of the member (this one too), audited with how many ended. */
export async function logoutStaffEverywhere(db: Db, staffId: string, audit: AuditContext): Promise<void> {
  await withTransaction(db, async (tx) => {
    const ended = await revokeAllSessions(tx, { type: 'staff', id: staffId });
    await recordAudit(tx, audit, {
      action: 'staff.sessions_revoked',
      targetType: 'staff_user',
      targetId: staffId,
      changes: { sessions: ended },
    });
  });
}
