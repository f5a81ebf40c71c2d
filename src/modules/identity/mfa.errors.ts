import { AppError } from '../../platform/errors.js';

/** Login with MFA enabled and no code, or a wrong, replayed or used one. */
export class MfaRequiredError extends AppError {
  constructor() {
    super(401, 'MFA_REQUIRED', 'MFA code required', {
      detail: 'This account uses two-factor authentication: send a current `code` or an unused recovery code.',
    });
  }
}

/** A staff member whose role requires MFA has not enrolled yet. */
export class MfaEnrolmentRequiredError extends AppError {
  constructor() {
    super(403, 'MFA_ENROLMENT_REQUIRED', 'MFA enrolment required', {
      detail: 'Your role requires two-factor authentication: enrol at POST /v1/admin/staff/me/mfa first.',
    });
  }
}

export class InvalidMfaCodeError extends AppError {
  constructor() {
    super(400, 'INVALID_MFA_CODE', 'Invalid MFA code', { detail: 'The code is wrong, expired or already used.' });
  }
}

/** No secret box is configured: MFA cannot be used. */
export class MfaUnavailableError extends AppError {
  constructor() {
    super(503, 'MFA_UNAVAILABLE', 'MFA unavailable', { detail: 'No secret key is configured on this server.' });
  }
}
