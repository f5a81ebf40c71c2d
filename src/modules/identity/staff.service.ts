import type { Db } from '../../platform/db/database.js';
import { UniqueViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { type AuditContext, recordAudit, systemActor } from './audit.js';
import './identity.tables.js';
import { assertPasswordPolicy, hashPassword, verifyPassword } from './passwords.js';
import { rolePermissions } from './permissions.js';
import { type NewSession, openSession } from './sessions.js';

/** Login failures all look alike: unknown email, wrong password and disabled account. */
export class StaffLoginFailedError extends AppError {
  constructor() {
    super(401, 'INVALID_CREDENTIALS', 'Invalid credentials', { detail: 'The email or password is wrong.' });
  }
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
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
      throw new ConflictError('EMAIL_TAKEN', 'A staff member with this email already exists.');
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
 * TODO(mfa): when the account has MFA enabled, require `code` and answer 401 MFA_REQUIRED without it.
 */
export async function loginStaff(
  db: Db,
  input: { email: string; password: string },
  client: { ip?: string | null; userAgent?: string | null } = {},
): Promise<NewSession> {
  const row = await db
    .selectFrom('staff_user')
    .select(['id', 'password_hash', 'status'])
    .where('email_normalized', '=', normalizeEmail(input.email))
    .executeTakeFirst();
  const result = await verifyPassword(input.password, row?.password_hash ?? undefined);
  if (!row || !result.ok || row.status !== 'active') throw new StaffLoginFailedError();
  if (result.needsRehash) {
    const fresh = await hashPassword(input.password);
    await db.updateTable('staff_user').set({ password_hash: fresh }).where('id', '=', row.id).execute();
  }
  return openSession(db, { type: 'staff', id: row.id }, client);
}

export interface StaffProfile {
  id: string;
  email: string;
  name: string | null;
  role: { id: string; name: string };
  permissions: string[];
}

export async function getStaffProfile(db: Db, staffId: string): Promise<StaffProfile> {
  const row = await db
    .selectFrom('staff_user as s')
    .innerJoin('role as r', 'r.id', 's.role_id')
    .select(['s.id', 's.email', 's.name', 'r.id as role_id', 'r.name as role_name', 'r.permissions'])
    .where('s.id', '=', staffId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Staff member', staffId);
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: { id: row.role_id, name: row.role_name },
    permissions: [...rolePermissions({ id: row.role_id, permissions: row.permissions })],
  };
}
