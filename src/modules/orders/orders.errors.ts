import { ConflictError } from '../../platform/errors.js';

export class InvalidOrderTransitionError extends ConflictError {
  constructor(field: string, from: string, to: string) {
    super('INVALID_ORDER_TRANSITION', `The order's ${field.replace('_', ' ')} cannot go from ${from} to ${to}.`, {
      extensions: { field, from, to },
    });
  }
}
