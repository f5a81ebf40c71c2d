import type { FakeResponse } from '../http.js';
import { confirmIntent, finishChallenge, finishProcessing } from './confirm.js';
import type { FakeContext } from './context.js';
import { list, record, str } from './form.js';
import {
  type FakePaymentIntent,
  type IntentStatus,
  invalidRequest,
  missing,
  newId,
  nowSeconds,
  stripeError,
  unexpectedState,
} from './state.js';

/** The `/v1/payment_intents` endpoints (and the fake's 3-D Secure control endpoint). */

const captureMethods = ['automatic', 'automatic_async', 'manual'] as const;
const cancellationReasons = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'];

/** A positive integer amount parameter, or the error Stripe would answer. */
export function parseAmount(raw: string | undefined, param: string): number | FakeResponse | undefined {
  if (raw === undefined) return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    return invalidRequest(`Invalid ${param}: must be a positive integer (in the currency's minor unit).`, {
      param,
      code: 'parameter_invalid_integer',
    });
  }
  return n;
}

export const isResponse = (v: unknown): v is FakeResponse =>
  typeof v === 'object' && v !== null && 'status' in v && 'body' in v;

function find(ctx: FakeContext, id: string): FakePaymentIntent | FakeResponse {
  const pi = ctx.state.intents.get(id);
  if (!pi) return missing('payment_intent', id, 'intent');
  // A browser call proves its right to this one intent with the intent's client secret, as Stripe.js does.
  if (ctx.auth === 'publishable' && str(ctx.form, 'client_secret') !== pi.client_secret) {
    return invalidRequest('The client_secret provided does not match any associated PaymentIntent on this account.', {
      param: 'client_secret',
    });
  }
  return pi;
}

export function createIntent(ctx: FakeContext): FakeResponse {
  const amount = parseAmount(str(ctx.form, 'amount'), 'amount');
  if (amount === undefined) return invalidRequest('Missing required param: amount.', { param: 'amount' });
  if (isResponse(amount)) return amount;
  const currency = str(ctx.form, 'currency')?.toLowerCase();
  if (!currency || !/^[a-z]{3}$/.test(currency)) {
    return invalidRequest('Missing or invalid required param: currency.', { param: 'currency' });
  }
  const captureMethod = str(ctx.form, 'capture_method') ?? 'automatic';
  if (!(captureMethods as readonly string[]).includes(captureMethod)) {
    return invalidRequest(`Invalid capture_method: must be one of ${captureMethods.join(', ')}`, {
      param: 'capture_method',
    });
  }
  const id = newId('pi');
  const paymentMethod = str(ctx.form, 'payment_method') ?? null;
  const pi: FakePaymentIntent = {
    id,
    object: 'payment_intent',
    amount,
    amount_capturable: 0,
    amount_received: 0,
    currency,
    capture_method: captureMethod as FakePaymentIntent['capture_method'],
    client_secret: `${id}_secret_${newId('x').slice(2)}`,
    status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    metadata: withoutEmpty(record(ctx.form, 'metadata') ?? {}),
    description: str(ctx.form, 'description') ?? null,
    receipt_email: str(ctx.form, 'receipt_email') ?? null,
    payment_method: paymentMethod,
    latest_charge: null,
    last_payment_error: null,
    next_action: null,
    canceled_at: null,
    cancellation_reason: null,
    created: nowSeconds(),
    livemode: false,
  };
  ctx.state.intents.set(id, pi);
  ctx.log.emit('payment_intent.created', pi, ctx.cause);
  if (str(ctx.form, 'confirm') === 'true') return confirmIntent(ctx, pi, paymentMethod ?? undefined);
  return { status: 200, body: pi };
}

export function retrieveIntent(ctx: FakeContext, id: string): FakeResponse {
  const pi = find(ctx, id);
  if (isResponse(pi)) return pi;
  return { status: 200, body: expand(ctx, pi, list(ctx.form, 'expand').includes('latest_charge')) };
}

/** Newest first, with Stripe's `created[gte|gt|lte|lt]`, `limit` and `starting_after` cursor. */
export function listIntents(ctx: FakeContext): FakeResponse {
  const created = record(ctx.form, 'created') ?? {};
  const bound = (k: string) => (created[k] !== undefined ? Number(created[k]) : undefined);
  const [gte, gt, lte, lt] = [bound('gte'), bound('gt'), bound('lte'), bound('lt')];
  const limit = Math.min(Math.max(Number(str(ctx.form, 'limit') ?? 10) || 10, 1), 100);
  let all = [...ctx.state.intents.values()]
    .reverse()
    .filter(
      (pi) =>
        (gte === undefined || pi.created >= gte) &&
        (gt === undefined || pi.created > gt) &&
        (lte === undefined || pi.created <= lte) &&
        (lt === undefined || pi.created < lt),
    );
  const after = str(ctx.form, 'starting_after');
  if (after) all = all.slice(all.findIndex((pi) => pi.id === after) + 1);
  const withCharge = list(ctx.form, 'expand').includes('data.latest_charge');
  return {
    status: 200,
    body: {
      object: 'list',
      data: all.slice(0, limit).map((pi) => expand(ctx, pi, withCharge)),
      has_more: all.length > limit,
      url: '/v1/payment_intents',
    },
  };
}

