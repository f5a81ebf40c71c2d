import type { FakeResponse } from '../http.js';
import { amountOf, captureResource, isResponse, newCapture, type PayPalContext, parseAmount } from './orders.js';
import {
  authorizationView,
  captureView,
  type FakeDispute,
  type FakeRefund,
  notFound,
  now,
  paypalId,
  refundView,
  unprocessable,
} from './state.js';

/** The Payments v2 API of the fake: capture/void an authorization, refund a capture, and the dispute controls. */

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function getAuthorization(ctx: PayPalContext, id: string): FakeResponse {
  const a = ctx.store.authorizations.get(id);
  return a ? { status: 200, body: authorizationView(ctx.base(), a) } : notFound('authorization', id);
}

export function getCapture(ctx: PayPalContext, id: string): FakeResponse {
  const c = ctx.store.captures.get(id);
  return c ? { status: 200, body: captureResource(ctx, c) } : notFound('capture', id);
}

export function getRefund(ctx: PayPalContext, id: string): FakeResponse {
  const r = ctx.store.refunds.get(id);
  return r ? { status: 200, body: refundView(ctx.base(), r) } : notFound('refund', id);
}

/** Captures part or all of an authorization; partial captures continue while `final_capture` is false. */
export function captureAuthorization(ctx: PayPalContext, id: string, body: unknown): FakeResponse {
  const auth = ctx.store.authorizations.get(id);
  if (!auth) return notFound('authorization', id);
  if (auth.status === 'VOIDED')
    return unprocessable('AUTHORIZATION_VOIDED', 'A voided authorization cannot be captured.');
  if (auth.status === 'CAPTURED') {
    return unprocessable('AUTHORIZATION_ALREADY_CAPTURED', 'The authorization has already been fully captured.');
  }
  const b = obj(body);
  const parsed = requestedAmount(b, auth.minor - auth.capturedMinor, auth.amount.currency_code, () =>
    unprocessable('MAX_CAPTURE_AMOUNT_EXCEEDED', 'Capture amount exceeds the allowable limit.'),
  );
  if (isResponse(parsed)) return parsed;
  const order = ctx.store.orders.get(auth.orderId);
  if (!order) return notFound('order', auth.orderId);
  const finalCapture = b.final_capture === true;
  const capture = newCapture(ctx, order, {
    authorizationId: auth.id,
    amount: parsed.amount,
    minor: parsed.minor,
    finalCapture,
    customId: auth.customId,
    invoiceId: str(b.invoice_id) ?? auth.invoiceId,
    noteToPayer: str(b.note_to_payer),
  });
  auth.capturedMinor += parsed.minor;
  auth.captureIds.push(capture.id);
  auth.status = finalCapture || auth.capturedMinor === auth.minor ? 'CAPTURED' : 'PARTIALLY_CAPTURED';
  auth.updateTime = capture.createTime;
  const resource = captureResource(ctx, capture);
  const summary = `Payment completed for ${capture.amount.value} ${capture.amount.currency_code}`;
  ctx.bus.emit('PAYMENT.CAPTURE.COMPLETED', 'capture', summary, resource);
  return { status: 201, body: captureView(ctx.base(), capture) };
}

export function voidAuthorization(ctx: PayPalContext, id: string, prefer: string | undefined): FakeResponse {
  const auth = ctx.store.authorizations.get(id);
  if (!auth) return notFound('authorization', id);
  if (auth.status === 'VOIDED')
    return unprocessable('AUTHORIZATION_VOIDED', 'The authorization has already been voided.');
  if (auth.captureIds.length > 0) {
    return unprocessable('PREVIOUSLY_CAPTURED', 'An authorization that has been captured cannot be voided.');
  }
  auth.status = 'VOIDED';
  auth.updateTime = now();
  const order = ctx.store.orders.get(auth.orderId);
  // With its only authorization voided and nothing captured, the order itself is VOIDED (PayPal's order status).
  if (order?.authorizationIds.every((a) => ctx.store.authorizations.get(a)?.status === 'VOIDED')) {
    order.status = 'VOIDED';
    order.updateTime = auth.updateTime;
  }
  const view = authorizationView(ctx.base(), auth);
  ctx.bus.emit('PAYMENT.AUTHORIZATION.VOIDED', 'authorization', 'A payment authorization was voided', view);
  return prefer?.includes('return=representation') ? { status: 200, body: view } : { status: 204, body: undefined };
}

