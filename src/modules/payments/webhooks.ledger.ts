import { sql } from 'kysely';
import { systemActor } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { newId } from '../../platform/ids.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import { applyOperationOutcome } from './operations.finish.js';
import type { ExternalMoveEventType } from './payments.events.js';
import { moneyColumns } from './payments.tables.js';

/**
 * Money the gateway moved without a call of ours (a capture or refund in Stripe's dashboard, a dispute's
 * chargeback, an authorization the gateway voided). It goes into the same ledger with a key made of the gateway's
 * own object id, so a second delivery of the same news meets the unique key and changes nothing; totals and
 * ledger change in one statement, like every other payment change.
 */

export interface LockedPayment {
  id: string;
  stage: string;
  amount: number;
  currency: string;
  authorized: number;
  captured: number;
  refunded: number;
  pending_capture: number;
  pending_refund: number;
  pending_void: boolean;
  idempotency_base: string;
  provider_reference: string | null;
  order_id: string | null;
  cart_id: string;
}

/** Locks and reads the payment a gateway event is about: by our id, the gateway reference, or a ledger object id. */
export async function lockEventPayment(
  tx: Tx,
  provider: string,
  ref: {
    paymentId?: string | undefined;
    providerReference?: string | undefined;
    objectReference?: string | undefined;
    parentReference?: string | undefined;
    idempotencyKey?: string | undefined;
  },
): Promise<LockedPayment | null> {
  const cols = [
    'id',
    'stage',
    'amount',
    'currency',
    ...moneyColumns,
    'idempotency_base',
    'provider_reference',
    'order_id',
    'cart_id',
  ] as const;
  const base = () => tx.selectFrom('payment').select(cols).where('provider', '=', provider).forUpdate();
  if (ref.paymentId) {
    const row = await base().where('id', '=', ref.paymentId).executeTakeFirst();
    if (row) return row;
  }
  if (ref.providerReference) {
    const row = await base().where('provider_reference', '=', ref.providerReference).executeTakeFirst();
    if (row) return row;
  }
  // Our attempt key echoed back (`<paymentId>:initiate`): the payment may not know its gateway reference yet.
  const attempt = ref.idempotencyKey ? /^(.+):(initiate|authorize)$/.exec(ref.idempotencyKey)?.[1] : undefined;
  if (attempt) {
    const row = await base().where('idempotency_base', '=', attempt).executeTakeFirst();
    if (row) return row;
  }
  // The object itself, else the capture it belongs to (a refund made in the gateway's dashboard names only that).
  for (const reference of [ref.objectReference, ref.parentReference]) {
    if (!reference) continue;
    const owner = await tx
      .selectFrom('payment_transaction')
      .select('payment_id')
      .where('provider_reference', '=', reference)
      .executeTakeFirst();
    if (owner) return (await base().where('id', '=', owner.payment_id).executeTakeFirst()) ?? null;
  }
  return null;
}

export type ExternalKind = 'capture' | 'refund' | 'void';

/**
 * Appends a gateway-side capture/refund/void and moves the totals, once per `key`. Returns false when that key is
 * already in the ledger (a replay). The caller holds the payment's row lock. `raw` adds to the row's raw data;
 * `event` replaces the outbox event's type and adds to its payload (a reversal is a refund the buyer did not ask for).
 */
