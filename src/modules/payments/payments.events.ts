/**
 * The outbox event types payments emits (see `EventTypes` in the platform outbox). Each is about one
 * payment (`aggregateId`, `payload.paymentId`), except `payment.mismatch` from the gateway
 * reconciliation, whose `aggregateId` is `<provider>:<reference>` when no payment of ours matches.
 */
declare module '../../platform/outbox/outbox.js' {
  interface EventTypes {
    'payment.authorized': true;
    'payment.captured': true;
    'payment.refunded': true;
    'payment.voided': true;
    /** Declined at the gateway (attempt or capture/refund/void). */
    'payment.failed': true;
    /** The gateway took back a capture (a refund made at the gateway, outside our API). */
    'payment.reversed': true;
    /** A refund the gateway first accepted failed or was cancelled later: the money stays captured. */
    'payment.refund_failed': true;
    'payment.dispute_opened': true;
    'payment.dispute_closed': true;
    /** Money held for an attempt that never became an order was given back (voided or refunded). */
    'payment.released': true;
    /** Our ledger and the gateway disagree (reconciliation), or an orphan payment could not be released. */
    'payment.mismatch': true;
  }
}

/** What a recorded gateway-side movement (`recordExternal`) may be announced as. */
export type ExternalMoveEventType = 'payment.captured' | 'payment.refunded' | 'payment.voided' | 'payment.reversed';
export type AttemptEventType = 'payment.authorized' | 'payment.captured' | 'payment.failed';