export function refundCapture(ctx: PayPalContext, id: string, body: unknown): FakeResponse {
  const capture = ctx.store.captures.get(id);
  if (!capture) return notFound('capture', id);
  if (capture.status === 'REFUNDED') {
    return unprocessable('CAPTURE_FULLY_REFUNDED', 'The capture has already been fully refunded.');
  }
  const b = obj(body);
  const parsed = requestedAmount(b, capture.minor - capture.refundedMinor, capture.amount.currency_code, () =>
    unprocessable(
      'REFUND_AMOUNT_EXCEEDED',
      'The refund amount must be less than or equal to the capture amount that has not yet been refunded.',
    ),
  );
  if (isResponse(parsed)) return parsed;
  const refund: FakeRefund = {
    id: paypalId(),
    captureId: capture.id,
    orderId: capture.orderId,
    status: 'COMPLETED',
    amount: parsed.amount,
    minor: parsed.minor,
    invoiceId: str(b.invoice_id),
    customId: str(b.custom_id) ?? capture.customId,
    noteToPayer: str(b.note_to_payer),
    createTime: now(),
  };
  ctx.store.refunds.set(refund.id, refund);
  capture.refundIds.push(refund.id);
  capture.refundedMinor += refund.minor;
  capture.status = capture.refundedMinor === capture.minor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  const view = refundView(ctx.base(), refund);
  ctx.bus.emit(
    'PAYMENT.CAPTURE.REFUNDED',
    'refund',
    `A ${refund.amount.value} ${refund.amount.currency_code} capture payment was refunded`,
    view,
  );
  return { status: 201, body: view };
}

function disputeResource(d: FakeDispute, customId: string | undefined): Json {
  return {
    dispute_id: d.id,
    create_time: d.createTime,
    update_time: now(),
    disputed_transactions: [{ seller_transaction_id: d.captureId, ...(customId ? { custom: customId } : {}) }],
    reason: d.reason,
    status: d.status,
    dispute_amount: d.amount,
    ...(d.outcome
      ? {
          dispute_outcome: {
            outcome_code: d.outcome,
            ...(d.outcome === 'RESOLVED_BUYER_FAVOUR' ? { amount_refunded: d.amount } : {}),
          },
        }
      : {}),
    links: [],
  };
}

/** Control endpoint: the buyer opens a dispute over a capture. */
export function openDispute(ctx: PayPalContext, captureId: string, body: unknown): FakeResponse {
  const capture = ctx.store.captures.get(captureId);
  if (!capture) return notFound('capture', captureId);
  const dispute: FakeDispute = {
    id: `PP-D-${Math.floor(Math.random() * 1e9)}`,
    captureId,
    reason: str(obj(body).reason) ?? 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
    status: 'OPEN',
    amount: capture.amount,
    createTime: now(),
  };
  ctx.store.disputes.set(dispute.id, dispute);
  const resource = disputeResource(dispute, capture.customId);
  ctx.bus.emit('CUSTOMER.DISPUTE.CREATED', 'dispute', `A new dispute opened with Case # ${dispute.id}`, resource);
  return { status: 201, body: resource };
}

export function resolveDispute(ctx: PayPalContext, id: string, body: unknown): FakeResponse {
  const dispute = ctx.store.disputes.get(id);
  if (!dispute) return notFound('dispute', id);
  const outcome = str(obj(body).outcome) ?? 'RESOLVED_BUYER_FAVOUR';
  if (outcome !== 'RESOLVED_BUYER_FAVOUR' && outcome !== 'RESOLVED_SELLER_FAVOUR') {
    return unprocessable('INVALID_OUTCOME', 'outcome must be RESOLVED_BUYER_FAVOUR or RESOLVED_SELLER_FAVOUR.');
  }
  dispute.status = 'RESOLVED';
  dispute.outcome = outcome;
  const resource = disputeResource(dispute, ctx.store.captures.get(dispute.captureId)?.customId);
  ctx.bus.emit('CUSTOMER.DISPUTE.RESOLVED', 'dispute', `A dispute was resolved with case # ${dispute.id}`, resource);
  return { status: 200, body: resource };
}

/** The body's `amount` (all that remains when absent), or the error PayPal answers for it. */
function requestedAmount(
  b: Record<string, unknown>,
  remaining: number,
  currency: string,
  exceeded: () => FakeResponse,
): ReturnType<typeof parseAmount> | FakeResponse {
  const parsed =
    b.amount === undefined
      ? { amount: amountOf(currency, remaining), minor: remaining }
      : parseAmount(b.amount, '/amount', currency);
  if (isResponse(parsed)) return parsed;
  return parsed.minor > remaining ? exceeded() : parsed;
}
