import { BusinessRuleError, ConflictError, type FieldError } from '../../platform/errors.js';

/** 409 `ORDER_NOT_FULFILLABLE`: only `placed` orders are fulfilled or shipped (not unpaid, cancelled or completed). */
export class OrderNotFulfillableError extends ConflictError {
  constructor(orderId: string, status: string) {
    super(
      'ORDER_NOT_FULFILLABLE',
      `Order ${orderId} is ${status.replace('_', ' ')}; only placed orders are fulfilled.`,
      {
        extensions: { status },
      },
    );
  }
}

/**
 * 422 `FULFILLMENT_QUANTITY_EXCEEDED`: a line asks for more units than are left to fulfil (or names a line the order
 * does not have). `errors` points at each offending request field; nothing was changed.
 */
export class FulfillmentLinesInvalidError extends BusinessRuleError {
  constructor(errors: FieldError[]) {
    super('FULFILLMENT_QUANTITY_EXCEEDED', 'Some lines cannot be fulfilled as asked; nothing was changed.', { errors });
  }
}

/**
 * 422 `FULFILLMENT_LOCATION_REQUIRED`: no single location holds the reserved units of every requested line, so the
 * caller must say where to ship from (one fulfilment per location).
 */
export class FulfillmentLocationRequiredError extends BusinessRuleError {
  constructor() {
    super(
      'FULFILLMENT_LOCATION_REQUIRED',
      'The requested units are not all reserved at one location; give `locationId` and split the fulfilment by location.',
      { errors: [{ path: '/body/locationId', message: 'is required for these lines' }] },
    );
  }
}

/** 409 `INVALID_FULFILLMENT_TRANSITION`: e.g. shipping a parcel twice, or delivering one that has not shipped. */
export class InvalidFulfillmentTransitionError extends ConflictError {
  constructor(fulfillmentId: string, from: string, to: string) {
    super('INVALID_FULFILLMENT_TRANSITION', `Fulfillment ${fulfillmentId} is ${from}; it cannot become ${to}.`, {
      extensions: { from, to },
    });
  }
}

/** 422 `ORDER_LINE_NOT_FOUND`: a requested line id is not a line of this order; nothing was changed. */
export class UnknownOrderLineError extends BusinessRuleError {
  constructor(errors: FieldError[]) {
    super('ORDER_LINE_NOT_FOUND', 'Some requested lines are not lines of this order; nothing was changed.', { errors });
  }
}
