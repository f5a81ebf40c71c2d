import { BusinessRuleError, ConflictError, type FieldError, NotFoundError } from '../../platform/errors.js';

export class ReturnNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Return', id);
  }
}

/** 409 `ORDER_NOT_RETURNABLE`: only placed or completed orders take returns. */
export class OrderNotReturnableError extends ConflictError {
  constructor(orderId: string, status: string) {
    super('ORDER_NOT_RETURNABLE', `Order ${orderId} is ${status}: only placed or completed orders can be returned.`, {
      extensions: { orderId, orderStatus: status },
    });
  }
}

/** 409 `INVALID_RETURN_TRANSITION`: e.g. receiving a rejected return, approving a received one. */
export class InvalidReturnTransitionError extends ConflictError {
  constructor(returnId: string, from: string, action: string) {
    super('INVALID_RETURN_TRANSITION', `Return ${returnId} is ${from}: it cannot be ${action}.`, {
      extensions: { returnId, from, action },
    });
  }
}

/** 422 `RETURN_QUANTITY_EXCEEDED`: more units than were shipped and are not already being returned. */
export class ReturnQuantityExceededError extends BusinessRuleError {
  constructor(errors: FieldError[]) {
    super(
      'RETURN_QUANTITY_EXCEEDED',
      'Only shipped units that are not already returned or being returned can be returned.',
      {
        errors,
      },
    );
  }
}

/** 422 `RETURN_LINES_INVALID`: a line names something that is not part of this order or return, or twice. */
export class ReturnLinesInvalidError extends BusinessRuleError {
  constructor(errors: FieldError[]) {
    super('RETURN_LINES_INVALID', 'Some lines do not match the order or the return.', { errors });
  }
}
