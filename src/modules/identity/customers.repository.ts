import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import { normalizeEmail } from './email.js';
import './identity.tables.js';

const columns = ['id', 'email', 'first_name', 'last_name', 'email_verified_at', 'created_at'] as const;

export interface CustomerRow {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  email_verified_at: Date | null;
  created_at: Date;
}

/** Trimmed and lower-cased: the unique key, so `A@x.io ` and `a@x.io` are one account. */

export function findCustomerById(db: Queryable, id: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customer').select(columns).where('id', '=', id).executeTakeFirst();
}

export function findCredentialsByEmail(
  db: Queryable,
  emailNormalized: string,
): Promise<{ id: string; password_hash: string | null } | undefined> {
  return db
    .selectFrom('customer')
    .select(['id', 'password_hash'])
    .where('email_normalized', '=', emailNormalized)
    .executeTakeFirst();
}

export function credentialsOf(db: Queryable, id: string) {
  return db
    .selectFrom('customer')
    .select(['password_hash', 'email_normalized'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export function insertCustomer(
  db: Queryable,
  values: {
    id: string;
    email: string;
    passwordHash: string;
    firstName: string | null;
    lastName: string | null;
  },
): Promise<CustomerRow> {
  return db
    .insertInto('customer')
    .values({
      id: values.id,
      email: values.email,
      email_normalized: normalizeEmail(values.email),
      password_hash: values.passwordHash,
      first_name: values.firstName,
      last_name: values.lastName,
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
}

export function updateCustomerNames(
  db: Queryable,
  id: string,
  patch: { first_name?: string | null; last_name?: string | null },
): Promise<CustomerRow | undefined> {
  return db
    .updateTable('customer')
    .set({ ...patch, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .returning(columns)
    .executeTakeFirst();
}

export async function setPasswordHash(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db
    .updateTable('customer')
    .set({ password_hash: passwordHash, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}
