import { ConflictError } from '../../platform/errors.js';

/** A promotion's total or per-customer usage limit was reached while redeeming it (the checkout rolls back). */
export class PromotionExhaustedError extends ConflictError {
  constructor(
    readonly promotionId: string | null,
    code: string | null,
  ) {
    super(
      'PROMOTION_EXHAUSTED',
      `Promotion ${code ?? promotionId} has reached its usage limit; review the cart and try again.`,
      { extensions: { promotionId, promotionCode: code } },
    );
  }
}

export class PromotionCodeTakenError extends ConflictError {
  constructor() {
    super('PROMOTION_CODE_TAKEN', 'Another promotion already uses this code (codes ignore case).', {
      errors: [{ path: '/body/code', message: 'is already used by another promotion' }],
    });
  }
}

/** Redeemed promotions stay for the record: deactivate them instead. */
export class PromotionInUseError extends ConflictError {
  constructor() {
    super('PROMOTION_IN_USE', 'The promotion has been redeemed; deactivate it (PATCH active: false) instead.');
  }
}
