import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { NotFoundError } from '../../platform/errors.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import { listAddresses } from './customers.addresses.service.js';
import { notesOf } from './customers.admin.repository.js';
import { ErasureNotConfirmedError } from './customers.errors.js';
import { normalizeEmail } from './email.js';
import { throttleKeys } from './login-throttle.js';

/**
 * Identity's part of the two privacy requests (the `privacy` module runs every module's part in one transaction):
 * what identity holds about a customer, and erasing it. Each function touches identity's tables only.
 */

/** The email an erased customer's record carries instead of theirs (`.invalid` is reserved: it can never be mailed). */
export const erasedEmail = (customerId: string) => `erased-${customerId}@erased.invalid`;

const iso = (d: Date | null) => d?.toISOString() ?? null;

export interface CustomerIdentityExport {
  profile: {
    id: string;
    email: string;
    firstName: string | null;
    lastName: string | null;
    phone: string | null;
    tags: string[];
    status: string;
    emailVerifiedAt: string | null;
    createdAt: string;
    updatedAt: string;
    lastLoginAt: string | null;
    disabledAt: string | null;
    erasedAt: string | null;
  };
  /** What the email and its consents look like: the verification state (no marketing consent is stored yet). */
  consents: { emailVerified: boolean; marketing: null };
  addresses: unknown[];
  notes: { id: string; body: string; authorType: string; authorId: string | null; createdAt: string }[];
  /** Sign-ins: times, network address and browser; never the token or its hash. */
  sessions: {
    id: string;
    createdAt: string;
    lastSeenAt: string;
    expiresAt: string;
    revokedAt: string | null;
    ip: string | null;
    userAgent: string | null;
  }[];
  /** Single-use links sent to them (verification, password reset): when and for what; never the token. */
  oneTimeTokens: { purpose: string; createdAt: string; expiresAt: string; usedAt: string | null }[];
}

/** Everything identity holds about a customer, in `tx` (one snapshot with the other modules' parts). @throws 404 */
export async function exportCustomerIdentity(tx: Tx, customerId: string): Promise<CustomerIdentityExport> {
  const c = await tx.selectFrom('customer').selectAll().where('id', '=', customerId).executeTakeFirst();
  if (!c) throw new NotFoundError('Customer', customerId);
  const [addresses, notes, sessions, tokens] = await Promise.all([
    listAddresses(tx, customerId),
    notesOf(tx, customerId),
    tx
      .selectFrom('auth_session')
      .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'revoked_at', 'ip', 'user_agent'])
      .where('subject_type', '=', 'customer')
      .where('subject_id', '=', customerId)
      .orderBy('created_at')
      .execute(),
    tx
      .selectFrom('one_time_token')
      .select(['purpose', 'created_at', 'expires_at', 'used_at'])
      .where('subject_type', '=', 'customer')
      .where('subject_id', '=', customerId)
      .orderBy('created_at')
      .execute(),
  ]);
  return {
    profile: {
      id: c.id,
      email: c.email,
      firstName: c.first_name,
      lastName: c.last_name,
      phone: c.phone,
      tags: c.tags,
      status: c.status,
      emailVerifiedAt: iso(c.email_verified_at),
      createdAt: c.created_at.toISOString(),
      updatedAt: c.updated_at.toISOString(),
      lastLoginAt: iso(c.last_login_at),
      disabledAt: iso(c.disabled_at),
      erasedAt: iso(c.erased_at),
    },
    consents: { emailVerified: c.email_verified_at !== null, marketing: null },
    addresses,
    notes: notes.map((n) => ({
      id: n.id,
      body: n.body,
      authorType: n.author_type,
      authorId: n.author_id,
      createdAt: n.created_at.toISOString(),
    })),
    sessions: sessions.map((s) => ({
      id: s.id,
      createdAt: s.created_at.toISOString(),
      lastSeenAt: s.last_seen_at.toISOString(),
      expiresAt: s.expires_at.toISOString(),
      revokedAt: iso(s.revoked_at),
      ip: s.ip,
      userAgent: s.user_agent,
    })),
    oneTimeTokens: tokens.map((t) => ({
      purpose: t.purpose,
      createdAt: t.created_at.toISOString(),
      expiresAt: t.expires_at.toISOString(),
      usedAt: iso(t.used_at),
    })),
  };
}

export interface IdentityErasure {
  /** Already erased before this call: nothing was changed. */
  alreadyErased: boolean;
  /** The email the customer had (normalized), so the other modules can find guest orders and carts made with it. */
  formerEmail: string | null;
  counts: { addresses: number; notes: number; sessions: number; tokens: number };
}

/**
 * Erases identity's personal data of a customer, in `tx`: locks the row, checks `confirm` against the current email
 * (422 `ERASURE_NOT_CONFIRMED`), then replaces email and names with placeholders, clears phone, tags and the password
 * hash, deletes addresses, notes, sessions, one-time tokens and the login-throttle counter of the email, and appends
 * `customer.erased`. The row stays (orders and the audit log keep its id). A second call changes nothing.
 * @throws 404 unknown id, 422 wrong confirmation
 */
export async function eraseCustomerIdentity(tx: Tx, customerId: string, confirm: string): Promise<IdentityErasure> {
  const c = await tx
    .selectFrom('customer')
    .select(['email_normalized', 'erased_at'])
    .where('id', '=', customerId)
    .forUpdate()
    .executeTakeFirst();
  if (!c) throw new NotFoundError('Customer', customerId);
  const none = { addresses: 0, notes: 0, sessions: 0, tokens: 0 };
  // Idempotent: the email to type is gone, so a repeat is answered without a confirmation and changes nothing.
  if (c.erased_at !== null) return { alreadyErased: true, formerEmail: null, counts: none };
  if (normalizeEmail(confirm) !== c.email_normalized) throw new ErasureNotConfirmedError();
  const placeholder = erasedEmail(customerId);
  await tx
    .updateTable('customer')
    .set({
      email: placeholder,
      email_normalized: placeholder,
      first_name: null,
      last_name: null,
      phone: null,
      tags: sql`'{}'::text[]`,
      password_hash: null,
      email_verified_at: null,
      status: 'disabled',
      disabled_at: sql`coalesce(disabled_at, now())`,
      erased_at: sql`now()`,
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', customerId)
    .execute();
  const count = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
  const addresses = count(
    await tx.deleteFrom('customer_address').where('customer_id', '=', customerId).executeTakeFirst(),
  );
  const notes = count(await tx.deleteFrom('customer_note').where('customer_id', '=', customerId).executeTakeFirst());
  const sessions = count(
    await tx
      .deleteFrom('auth_session')
      .where('subject_type', '=', 'customer')
      .where('subject_id', '=', customerId)
      .executeTakeFirst(),
  );
  const tokens = count(
    await tx
      .deleteFrom('one_time_token')
      .where('subject_type', '=', 'customer')
      .where('subject_id', '=', customerId)
      .executeTakeFirst(),
  );
  await tx
    .deleteFrom('login_throttle')
    .where('key', '=', throttleKeys('customer', c.email_normalized, '').account)
    .execute();
  await appendEvent(tx, { type: 'customer.erased', aggregateId: customerId, payload: { customerId } });
  return { alreadyErased: false, formerEmail: c.email_normalized, counts: { addresses, notes, sessions, tokens } };
}
