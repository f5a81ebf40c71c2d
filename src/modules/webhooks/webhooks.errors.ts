import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';

export class WebhookEndpointNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Webhook endpoint', id);
  }
}

export class WebhookDeliveryNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Webhook delivery', id);
  }
}

/** A test ping or a redelivery to an endpoint that is switched off: enable it first. */
export class EndpointDisabledError extends ConflictError {
  constructor(id: string) {
    super('ENDPOINT_DISABLED', `Webhook endpoint ${id} is disabled; enable it first (PATCH enabled: true).`);
  }
}

/** A worker holds the delivery (an attempt is being made): wait for its outcome. */
export class DeliveryInFlightError extends ConflictError {
  constructor(id: string) {
    super('DELIVERY_IN_FLIGHT', `Webhook delivery ${id} is being attempted right now; try again once it finishes.`);
  }
}

/** The endpoint URL is refused (shape, scheme, credentials, or an address that is not public). */
export class WebhookUrlRefusedError extends ValidationError {
  constructor(reason: string) {
    super([{ path: '/body/url', message: reason }], `The endpoint URL ${reason}.`);
  }
}
