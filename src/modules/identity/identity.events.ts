/** The outbox event types identity emits (see `EventTypes` in the platform outbox). */
declare module '../../platform/outbox/outbox.js' {
  interface EventTypes {
    /** A customer registered (`aggregateId`, `payload.customerId`): e.g. for the shop's marketing tool. */
    'customer.created': true;
  }
}

export {};
