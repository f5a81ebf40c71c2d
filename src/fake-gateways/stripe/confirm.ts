import type { FakeResponse } from '../http.js';
import type { FakeContext } from './context.js';
import { type FakeCharge, type FakePaymentIntent, missing, newId, nowSeconds, stripeError } from './state.js';

/**
 * What happens when a PaymentIntent is confirmed with one of Stripe's test PaymentMethods: the documented ids decide
 * between success, a decline and a 3-D Secure challenge, so tests and demos exercise each path without a card form.
 */

const declines: Record<string, { code: string; decline_code?: string; message: string }> = {
  pm_card_chargeDeclined: {
    code: 'card_declined',
    decline_code: 'generic_decline',
    message: 'Your card was declined.',
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  pm_card_visa_chargeDeclinedInsufficientFunds: {
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  pm_card_chargeDeclinedExpiredCard: { code: 'expired_card', message: 'Your card has expired.' },
};

const challenged = new Set(['pm_card_threeDSecure2Required', 'pm_card_authenticationRequired']);

/**
 * (Fake only.) Confirms into `processing`, as delayed-notification methods (SEPA Debit, ACH) do: the outcome comes
 * later — `POST /_fake/payment_intents/:id/settle {outcome}` — with `payment_intent.succeeded` or `payment_failed`.
 */
export const PROCESSING_METHOD = 'pm_fake_processing';

/** Confirms `pi` (already in a confirmable status) with `paymentMethod` or the one it carries. */
export function confirmIntent(
  ctx: FakeContext,
  pi: FakePaymentIntent,
  paymentMethod: string | undefined,
): FakeResponse {
  const pm = paymentMethod ?? pi.payment_method ?? undefined;
  if (!pm) {
    return stripeError(
      400,
      'invalid_request_error',
      "You cannot confirm this PaymentIntent because it's missing a payment method.",
      { code: 'payment_intent_unexpected_state', param: 'payment_method' },
    );
  }
  const queued = ctx.state.declines.shift();
  const decline = queued ? { ...queued, message: queued.message ?? 'Your card was declined.' } : declines[pm];
  if (!decline && !challenged.has(pm) && !pm.startsWith('pm_card_') && pm !== PROCESSING_METHOD) {
    return missing('PaymentMethod', pm, 'payment_method');
  }
  pi.payment_method = pm;
  if (decline) {
    pi.status = 'requires_payment_method';
    pi.next_action = null;
    pi.last_payment_error = { type: 'card_error', ...decline };
    ctx.log.emit('payment_intent.payment_failed', pi, ctx.cause);
    return stripeError(402, 'card_error', decline.message, {
      ...decline,
      payment_intent: structuredClone(pi),
    });
  }
  if (pm === PROCESSING_METHOD) {
    pi.status = 'processing';
    pi.last_payment_error = null;
    pi.next_action = null;
    ctx.log.emit('payment_intent.processing', pi, ctx.cause);
    return { status: 200, body: pi };
  }
  if (challenged.has(pm)) {
    pi.status = 'requires_action';
    pi.last_payment_error = null;
    pi.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } };
    ctx.log.emit('payment_intent.requires_action', pi, ctx.cause);
    return { status: 200, body: pi };
  }
  authorize(ctx, pi);
  return { status: 200, body: pi };
}

/** The buyer finished (or failed) the 3-D Secure challenge of an intent in `requires_action`. */
export function finishChallenge(ctx: FakeContext, pi: FakePaymentIntent, passed: boolean): void {
  if (passed) {
    authorize(ctx, pi);
    return;
  }
  pi.status = 'requires_payment_method';
  pi.next_action = null;
  pi.last_payment_error = {
    type: 'invalid_request_error',
    code: 'payment_intent_authentication_failure',
    message:
      'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
  };
  ctx.log.emit('payment_intent.payment_failed', pi, ctx.cause);
}

/** The delayed outcome of a `processing` intent: the money arrived (or the debit failed). */
export function finishProcessing(ctx: FakeContext, pi: FakePaymentIntent, succeeded: boolean): void {
  if (succeeded) {
    authorize(ctx, pi);
    return;
  }
  pi.status = 'requires_payment_method';
  pi.last_payment_error = {
    type: 'card_error',
    code: 'payment_method_provider_decline',
    decline_code: 'generic_decline',
    message: 'The payment was declined.',
  };
  ctx.log.emit('payment_intent.payment_failed', pi, ctx.cause);
}

/**
 * The card was approved: a charge exists from now on (uncaptured for manual capture, as at Stripe), and the intent
 * either waits for capture or has received the money.
 */
function authorize(ctx: FakeContext, pi: FakePaymentIntent): void {
  const manual = pi.capture_method === 'manual';
  const charge: FakeCharge = {
    id: newId('ch'),
    object: 'charge',
    amount: pi.amount,
    amount_captured: manual ? 0 : pi.amount,
    amount_refunded: 0,
    captured: !manual,
    refunded: false,
    disputed: false,
    paid: true,
    status: 'succeeded',
    currency: pi.currency,
    payment_intent: pi.id,
    payment_method: pi.payment_method,
    metadata: { ...pi.metadata },
    created: nowSeconds(),
    livemode: false,
  };
  ctx.state.charges.set(charge.id, charge);
  pi.latest_charge = charge.id;
  pi.last_payment_error = null;
  pi.next_action = null;
  if (manual) {
    pi.status = 'requires_capture';
    pi.amount_capturable = pi.amount;
    ctx.log.emit('payment_intent.amount_capturable_updated', pi, ctx.cause);
  } else {
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    ctx.log.emit('payment_intent.succeeded', pi, ctx.cause);
  }
}
