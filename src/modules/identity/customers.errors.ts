import { BusinessRuleError, ConflictError } from '../../platform/errors.js';

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
