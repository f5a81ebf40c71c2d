import type { Queryable } from '../../platform/db/database.js';
import type { CustomerView } from './customers.schemas.js';
import { toCustomerView } from './customers.service.js';
import './identity.tables.js';

/**
 * Customers by id in one statement (webhook rendering of a batch of events), in the shape
 * `GET /v1/store/customers/me` answers (there is no staff view of customers yet). Missing ids are left out.
 */
export async function customerViews(db: Queryable, ids: readonly string[]): Promise<CustomerView[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('customer')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
  return rows.map(toCustomerView);
}
