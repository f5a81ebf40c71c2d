import { sql } from 'kysely';
import type { Db, Queryable } from '../../platform/db/database.js';
import { newId } from '../../platform/ids.js';
import { sessionTtl } from './auth.plugin.js';
import type { SubjectType } from './identity.tables.js';
import { hashToken, newToken } from './tokens.js';

export interface NewSession {
  token: string;
  expiresAt: Date;
}

/** Opens a session: the token is returned once and only its hash is stored. */
export async function openSession(
  db: Queryable,
  subject: { type: SubjectType; id: string },
  client: { ip?: string | null; userAgent?: string | null; mfaVerified?: boolean } = {},
): Promise<NewSession> {
  const token = newToken('sess');
  const row = await db
    .insertInto('auth_session')
    .values({
      id: newId('session'),
      token_hash: hashToken(token),
      subject_type: subject.type,
      subject_id: subject.id,
      ip: client.ip ?? null,
      user_agent: client.userAgent?.slice(0, 300) ?? null,
      mfa_verified: client.mfaVerified ?? false,
      expires_at: sql<Date>`now() + make_interval(secs => ${sessionTtl[subject.type]})`,
    })
    .returning('expires_at')
    .executeTakeFirstOrThrow();
  return { token, expiresAt: row.expires_at };
}

export async function revokeSession(db: Db, sessionId: string): Promise<void> {
  await db
    .updateTable('auth_session')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Ends every session of a subject, optionally keeping one (the caller's, after a password change). */
export async function revokeAllSessions(
  db: Queryable,
  subject: { type: SubjectType; id: string },
  exceptSessionId?: string,
): Promise<number> {
  let q = db
    .updateTable('auth_session')
    .set({ revoked_at: sql`now()` })
    .where('subject_type', '=', subject.type)
    .where('subject_id', '=', subject.id)
    .where('revoked_at', 'is', null);
  if (exceptSessionId) q = q.where('id', '<>', exceptSessionId);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}
