import type { Db, Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { type AuditContext, recordAudit } from './audit.js';
import { InvalidTokenError } from './identity.errors.js';
import type { SubjectType } from './identity.tables.js';
import { consumeToken } from './one-time-tokens.js';
import { assertPasswordPolicy, hashPassword } from './passwords.js';
import { revokeAllSessions } from './sessions.js';

/**
 * Completes a password reset for a customer or a staff member: checks the policy and hashes
 * before the transaction, then in one transaction consumes the single-use token, sets the hash
 * (`setHash` answers false when the account can no longer be reset), ends every session of the
 * account and writes the audit row. Any bad token → 400 `INVALID_TOKEN`, and nothing changes.
 */
export async function resetPasswordWithToken(
  db: Db,
  input: { token: string; password: string },
  audit: AuditContext,
  account: {
    type: SubjectType;
    /** Audit target type: `customer` or `staff_user`. */
    targetType: string;
    setHash: (tx: Tx, id: string, hash: string) => Promise<boolean>;
  },
): Promise<void> {
  assertPasswordPolicy(input.password, '/body/password');
  const passwordHash = await hashPassword(input.password);
  await withTransaction(db, async (tx) => {
    const subject = await consumeToken(tx, 'password_reset', input.token);
    // A token of the other kind of account is refused (the rollback keeps it usable).
    if (subject?.type !== account.type) throw new InvalidTokenError();
    if (!(await account.setHash(tx, subject.id, passwordHash))) throw new InvalidTokenError();
    const ended = await revokeAllSessions(tx, { type: account.type, id: subject.id });
    await recordAudit(
      tx,
      { ...audit, actorType: account.type, actorId: subject.id },
      {
        action: `${account.type}.password_reset`,
        targetType: account.targetType,
        targetId: subject.id,
        changes: { sessionsRevoked: ended },
      },
    );
  });
}
