import { randomBytes } from 'node:crypto';
import type { FakeResponse } from '../http.js';

/**
 * The fake's objects, shaped like Stripe's (snake_case, unix seconds, lower-case currency) because they go over the
 * wire as they are and the SDK's types describe them. Only the fields Backroom reads, plus the ones that make the
 * objects recognisable, are modelled.
 */

export type IntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'succeeded'
  | 'canceled';

export interface PaymentError {
  type: string;
  code: string;
  decline_code?: string | undefined;
  message: string;
}

export interface FakePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  capture_method: 'automatic' | 'automatic_async' | 'manual';
  client_secret: string;
  status: IntentStatus;
  metadata: Record<string, string>;
  description: string | null;
  receipt_email: string | null;
  payment_method: string | null;
  latest_charge: string | null;
  last_payment_error: PaymentError | null;
  next_action: { type: 'use_stripe_sdk'; use_stripe_sdk: Record<string, string> } | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  created: number;
  livemode: false;
}

export interface FakeCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  refunded: boolean;
  disputed: boolean;
  paid: boolean;
  status: 'succeeded';
  currency: string;
  payment_intent: string;
  payment_method: string | null;
  metadata: Record<string, string>;
  created: number;
  livemode: false;
}

export interface FakeRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  payment_intent: string;
  charge: string;
  status: 'succeeded' | 'pending' | 'failed' | 'canceled';
  /** Set once a refund failed (`expired_or_canceled_card`, `lost_or_stolen_card`, `declined`, …). */
  failure_reason?: string | undefined;
  reason: string | null;
  metadata: Record<string, string>;
  created: number;
}

/** A card error the next confirmation answers with (`decline_code` may be absent, as on many real card errors). */
export interface FakeDecline {
  code: string;
  decline_code?: string | undefined;
  message?: string | undefined;
}

export interface FakeDispute {
  id: string;
  object: 'dispute';
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string;
  reason: string;
  status: 'needs_response' | 'won' | 'lost';
  created: number;
  livemode: false;
}

/** Everything the fake knows; maps keep insertion order, which the list endpoints rely on. */
export interface StripeState {
  intents: Map<string, FakePaymentIntent>;
  charges: Map<string, FakeCharge>;
  refunds: Map<string, FakeRefund>;
  disputes: Map<string, FakeDispute>;
  /** Queued by tests (see FakeStripe): the next confirmations' card errors, the next refunds' first status. */
  declines: FakeDecline[];
  refundStatuses: ('pending' | 'succeeded')[];
}

export function createState(): StripeState {
  return {
    intents: new Map(),
    charges: new Map(),
    refunds: new Map(),
    disputes: new Map(),
    declines: [],
    refundStatuses: [],
  };
}

/** Stripe-looking ids: a prefix and 24 random alphanumerics. */
export function newId(prefix: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(24);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return `${prefix}_${out}`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Stripe's error envelope. `extra` carries `param`, `code`, `decline_code`, `payment_intent` … */
export function stripeError(status: number, type: string, message: string, extra: object = {}): FakeResponse {
  return { status, body: { error: { type, message, ...extra } } };
}

export function invalidRequest(message: string, extra: object = {}): FakeResponse {
  return stripeError(400, 'invalid_request_error', message, extra);
}

export function missing(kind: string, id: string, param: string): FakeResponse {
  return stripeError(404, 'invalid_request_error', `No such ${kind}: '${id}'`, { code: 'resource_missing', param });
}

/** The error Stripe gives for an action the PaymentIntent's status does not allow; it embeds the intent. */
export function unexpectedState(pi: FakePaymentIntent, action: string): FakeResponse {
  return invalidRequest(`You cannot ${action} this PaymentIntent because it has a status of ${pi.status}.`, {
    code: 'payment_intent_unexpected_state',
    payment_intent: structuredClone(pi),
  });
}

/** How Stripe writes amounts in messages (`€12.50`). */
export function formatAmount(amount: number, currency: string): string {
  const symbols: Record<string, string> = { eur: '€', usd: '$', gbp: '£' };
  const major = (amount / 100).toFixed(2);
  const symbol = symbols[currency];
  return symbol ? `${symbol}${major}` : `${major} ${currency.toUpperCase()}`;
}
