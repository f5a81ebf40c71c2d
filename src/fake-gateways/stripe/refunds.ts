import type { FakeResponse } from '../http.js';
import type { FakeContext } from './context.js';
import { record, str } from './form.js';
import { isResponse, parseAmount } from './intents.js';
import {
  type FakeCharge,
  type FakeDispute,
  type FakeRefund,
  formatAmount,
  invalidRequest,
  missing,
  newId,
  nowSeconds,
} from './state.js';

/** Refunds, charges and the fake's dispute control endpoints. */

const refundReasons = ['duplicate', 'fraudulent', 'requested_by_customer'];

/** The captured charge a refund or dispute is about, found by `payment_intent` or `charge`. */
function chargeFor(
  ctx: FakeContext,
  intentId: string | undefined,
  chargeId: string | undefined,
): FakeCharge | FakeResponse {
  if (chargeId) return ctx.state.charges.get(chargeId) ?? missing('charge', chargeId, 'charge');
  if (!intentId) return invalidRequest('One of payment_intent or charge is required.', { param: 'payment_intent' });
  const pi = ctx.state.intents.get(intentId);
  if (!pi) return missing('payment_intent', intentId, 'payment_intent');
  const charge = pi.latest_charge ? ctx.state.charges.get(pi.latest_charge) : undefined;
  if (!charge?.captured) {
    return invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, {
      code: 'charge_not_captured',
      param: 'payment_intent',
    });
  }
  return charge;
}

