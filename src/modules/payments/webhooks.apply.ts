import { systemActor } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import { recordPaymentOutcome } from './attempts.service.js';
import { applyOperationOutcome } from './operations.finish.js';
import { type InitiateResult, idempotencyKeys, type ProviderEvent, type ProviderEventType } from './provider.js';
import {
  type LockedPayment,
  lockEventPayment,
  recordExternal,
  reportMismatch,
  reverseFailedRefund,
} from './webhooks.ledger.js';
import { recordCaptureReversal } from './webhooks.reversal.js';

/**
 * What one gateway event does to our ledger. The client's "complete", the reconciler and the webhook all report the
 * same facts; each fact is recorded once because every path decides under the payment's row lock and only moves
 * what is still waiting (an attempt still `pending`/`requires_action`, an operation still `pending`, money beyond
 * what the ledger already has). So the webhook may come before, after, during or twice: the totals end the same.
 *
 * - `applied`: the event changed something. `duplicate`: its news was already recorded. `ignored`: not about a
 *   payment of ours, or nothing to do. `retry`: it cannot apply yet (a refund before the capture it refunds).
 *   `mismatch`: the gateway moved money on an attempt we gave up (reported as `payment.mismatch`).
 */
export type ApplyResult = 'applied' | 'duplicate' | 'ignored' | 'retry' | 'mismatch';

export interface AppliedEvent {
  result: ApplyResult;
  type: ProviderEventType;
  paymentId: string | null;
  orderId: string | null;
  cartId: string | null;
  dispute?: ProviderEvent['dispute'];
}

const waiting = (p: LockedPayment) => p.stage === 'pending' || p.stage === 'requires_action';
const opKind = { captured: 'capture', refunded: 'refund', voided: 'void', failed: null } as const;

export async function applyEventInTx(tx: Tx, provider: string, event: ProviderEvent): Promise<AppliedEvent> {
  const byKey = await applyByOperationKey(tx, provider, event);
  const p = await lockEventPayment(tx, provider, event);
  const done = (result: ApplyResult): AppliedEvent => ({
    result,
    type: event.type,
    paymentId: p?.id ?? null,
    orderId: p?.order_id ?? null,
    cartId: p?.cart_id ?? null,
    ...(event.dispute ? { dispute: event.dispute } : {}),
  });
  if (byKey) return done(byKey);
  if (!p) return done('ignored');
  switch (event.type) {
    case 'approved':
      return done(await recordApproval(tx, p));
    case 'authorized':
      if (waiting(p)) return done(await recordAttempt(tx, p, event, 'authorized'));
      // Authorized at the gateway after we gave the attempt up (abandoned, replaced): money held for nothing.
      return done(p.stage === 'failed' ? await mismatch(tx, p, event) : 'duplicate');
    case 'failed':
      return done(waiting(p) ? await recordAttempt(tx, p, event, 'declined') : 'ignored');
    case 'captured':
      return done(await applyMoney(tx, p, event, 'capture'));
    case 'refunded':
      return done(await applyMoney(tx, p, event, 'refund'));
    case 'refund_failed':
      return done(await applyRefundFailed(tx, p, event));
    case 'voided':
      return done(await applyVoid(tx, p, event));
    case 'reversed':
      return done(await applyReversal(tx, p, event));
    case 'dispute_opened':
    case 'dispute_closed':
      return done(await applyDispute(tx, provider, p, event));
    default:
      return done('ignored');
  }
}

/** An event that names one of our calls by its key (PayPal echoes `invoice_id`) completes that call's operation. */
async function applyByOperationKey(tx: Tx, provider: string, event: ProviderEvent): Promise<ApplyResult | null> {
  const key = event.idempotencyKey;
  if (!key || !(event.type in opKind)) return null;
  const op = await tx
    .selectFrom('payment_operation as o')
    .innerJoin('payment as p', 'p.id', 'o.payment_id')
    .select(['o.id', 'o.kind', 'o.status'])
    .where('o.idempotency_key', '=', key)
    .where('p.provider', '=', provider)
    .executeTakeFirst();
  if (!op) return null;
  const failed = event.type === 'failed';
  if (!failed && opKind[event.type as keyof typeof opKind] !== op.kind) return 'ignored';
  const applied = await applyOperationOutcome(
    tx,
    { operationId: op.id, kind: op.kind },
    {
      ok: true,
      result: failed
        ? { status: 'declined', declineCode: event.declineCode }
        : { status: 'succeeded', providerReference: event.objectReference ?? event.providerReference },
    },
    systemActor,
  );
  return applied.finished ? 'applied' : 'duplicate';
}

