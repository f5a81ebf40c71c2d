import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { newId } from '../../platform/ids.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
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
  if (ref.objectReference) {
    const owner = await tx
      .selectFrom('payment_transaction')
      .select('payment_id')
      .where('provider_reference', '=', ref.objectReference)
      .executeTakeFirst();
    if (owner) return (await base().where('id', '=', owner.payment_id).executeTakeFirst()) ?? null;
  }
  return null;
}

export type ExternalKind = 'capture' | 'refund' | 'void';

/**
 * Appends a gateway-side capture/refund/void and moves the totals, once per `key`. Returns false when that key is
 * already in the ledger (a replay). The caller holds the payment's row lock.
 */
export async function recordExternal(
  tx: Tx,
  p: LockedPayment,
  input: { kind: ExternalKind; amount: number; key: string; providerReference: string | null; source: string },
): Promise<boolean> {
  const inserted = await sql<{ id: string }>`
    insert into payment_transaction (id, payment_id, kind, status, amount, currency, provider_reference,
                                     idempotency_key, raw)
    values (${newId('paymentTransaction')}, ${p.id}, ${input.kind}, 'succeeded', ${input.amount}::bigint,
            ${p.currency}, ${input.providerReference}, ${input.key}, ${jsonb({ source: input.source })})
    on conflict (idempotency_key) do nothing
    returning id`.execute(tx);
  if (inserted.rows.length === 0) return false;
  const updated = await sql<{ status: string }>`
    update payment set
      captured = captured + case when ${input.kind} = 'capture' then ${input.amount}::bigint else 0 end,
      refunded = refunded + case when ${input.kind} = 'refund' then ${input.amount}::bigint else 0 end,
      stage = case when ${input.kind} = 'void' then 'voided' else stage end,
      updated_at = now()
    where id = ${p.id}
    returning status`.execute(tx);
  const type = { capture: 'payment.captured', refund: 'payment.refunded', void: 'payment.voided' }[input.kind];
  await appendEvent(tx, {
    type,
    aggregateId: p.id,
    payload: {
      paymentId: p.id,
      cartId: p.cart_id,
      orderId: p.order_id,
      kind: input.kind,
      amount: input.amount,
      currency: p.currency,
      status: updated.rows[0]?.status ?? null,
      source: 'gateway',
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
