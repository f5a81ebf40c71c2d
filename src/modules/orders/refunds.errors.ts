import { AppError, BusinessRuleError } from '../../platform/errors.js';

/** 422 `REFUND_AMOUNT_EXCEEDED`: more than the order's captured − refunded (refunds in flight count as spent). */
export class RefundAmountExceededError extends BusinessRuleError {
  constructor(requested: number, available: number) {
    super('REFUND_AMOUNT_EXCEEDED', `Cannot refund ${requested}: at most ${available} of this order can be refunded.`, {
      errors: [{ path: '/amount/amount', message: `must be at most ${available}` }],
      extensions: { requested, available },
    });
  }
}

/** 422 `REFUND_RETURN_INVALID`: the return named by `returnId` is not one of this order's, or was rejected. */
export class RefundReturnInvalidError extends BusinessRuleError {
  constructor(returnId: string, why: string) {
    super('REFUND_RETURN_INVALID', `Return ${returnId} ${why}.`, {
      errors: [{ path: '/returnId', message: why }],
    });
  }
}

/**
 * 502 `REFUND_INCOMPLETE`: an order refund spread over several payments stopped part way (a gateway
 * refused, or a concurrent refund took the rest). What was refunded is recorded; `refunded` says how much.
 */
export class RefundIncompleteError extends AppError {
  constructor(requested: number, refunded: number, cause: unknown) {
    super(502, 'REFUND_INCOMPLETE', 'Refund incomplete', {
      detail: `Only ${refunded} of ${requested} was refunded; the rest was refused. Check the order's payments before retrying.`,
      extensions: { requested, refunded },
      cause,
    });
  }
}
