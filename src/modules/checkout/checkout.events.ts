/** The outbox event types checkout emits (see `EventTypes` in the platform outbox). */
declare module '../../platform/outbox/outbox.js' {
  interface EventTypes {
    /** The cart became an order (`payload.orderId`); `aggregateId` is the cart. */
    'cart.completed': true;
  }
}

export {};
