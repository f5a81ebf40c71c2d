import type Stripe from 'stripe';
import type { Money } from '../../../platform/money.js';
import type { ProviderEvent } from '../provider.js';
import { declineCodeOf, idOf } from './stripe.status.js';

/**
 * Stripe webhook event → ProviderEvent. Amounts on PaymentIntents and charges are running totals
 * (`amount_received`, `amount_refunded`), hence `cumulative`: a redelivered or out-of-order event can then never
 * count money twice. Our payment id rides in `metadata.backroom_payment_id` (copied by Stripe onto the charge).
 */

const money = (amount: number, currency: string): Money => ({ amount, currency: currency.toUpperCase() });

const paymentIdOf = (metadata: Stripe.Metadata | null | undefined): string | undefined =>
  metadata?.backroom_payment_id || undefined;

export function normaliseEvent(event: Stripe.Event): ProviderEvent {
  const base = { eventId: event.id, providerType: event.type };
  switch (event.type) {
    case 'payment_intent.amount_capturable_updated': {
      const pi = event.data.object;
      return {
        ...base,
        ...intentRefs(pi),
        type: 'authorized',
        amount: money(pi.amount_capturable, pi.currency),
      };
    }
    case 'payment_intent.succeeded': {
      const pi = event.data.object;
      return {
        ...base,
        ...intentRefs(pi),
        type: 'captured',
        objectReference: idOf(pi.latest_charge),
        amount: money(pi.amount_received, pi.currency),
        cumulative: true,
      };
    }
    case 'payment_intent.payment_failed': {
      const pi = event.data.object;
      const error = pi.last_payment_error;
      return {
        ...base,
        ...intentRefs(pi),
        type: 'failed',
        declineCode: error ? declineCodeOf(error, 'payment_failed') : undefined,
      };
    }
    case 'payment_intent.canceled':
      return { ...base, ...intentRefs(event.data.object), type: 'voided' };
    case 'charge.refunded': {
      const charge = event.data.object;
      return {
        ...base,
        type: 'refunded',
        paymentId: paymentIdOf(charge.metadata),
        providerReference: idOf(charge.payment_intent),
        objectReference: charge.id,
        amount: money(charge.amount_refunded, charge.currency),
        cumulative: true,
      };
    }
    case 'refund.failed':
    case 'refund.updated':
    case 'charge.refund.updated':
      return refundNews(base, event.data.object);
    case 'charge.dispute.created':
    case 'charge.dispute.closed': {
      const dispute = event.data.object;
      return {
        ...base,
        type: event.type === 'charge.dispute.created' ? 'dispute_opened' : 'dispute_closed',
        providerReference: idOf(dispute.payment_intent),
        objectReference: idOf(dispute.charge),
        dispute: {
          id: dispute.id,
          reason: dispute.reason,
          status: dispute.status,
          amount: money(dispute.amount, dispute.currency),
        },
      };
    }
    default:
      return { ...base, type: 'other' };
  }
}

function intentRefs(pi: Stripe.PaymentIntent): { paymentId?: string | undefined; providerReference: string } {
  return { paymentId: paymentIdOf(pi.metadata), providerReference: pi.id };
}

/**
 * A refund Stripe accepted (`pending` or `succeeded`, counted by us then) that later `failed` or was `canceled`: it
 * comes back out of the ledger. Stripe tells it three ways (`refund.failed`, `refund.updated`,
 * `charge.refund.updated`), all about the same `re_…`, which the ledger reverses once. Other refund updates are news
 * `charge.refunded` already carried.
 */
function refundNews(base: { eventId: string; providerType: string }, refund: Stripe.Refund): ProviderEvent {
  if (refund.status !== 'failed' && refund.status !== 'canceled') return { ...base, type: 'other' };
  return {
    ...base,
    type: 'refund_failed',
    paymentId: paymentIdOf(refund.metadata),
    providerReference: idOf(refund.payment_intent),
    objectReference: refund.id,
    amount: money(refund.amount, refund.currency),
    idempotencyKey: refund.metadata?.backroom_key || undefined,
    refundFailure: {
      status: refund.status,
      reason: refund.failure_reason ?? null,
      // A refund made in Stripe's dashboard was counted under its charge by the cumulative `charge.refunded`.
      countedUnder: idOf(refund.charge),
    },
  };
}
