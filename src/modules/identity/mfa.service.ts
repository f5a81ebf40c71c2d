import { sql } from 'kysely';
import type { SecretBox } from '../../platform/crypto/secret-box.js';
import type { Db, Queryable } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import { type AuditContext, recordAudit } from './audit.js';
import './identity.tables.js';
import { InvalidMfaCodeError, MfaUnavailableError } from './mfa.errors.js';
import { revokeAllSessions } from './sessions.js';
import { hashRecoveryCode, newRecoveryCodes, newTotpSecret, otpauthUri, verifyTotp } from './totp.js';

/**
 * Staff TOTP enrolment and verification. Secrets are stored sealed with the staff id as AAD; a TOTP
 * code is accepted only for a time step after the last accepted one, checked and recorded in the
 * same statement, and a recovery code is marked used in the statement that accepts it.
 */
export const mfaIssuer = 'Backroom';

export function requireBox(box: SecretBox | undefined): SecretBox {
  if (!box) throw new MfaUnavailableError();
  return box;
}

/**
 * Accepts a 6-digit TOTP code (step > last used step) or an unused recovery code, consuming it.
 * Returns false when it is wrong, replayed or already used.
 */
export async function consumeMfaCode(
  db: Queryable,
  box: SecretBox,
  staffId: string,
  sealedSecret: string,
  code: string,
): Promise<boolean> {
  const trimmed = code.trim();
  if (/^\d{6}$/.test(trimmed)) {
    const step = verifyTotp(box.open(sealedSecret, staffId), trimmed);
    if (step === null) return false;
    const accepted = await db
      .updateTable('staff_user')
      .set({ mfa_last_step: step })
      .where('id', '=', staffId)
      .where((eb) => eb.or([eb('mfa_last_step', 'is', null), eb('mfa_last_step', '<', sql<string>`${step}`)]))
      .returning('id')
      .executeTakeFirst();
    return accepted !== undefined;
  }
  if (trimmed.length === 0 || trimmed.length > 64) return false;
  const used = await db
    .updateTable('staff_mfa_recovery_code')
    .set({ used_at: sql`now()` })
    .where('staff_id', '=', staffId)
    .where('code_hash', '=', hashRecoveryCode(trimmed))
    .where('used_at', 'is', null)
    .returning('staff_id')
    .executeTakeFirst();
  return used !== undefined;
}