export async function recordExternal(
  tx: Tx,
  p: LockedPayment,
  input: {
    kind: ExternalKind;
    amount: number;
    key: string;
    providerReference: string | null;
    source: string;
    raw?: Record<string, unknown>;
    event?: { type: ExternalMoveEventType; payload: Record<string, unknown> };
  },
): Promise<boolean> {
  const inserted = await sql<{ id: string }>`
    insert into payment_transaction (id, payment_id, kind, status, amount, currency, provider_reference,
                                     idempotency_key, raw)
    values (${newId('paymentTransaction')}, ${p.id}, ${input.kind}, 'succeeded', ${input.amount}::bigint,
            ${p.currency}, ${input.providerReference}, ${input.key}, ${jsonb({ source: input.source, ...input.raw })})
    on conflict (idempotency_key) do nothing
    returning id`.execute(tx);
  if (inserted.rows.length === 0) return false;
  const updated = await sql<{ status: string; refunded: number }>`
    update payment set
      captured = captured + case when ${input.kind} = 'capture' then ${input.amount}::bigint else 0 end,
      refunded = refunded + case when ${input.kind} = 'refund' then ${input.amount}::bigint else 0 end,
      stage = case when ${input.kind} = 'void' then 'voided' else stage end,
      updated_at = now()
    where id = ${p.id}
    returning status, refunded`.execute(tx);
  const type = ({ capture: 'payment.captured', refund: 'payment.refunded', void: 'payment.voided' } as const)[
    input.kind
  ];
  await appendEvent(tx, {
    type: input.event?.type ?? type,
    aggregateId: p.id,
    payload: {
      paymentId: p.id,
      cartId: p.cart_id,
      orderId: p.order_id,
      kind: input.kind,
      amount: input.amount,
      currency: p.currency,
      status: updated.rows[0]?.status ?? null,
      refunded: Number(updated.rows[0]?.refunded ?? 0),
      source: 'gateway',
      ...input.event?.payload,
    },
  });
  return true;
}

/** Something the gateway did that our ledger cannot accept (money on an abandoned attempt): for an operator. */
export async function reportMismatch(tx: Tx, p: LockedPayment, detail: Record<string, unknown>): Promise<void> {
  await appendEvent(tx, {
    type: 'payment.mismatch',
    aggregateId: p.id,
    payload: { paymentId: p.id, orderId: p.order_id, cartId: p.cart_id, stage: p.stage, ...detail },
  });
}

/** A refund the gateway accepted and later reported failed or cancelled. */
export interface FailedRefund {
  /** The gateway's id of the refund (Stripe `re_…`, PayPal refund id): the reversal is recorded once per refund. */
  refundReference: string;
  /** Minor units of the payment's currency: the refund's amount. */
  amount: number;
  /** Our key of the refund call when the gateway echoes it (Stripe `metadata.backroom_key`, PayPal `invoice_id`). */
  idempotencyKey?: string | undefined;
  /**
   * The reference a refund made at the gateway (not by us) was counted under when its own id was not known yet —
   * Stripe's cumulative `charge.refunded` counts it under the charge id. Omit when refunds are counted by their id.
   */
  countedUnder?: string | undefined;
  /** The gateway's word for it (`failed`, `canceled`, `FAILED`) and why, when it says. */
  status: string;
  reason?: string | null | undefined;
  /** The gateway's event type, kept in the ledger row. */
  source: string;
}

/**
 * `reversed`: the counted refund was taken back (or our refund call still in flight was finished as failed, so it is
 * never counted). `duplicate`: already taken back. `not_counted`: the ledger has no such refund (yet) — e.g. the
 * event that counts it has not been applied; the caller decides whether to retry or ignore.
 */
export type RefundReversalResult = 'reversed' | 'duplicate' | 'not_counted';

/**
 * Takes a refund the gateway later reported failed or cancelled back out of the ledger, provider-neutral. The ledger
 * is append-only: a `refund_reversal` row (key `<paymentId>:refund_reversal:<refundReference>`, so any number of
 * deliveries of the news reverse it once) and `payment.refunded` lowered in the same statement, so the status is
 * re-derived (`refunded` → `partially_refunded`/`captured`) and `verifyPaymentLedger` stays clean; the outbox gets
 * `payment.refund_failed`. When `idempotencyKey` names our refund call still pending (its answer lost), that call
 * is finished as declined instead (its reservation released, `payment.failed`) — it was never counted.
 * The caller holds the payment's row lock (`lockEventPayment`).
 */
