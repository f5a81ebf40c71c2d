import { sql } from 'kysely';
import { type Static, type TSchema, Type } from 'typebox';
import type { Queryable } from '../../platform/db/database.js';
import './payments.tables.js';

const Money = Type.Object({ amount: Type.Integer(), currency: Type.String() });
const Nullable = <T extends TSchema>(t: T) => Type.Union([Type.Null(), t]);
const DateTime = Type.String({ format: 'date-time' });

/**
 * A payment as staff (and webhook consumers) see it: amounts summed on the payment row (equal to its
 * ledger), its gateway reference and disputes. Never the storefront's `clientData` (a Stripe client
 * secret must not travel to merchant systems).
 */
export const PaymentResource = Type.Object({
  id: Type.String(),
  orderId: Nullable(Type.String()),
  cartId: Type.String(),
  provider: Type.String(),
  providerReference: Nullable(Type.String()),
  status: Type.String(),
  captureMethod: Type.String(),
  declineCode: Nullable(Type.String()),
  amount: Money,
  authorized: Money,
  captured: Money,
  refunded: Money,
  disputes: Type.Array(
    Type.Object({
      id: Type.String(),
      status: Type.String(),
      reason: Nullable(Type.String()),
      amount: Nullable(Money),
      openedAt: DateTime,
      closedAt: Nullable(DateTime),
    }),
  ),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type PaymentResourceT = Static<typeof PaymentResource>;

const money = (col: string) => sql.raw(`json_build_object('amount', ${col}, 'currency', p.currency)`);
const iso = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** Many payments in one statement (webhook rendering of a batch of events); ids that do not exist are left out. */
export async function paymentResources(db: Queryable, ids: readonly string[]): Promise<PaymentResourceT[]> {
  if (ids.length === 0) return [];
  const res = await sql<{ p: PaymentResourceT }>`
    select json_build_object(
      'id', p.id, 'orderId', p.order_id, 'cartId', p.cart_id, 'provider', p.provider,
      'providerReference', p.provider_reference, 'status', p.status, 'captureMethod', p.capture_method,
      'declineCode', p.decline_code, 'amount', ${money('p.amount')}, 'authorized', ${money('p.authorized')},
      'captured', ${money('p.captured')}, 'refunded', ${money('p.refunded')},
      'disputes', coalesce((select json_agg(json_build_object(
          'id', d.dispute_id, 'status', d.status, 'reason', d.reason,
          'amount', case when d.amount is null then null
            else json_build_object('amount', d.amount, 'currency', coalesce(d.currency, p.currency)) end,
          'openedAt', ${iso('d.opened_at')},
          'closedAt', case when d.closed_at is null then null else ${iso('d.closed_at')} end) order by d.opened_at)
        from payment_dispute d where d.payment_id = p.id), '[]'::json),
      'createdAt', ${iso('p.created_at')}, 'updatedAt', ${iso('p.updated_at')}
    ) as p
    from payment p where p.id = any(${[...ids]}::text[])`.execute(db);
  return res.rows.map((r) => r.p);
}
