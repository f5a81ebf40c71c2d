import { AppError } from '../../platform/errors.js';

export class UnauthenticatedError extends AppError {
  constructor(detail = 'Sign in, or send a valid `Authorization: Bearer` credential.') {
    super(401, 'UNAUTHENTICATED', 'Authentication required', { detail, headers: { 'www-authenticate': 'Bearer' } });
  }
}

export class InvalidCredentialsError extends AppError {
  constructor() {
    super(401, 'INVALID_CREDENTIALS', 'Invalid credentials', {
      detail: 'The token or key is unknown, expired or revoked.',
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  }
}

/** Email/password login failed: unknown email, wrong password or disabled account all look alike. */
export class LoginFailedError extends AppError {
  constructor() {
    super(401, 'INVALID_CREDENTIALS', 'Invalid credentials', { detail: 'The email or password is incorrect.' });
  }
}

export class PermissionDeniedError extends AppError {
  constructor(permission?: string) {
    super(403, 'PERMISSION_DENIED', 'Permission denied', {
      detail: permission ? `This needs the ${permission} permission.` : 'This credential cannot use this route.',
      ...(permission ? { extensions: { permission } } : {}),
    });
  }
}

/** An email-verification, password-reset or staff-invite token that is unknown, already used or expired. */
export class InvalidTokenError extends AppError {
  constructor() {
    super(400, 'INVALID_TOKEN', 'Invalid token', {
      detail: 'The link is invalid, expired or has already been used.',
      errors: [{ path: '/body/token', message: 'is invalid, expired or already used' }],
    });
  }
}

export class UnknownSalesChannelError extends AppError {
  constructor(id: string) {
    super(404, 'NOT_FOUND', 'Not found', {
      detail: `Sales channel ${id} was not found.`,
      errors: [{ path: '/body/salesChannelId', message: 'no such sales channel' }],
    });
  }
}

/** `x-publishable-key` is unknown, revoked or expired. */
export class InvalidPublishableKeyError extends AppError {
  constructor() {
    super(401, 'INVALID_PUBLISHABLE_KEY', 'Invalid publishable key', {
      detail: 'The x-publishable-key header names an unknown, revoked or expired key.',
    });
  }
}