async function staffMfaRow(db: Queryable, staffId: string) {
  const row = await db
    .selectFrom('staff_user')
    .select(['id', 'email', 'mfa_secret', 'mfa_enabled_at', 'mfa_pending_secret'])
    .where('id', '=', staffId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Staff member', staffId);
  return row;
}

/** Starts (or restarts) enrolment: a fresh secret, stored sealed as pending until confirmed. */
export async function startMfaEnrolment(
  db: Db,
  box: SecretBox | undefined,
  staffId: string,
): Promise<{ secret: string; otpauthUri: string }> {
  const sealer = requireBox(box);
  const row = await staffMfaRow(db, staffId);
  if (row.mfa_enabled_at) throw new ConflictError('MFA_ALREADY_ENABLED', 'Two-factor authentication is already on.');
  const secret = newTotpSecret();
  await db
    .updateTable('staff_user')
    .set({ mfa_pending_secret: sealer.seal(secret, staffId), updated_at: sql`now()` })
    .where('id', '=', staffId)
    .where('mfa_enabled_at', 'is', null)
    .execute();
  return { secret, otpauthUri: otpauthUri(secret, row.email, mfaIssuer) };
}

/** Confirms enrolment with a code from the app; returns the recovery codes (shown once, stored hashed). */
export async function confirmMfaEnrolment(
  db: Db,
  box: SecretBox | undefined,
  input: { staffId: string; sessionId: string; code: string },
  ctx: AuditContext,
): Promise<{ recoveryCodes: string[] }> {
  const sealer = requireBox(box);
  const { staffId } = input;
  const row = await staffMfaRow(db, staffId);
  if (row.mfa_enabled_at) throw new ConflictError('MFA_ALREADY_ENABLED', 'Two-factor authentication is already on.');
  const pending = row.mfa_pending_secret;
  if (!pending) throw new ConflictError('MFA_NOT_STARTED', 'Start enrolment with POST /v1/admin/staff/me/mfa first.');
  const step = verifyTotp(sealer.open(pending, staffId), input.code.trim());
  if (step === null) throw new InvalidMfaCodeError();
  const codes = newRecoveryCodes();
  await withTransaction(db, async (tx) => {
    const done = await tx
      .updateTable('staff_user')
      .set({
        mfa_secret: pending,
        mfa_pending_secret: null,
        mfa_enabled_at: sql`now()`,
        mfa_last_step: step,
        updated_at: sql`now()`,
      })
      .where('id', '=', staffId)
      .where('mfa_enabled_at', 'is', null)
      .where('mfa_pending_secret', '=', pending)
      .returning('id')
      .executeTakeFirst();
    if (!done) throw new ConflictError('MFA_ENROLMENT_CHANGED', 'The enrolment changed meanwhile; start again.');
    await tx.deleteFrom('staff_mfa_recovery_code').where('staff_id', '=', staffId).execute();
    await tx
      .insertInto('staff_mfa_recovery_code')
      .values(codes.map((c) => ({ staff_id: staffId, code_hash: hashRecoveryCode(c) })))
      .execute();
    // The session that enrolled just proved possession of the secret; every other session of this
    // member was opened with the password alone, so it ends.
    await tx.updateTable('auth_session').set({ mfa_verified: true }).where('id', '=', input.sessionId).execute();
    await revokeAllSessions(tx, { type: 'staff', id: staffId }, input.sessionId);
    await recordAudit(tx, ctx, { action: 'staff.mfa_enabled', targetType: 'staff_user', targetId: staffId });
  });
  return { recoveryCodes: codes };
}

/** Turns MFA off; needs a fresh code (or an unused recovery code). Recovery codes are deleted. */
export async function disableMfa(
  db: Db,
  box: SecretBox | undefined,
  input: { staffId: string; code: string },
  ctx: AuditContext,
): Promise<void> {
  const sealer = requireBox(box);
  const { staffId } = input;
  await withTransaction(db, async (tx) => {
    const row = await staffMfaRow(tx, staffId);
    if (!row.mfa_enabled_at || !row.mfa_secret) {
      throw new ConflictError('MFA_NOT_ENABLED', 'Two-factor authentication is not on.');
    }
    if (!(await consumeMfaCode(tx, sealer, staffId, row.mfa_secret, input.code))) throw new InvalidMfaCodeError();
    await tx
      .updateTable('staff_user')
      .set({ mfa_secret: null, mfa_enabled_at: null, mfa_pending_secret: null, updated_at: sql`now()` })
      .where('id', '=', staffId)
      .execute();
    await tx.deleteFrom('staff_mfa_recovery_code').where('staff_id', '=', staffId).execute();
    await recordAudit(tx, ctx, { action: 'staff.mfa_disabled', targetType: 'staff_user', targetId: staffId });
  });
}

/**
 * New recovery codes for a member with MFA on: needs a current code (or an unused recovery code); every earlier
 * recovery code stops working. The new codes are returned once and stored hashed.
 */
export async function regenerateRecoveryCodes(
  db: Db,
  box: SecretBox | undefined,
  input: { staffId: string; code: string },
  ctx: AuditContext,
): Promise<{ recoveryCodes: string[] }> {
  const sealer = requireBox(box);
  const { staffId } = input;
  const codes = newRecoveryCodes();
  await withTransaction(db, async (tx) => {
    const row = await staffMfaRow(tx, staffId);
    if (!row.mfa_enabled_at || !row.mfa_secret) {
      throw new ConflictError('MFA_NOT_ENABLED', 'Two-factor authentication is not on.');
    }
    if (!(await consumeMfaCode(tx, sealer, staffId, row.mfa_secret, input.code))) throw new InvalidMfaCodeError();
    await tx.deleteFrom('staff_mfa_recovery_code').where('staff_id', '=', staffId).execute();
    await tx
      .insertInto('staff_mfa_recovery_code')
      .values(codes.map((c) => ({ staff_id: staffId, code_hash: hashRecoveryCode(c) })))
      .execute();
    await recordAudit(tx, ctx, {
      action: 'staff.mfa_recovery_codes_regenerated',
      targetType: 'staff_user',
      targetId: staffId,
    });
  });
  return { recoveryCodes: codes };
}
