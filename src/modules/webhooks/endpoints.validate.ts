import { type FieldError, ValidationError } from '../../platform/errors.js';
import { PING_EVENT_TYPE, type WebhookEventCatalogue } from './catalogue.js';
import { MAX_URL_LENGTH } from './endpoints.schemas.js';
import { checkUrlShape, resolveSafeAddresses, UnsafeUrlError, type UrlPolicy } from './url-safety.js';
import { WebhookUrlRefusedError } from './webhooks.errors.js';

/** The checks on an endpoint's URL and subscriptions that a JSON schema cannot state. */

export const ALL_EVENTS = '*';

/**
 * `['*']`, or the listed types with duplicates removed (first occurrence kept).
 * @throws ValidationError naming `/body/eventTypes/<i>`: an unknown type, or `*` next to other types.
 */
export function normaliseEventTypes(types: readonly string[], catalogue: WebhookEventCatalogue): string[] {
  const errors: FieldError[] = [];
  const wildcard = types.includes(ALL_EVENTS);
  types.forEach((type, i) => {
    const path = `/body/eventTypes/${i}`;
    if (type === ALL_EVENTS) {
      if (types.some((t) => t !== ALL_EVENTS)) errors.push({ path, message: '`*` must be the only entry' });
    } else if (type === PING_EVENT_TYPE) {
      errors.push({ path, message: 'ping is not subscribed to: test pings are always delivered' });
    } else if (!catalogue.types.has(type)) {
      errors.push({ path, message: `is not a known event type (see GET /v1/admin/webhook-event-types)` });
    }
  });
  if (errors.length > 0) throw new ValidationError(errors, 'Some event types cannot be subscribed to.');
  return wildcard ? [ALL_EVENTS] : [...new Set(types)];
}

/**
 * Parses and checks the URL (shape, scheme, no credentials, and every address its host resolves
 * to is public unless private URLs are allowed) and returns it normalised (`URL.href`: what the
 * worker will request). Resolves DNS, so it runs before any transaction opens.
 * @throws WebhookUrlRefusedError (400 naming `/body/url`) with the reason.
 */
export async function checkEndpointUrl(raw: string, policy: UrlPolicy): Promise<string> {
  try {
    const url = checkUrlShape(raw, policy);
    await resolveSafeAddresses(url, policy);
    if (url.href.length > MAX_URL_LENGTH) throw new UnsafeUrlError(`is longer than ${MAX_URL_LENGTH} characters`);
    return url.href;
  } catch (err) {
    if (err instanceof UnsafeUrlError) throw new WebhookUrlRefusedError(err.message);
    throw err;
  }
}