export function createRefund(ctx: FakeContext): FakeResponse {
  const charge = chargeFor(ctx, str(ctx.form, 'payment_intent'), str(ctx.form, 'charge'));
  if (isResponse(charge)) return charge;
  const remaining = charge.amount_captured - charge.amount_refunded;
  if (remaining <= 0) {
    return invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
  }
  const requested = parseAmount(str(ctx.form, 'amount'), 'amount');
  if (isResponse(requested)) return requested;
  const amount = requested ?? remaining;
  if (amount > remaining) {
    return invalidRequest(
      `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
      { param: 'amount' },
    );
  }
  const reason = str(ctx.form, 'reason');
  if (reason !== undefined && !refundReasons.includes(reason)) {
    return invalidRequest(`Invalid reason: must be one of ${refundReasons.join(', ')}`, { param: 'reason' });
  }
  const refund: FakeRefund = {
    id: newId('re'),
    object: 'refund',
    amount,
    currency: charge.currency,
    payment_intent: charge.payment_intent,
    charge: charge.id,
    status: ctx.state.refundStatuses.shift() ?? 'succeeded',
    reason: reason ?? null,
    metadata: record(ctx.form, 'metadata') ?? {},
    created: nowSeconds(),
  };
  ctx.state.refunds.set(refund.id, refund);
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded >= charge.amount_captured;
  ctx.log.emit('charge.refunded', charge, ctx.cause);
  ctx.log.emit('refund.created', refund, ctx.cause);
  return { status: 200, body: refund };
}

const refundEnds = ['succeeded', 'failed', 'canceled'] as const;

/**
 * `POST /_fake/refunds/:id/settle {status: 'succeeded' | 'failed' | 'canceled', failure_reason?}`: what the bank
 * later says about a refund. Failed (from `pending` or even `succeeded`, as Stripe documents) or cancelled (from
 * `pending`), its amount goes back on the charge (`amount_refunded` drops) and Stripe tells it as `refund.updated`,
 * `charge.refund.updated` and, for a failure, `refund.failed`.
 */
export function settleRefund(ctx: FakeContext, id: string): FakeResponse {
  const refund = ctx.state.refunds.get(id);
  if (!refund) return missing('refund', id, 'refund');
  const status = str(ctx.form, 'status') as (typeof refundEnds)[number] | undefined;
  if (!status || !refundEnds.includes(status)) {
    return invalidRequest(`status must be one of ${refundEnds.join(', ')}`, { param: 'status' });
  }
  const allowed = status === 'failed' ? ['pending', 'succeeded'] : ['pending'];
  if (!allowed.includes(refund.status)) {
    return invalidRequest(`Refund ${id} is ${refund.status}: it cannot become ${status}.`, { param: 'status' });
  }
  refund.status = status;
  if (status !== 'succeeded') {
    if (status === 'failed') refund.failure_reason = str(ctx.form, 'failure_reason') ?? 'expired_or_canceled_card';
    const charge = ctx.state.charges.get(refund.charge);
    if (charge) {
      charge.amount_refunded -= refund.amount;
      charge.refunded = charge.amount_refunded >= charge.amount_captured && charge.amount_captured > 0;
    }
  }
  ctx.log.emit('refund.updated', refund, ctx.cause);
  ctx.log.emit('charge.refund.updated', refund, ctx.cause);
  if (status === 'failed') ctx.log.emit('refund.failed', refund, ctx.cause);
  return { status: 200, body: refund };
}

/** `GET /v1/refunds?payment_intent=…` (or `charge=…`), newest first. */
export function listRefunds(ctx: FakeContext): FakeResponse {
  const intent = str(ctx.form, 'payment_intent');
  const charge = str(ctx.form, 'charge');
  const limit = Math.min(Math.max(Number(str(ctx.form, 'limit') ?? 10) || 10, 1), 100);
  let all = [...ctx.state.refunds.values()]
    .reverse()
    .filter((r) => (!intent || r.payment_intent === intent) && (!charge || r.charge === charge));
  const after = str(ctx.form, 'starting_after');
  if (after) all = all.slice(all.findIndex((r) => r.id === after) + 1);
  return {
    status: 200,
    body: { object: 'list', data: all.slice(0, limit), has_more: all.length > limit, url: '/v1/refunds' },
  };
}

export function retrieveRefund(ctx: FakeContext, id: string): FakeResponse {
  const refund = ctx.state.refunds.get(id);
  return refund ? { status: 200, body: refund } : missing('refund', id, 'refund');
}

export function retrieveCharge(ctx: FakeContext, id: string): FakeResponse {
  const charge = ctx.state.charges.get(id);
  return charge ? { status: 200, body: charge } : missing('charge', id, 'charge');
}

/** `POST /_fake/payment_intents/:id/dispute {reason?}`: the card holder disputes the captured charge. */
export function openDispute(ctx: FakeContext, intentId: string): FakeResponse {
  const pi = ctx.state.intents.get(intentId);
  if (!pi) return missing('payment_intent', intentId, 'intent');
  const charge = chargeFor(ctx, intentId, undefined);
  if (isResponse(charge)) return charge;
  const dispute: FakeDispute = {
    id: newId('dp'),
    object: 'dispute',
    amount: charge.amount_captured - charge.amount_refunded,
    currency: charge.currency,
    charge: charge.id,
    payment_intent: pi.id,
    reason: str(ctx.form, 'reason') ?? 'fraudulent',
    status: 'needs_response',
    created: nowSeconds(),
    livemode: false,
  };
  ctx.state.disputes.set(dispute.id, dispute);
  charge.disputed = true;
  ctx.log.emit('charge.dispute.created', dispute, ctx.cause);
  return { status: 200, body: dispute };
}

/** `POST /_fake/disputes/:id/close {status: 'won' | 'lost'}`. */
export function closeDispute(ctx: FakeContext, id: string): FakeResponse {
  const dispute = ctx.state.disputes.get(id);
  if (!dispute) return missing('dispute', id, 'dispute');
  const status = str(ctx.form, 'status');
  if (status !== 'won' && status !== 'lost') {
    return invalidRequest("status must be 'won' or 'lost'", { param: 'status' });
  }
  if (dispute.status !== 'needs_response') {
    return invalidRequest(`Dispute ${id} is already closed (${dispute.status}).`, { code: 'dispute_already_closed' });
  }
  dispute.status = status;
  ctx.log.emit('charge.dispute.closed', dispute, ctx.cause);
  return { status: 200, body: dispute };
}
