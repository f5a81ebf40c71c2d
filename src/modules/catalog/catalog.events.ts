/**
 * The outbox event types catalog emits (see `EventTypes` in the platform outbox). The `product.*`
 * ones are about one product: `aggregateId` and `payload.productId` name it.
 */
declare module '../../platform/outbox/outbox.js' {
  interface EventTypes {
    /** Created through the admin API or a CSV import. */
    'product.created': true;
    /** Any change to the product, its variants, prices or memberships (admin API, bulk prices, CSV import). */
    'product.updated': true;
    /** Deleted (only a product no order references can be). */
    'product.deleted': true;
    /**
     * Storefront answers changed (a document was written or removed: product edit, price, publish or
     * unpublish, stock status, category or collection change): `payload.keys` are the surrogate keys
     * to purge from a CDN (`products` and `product:<id>` per product), `payload.productIds` the
     * products. Written in the transaction of the change (read-model.ts).
     */
    'catalog.storefront_changed': true;
  }
}

export {};
