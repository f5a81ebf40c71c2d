import { AppError, ConflictError } from '../../platform/errors.js';

/** A line the stock could not cover: what was asked, and what is sellable now. */
export interface ShortLine {
  variantId: string;
  requested: number;
  available: number | null;
}

/** 409 `INSUFFICIENT_STOCK`: nothing was held or changed; `short` names each line that cannot be covered. */
export class InsufficientStockError extends ConflictError {
  constructor(readonly short: ShortLine[]) {
    super(
      'INSUFFICIENT_STOCK',
      `Not enough stock for ${short.map((s) => s.variantId).join(', ')}; nothing was changed.`,
      { extensions: { short } },
    );
  }
}

/** 409 `INSUFFICIENT_STOCK` for an admin change at one level (adjustment or transfer). */
export class LevelShortError extends ConflictError {
  constructor(itemId: string, locationId: string, available: number, onHand: number) {
    super('INSUFFICIENT_STOCK', `Item ${itemId} has ${available} available (${onHand} on hand) at ${locationId}.`, {
      extensions: { itemId, locationId, available, onHand },
    });
  }
}

/** 409 `ON_HAND_MISMATCH`: compare-and-set lost; `currentOnHand` is the value to retry against. */
export class OnHandMismatchError extends ConflictError {
  constructor(currentOnHand: number) {
    super('ON_HAND_MISMATCH', `On hand is ${currentOnHand}, not the expected value; nothing was changed.`, {
      extensions: { currentOnHand },
      errors: [{ path: '/body/expectedOnHand', message: `does not match the current on hand (${currentOnHand})` }],
    });
  }
}

/** 409 `HOLD_EXPIRED`: the cart's holds for these lines expired or are gone; nothing was committed. */
export class HoldExpiredError extends ConflictError {
  constructor(readonly lines: { variantId: string; quantity: number }[]) {
    super('HOLD_EXPIRED', 'Some holds of this cart expired or are gone; hold the stock again, then commit.', {
      extensions: { lines },
    });
  }
}

/** 409 `RESERVATION_INSUFFICIENT`: the order has fewer reserved units for these lines than asked. */
export class ReservationInsufficientError extends ConflictError {
  constructor(readonly variantIds: string[]) {
    super('RESERVATION_INSUFFICIENT', `The order has too few reserved units for ${variantIds.join(', ')}.`, {
      extensions: { variantIds },
    });
  }
}

export class LocationCodeTakenError extends ConflictError {
  constructor() {
    super('LOCATION_CODE_TAKEN', 'A stock location with this code already exists.', {
      errors: [{ path: '/body/code', message: 'is already used by another stock location' }],
    });
  }
}

/** 409 `BACKORDERS_OUTSTANDING`: backorders cannot be turned off while more is promised than on hand. */
export class BackordersOutstandingError extends ConflictError {
  constructor() {
    super('BACKORDERS_OUTSTANDING', 'More units are promised than on hand; restock before turning backorders off.');
  }
}

/** 406: the live stream speaks only `text/event-stream`. */
export class NotAcceptableError extends AppError {
  constructor() {
    super(406, 'NOT_ACCEPTABLE', 'Not acceptable', { detail: 'Send `Accept: text/event-stream` to open the stream.' });
  }
}
