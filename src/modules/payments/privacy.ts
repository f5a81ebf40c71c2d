import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { type PaymentResourceT, paymentResources } from './payment-resources.js';
import './payments.tables.js';

/**
 * Payments' part of the privacy requests (run by `privacy` with the other modules' parts in one transaction).
 * Payments hold no name or address of ours; what can identify the buyer is the gateway's own event bodies (Stripe's
 * billing details and receipt email, PayPal's payer), stored as received in the webhook inbox.
 */

export interface PaymentsOf {
  orderIds: readonly string[];
  cartIds: readonly string[];
}

async function paymentIds(tx: Tx, of: PaymentsOf): Promise<string[]> {
  if (of.orderIds.length === 0 && of.cartIds.length === 0) return [];
  const rows = await tx
    .selectFrom('payment')
    .select('id')
    .where((eb) =>
      eb.or([
        ...(of.orderIds.length > 0 ? [eb('order_id', 'in', [...of.orderIds])] : []),
        ...(of.cartIds.length > 0 ? [eb('cart_id', 'in', [...of.cartIds])] : []),
      ]),
    )
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

export type PaymentExport = PaymentResourceT & {
  /** The ledger: every authorization, capture, refund and void, with its outcome. */
  transactions: { kind: string; status: string; amount: number; currency: string; at: string }[];
};

/** The payments of the given orders and carts, each with its ledger (refunds included), in `tx`. */
export async function exportPayments(tx: Tx, of: PaymentsOf): Promise<PaymentExport[]> {
  const ids = await paymentIds(tx, of);
  if (ids.length === 0) return [];
  const [payments, ledger] = await Promise.all([
    paymentResources(tx, ids),
    tx
      .selectFrom('payment_transaction')
      .select(['payment_id', 'kind', 'status', 'amount', 'currency', 'created_at'])
      .where('payment_id', 'in', ids)
      .orderBy('id')
      .execute(),
  ]);
  return payments.map((p) => ({
    ...p,
    transactions: ledger
      .filter((t) => t.payment_id === p.id)
      .map((t) => ({
        kind: t.kind,
        status: t.status,
        amount: t.amount,
        currency: t.currency,
        at: t.created_at.toISOString(),
      })),
  }));
}

/**
 * Keeps the payments and their ledger (the books need them) and replaces the bodies of their gateway events that were
 * already handled with `{ erased: true, id, type }`: those copies are where a buyer's name, email and address arrive
 * from the gateway. Events still waiting to be applied keep their body (money would otherwise be lost); they are
 * handled within seconds, and the gateway keeps its own copy. Returns how many events were redacted.
 */
export async function erasePayments(tx: Tx, of: PaymentsOf): Promise<number> {
  const ids = await paymentIds(tx, of);
  if (ids.length === 0) return 0;
  const res = await sql`
    update payment_webhook_event w
       set event = jsonb_build_object('erased', true, 'id', w.event_id, 'type', w.type)
     where w.payment_id = any(${ids}::text[]) and w.status in ('processed', 'ignored')
       and not (w.event ? 'erased')`.execute(tx);
  return Number(res.numAffectedRows ?? 0);
}
