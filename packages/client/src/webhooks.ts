import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { webhooks } from './schema.js';

/** The body of every webhook Backroom sends (Standard Webhooks 1.0). */
export interface WebhookEnvelope {
  /** The event type, e.g. `order.placed` (`ping` for a test delivery). */
  type: string;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  /** Commit order of the event; for one resource a higher number is newer, so a lower one can be dropped as stale. */
  sequence: number;
  /** The resource as the admin API shows it. */
  data: unknown;
}

type DocumentedBodies = {
  [K in keyof webhooks]: [webhooks[K]] extends [never]
    ? never
    : webhooks[K] extends { post: { requestBody: { content: { 'application/json': infer B } } } }
      ? B
      : never;
}[keyof webhooks];

/**
 * A verified webhook body: the union of the bodies documented under the API document's `webhooks` key (narrow it
 * with `switch (message.type)`), or the plain envelope while the document lists none.
 */
export type WebhookMessage = [DocumentedBodies] extends [never] ? WebhookEnvelope : DocumentedBodies;
/** Every webhook event type the API documents. */
export type WebhookEventType = WebhookMessage['type'];
/** The `data` of one event type. */
export type WebhookPayload<T extends WebhookEventType> = Extract<WebhookMessage, { type: T }>['data'];

export type WebhookFailure = 'headers_invalid' | 'signature_invalid' | 'timestamp_stale' | 'body_invalid';

/** A delivery that must not be trusted; answer it with a 4xx and do not act on it. */
export class WebhookVerifyError extends Error {
  override readonly name = 'WebhookVerifyError';
  readonly reason: WebhookFailure;

  constructor(reason: WebhookFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** Request headers as Node (`IncomingHttpHeaders`), fetch (`Headers`) or a plain object give them. */
export type WebhookHeaders = Headers | Record<string, string | readonly string[] | undefined>;

const NAMES = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function signatureHeaders(headers: WebhookHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  const get = (name: string): string | undefined => {
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
    return typeof entry === 'string' ? entry : entry?.join(' ');
  };
  for (const name of NAMES) {
    const value = get(name);
    if (value) out[name] = value;
  }
  return out;
}

function failureOf(error: unknown): WebhookFailure {
  const message = error instanceof Error ? error.message : '';
  if (/Missing required headers|Invalid Signature Headers/.test(message)) return 'headers_invalid';
  if (/timestamp too (old|new)/.test(message)) return 'timestamp_stale';
  return 'signature_invalid';
}

/**
 * Checks a webhook delivery from Backroom with the endpoint's signing secret (`whsec_…`) and returns its parsed
 * body. `body` must be the raw request body, byte for byte (parse the JSON only after this). Pass several secrets
 * while you rotate: the delivery is accepted when one of them signed it (during a rotation Backroom signs with
 * both the old and the new secret).
 *
 * Throws `WebhookVerifyError` — `reason`: `headers_invalid` (a `webhook-*` header missing or malformed), `signature_invalid` (wrong secret or a body changed
 * on the way), `timestamp_stale` (`webhook-timestamp` more than 5 minutes from now: a replayed delivery), or
 * `body_invalid` (signed, but not a webhook envelope).
 */
export function verifyWebhook(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string | readonly string[],
): WebhookMessage {
  const signed = signatureHeaders(headers);
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new TypeError('verifyWebhook: no signing secret given');
  let failure: unknown;
  let parsed: unknown;
  let verified = false;
  for (const s of secrets) {
    try {
      parsed = new Webhook(s).verify(body, signed);
      verified = true;
      break;
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) {
        // A signed body that is not JSON.
        if (error instanceof SyntaxError) throw new WebhookVerifyError('body_invalid', error.message, { cause: error });
        throw error;
      }
      failure = error;
    }
  }
  if (!verified) {
    const reason = failureOf(failure);
    throw new WebhookVerifyError(reason, `webhook refused: ${(failure as Error).message}`, { cause: failure });
  }
  const message = parsed as Partial<WebhookEnvelope> | undefined;
  if (typeof message !== 'object' || message === null || typeof message.type !== 'string') {
    throw new WebhookVerifyError('body_invalid', 'webhook body is not a Backroom event envelope');
  }
  return message as WebhookMessage;
}
