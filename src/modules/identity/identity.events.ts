/** The outbox event types identity emits (see `EventTypes` in the platform outbox). */
declare module '../../platform/outbox/outbox.js' {
  interface EventTypes {
    /** A customer registered (`aggregateId`, `payload.customerId`): e.g. for the shop's marketing tool. */
    'customer.created': true;
    /**
     * A customer's personal data was erased (privacy request; `aggregateId`, `payload.customerId`): systems that
     * copied it (CRM, mailing list) must erase it too.
     */
    'customer.erased': true;
  }
}

export {};
