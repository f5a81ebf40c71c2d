import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import { newId } from '../../platform/ids.js';
import { hashToken, newToken, type TokenKind } from './tokens.js';

export type TokenPurpose = 'email_verification' | 'password_reset' | 'staff_invite';

declare module '../../platform/db/database.js' {
  interface Database {
    one_time_token: {
      id: string;
      purpose: TokenPurpose;
      subject_type: string;
      subject_id: string;
      token_hash: string;
      expires_at: Date;
      used_at: Date | null;
      created_at: Date;
    };
  }
}

export interface TokenSubject {
  type: string;
  id: string;
}

const kindOf: Record<TokenPurpose, TokenKind> = {
  email_verification: 'vrf',
  password_reset: 'rst',
  staff_invite: 'inv',
};

/** Issues a one-time token for `subject`, valid `ttlSeconds`; only its hash is stored. Returns the token. */
export async function issueToken(
  tx: Queryable,
  purpose: TokenPurpose,
  subject: TokenSubject,
  ttlSeconds: number,
): Promise<string> {
  const token = newToken(kindOf[purpose]);
  await tx
    .insertInto('one_time_token')
    .values({
      id: newId('token'),
      purpose,
      subject_type: subject.type,
      subject_id: subject.id,
      token_hash: hashToken(token),
      expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})`,
      used_at: null,
      created_at: sql<Date>`now()`,
    })
    .execute();
  return token;
}

/**
 * Consumes a token: one conditional update, so of two concurrent attempts exactly one wins.
 * Unknown, used, expired or other-purpose tokens → `null`.
 */
export async function consumeToken(tx: Queryable, purpose: TokenPurpose, token: string): Promise<TokenSubject | null> {
  const row = await tx
    .updateTable('one_time_token')
    .set({ used_at: sql<Date>`now()` })
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning(['subject_type', 'subject_id'])
    .executeTakeFirst();
  return row ? { type: row.subject_type, id: row.subject_id } : null;
}
