/**
 * The outbox event types orders emits (see `EventTypes` in the platform outbox). Every payload names
 * the order (`payload.orderId`); return events are about a return (`aggregateId`) of that order.
 */
declare module '../../platform/outbox/outbox.js' {
  interface EventTypes {
    /** The order's payment went through (or needed none): the buyer has an order. */
    'order.placed': true;
    /** Cancelled, by staff or because its payment failed or was abandoned. */
    'order.cancelled': true;
    /** Every line delivered (or returned): nothing left to do. */
    'order.completed': true;
    /** Money went back to the buyer (staff refund, split over the order's payments). */
    'order.refunded': true;
    'fulfillment.created': true;
    'fulfillment.shipped': true;
    'fulfillment.delivered': true;
    'return.requested': true;
    'return.approved': true;
    'return.rejected': true;
    'return.received': true;
  }
}

/** The order status changes that are also outbox events (`transition`'s `event`). */
export type OrderEventType = 'order.placed' | 'order.cancelled' | 'order.completed';
