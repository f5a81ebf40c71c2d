import type { FakeResponse } from '../http.js';
import { amountOf, captureResource, type PayPalContext } from './orders.js';
import { addRefund } from './payments.js';
import { notFound, refundView, unprocessable } from './state.js';

/**
 * What happens at PayPal after the API call answered — test controls standing for PayPal's own later moves, each
 * with the webhook PayPal sends for it: a PENDING capture completes or is declined, a PENDING refund completes or
 * fails, a refund is made in PayPal's dashboard, a capture is reversed (money taken back from the merchant).
 */

/** A PENDING capture settles: COMPLETED takes the money, DECLINED releases it to the authorization again. */
export function settleCapture(ctx: PayPalContext, id: string, outcome: 'COMPLETED' | 'DECLINED'): FakeResponse {
  const capture = ctx.store.captures.get(id);
  if (!capture) return notFound('capture', id);
  if (capture.status !== 'PENDING') return unprocessable('CAPTURE_NOT_PENDING', `The capture is ${capture.status}.`);
  capture.status = outcome;
  capture.statusReason = undefined;
  const auth = capture.authorizationId ? ctx.store.authorizations.get(capture.authorizationId) : undefined;
  if (outcome === 'DECLINED' && auth) {
    auth.capturedMinor -= capture.minor;
    auth.status = auth.capturedMinor === 0 ? 'CREATED' : 'PARTIALLY_CAPTURED';
  }
  const money = `${capture.amount.value} ${capture.amount.currency_code}`;
  if (outcome === 'COMPLETED') {
    ctx.bus.emit(
      'PAYMENT.CAPTURE.COMPLETED',
      'capture',
      `Payment completed for ${money}`,
      captureResource(ctx, capture),
    );
  } else {
    ctx.bus.emit(
      'PAYMENT.CAPTURE.DECLINED',
      'capture',
      `A ${money} capture was declined`,
      captureResource(ctx, capture),
    );
  }
  return { status: 200, body: captureResource(ctx, capture) };
}

/** A PENDING refund settles: COMPLETED sends the money, FAILED gives it back to the capture. */
export function settleRefund(ctx: PayPalContext, id: string, outcome: 'COMPLETED' | 'FAILED'): FakeResponse {
  const refund = ctx.store.refunds.get(id);
  if (!refund) return notFound('refund', id);
  if (refund.status !== 'PENDING') return unprocessable('REFUND_NOT_PENDING', `The refund is ${refund.status}.`);
  refund.status = outcome;
  const capture = ctx.store.captures.get(refund.captureId);
  if (outcome === 'FAILED' && capture) {
    capture.refundedMinor -= refund.minor;
    capture.status = capture.refundedMinor === 0 ? 'COMPLETED' : 'PARTIALLY_REFUNDED';
  } else {
    refund.statusReason = undefined;
  }
  const money = `${refund.amount.value} ${refund.amount.currency_code}`;
  const view = refundView(ctx.base(), refund);
  if (outcome === 'FAILED') ctx.bus.emit('PAYMENT.REFUND.FAILED', 'refund', `A ${money} refund failed`, view);
  else ctx.bus.emit('PAYMENT.CAPTURE.REFUNDED', 'refund', `A ${money} capture payment was refunded`, view);
  return { status: 200, body: view };
}

/**
 * Money leaves the capture without a call of ours: a refund in PayPal's dashboard (no invoice_id or custom_id) or
 * a reversal (PAYMENT.CAPTURE.REVERSED, refund-shaped, e.g. after a chargeback). `minor` defaults to what is left.
 */
export function takeBack(ctx: PayPalContext, captureId: string, kind: 'refund' | 'reversal', minor?: number) {
  const capture = ctx.store.captures.get(captureId);
  if (!capture) return notFound('capture', captureId);
  const units = minor ?? capture.minor - capture.refundedMinor;
  if (units <= 0 || units > capture.minor - capture.refundedMinor) {
    return unprocessable('REFUND_AMOUNT_EXCEEDED', 'Nothing left to take back from this capture.');
  }
  const refund = addRefund(
    ctx,
    capture,
    { amount: amountOf(capture.amount.currency_code, units), minor: units },
    { status: 'COMPLETED', reversal: kind === 'reversal' },
  );
  const view = refundView(ctx.base(), refund);
  const money = `${refund.amount.value} ${refund.amount.currency_code}`;
  if (kind === 'reversal') {
    ctx.bus.emit('PAYMENT.CAPTURE.REVERSED', 'refund', `A ${money} capture payment was reversed`, view);
  } else {
    ctx.bus.emit('PAYMENT.CAPTURE.REFUNDED', 'refund', `A ${money} capture payment was refunded`, view);
  }
  return { status: 201, body: view };
}
