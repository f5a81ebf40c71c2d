/**
 * The outbox event types catalog emits (see `EventTypes` in the platform outbox). Each is about one
 * product: `aggregateId` and `payload.productId` name it.
 */
declare module '../../platform/outbox/outbox.js' {
  interface EventTypes {
    /** Created through the admin API or a CSV import. */
    'product.created': true;
    /** Any change to the product, its variants, prices or memberships (admin API, bulk prices, CSV import). */
    'product.updated': true;
    /** Deleted (only a product no order references can be). */
    'product.deleted': true;
  }
}

export {};
