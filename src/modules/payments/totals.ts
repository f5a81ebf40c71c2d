import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import type { Money } from '../../platform/money.js';
import { PaymentNotFoundError } from './payments.errors.js';
import { type LedgerKind, moneyColumns, type PaymentStatus } from './payments.tables.js';

/** A payment as other modules see it. Amounts are minor units of `amount.currency`. */
export interface PaymentView {
  id: string;
  cartId: string;
  orderId: string | null;
  provider: string;
  amount: Money;
  status: PaymentStatus;
  providerReference: string | null;
  declineCode: string | null;
  authorized: number;
  captured: number;
  refunded: number;
  captureMethod: 'automatic' | 'manual';
  /** What the storefront needs for the gateway's step (client secret, approval link) while one is open. */
  clientData: Record<string, string> | null;
  createdAt: string;
}

/**
 * Totals derived from the ledger (succeeded rows only). `refunded` is net of refunds the gateway later reported
 * failed or cancelled (`refund_reversal` rows). `net` = captured − refunded.
 */
export interface PaymentTotals {
  currency: string;
  authorized: number;
  captured: number;
  refunded: number;
  voided: number;
  net: number;
}

export interface LedgerEntry {
  id: string;
  kind: LedgerKind;
  status: 'succeeded' | 'failed';
  amount: Money;
  providerReference: string | null;
  idempotencyKey: string;
  createdAt: string;
}

/** @throws PaymentNotFoundError */
export async function getPayment(db: Queryable, paymentId: string): Promise<PaymentView> {
  const p = await db.selectFrom('payment').selectAll().where('id', '=', paymentId).executeTakeFirst();
  if (!p) throw new PaymentNotFoundError(paymentId);
  return {
    id: p.id,
    cartId: p.cart_id,
    orderId: p.order_id,
    provider: p.provider,
    amount: { amount: p.amount, currency: p.currency },
    status: p.status,
    providerReference: p.provider_reference,
    declineCode: p.decline_code,
    authorized: p.authorized,
    captured: p.captured,
    refunded: p.refunded,
    captureMethod: p.capture_method,
    clientData: p.stage === 'requires_action' || p.stage === 'pending' ? parseJson(p.client_data) : null,
    createdAt: new Date(p.created_at).toISOString(),
  };
}

const sums = sql<string>`
  coalesce(sum(t.amount) filter (where t.kind = 'authorization'), 0)::bigint as authorized,
  coalesce(sum(t.amount) filter (where t.kind = 'capture'), 0)::bigint as captured,
  (coalesce(sum(t.amount) filter (where t.kind = 'refund'), 0)
    - coalesce(sum(t.amount) filter (where t.kind = 'refund_reversal'), 0))::bigint as refunded,
  coalesce(sum(t.amount) filter (where t.kind = 'void'), 0)::bigint as voided`;

interface SumRow {
  currency: string;
  authorized: number;
  captured: number;
  refunded: number;
  voided: number;
}

const toTotals = (r: SumRow): PaymentTotals => ({
  currency: r.currency,
  authorized: Number(r.authorized),
  captured: Number(r.captured),
  refunded: Number(r.refunded),
  voided: Number(r.voided),
  net: Number(r.captured) - Number(r.refunded),
});

/**
 * The payment's totals summed from its ledger (one statement).
 * @throws PaymentNotFoundError
 */
export async function paymentTotals(db: Queryable, paymentId: string): Promise<PaymentTotals> {
  const res = await sql<SumRow>`
    select p.currency, ${sums}
      from payment p left join payment_transaction t on t.payment_id = p.id and t.status = 'succeeded'
     where p.id = ${paymentId}
     group by p.id, p.currency`.execute(db);
  const row = res.rows[0];
  if (!row) throw new PaymentNotFoundError(paymentId);
  return toTotals(row);
}

/**
 * An order's paid/refunded totals across all its payments, summed from the ledger; null when the
 * order has no payment. Payments of an order share its currency (one row per currency otherwise:
 * the first, by currency code, is returned — orders are single-currency).
 */
export async function paymentTotalsForOrder(db: Queryable, orderId: string): Promise<PaymentTotals | null> {
  const res = await sql<SumRow>`
    select p.currency, ${sums}
      from payment p left join payment_transaction t on t.payment_id = p.id and t.status = 'succeeded'
     where p.order_id = ${orderId}
     group by p.currency order by p.currency`.execute(db);
  return res.rows[0] ? toTotals(res.rows[0]) : null;
}

/** The payment's ledger, oldest first. */
export async function paymentLedger(db: Queryable, paymentId: string): Promise<LedgerEntry[]> {
  const rows = await db
    .selectFrom('payment_transaction')
    .selectAll()
    .where('payment_id', '=', paymentId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    amount: { amount: r.amount, currency: r.currency },
    providerReference: r.provider_reference,
    idempotencyKey: r.idempotency_key,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/**
 * Payments whose running totals differ from their ledger (should be none; for `verify` tools and
 * tests). Voided payments keep their authorized total, and the void row records the release.
 */
export async function verifyPaymentLedger(db: Queryable): Promise<string[]> {
  const res = await sql<{ id: string }>`
    select p.id from payment p
      left join payment_transaction t on t.payment_id = p.id and t.status = 'succeeded'
     group by p.id
    having p.authorized <> coalesce(sum(t.amount) filter (where t.kind = 'authorization'), 0)
        or p.captured <> coalesce(sum(t.amount) filter (where t.kind = 'capture'), 0)
        or p.refunded <> coalesce(sum(t.amount) filter (where t.kind = 'refund'), 0)
                         - coalesce(sum(t.amount) filter (where t.kind = 'refund_reversal'), 0)
     order by p.id`.execute(db);
  return res.rows.map((r) => r.id);
}

/** A payment of an order as order commands see it: where it is and what it holds, in minor units. */
export interface OrderPayment {
  id: string;
  provider: string;
  currency: string;
  stage: 'pending' | 'requires_action' | 'authorized' | 'failed' | 'voided';
  status: PaymentStatus;
  declineCode: string | null;
  authorized: number;
  captured: number;
  refunded: number;
  /** Amounts reserved by captures/refunds in flight. */
  pendingCapture: number;
  pendingRefund: number;
  /** A void in flight. */
  pendingVoid: boolean;
}

/** The order's payments, oldest first (one statement). Other modules read payments only through this. */
export async function paymentsOfOrder(db: Queryable, orderId: string): Promise<OrderPayment[]> {
  const rows = await db
    .selectFrom('payment')
    .select(['id', 'provider', 'currency', 'stage', 'status', 'decline_code', ...moneyColumns])
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    provider: r.provider,
    currency: r.currency,
    stage: r.stage,
    status: r.status,
    declineCode: r.decline_code,
    authorized: Number(r.authorized),
    captured: Number(r.captured),
    refunded: Number(r.refunded),
    pendingCapture: Number(r.pending_capture),
    pendingRefund: Number(r.pending_refund),
    pendingVoid: r.pending_void,
  }));
}

function parseJson(value: unknown): Record<string, string> | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, string>;
}