export function updateIntent(ctx: FakeContext, id: string): FakeResponse {
  const pi = find(ctx, id);
  if (isResponse(pi)) return pi;
  if (pi.status !== 'requires_payment_method' && pi.status !== 'requires_confirmation') {
    return unexpectedState(pi, 'update');
  }
  const amount = parseAmount(str(ctx.form, 'amount'), 'amount');
  if (isResponse(amount)) return amount;
  if (amount !== undefined) pi.amount = amount;
  const metadata = record(ctx.form, 'metadata');
  // Stripe merges metadata; an empty value removes the key.
  if (metadata) pi.metadata = withoutEmpty({ ...pi.metadata, ...metadata });
  const description = str(ctx.form, 'description');
  if (description !== undefined) pi.description = description;
  const email = str(ctx.form, 'receipt_email');
  if (email !== undefined) pi.receipt_email = email;
  return { status: 200, body: pi };
}

const confirmable: IntentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

export function confirm(ctx: FakeContext, id: string): FakeResponse {
  const pi = find(ctx, id);
  if (isResponse(pi)) return pi;
  if (!confirmable.includes(pi.status)) return unexpectedState(pi, 'confirm');
  return confirmIntent(ctx, pi, str(ctx.form, 'payment_method'));
}

/** `POST /_fake/payment_intents/:id/3ds {outcome: 'succeed' | 'fail'}`: the buyer's answer to the challenge. */
export function threeDSecure(ctx: FakeContext, id: string): FakeResponse {
  const pi = find(ctx, id);
  if (isResponse(pi)) return pi;
  if (pi.status !== 'requires_action') return unexpectedState(pi, 'authenticate');
  const outcome = str(ctx.form, 'outcome') ?? 'succeed';
  if (outcome !== 'succeed' && outcome !== 'fail') {
    return invalidRequest("outcome must be 'succeed' or 'fail'", { param: 'outcome' });
  }
  finishChallenge(ctx, pi, outcome === 'succeed');
  return { status: 200, body: pi };
}

/** `POST /_fake/payment_intents/:id/settle {outcome: 'succeed' | 'fail'}`: a `processing` intent's delayed outcome. */
export function settleProcessing(ctx: FakeContext, id: string): FakeResponse {
  const pi = find(ctx, id);
  if (isResponse(pi)) return pi;
  if (pi.status !== 'processing') return unexpectedState(pi, 'settle');
  const outcome = str(ctx.form, 'outcome') ?? 'succeed';
  if (outcome !== 'succeed' && outcome !== 'fail') {
    return invalidRequest("outcome must be 'succeed' or 'fail'", { param: 'outcome' });
  }
  finishProcessing(ctx, pi, outcome === 'succeed');
  return { status: 200, body: pi };
}

/** One capture per intent (Stripe without multicapture): the uncaptured rest is released. */
export function capture(ctx: FakeContext, id: string): FakeResponse {
  const pi = find(ctx, id);
  if (isResponse(pi)) return pi;
  if (pi.status !== 'requires_capture') return unexpectedState(pi, 'capture');
  const requested = parseAmount(str(ctx.form, 'amount_to_capture'), 'amount_to_capture');
  if (isResponse(requested)) return requested;
  const amount = requested ?? pi.amount_capturable;
  if (amount > pi.amount_capturable) {
    return invalidRequest(
      `The amount_to_capture (${amount}) is greater than the amount_capturable (${pi.amount_capturable}).`,
      { param: 'amount_to_capture', code: 'amount_too_large' },
    );
  }
  const charge = pi.latest_charge ? ctx.state.charges.get(pi.latest_charge) : undefined;
  if (!charge) return stripeError(500, 'api_error', 'fake stripe: intent in requires_capture without a charge');
  charge.captured = true;
  charge.amount_captured = amount;
  pi.amount_received = amount;
  pi.amount_capturable = 0;
  pi.status = 'succeeded';
  ctx.log.emit('payment_intent.succeeded', pi, ctx.cause);
  return { status: 200, body: pi };
}

export function cancel(ctx: FakeContext, id: string): FakeResponse {
  const pi = find(ctx, id);
  if (isResponse(pi)) return pi;
  const cancelable: IntentStatus[] = [...confirmable, 'requires_capture'];
  if (!cancelable.includes(pi.status)) return unexpectedState(pi, 'cancel');
  const reason = str(ctx.form, 'cancellation_reason');
  if (reason !== undefined && !cancellationReasons.includes(reason)) {
    return invalidRequest(`Invalid cancellation_reason: must be one of ${cancellationReasons.join(', ')}`, {
      param: 'cancellation_reason',
    });
  }
  pi.status = 'canceled';
  pi.amount_capturable = 0;
  pi.canceled_at = nowSeconds();
  pi.cancellation_reason = reason ?? null;
  pi.next_action = null;
  ctx.log.emit('payment_intent.canceled', pi, ctx.cause);
  return { status: 200, body: pi };
}

function expand(ctx: FakeContext, pi: FakePaymentIntent, withCharge: boolean): object {
  if (!withCharge || !pi.latest_charge) return pi;
  return { ...pi, latest_charge: ctx.state.charges.get(pi.latest_charge) ?? pi.latest_charge };
}

function withoutEmpty(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).filter(([, v]) => v !== ''));
}
