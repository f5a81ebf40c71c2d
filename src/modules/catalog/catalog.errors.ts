import { ConflictError } from '../../platform/errors.js';

export class SalesChannelNameTakenError extends ConflictError {
  constructor() {
    super('SALES_CHANNEL_NAME_TAKEN', 'A sales channel with this name already exists.', {
      errors: [{ path: '/body/name', message: 'is already used by another sales channel' }],
    });
  }
}

export class DefaultSalesChannelError extends ConflictError {
  constructor(detail: string) {
    super('DEFAULT_SALES_CHANNEL', detail);
  }
}

export class SalesChannelInUseError extends ConflictError {
  constructor() {
    super('SALES_CHANNEL_IN_USE', 'Publishable keys still select this channel; revoke them or move them first.');
  }
}
