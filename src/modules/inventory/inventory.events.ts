/**
 * The outbox event types inventory emits (see `EventTypes` in the platform outbox). Each is about one
 * inventory item (`aggregateId`, `payload.itemId`): staff changed its stock, or its sellable stock
 * (active locations) crossed a line.
 */
declare module '../../platform/outbox/outbox.js' {
  interface EventTypes {
    /** Available stock fell from above the item's low-stock threshold to at or below it. */
    'inventory.low_stock': true;
    /** Available stock rose from zero (or less: backorders) to above zero. */
    'inventory.back_in_stock': true;
    /** Staff adjusted on hand at one location (`delta`, `onHand` after, `reason`, `locationId`/`locationCode`). */
    'inventory.adjusted': true;
  }
}

export {};
