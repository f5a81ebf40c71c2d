import { AppError, BusinessRuleError, ConflictError } from '../../platform/errors.js';

export class EmailTakenError extends ConflictError {
  constructor() {
    super('EMAIL_TAKEN', 'An account with this email already exists.');
  }
}

/** Login failure: one body for an unknown email and a wrong password, so neither is revealed. */
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

/** An email-verification or password-reset token that is unknown, already used or expired. */
export class InvalidTokenError extends AppError {
  constructor() {
    super(400, 'INVALID_TOKEN', 'Invalid token', {
      detail: 'The link is invalid, expired or has already been used.',
      errors: [{ path: '/body/token', message: 'is invalid, expired or already used' }],
    });
  }
}