/** The first answer to an attempt (the buyer finished in the browser; the gateway tells us before the client). */
async function recordAttempt(
  tx: Tx,
  p: LockedPayment,
  event: ProviderEvent,
  status: InitiateResult['status'],
): Promise<ApplyResult> {
  const res = await recordPaymentOutcome(tx, {
    paymentId: p.id,
    idempotencyKey: idempotencyKeys.authorize(p.idempotency_base),
    outcome: {
      ok: true,
      result: {
        status,
        providerReference: event.providerReference ?? p.provider_reference ?? '',
        declineCode: status === 'declined' ? (event.declineCode ?? 'declined') : undefined,
        // Money taken at once (a capture event before the client's complete): the capture's id, for refunds later.
        captureReference: status === 'captured' ? event.objectReference : undefined,
      },
    },
  });
  return res.payment.status === 'pending' ? 'ignored' : 'applied';
}

/**
 * The buyer approved at the gateway: noted on an attempt still waiting for it (so the worker's sweep finds it if the
 * completion that follows is lost); no money moved, so nothing goes in the ledger. `applied` the first time only.
 */
async function recordApproval(tx: Tx, p: LockedPayment): Promise<ApplyResult> {
  if (!waiting(p)) return 'duplicate';
  const row = await tx
    .updateTable('payment')
    .set({ approved_at: new Date(), updated_at: new Date() })
    .where('id', '=', p.id)
    .where('approved_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row ? 'applied' : 'duplicate';
}

/**
 * A capture or refund at the gateway. Cumulative events (Stripe's `amount_received`/`amount_refunded`) carry the
 * running total: only the part beyond our ledger is news — first it completes our own calls still in flight, the
 * rest is recorded as done at the gateway. Single events (PayPal) are news unless their object id is in the ledger.
 */
async function applyMoney(
  tx: Tx,
  p: LockedPayment,
  event: ProviderEvent,
  kind: 'capture' | 'refund',
): Promise<ApplyResult> {
  if (kind === 'capture' && waiting(p)) return recordAttempt(tx, p, event, 'captured');
  if (p.stage !== 'authorized' && p.stage !== 'voided') return event.amount ? mismatch(tx, p, event) : 'ignored';
  if (!event.amount) return 'ignored';
  const done = kind === 'capture' ? p.captured : p.refunded;
  if (event.objectReference && !event.cumulative && (await inLedger(tx, p.id, event, kind))) {
    return 'duplicate';
  }
  const news = event.cumulative ? event.amount.amount - done : event.amount.amount;
  if (news <= 0) return 'duplicate';
  // A refund of money we have not seen captured yet: wait for the capture's own event.
  if (kind === 'refund' && p.refunded + news > p.captured) return 'retry';
  const ops = await tx
    .selectFrom('payment_operation')
    .select(['id', 'amount'])
    .where('payment_id', '=', p.id)
    .where('kind', '=', kind)
    .where('status', '=', 'pending')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  if (ops.length > 0) {
    // Our own calls in flight: the news is theirs if it matches one exactly (or all of them together). Anything
    // else waits until they resolve — recording it as gateway-side now could count one movement twice.
    const exact = ops.find((op) => op.amount === news);
    const all = ops.reduce((sum, op) => sum + op.amount, 0) === news;
    const chosen = exact ? [exact] : all ? ops : [];
    if (chosen.length === 0) return 'retry';
    for (const op of chosen) {
      await applyOperationOutcome(
        tx,
        { operationId: op.id, kind },
        { ok: true, result: { status: 'succeeded', providerReference: event.objectReference } },
        systemActor,
      );
    }
    return 'applied';
  }
  // A running total names the state it moved from; a refund total can come back down (a failed refund taken back),
  // so the refunds reversed so far are part of that state — else a later refund of the same size would look replayed.
  const state = event.cumulative ? `${done}${kind === 'refund' ? `:r${await reversedTotal(tx, p.id)}` : ''}` : '0';
  const key = `ext:${kind}:${event.objectReference ?? event.eventId}:${state}`;
  const recorded = await recordExternal(tx, p, {
    kind,
    amount: news,
    key,
    providerReference: event.objectReference ?? null,
    source: event.providerType,
  });
  return recorded ? 'applied' : 'duplicate';
}

/**
 * A refund that failed or was cancelled after the gateway accepted it comes back out of the ledger. Not counted yet
 * (its `charge.refunded` not applied so far): wait for it, since gateways do not promise order.
 */
async function applyRefundFailed(tx: Tx, p: LockedPayment, event: ProviderEvent): Promise<ApplyResult> {
  if (!event.objectReference || !event.amount) return 'ignored';
  const result = await reverseFailedRefund(tx, p, {
    refundReference: event.objectReference,
    amount: event.amount.amount,
    idempotencyKey: event.idempotencyKey,
    countedUnder: event.refundFailure?.countedUnder,
    status: event.refundFailure?.status ?? 'failed',
    reason: event.refundFailure?.reason,
    source: event.providerType,
  });
  return result === 'reversed' ? 'applied' : result === 'duplicate' ? 'duplicate' : 'retry';
}

/** Captured money the gateway took back (see recordCaptureReversal); before its capture is counted: retry. */
async function applyReversal(tx: Tx, p: LockedPayment, event: ProviderEvent): Promise<ApplyResult> {
  if (!event.objectReference || !event.amount) return 'ignored';
  const result = await recordCaptureReversal(tx, p, {
    reference: event.objectReference,
    amount: event.amount.amount,
    captureReference: event.parentReference,
    source: event.providerType,
  });
  return result === 'reversed' ? 'applied' : result === 'duplicate' ? 'duplicate' : 'retry';
}

async function applyVoid(tx: Tx, p: LockedPayment, event: ProviderEvent): Promise<ApplyResult> {
  if (waiting(p)) return recordAttempt(tx, p, { ...event, declineCode: event.declineCode ?? 'canceled' }, 'declined');
  if (p.stage === 'voided' || p.stage === 'failed') return 'duplicate';
  const op = await tx
    .selectFrom('payment_operation')
    .select('id')
    .where('payment_id', '=', p.id)
    .where('kind', '=', 'void')
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (op) {
    const applied = await applyOperationOutcome(
      tx,
      { operationId: op.id, kind: 'void' },
      { ok: true, result: { status: 'succeeded' } },
      systemActor,
    );
    return applied.finished ? 'applied' : 'duplicate';
  }
  // Released at the gateway (expired, cancelled in its dashboard) with nothing captured: the hold is gone.
  if (p.captured > 0 || p.pending_capture > 0) return 'ignored';
  const recorded = await recordExternal(tx, p, {
    kind: 'void',
    amount: p.authorized,
    key: `ext:void:${p.id}`,
    providerReference: event.objectReference ?? null,
    source: event.providerType,
  });
  return recorded ? 'applied' : 'duplicate';
}

async function applyDispute(tx: Tx, provider: string, p: LockedPayment, event: ProviderEvent): Promise<ApplyResult> {
  const d = event.dispute;
  if (!d) return 'ignored';
  const closed = event.type === 'dispute_closed';
  const status = d.status ?? (closed ? 'closed' : 'open');
  const row = await tx
    .insertInto('payment_dispute')
    .values({
      provider,
      dispute_id: d.id,
      payment_id: p.id,
      status,
      reason: d.reason ?? null,
      amount: d.amount?.amount ?? null,
      currency: d.amount?.currency ?? null,
      closed_at: closed ? new Date() : null,
    })
    .onConflict((oc) =>
      oc
        .columns(['provider', 'dispute_id'])
        .doUpdateSet({ status, closed_at: closed ? new Date() : null, updated_at: new Date() })
        .where('payment_dispute.status', '<>', status)
        // Gateways do not promise order: a late "opened" never reopens a dispute already closed.
        .where((eb) => (closed ? eb.lit(true) : eb('payment_dispute.closed_at', 'is', null))),
    )
    .returning('dispute_id')
    .executeTakeFirst();
  if (!row) return 'duplicate';
  await appendEvent(tx, {
    type: closed ? 'payment.dispute_closed' : 'payment.dispute_opened',
    aggregateId: p.id,
    payload: {
      paymentId: p.id,
      orderId: p.order_id,
      disputeId: d.id,
      status,
      reason: d.reason ?? null,
      amount: d.amount?.amount ?? null,
      currency: d.amount?.currency ?? p.currency,
    },
  });
  return 'applied';
}

async function reversedTotal(tx: Tx, paymentId: string): Promise<number> {
  const row = await tx
    .selectFrom('payment_transaction')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('amount'), eb.lit(0)).as('total'))
    .where('payment_id', '=', paymentId)
    .where('kind', '=', 'refund_reversal')
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

/**
 * Whether a single capture/refund event is already in the ledger: by the gateway's object id, or by our key when the
 * gateway echoes it (PayPal's capture of a CAPTURE order carries `<paymentId>:capture:0`, the key of the capture
 * recorded at checkout, whose row holds the order id rather than the capture's).
 */
async function inLedger(tx: Tx, paymentId: string, event: ProviderEvent, kind: 'capture' | 'refund'): Promise<boolean> {
  const row = await tx
    .selectFrom('payment_transaction')
    .select('id')
    .where('payment_id', '=', paymentId)
    .where('kind', '=', kind)
    .where((eb) =>
      eb.or([
        eb('provider_reference', '=', event.objectReference ?? null),
        eb('idempotency_key', '=', event.idempotencyKey ?? null),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}

async function mismatch(tx: Tx, p: LockedPayment, event: ProviderEvent): Promise<ApplyResult> {
  await reportMismatch(tx, p, {
    reason: 'money moved at the gateway on an attempt that is not authorized here',
    eventId: event.eventId,
    providerType: event.providerType,
    amount: event.amount?.amount ?? null,
  });
  return 'mismatch';
}