export async function reverseFailedRefund(
  tx: Tx,
  p: LockedPayment,
  refund: FailedRefund,
): Promise<RefundReversalResult> {
  if (refund.idempotencyKey) {
    const op = await tx
      .selectFrom('payment_operation')
      .select(['id', 'status'])
      .where('payment_id', '=', p.id)
      .where('kind', '=', 'refund')
      .where('idempotency_key', '=', refund.idempotencyKey)
      .executeTakeFirst();
    if (op?.status === 'failed') return 'duplicate';
    if (op?.status === 'pending') {
      const declineCode = `refund_${refund.status.toLowerCase()}`;
      const applied = await applyOperationOutcome(
        tx,
        { operationId: op.id, kind: 'refund' },
        { ok: true, result: { status: 'declined', providerReference: refund.refundReference, declineCode } },
        systemActor,
      );
      return applied.finished ? 'reversed' : 'duplicate';
    }
  }
  const counted = await countedRefund(tx, p.id, refund);
  if (counted === 'reversed') return 'duplicate';
  if (counted < refund.amount || p.refunded < refund.amount) return 'not_counted';
  const inserted = await sql<{ id: string }>`
    insert into payment_transaction (id, payment_id, kind, status, amount, currency, provider_reference,
                                     idempotency_key, raw)
    values (${newId('paymentTransaction')}, ${p.id}, 'refund_reversal', 'succeeded', ${refund.amount}::bigint,
            ${p.currency}, ${refund.refundReference}, ${`${p.id}:refund_reversal:${refund.refundReference}`},
            ${jsonb({
              source: refund.source,
              status: refund.status,
              reason: refund.reason ?? null,
              countedUnder: refund.countedUnder ?? null,
            })})
    on conflict (idempotency_key) do nothing
    returning id`.execute(tx);
  if (inserted.rows.length === 0) return 'duplicate';
  const updated = await sql<{ status: string; refunded: number }>`
    update payment set refunded = refunded - ${refund.amount}::bigint, updated_at = now()
     where id = ${p.id}
    returning status, refunded`.execute(tx);
  await appendEvent(tx, {
    type: 'payment.refund_failed',
    aggregateId: p.id,
    payload: {
      paymentId: p.id,
      cartId: p.cart_id,
      orderId: p.order_id,
      amount: refund.amount,
      currency: p.currency,
      refundReference: refund.refundReference,
      gatewayStatus: refund.status,
      reason: refund.reason ?? null,
      refunded: Number(updated.rows[0]?.refunded ?? 0),
      status: updated.rows[0]?.status ?? null,
    },
  });
  return 'reversed';
}

/**
 * How much of the refund the ledger counted and has not taken back: rows with the refund's id or our key, or — for a
 * refund counted under another reference — that reference's gateway-side rows less what was already reversed there.
 * `reversed` when this refund's own reversal row exists.
 */
async function countedRefund(tx: Tx, paymentId: string, refund: FailedRefund): Promise<number | 'reversed'> {
  const under = refund.countedUnder ?? null;
  const res = await sql<{ own: string; under: string; under_reversed: string; reversed: boolean }>`
    select
      coalesce(sum(amount) filter (where kind = 'refund'
        and (provider_reference = ${refund.refundReference} or idempotency_key = ${refund.idempotencyKey ?? null}::text)), 0)
        as own,
      coalesce(sum(amount) filter (where kind = 'refund' and provider_reference = ${under}::text
        and idempotency_key like 'ext:%'), 0) as under,
      coalesce(sum(amount) filter (where kind = 'refund_reversal' and raw->>'countedUnder' = ${under}::text), 0)
        as under_reversed,
      bool_or(kind = 'refund_reversal' and provider_reference = ${refund.refundReference}) as reversed
      from payment_transaction
     where payment_id = ${paymentId} and status = 'succeeded'`.execute(tx);
  const row = res.rows[0];
  if (!row) return 0;
  if (row.reversed) return 'reversed';
  const own = Number(row.own);
  return own > 0 ? own : Number(row.under) - Number(row.under_reversed);
}
