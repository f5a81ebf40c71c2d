import { sql } from 'kysely';
import type { Db, Queryable } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { VersionMismatchError } from '../../platform/http/if-match.js';
import { newId } from '../../platform/ids.js';
import { type AuditContext, recordAudit } from './audit.js';
import { listAddresses } from './customers.addresses.service.js';
import { type AdminCustomerRow, findAdminCustomer, listCustomerRows, notesOf } from './customers.admin.repository.js';
import type {
  AdminCustomerDetailT,
  AdminCustomerSummaryT,
  CustomerListQueryT,
  CustomerNoteT,
  CustomerOrderStatsT,
  CustomerOrderSummaryT,
  CustomerPatchInput,
} from './customers.admin.schemas.js';
import { CustomerErasedError } from './customers.errors.js';
import { revokeAllSessions } from './sessions.js';

/**
 * Staff commands and reads on customers. Identity knows no order table: what staff see of a customer's orders
 * comes through `CustomerOrdersPort`, which the app wires to the orders module (identity stays a leaf).
 */

export interface CustomerOrdersPort {
  /** Order count, total spent per currency and last order time of each customer (missing → none). */
  stats(db: Queryable, customerIds: readonly string[]): Promise<Map<string, CustomerOrderStatsT>>;
  /** The customer's latest orders, newest first. */
  recent(db: Queryable, customerId: string, limit: number): Promise<CustomerOrderSummaryT[]>;
}

export interface CustomerAdminDeps {
  db: Db;
  orders: CustomerOrdersPort;
}

const noOrders: CustomerOrderStatsT = { orderCount: 0, totalSpent: [], lastOrderAt: null };

function summary(row: AdminCustomerRow, stats: CustomerOrderStatsT | undefined): AdminCustomerSummaryT {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    phone: row.phone,
    tags: row.tags,
    status: row.status,
    emailVerified: row.email_verified_at !== null,
    erased: row.erased_at !== null,
    createdAt: row.created_at.toISOString(),
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    orders: stats ?? noOrders,
  };
}

export async function listCustomersForStaff(
  deps: CustomerAdminDeps,
  query: CustomerListQueryT,
): Promise<{ data: AdminCustomerSummaryT[]; nextCursor: string | null }> {
  const page = await listCustomerRows(deps.db, query);
  const stats = await deps.orders.stats(
    deps.db,
    page.rows.map((r) => r.id),
  );
  return { data: page.rows.map((r) => summary(r, stats.get(r.id))), nextCursor: page.nextCursor };
}

export async function getCustomerForStaff(deps: CustomerAdminDeps, id: string): Promise<AdminCustomerDetailT> {
  const row = await findAdminCustomer(deps.db, id);
  if (!row) throw new NotFoundError('Customer', id);
  const [addresses, notes, stats, recentOrders] = await Promise.all([
    listAddresses(deps.db, id),
    notesOf(deps.db, id),
    deps.orders.stats(deps.db, [id]),
    deps.orders.recent(deps.db, id, 10),
  ]);
  return {
    ...summary(row, stats.get(id)),
    version: row.version,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    erasedAt: row.erased_at?.toISOString() ?? null,
    updatedAt: row.updated_at.toISOString(),
    addresses,
    notes: notes.map(
      (n): CustomerNoteT => ({
        id: n.id,
        body: n.body,
        author: { type: n.author_type, id: n.author_id, name: n.staff_name ?? n.email ?? null },
        createdAt: n.created_at.toISOString(),
      }),
    ),
    recentOrders,
  };
}

