import { sql } from 'kysely';
import type { Database, Db, Queryable, Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { AddressCreateInput, AddressUpdateInput, AddressView } from './customers.addresses.schemas.js';

/**
 * The customer's address book. Every query is scoped to the signed-in customer, so another
 * customer's address id is simply not found (404, never 403).
 */

declare module '../../platform/db/database.js' {
  interface Database {
    customer_address: {
      id: string;
      customer_id: string;
      first_name: string;
      last_name: string;
      company: string | null;
      line1: string;
      line2: string | null;
      city: string;
      postal_code: string;
      region: string | null;
      country_code: string;
      phone: string | null;
      is_default_shipping: boolean;
      is_default_billing: boolean;
      created_at: Date;
      updated_at: Date;
    };
  }
}

const columns = [
  'id',
  'first_name',
  'last_name',
  'company',
  'line1',
  'line2',
  'city',
  'postal_code',
  'region',
  'country_code',
  'phone',
  'is_default_shipping',
  'is_default_billing',
  'created_at',
] as const;

/** Exactly the selected columns, typed from the table. */
type AddressRow = Pick<Database['customer_address'], (typeof columns)[number]>;

function toView(r: AddressRow): AddressView {
  return {
    id: r.id,
    firstName: r.first_name,
    lastName: r.last_name,
    company: r.company,
    line1: r.line1,
    line2: r.line2,
    city: r.city,
    postalCode: r.postal_code,
    region: r.region,
    countryCode: r.country_code,
    phone: r.phone,
    isDefaultShipping: r.is_default_shipping,
    isDefaultBilling: r.is_default_billing,
    createdAt: r.created_at.toISOString(),
  };
}

export async function listAddresses(db: Queryable, customerId: string): Promise<AddressView[]> {
  const rows = await db
    .selectFrom('customer_address')
    .select(columns)
    .where('customer_id', '=', customerId)
    .orderBy('id')
    .execute();
  return rows.map(toView);
}

/**
 * Locks the customer row (serializes default changes of one customer) and clears the defaults the
 * new or updated address takes over.
 */
async function takeDefaults(
  tx: Tx,
  customerId: string,
  input: { isDefaultShipping?: boolean | undefined; isDefaultBilling?: boolean | undefined },
): Promise<void> {
  await tx.selectFrom('customer').select('id').where('id', '=', customerId).forUpdate().execute();
  if (input.isDefaultShipping === true) {
    await tx
      .updateTable('customer_address')
      .set({ is_default_shipping: false, updated_at: sql`now()` })
      .where('customer_id', '=', customerId)
      .where('is_default_shipping', '=', true)
      .execute();
  }
  if (input.isDefaultBilling === true) {
    await tx
      .updateTable('customer_address')
      .set({ is_default_billing: false, updated_at: sql`now()` })
      .where('customer_id', '=', customerId)
      .where('is_default_billing', '=', true)
      .execute();
  }
}

export async function createAddress(db: Db, customerId: string, input: AddressCreateInput): Promise<AddressView> {
  const row = await withTransaction(db, async (tx) => {
    await takeDefaults(tx, customerId, input);
    return tx
      .insertInto('customer_address')
      .values({
        id: newId('address'),
        customer_id: customerId,
        first_name: input.firstName,
        last_name: input.lastName,
        company: input.company ?? null,
        line1: input.line1,
        line2: input.line2 ?? null,
        city: input.city,
        postal_code: input.postalCode,
        region: input.region ?? null,
        country_code: input.countryCode,
        phone: input.phone ?? null,
        is_default_shipping: input.isDefaultShipping ?? false,
        is_default_billing: input.isDefaultBilling ?? false,
        created_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
  });
  return toView(row);
}

export async function updateAddress(
  db: Db,
  customerId: string,
  id: string,
  input: AddressUpdateInput,
): Promise<AddressView> {
  const row = await withTransaction(db, async (tx) => {
    await takeDefaults(tx, customerId, input);
    const patch: Partial<Omit<AddressRow, 'id' | 'created_at'>> = {};
    if (input.firstName !== undefined) patch.first_name = input.firstName;
    if (input.lastName !== undefined) patch.last_name = input.lastName;
    if (input.company !== undefined) patch.company = input.company;
    if (input.line1 !== undefined) patch.line1 = input.line1;
    if (input.line2 !== undefined) patch.line2 = input.line2;
    if (input.city !== undefined) patch.city = input.city;
    if (input.postalCode !== undefined) patch.postal_code = input.postalCode;
    if (input.region !== undefined) patch.region = input.region;
    if (input.countryCode !== undefined) patch.country_code = input.countryCode;
    if (input.phone !== undefined) patch.phone = input.phone;
    if (input.isDefaultShipping !== undefined) patch.is_default_shipping = input.isDefaultShipping;
    if (input.isDefaultBilling !== undefined) patch.is_default_billing = input.isDefaultBilling;
    const updated = await tx
      .updateTable('customer_address')
      .set({ ...patch, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('customer_id', '=', customerId)
      .returning(columns)
      .executeTakeFirst();
    // Not found: throwing rolls back the cleared defaults too.
    if (!updated) throw new NotFoundError('Address', id);
    return updated;
  });
  return toView(row);
}

export async function deleteAddress(db: Db, customerId: string, id: string): Promise<void> {
  const res = await db
    .deleteFrom('customer_address')
    .where('id', '=', id)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError('Address', id);
}
