import { currencyExponent, fromDecimalString, toDecimalString } from '../../platform/money.js';
import type { FakeResponse } from '../http.js';
import type { EventBus } from './events.js';
import {
  authorizationView,
  captureView,
  type FakeAuthorization,
  type FakeCapture,
  type FakeOrder,
  invalidRequest,
  notFound,
  now,
  orderView,
  type PayPalAmount,
  type PayPalStore,
  paypalId,
  unprocessable,
} from './state.js';

/** What every operation of the fake works on: its records, its own base URL (for links) and its webhooks. */
export interface PayPalContext {
  store: PayPalStore;
  base: () => string;
  bus: EventBus;
  /** Outcomes staged by a test for the next capture/refund call (PayPal's own decisions, e.g. a review). */
  next: { capture?: 'PENDING' | 'DECLINED' | undefined; refund?: 'PENDING' | undefined };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Currencies PayPal takes without decimals (its currency table), although ISO 4217 gives HUF and TWD two. Kept
 * here as PayPal's own rule, apart from the adapter's copy, so a test catches the adapter getting it wrong.
 */
const WHOLE_UNITS = new Set(['HUF', 'JPY', 'TWD']);

/** PayPal's refusal of `1000.00` HUF. */
const decimalsNotSupported = (field: string): FakeResponse =>
  unprocessable(
    'DECIMALS_NOT_SUPPORTED',
    'Currency does not support decimals. Please refer to https://developer.paypal.com/docs/api/reference/currency-codes/ for more information.',
    field,
  );

/**
 * Parses a PayPal `{currency_code, value}` into minor units (ISO's: "1000" HUF is 100000); PayPal's validation
 * answers 400 with the JSON pointer of the bad field, 422 DECIMALS_NOT_SUPPORTED for a decimal point in a
 * whole-unit currency. `currency` (when given) must match; `mismatch` is PayPal's answer when it does not (each
 * call names it differently).
 */
export function parseAmount(
  raw: unknown,
  field: string,
  currency?: string,
  mismatch: () => FakeResponse = () => unprocessable('CURRENCY_MISMATCH', `The currency must be ${currency}.`),
): { amount: PayPalAmount; minor: number } | FakeResponse {
  const a = obj(raw);
  const code = str(a.currency_code);
  const value = str(a.value);
  if (!code)
    return invalidRequest(`${field}/currency_code`, 'MISSING_REQUIRED_PARAMETER', 'A required field is missing.');
  if (!value) return invalidRequest(`${field}/value`, 'MISSING_REQUIRED_PARAMETER', 'A required field is missing.');
  if (WHOLE_UNITS.has(code) && value.includes('.')) return decimalsNotSupported(`${field}/value`);
  let minor: number;
  try {
    minor = fromDecimalString(value, code).amount;
  } catch {
    return invalidRequest(`${field}/value`, 'DECIMAL_PRECISION', 'The value field is not a valid amount.');
  }
  if (minor <= 0) {
    return invalidRequest(`${field}/value`, 'INVALID_PARAMETER_VALUE', 'The amount must be greater than zero.');
  }
  if (currency && code !== currency) return mismatch();
  return { amount: { currency_code: code, value }, minor };
}

export const isResponse = (v: unknown): v is FakeResponse =>
  typeof v === 'object' && v !== null && 'status' in v && 'body' in v;

/** Minor units as PayPal writes them: whole forints and Taiwan dollars without decimals. */
export const amountOf = (currency: string, minor: number): PayPalAmount => ({
  currency_code: currency,
  value: WHOLE_UNITS.has(currency)
    ? String(Math.floor(minor / 10 ** currencyExponent(currency)))
    : toDecimalString({ amount: minor, currency }),
});

export function createOrder(ctx: PayPalContext, body: unknown): FakeResponse {
  const b = obj(body);
  const intent = b.intent;
  if (intent !== 'AUTHORIZE' && intent !== 'CAPTURE') {
    return invalidRequest('/intent', 'INVALID_PARAMETER_VALUE', 'intent must be AUTHORIZE or CAPTURE.');
  }
  const units = Array.isArray(b.purchase_units) ? b.purchase_units : [];
  if (units.length !== 1) {
    return invalidRequest('/purchase_units', 'INVALID_ARRAY_MAX_ITEMS', 'The fake supports exactly one purchase unit.');
  }
  const u = obj(units[0]);
  const parsed = parseAmount(u.amount, '/purchase_units/0/amount');
  if (isResponse(parsed)) return parsed;
  const context = obj(obj(obj(b.payment_source).paypal).experience_context);
  const customId = str(u.custom_id);
  const invoiceId = str(u.invoice_id);
  const t = now();
  const order: FakeOrder = {
    id: paypalId(),
    intent,
    status: b.payment_source ? 'PAYER_ACTION_REQUIRED' : 'CREATED',
    unit: {
      reference_id: str(u.reference_id) ?? 'default',
      amount: parsed.amount,
      ...(customId !== undefined ? { custom_id: customId } : {}),
      ...(invoiceId !== undefined ? { invoice_id: invoiceId } : {}),
    },
    minor: parsed.minor,
    payerAction: Boolean(b.payment_source),
    returnUrl: str(context.return_url),
    cancelUrl: str(context.cancel_url),
    declines: false,
    createTime: t,
    updateTime: t,
    authorizationIds: [],
    captureIds: [],
  };
  ctx.store.orders.set(order.id, order);
  return { status: 201, body: orderView(ctx.base(), ctx.store, order) };
}

export function getOrder(ctx: PayPalContext, id: string): FakeResponse {
  const order = ctx.store.orders.get(id);
  return order ? { status: 200, body: orderView(ctx.base(), ctx.store, order) } : notFound('order', id);
}

/** The buyer approves at PayPal; `decline` approves too, but the funding instrument then fails (INSTRUMENT_DECLINED). */
export function approveOrder(ctx: PayPalContext, id: string, outcome: string): FakeResponse {
  const order = ctx.store.orders.get(id);
  if (!order) return notFound('order', id);
  if (order.status === 'COMPLETED' || order.status === 'VOIDED') {
    return unprocessable('ORDER_ALREADY_COMPLETED', 'The order cannot be approved again.');
  }
  if (order.status !== 'APPROVED') {
    order.status = 'APPROVED';
    order.declines = outcome === 'decline';
    order.updateTime = now();
    const view = orderView(ctx.base(), ctx.store, order);
    ctx.bus.emit('CHECKOUT.ORDER.APPROVED', 'checkout-order', `An order has been approved by buyer`, view);
  }
  return { status: 200, body: orderView(ctx.base(), ctx.store, order) };
}

/** Checks shared by authorize and capture of an order: it exists, has this intent, was approved and not completed. */
function completable(ctx: PayPalContext, id: string, action: 'AUTHORIZE' | 'CAPTURE'): FakeOrder | FakeResponse {
  const order = ctx.store.orders.get(id);
  if (!order) return notFound('order', id);
  if (order.intent !== action) {
    return unprocessable(
      'ACTION_DOES_NOT_MATCH_INTENT',
      `Order was created with an intent to '${order.intent}'. Please use v2/checkout/orders/order_id/${order.intent.toLowerCase()} to complete the transaction or alternately Create an order with an intent of '${action}'.`,
    );
  }
  if (order.status === 'COMPLETED') {
    return action === 'AUTHORIZE'
      ? unprocessable(
          'ORDER_ALREADY_AUTHORIZED',
          "Order already authorized.If 'intent=AUTHORIZE' only one authorization per order is allowed.",
        )
      : unprocessable(
          'ORDER_ALREADY_CAPTURED',
          "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
        );
  }
  if (order.status !== 'APPROVED') {
    return unprocessable(
      'ORDER_NOT_APPROVED',
      "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call.",
    );
  }
  if (order.declines) {
    return unprocessable(
      'INSTRUMENT_DECLINED',
      "The instrument presented  was either declined by the processor or bank, or it can't be used for this payment.",
    );
  }
  return order;
}

export function authorizeOrder(ctx: PayPalContext, id: string): FakeResponse {
  const order = completable(ctx, id, 'AUTHORIZE');
  if (isResponse(order)) return order;
  const t = now();
  const auth: FakeAuthorization = {
    id: paypalId(),
    orderId: order.id,
    status: 'CREATED',
    amount: order.unit.amount,
    minor: order.minor,
    capturedMinor: 0,
    customId: order.unit.custom_id,
    invoiceId: order.unit.invoice_id,
    createTime: t,
    updateTime: t,
    // PayPal honours an authorization for 3 days and keeps it capturable for 29.
    expirationTime: new Date(Date.now() + 29 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    captureIds: [],
  };
  ctx.store.authorizations.set(auth.id, auth);
  order.authorizationIds.push(auth.id);
  order.status = 'COMPLETED';
  order.updateTime = t;
  const summary = `Payment authorization for ${auth.amount.value} ${auth.amount.currency_code}`;
  ctx.bus.emit('PAYMENT.AUTHORIZATION.CREATED', 'authorization', summary, authorizationView(ctx.base(), auth));
  return { status: 201, body: orderView(ctx.base(), ctx.store, order) };
}

/** PayPal's standard fee (3.49% + 0.49), so the receivable breakdown looks like the real thing. */
function breakdown(amount: PayPalAmount, minor: number): Json {
  const fee = Math.min(minor, Math.round((minor * 349) / 10_000) + 49);
  return {
    gross_amount: amount,
    paypal_fee: amountOf(amount.currency_code, fee),
    net_amount: amountOf(amount.currency_code, minor - fee),
  };
}

export function newCapture(
  ctx: PayPalContext,
  order: FakeOrder,
  parts: Omit<FakeCapture, 'id' | 'orderId' | 'status' | 'refundedMinor' | 'createTime' | 'refundIds'>,
): FakeCapture {
  const capture: FakeCapture = {
    ...parts,
    id: paypalId(),
    orderId: order.id,
    status: 'COMPLETED',
    refundedMinor: 0,
    createTime: now(),
    refundIds: [],
  };
  ctx.store.captures.set(capture.id, capture);
  order.captureIds.push(capture.id);
  return capture;
}

export function captureResource(ctx: PayPalContext, c: FakeCapture): Json {
  return { ...captureView(ctx.base(), c), seller_receivable_breakdown: breakdown(c.amount, c.minor) };
}

export function captureOrder(ctx: PayPalContext, id: string): FakeResponse {
  const order = completable(ctx, id, 'CAPTURE');
  if (isResponse(order)) return order;
  const capture = newCapture(ctx, order, {
    amount: order.unit.amount,
    minor: order.minor,
    finalCapture: true,
    customId: order.unit.custom_id,
    invoiceId: order.unit.invoice_id,
  });
  order.status = 'COMPLETED';
  order.updateTime = capture.createTime;
  // A staged outcome (test control): PayPal holds the capture for review, or the funding fails at capture time.
  const staged = ctx.next.capture;
  ctx.next.capture = undefined;
  const money = `${capture.amount.value} ${capture.amount.currency_code}`;
  if (staged) {
    capture.status = staged;
    capture.statusReason = staged === 'PENDING' ? 'PENDING_REVIEW' : undefined;
    const type = staged === 'PENDING' ? 'PAYMENT.CAPTURE.PENDING' : 'PAYMENT.CAPTURE.DECLINED';
    ctx.bus.emit(type, 'capture', `Payment ${staged.toLowerCase()} for ${money}`, captureResource(ctx, capture));
  } else {
    ctx.bus.emit(
      'PAYMENT.CAPTURE.COMPLETED',
      'capture',
      `Payment completed for ${money}`,
      captureResource(ctx, capture),
    );
  }
  return { status: 201, body: orderView(ctx.base(), ctx.store, order) };
}