/** Names, phone and tags (If-Match `version`). The audit row names the changed fields, never their values. */
export async function updateCustomerForStaff(
  deps: CustomerAdminDeps,
  audit: AuditContext,
  id: string,
  expectedVersion: number,
  patch: CustomerPatchInput,
): Promise<AdminCustomerDetailT> {
  await withTransaction(deps.db, async (tx) => {
    const current = await tx
      .selectFrom('customer')
      .select(['version', 'erased_at'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new NotFoundError('Customer', id);
    if (current.version !== expectedVersion) throw new VersionMismatchError(current.version);
    if (current.erased_at !== null) throw new CustomerErasedError();
    const set: Record<string, unknown> = {};
    if (patch.firstName !== undefined) set.first_name = patch.firstName?.trim() || null;
    if (patch.lastName !== undefined) set.last_name = patch.lastName?.trim() || null;
    if (patch.phone !== undefined) set.phone = patch.phone?.trim() || null;
    if (patch.tags !== undefined) set.tags = sql`${[...new Set(patch.tags.map((t) => t.trim()))]}::text[]`;
    await tx
      .updateTable('customer')
      .set({ ...set, version: sql`version + 1`, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
    await recordAudit(tx, audit, {
      action: 'customer.updated',
      targetType: 'customer',
      targetId: id,
      changes: { fields: Object.keys(patch) },
    });
  });
  return getCustomerForStaff(deps, id);
}

/**
 * Disables or enables a customer. Disabling ends every session at once (the next request with one of their tokens
 * is 401) and login is refused from then on (`loginCustomer` reads the status under a share lock, so a login racing
 * this change either sees it or opens a session this revocation ends). Repeating either is a no-op.
 */
export async function setCustomerStatus(
  deps: CustomerAdminDeps,
  audit: AuditContext,
  id: string,
  status: 'enabled' | 'disabled',
): Promise<AdminCustomerDetailT> {
  await withTransaction(deps.db, async (tx) => {
    const row = await tx.selectFrom('customer').select(['status']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new NotFoundError('Customer', id);
    if (row.status === status) return;
    await tx
      .updateTable('customer')
      .set({
        status,
        disabled_at: status === 'disabled' ? sql`now()` : null,
        version: sql`version + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .execute();
    const ended = status === 'disabled' ? await revokeAllSessions(tx, { type: 'customer', id }) : 0;
    await recordAudit(tx, audit, {
      action: status === 'disabled' ? 'customer.disabled' : 'customer.enabled',
      targetType: 'customer',
      targetId: id,
      changes: status === 'disabled' ? { sessionsRevoked: ended } : {},
    });
  });
  return getCustomerForStaff(deps, id);
}

export async function addCustomerNote(
  deps: CustomerAdminDeps,
  audit: AuditContext,
  customerId: string,
  body: string,
): Promise<CustomerNoteT> {
  const id = newId('customerNote');
  await withTransaction(deps.db, async (tx) => {
    const exists = await tx.selectFrom('customer').select('id').where('id', '=', customerId).executeTakeFirst();
    if (!exists) throw new NotFoundError('Customer', customerId);
    await tx
      .insertInto('customer_note')
      .values({
        id,
        customer_id: customerId,
        body,
        author_type: audit.actorType === 'customer' ? 'system' : audit.actorType,
        author_id: audit.actorId,
      })
      .execute();
    await recordAudit(tx, audit, {
      action: 'customer.note_added',
      targetType: 'customer',
      targetId: customerId,
      changes: { noteId: id },
    });
  });
  const note = (await notesOf(deps.db, customerId)).find((n) => n.id === id);
  if (!note) throw new NotFoundError('Note', id);
  return {
    id: note.id,
    body: note.body,
    author: { type: note.author_type, id: note.author_id, name: note.staff_name ?? note.email ?? null },
    createdAt: note.created_at.toISOString(),
  };
}

export async function deleteCustomerNote(
  deps: CustomerAdminDeps,
  audit: AuditContext,
  customerId: string,
  noteId: string,
): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    const res = await tx
      .deleteFrom('customer_note')
      .where('id', '=', noteId)
      .where('customer_id', '=', customerId)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new NotFoundError('Note', noteId);
    await recordAudit(tx, audit, {
      action: 'customer.note_deleted',
      targetType: 'customer',
      targetId: customerId,
      changes: { noteId },
    });
  });
}
