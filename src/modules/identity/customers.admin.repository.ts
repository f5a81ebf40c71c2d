import { type Selectable, sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import { ValidationError } from '../../platform/errors.js';
import type { CustomerListQueryT, CustomerSortT } from './customers.admin.schemas.js';
import type { CustomerTable } from './identity.tables.js';
import './identity.tables.js';

/** Staff reads of customers: the filtered, sorted list (keyset paging, one statement a page) and one row. */

export const adminColumns = [
  'id',
  'email',
  'email_normalized',
  'first_name',
  'last_name',
  'phone',
  'tags',
  'status',
  'email_verified_at',
  'disabled_at',
  'last_login_at',
  'erased_at',
  'version',
  'created_at',
  'updated_at',
  'name_key',
] as const;

export type AdminCustomerRow = Pick<Selectable<CustomerTable>, (typeof adminColumns)[number]>;

/** The sort key of a row for a sort order; the cursor carries it with the id (ties broken by id). */
type CursorKey = [sort: CustomerSortT, key: string | boolean | null, name: string | null, id: string];

export function encodeCursor(sort: CustomerSortT, row: AdminCustomerRow): string {
  const key: CursorKey =
    sort === 'email'
      ? [sort, row.email_normalized, null, row.id]
      : sort === 'name'
        ? [sort, row.name_key === '', row.name_key, row.id]
        : [sort, null, null, row.id];
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string, sort: CustomerSortT): CursorKey {
  const bad = () =>
    new ValidationError(
      [{ path: '/query/cursor', message: 'is not a cursor of this list and sort order' }],
      'Send the `nextCursor` of the previous page, with the same sort.',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== sort || typeof parsed[3] !== 'string') throw bad();
  if (sort === 'email' && typeof parsed[1] !== 'string') throw bad();
  if (sort === 'name' && (typeof parsed[1] !== 'boolean' || typeof parsed[2] !== 'string')) throw bad();
  return parsed as CursorKey;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * One page of customers. Search is a case-insensitive substring of the email, the name ("first last") or the
 * phone, answered by the trigram index on `search_text`; sorts walk their own index with a keyset cursor.
 */
export async function listCustomerRows(
  db: Queryable,
  query: CustomerListQueryT,
): Promise<{ rows: AdminCustomerRow[]; nextCursor: string | null }> {
  const sort = query.sort ?? 'newest';
  let q = db
    .selectFrom('customer')
    .select(adminColumns)
    .limit(query.limit + 1);
  const text = query.q?.trim().toLowerCase();
  if (text) q = q.where('search_text', 'like', `%${escapeLike(text)}%`);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.tag) q = q.where('tags', '@>', sql<string[]>`array[${query.tag}]::text[]`);
  if (query.createdFrom) q = q.where('created_at', '>=', new Date(query.createdFrom));
  if (query.createdTo) q = q.where('created_at', '<', new Date(query.createdTo));
  if (query.erased !== undefined) q = q.where('erased_at', query.erased ? 'is not' : 'is', null);
  const c = query.cursor ? decodeCursor(query.cursor, sort) : undefined;
  switch (sort) {
    case 'newest':
      // Ids are time-sortable: newest first is id order, on the primary key.
      if (c) q = q.where('id', '<', c[3]);
      q = q.orderBy('id', 'desc');
      break;
    case 'oldest':
      if (c) q = q.where('id', '>', c[3]);
      q = q.orderBy('id', 'asc');
      break;
    case 'email':
      if (c) q = q.where(sql<boolean>`(email_normalized, id) > (${c[1]}, ${c[3]})`);
      q = q.orderBy('email_normalized', 'asc').orderBy('id', 'asc');
      break;
    case 'name':
      // Named customers first, A→Z; then those without a name (their key is empty).
      if (c) q = q.where(sql<boolean>`((name_key = ''), name_key, id) > (${c[1]}::boolean, ${c[2]}, ${c[3]})`);
      q = q.orderBy(sql`(name_key = '')`).orderBy('name_key', 'asc').orderBy('id', 'asc');
      break;
  }
  const rows = await q.execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > query.limit && last ? encodeCursor(sort, last) : null };
}

export function findAdminCustomer(db: Queryable, id: string): Promise<AdminCustomerRow | undefined> {
  return db.selectFrom('customer').select(adminColumns).where('id', '=', id).executeTakeFirst();
}

/** A customer's notes, oldest first, with the staff author's name (or email) when the author is staff. */
export function notesOf(db: Queryable, customerId: string) {
  return db
    .selectFrom('customer_note as n')
    .leftJoin('staff_user as s', (j) => j.onRef('s.id', '=', 'n.author_id').on('n.author_type', '=', 'staff'))
    .select(['n.id', 'n.body', 'n.author_type', 'n.author_id', 'n.created_at', 's.name as staff_name', 's.email'])
    .where('n.customer_id', '=', customerId)
    .orderBy('n.id', 'asc')
    .execute();
}
