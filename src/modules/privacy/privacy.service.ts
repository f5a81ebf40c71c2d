import { listAuditLog } from '../../platform/audit/audit-log.js';
import type { Db, Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { eraseNotificationsTo, notificationsTo } from '../../platform/notifications/privacy.js';
import { redactEventEmails } from '../../platform/outbox/privacy.js';
import { eraseCustomerCarts, exportCustomerCarts } from '../checkout/index.js';
import {
  type AuditContext,
  eraseCustomerIdentity,
  erasedEmail,
  exportCustomerIdentity,
  recordAudit,
} from '../identity/index.js';
import { eraseCustomerOrders, exportCustomerOrders } from '../orders/index.js';
import { erasePayments, exportPayments } from '../payments/index.js';

/**
 * The two privacy requests a shop must answer, for one customer: export everything held about them, and erase their
 * personal data. Each module contributes its own part through its public API (each changes only its own tables);
 * this module only orders the calls inside ONE transaction, so an export is one consistent snapshot and an erase
 * happens completely or not at all.
 */

export const EXPORT_FORMAT = 'backroom.customer-export/1';

const normalized = (email: string) => email.trim().toLowerCase();

/** Audit rows about the customer (as target), made by them (as actor), and about their orders. */
async function auditEntries(tx: Tx, customerId: string, orderIds: readonly string[]) {
  const seen = new Map<string, Awaited<ReturnType<typeof listAuditLog>>['data'][number]>();
  const filters = [{ targetId: customerId }, { actorId: customerId }, ...orderIds.map((id) => ({ targetId: id }))];
  for (const f of filters) {
    let cursor: string | undefined;
    do {
      // A transaction is a Kysely instance too: the platform's reader runs in this snapshot.
      const page = await listAuditLog(tx as unknown as Db, { limit: 100, cursor, ...f });
      for (const row of page.data) seen.set(row.id, row);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Everything held about a customer, as one JSON document. @throws 404 unknown customer */
export async function exportCustomerData(db: Db, customerId: string) {
  return withTransaction(
    db,
    async (tx) => {
      const identity = await exportCustomerIdentity(tx, customerId);
      const email = identity.profile.erasedAt ? null : normalized(identity.profile.email);
      const { orders, cartIds } = await exportCustomerOrders(tx, { customerId, email });
      const orderIds = orders.map((o) => o.id);
      const [carts, payments, notifications, auditLog] = await Promise.all([
        exportCustomerCarts(tx, { customerId, email, cartIds }),
        exportPayments(tx, { orderIds, cartIds }),
        notificationsTo(tx, [...new Set([...(email ? [email] : []), ...orders.map((o) => normalized(o.email))])]),
        auditEntries(tx, customerId, orderIds),
      ]);
      return {
        format: EXPORT_FORMAT as typeof EXPORT_FORMAT,
        exportedAt: new Date().toISOString(),
        customerId,
        ...identity,
        carts,
        orders,
        payments,
        notifications,
        auditLog,
      };
    },
    { isolation: 'repeatable read' },
  );
}

export interface ErasureResult {
  customerId: string;
  /** The customer had already been erased: nothing changed this time. */
  alreadyErased: boolean;
  counts: {
    addresses: number;
    notes: number;
    sessions: number;
    tokens: number;
    carts: number;
    orders: number;
    gatewayEvents: number;
    notifications: number;
    /** Outbox events whose payload carried an email of theirs. */
    events: number;
  };
}

/**
 * Erases a customer's personal data everywhere it is held, in one transaction: identity (placeholders, password,
 * sessions, addresses, notes), carts (contact data), orders (email, names, addresses, link to the customer — totals,
 * lines and payments stay for the books), gateway event copies, emails' recipients, the email in their orders' outbox events. Audited with counts only (no
 * personal data); `customer.erased` is announced. Idempotent; cannot be undone.
 * @throws 404 unknown customer, 422 `ERASURE_NOT_CONFIRMED` when `confirm` is not their email
 */
export async function eraseCustomerData(
  db: Db,
  audit: AuditContext,
  customerId: string,
  confirm: string,
): Promise<ErasureResult> {
  return withTransaction(db, async (tx) => {
    const identity = await eraseCustomerIdentity(tx, customerId, confirm);
    const none = { carts: 0, orders: 0, gatewayEvents: 0, notifications: 0, events: 0 };
    if (identity.alreadyErased) return { customerId, alreadyErased: true, counts: { ...identity.counts, ...none } };
    const email = identity.formerEmail;
    const { orderIds, cartIds, emails } = await eraseCustomerOrders(tx, { customerId, email });
    const carts = await eraseCustomerCarts(tx, { customerId, email, cartIds, orderIds });
    const gatewayEvents = await erasePayments(tx, { orderIds, cartIds });
    const notifications = await eraseNotificationsTo(
      tx,
      [...new Set([...(email ? [email] : []), ...emails])],
      erasedEmail(customerId),
    );
    const events = await redactEventEmails(tx, orderIds);
    const counts = { ...identity.counts, carts, orders: orderIds.length, gatewayEvents, notifications, events };
    await recordAudit(tx, audit, {
      action: 'customer.erased',
      targetType: 'customer',
      targetId: customerId,
      changes: counts,
    });
    return { customerId, alreadyErased: false, counts };
  });
}
