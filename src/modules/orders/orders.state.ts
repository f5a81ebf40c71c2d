/**
 * The order lifecycle as data: each status column moves only along these edges, checked in one
 * place (`transition` in orders.service.ts), and every move is written to the order timeline.
 */

export const orderStatuses = ['pending_payment', 'placed', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export const orderTransitions = {
  pending_payment: ['placed', 'cancelled'],
  placed: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
} as const satisfies Record<OrderStatus, readonly OrderStatus[]>;

export const paymentStatuses = [
  'not_paid',
  'authorized',
  'partially_paid',
  'paid',
  'partially_refunded',
  'refunded',
  'voided',
] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export const paymentTransitions = {
  not_paid: ['authorized', 'partially_paid', 'paid', 'voided'],
  authorized: ['partially_paid', 'paid', 'voided'],
  partially_paid: ['paid', 'partially_refunded', 'refunded'],
  paid: ['partially_refunded', 'refunded'],
  // A refund the gateway accepted can still fail later (PayPal refund FAILED, Stripe refund.failed): it is taken back
  // out of the ledger, and the order's payment status goes back with it.
  partially_refunded: ['partially_paid', 'paid', 'partially_refunded', 'refunded'],
  refunded: ['partially_paid', 'paid', 'partially_refunded'],
  voided: [],
} as const satisfies Record<PaymentStatus, readonly PaymentStatus[]>;

export const fulfillmentStatuses = [
  'not_fulfilled',
  'partially_fulfilled',
  'fulfilled',
  'partially_shipped',
  'shipped',
  'delivered',
  'partially_returned',
  'returned',
] as const;
export type FulfillmentStatus = (typeof fulfillmentStatuses)[number];

export const fulfillmentTransitions = {
  not_fulfilled: ['partially_fulfilled', 'fulfilled'],
  partially_fulfilled: ['partially_fulfilled', 'fulfilled', 'partially_shipped'],
  fulfilled: ['partially_shipped', 'shipped'],
  partially_shipped: ['partially_shipped', 'shipped', 'partially_fulfilled', 'fulfilled'],
  shipped: ['delivered', 'partially_returned', 'returned'],
  delivered: ['partially_returned', 'returned'],
  partially_returned: ['partially_returned', 'returned'],
  returned: [],
} as const satisfies Record<FulfillmentStatus, readonly FulfillmentStatus[]>;

export type StatusField = 'status' | 'payment_status' | 'fulfillment_status';

const tables: Record<StatusField, Record<string, readonly string[]>> = {
  status: orderTransitions,
  payment_status: paymentTransitions,
  fulfillment_status: fulfillmentTransitions,
};

/** Whether `field` may move from `from` to `to`. */
export function canTransition(field: StatusField, from: string, to: string): boolean {
  return tables[field][from]?.includes(to) ?? false;
}
