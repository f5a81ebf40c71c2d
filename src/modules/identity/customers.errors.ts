import { AppError, BusinessRuleError, ConflictError } from '../../platform/errors.js';

export class EmailTakenError extends ConflictError {
  constructor() {
    super('EMAIL_TAKEN', 'An account with this email already exists.');
  }
}

/**
 * A signed-in customer gave the wrong current password. 422, not 401: the session is fine, and a
 * 401 would make clients treat it as "signed out".
 */
export class CurrentPasswordIncorrectError extends BusinessRuleError {
  constructor() {
    super('CURRENT_PASSWORD_INCORRECT', 'The current password is incorrect.', {
      errors: [{ path: '/body/currentPassword', message: 'is incorrect' }],
    });
  }
}

/** Staff disabled the account: the password was right, so saying why costs nothing and saves a support call. */
export class CustomerDisabledError extends AppError {
  constructor() {
    super(403, 'CUSTOMER_DISABLED', 'Account disabled', {
      detail: 'This account is disabled. Contact the shop to have it enabled again.',
    });
  }
}

/** The customer's personal data was erased: nothing personal may be written back onto the record. */
export class CustomerErasedError extends ConflictError {
  constructor() {
    super('CUSTOMER_ERASED', "The customer's personal data was erased; the record can no longer be edited.");
  }
}

/** An erasure must name the customer's current email in `confirm` (typed by the staff member, not copied from a link). */
export class ErasureNotConfirmedError extends BusinessRuleError {
  constructor() {
    super('ERASURE_NOT_CONFIRMED', "Type the customer's email in `confirm` to erase their personal data.", {
      errors: [{ path: '/body/confirm', message: "must be the customer's email" }],
    });
  }
}
