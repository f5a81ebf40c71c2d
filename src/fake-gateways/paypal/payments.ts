import type { FakeResponse } from '../http.js';
import { amountOf, captureResource, isResponse, newCapture, type PayPalContext, parseAmount } from './orders.js';
import {
  authorizationView,
  captureView,
  type FakeCapture,
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
    return unprocessable('AUTHORIZATION_VOIDED', 'A voided authorization cannot be captured or reauthorized. ');
  if (auth.status === 'CAPTURED') {
    return unprocessable('AUTHORIZATION_ALREADY_CAPTURED', 'Authorization has previously been captured.');
  }
  const b = obj(body);
  const parsed = requestedAmount(
    b,
    auth.minor - auth.capturedMinor,
    auth.amount.currency_code,
    () =>
      unprocessable(
        'MAX_CAPTURE_AMOUNT_EXCEEDED',
        'Capture amount exceeds allowable limit. Please contact customer service or your account manager to request the change to your overage limit. The default overage limit is 115%, which allows the sum of all captures to be up to 115% of the order amount. The ability to over capture is subjected to regulatory approvals.',
      ),
    () =>
      unprocessable(
        'AUTH_CAPTURE_CURRENCY_MISMATCH',
        'Currency of capture must be the same as currency of authorization.',
      ),
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
  auth.captureIds.push(capture.id);
  auth.updateTime = capture.createTime;
  // A staged outcome (test control): the capture is held for review, or the funding fails at capture time.
  const staged = ctx.next.capture;
  ctx.next.capture = undefined;
  if (staged === 'DECLINED') {
    capture.status = 'DECLINED';
    ctx.bus.emit(
      'PAYMENT.CAPTURE.DECLINED',
      'capture',
      'A payment capture was declined',
      captureResource(ctx, capture),
    );
    return { status: 201, body: captureView(ctx.base(), capture) };
  }
  auth.capturedMinor += parsed.minor;
  auth.status = finalCapture || auth.capturedMinor === auth.minor ? 'CAPTURED' : 'PARTIALLY_CAPTURED';
  if (staged === 'PENDING') {
    capture.status = 'PENDING';
    capture.statusReason = 'PENDING_REVIEW';
    const summary = `Payment pending for ${capture.amount.value} ${capture.amount.currency_code}`;
    ctx.bus.emit('PAYMENT.CAPTURE.PENDING', 'capture', summary, captureResource(ctx, capture));
    return { status: 201, body: captureView(ctx.base(), capture) };
  }
  const resource = captureResource(ctx, capture);
  const summary = `Payment completed for ${capture.amount.value} ${capture.amount.currency_code}`;
  ctx.bus.emit('PAYMENT.CAPTURE.COMPLETED', 'capture', summary, resource);
  return { status: 201, body: captureView(ctx.base(), capture) };
}

export function voidAuthorization(ctx: PayPalContext, id: string, prefer: string | undefined): FakeResponse {
  const auth = ctx.store.authorizations.get(id);
  if (!auth) return notFound('authorization', id);
  if (auth.status === 'VOIDED') {
    return unprocessable(
      'PREVIOUSLY_VOIDED',
      'Authorization has been previously voided and hence cannot be voided again.',
    );
  }
  if (auth.captureIds.length > 0) {
    return unprocessable(
      'PREVIOUSLY_CAPTURED',
      'Authorization has been previously captured and hence cannot be voided.',
    );
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
    return unprocessable('CAPTURE_FULLY_REFUNDED', 'The capture has already been fully refunded');
  }
  if (capture.status === 'PENDING') {
    return unprocessable(
      'PENDING_CAPTURE',
      'Cannot initiate a refund as the capture is pending. Capture is typically pending when the payer has funded the transaction using e-check/bank funded.',
    );
  }
  if (capture.status === 'DECLINED') {
    return unprocessable('REFUND_NOT_ALLOWED', 'Capture cannot be refunded.');
  }
  const b = obj(body);
  const parsed = requestedAmount(
    b,
    capture.minor - capture.refundedMinor,
    capture.amount.currency_code,
    () =>
      unprocessable(
        'REFUND_AMOUNT_EXCEEDED',
        'The refund amount must be less than or equal to the capture amount that has not yet been refunded.',
      ),
    () => unprocessable('REFUND_CAPTURE_CURRENCY_MISMATCH', 'Refund must be in the same currency as the capture'),
  );
  if (isResponse(parsed)) return parsed;
  const staged = ctx.next.refund;
  ctx.next.refund = undefined;
  // custom_id and invoice_id only as the request gave them: PayPal does not copy the capture's onto a refund.
  const refund = addRefund(ctx, capture, parsed, {
    status: staged ?? 'COMPLETED',
    statusReason: staged ? 'ECHECK' : undefined,
    invoiceId: str(b.invoice_id),
    customId: str(b.custom_id),
    noteToPayer: str(b.note_to_payer),
  });
  const view = refundView(ctx.base(), refund);
  const money = `${refund.amount.value} ${refund.amount.currency_code}`;
  if (staged === 'PENDING') ctx.bus.emit('PAYMENT.REFUND.PENDING', 'refund', `A ${money} refund is pending`, view);
  else ctx.bus.emit('PAYMENT.CAPTURE.REFUNDED', 'refund', `A ${money} capture payment was refunded`, view);
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

/** Records a refund (or a reversal) of `capture` and moves the capture's refunded total. */
export function addRefund(
  ctx: PayPalContext,
  capture: FakeCapture,
  money: { amount: FakeRefund['amount']; minor: number },
  parts: Pick<FakeRefund, 'status' | 'statusReason' | 'invoiceId' | 'customId' | 'noteToPayer' | 'reversal'>,
): FakeRefund {
  const refund: FakeRefund = {
    ...parts,
    id: paypalId(),
    captureId: capture.id,
    orderId: capture.orderId,
    amount: money.amount,
    minor: money.minor,
    createTime: now(),
  };
  ctx.store.refunds.set(refund.id, refund);
  capture.refundIds.push(refund.id);
  capture.refundedMinor += refund.minor;
  capture.status = capture.refundedMinor === capture.minor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  return refund;
}

/** The body's `amount` (all that remains when absent), or the error PayPal answers for it. */
function requestedAmount(
  b: Record<string, unknown>,
  remaining: number,
  currency: string,
  exceeded: () => FakeResponse,
  mismatch: () => FakeResponse,
): ReturnType<typeof parseAmount> | FakeResponse {
  const parsed =
    b.amount === undefined
      ? { amount: amountOf(currency, remaining), minor: remaining }
      : parseAmount(b.amount, '/amount', currency, mismatch);
  if (isResponse(parsed)) return parsed;
  return parsed.minor > remaining ? exceeded() : parsed;
}
