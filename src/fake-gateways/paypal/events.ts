import { createSign, randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { postWebhook } from '../http.js';
import { FAKE_PAYPAL_CERT_PEM, FAKE_PAYPAL_KEY_PEM } from './cert.js';
import { paypalId } from './state.js';

/**
 * Webhook events as PayPal sends them, signed with PayPal's documented self-verification scheme: an RSA-SHA256
 * signature over `transmissionId|transmissionTime|webhookId|crc32(body)`, verified against the certificate at
 * `paypal-cert-url` (served by the fake itself).
 */

export const CERT_PATH = '/v1/notifications/certs/CERT-fake-backroom';
export { FAKE_PAYPAL_CERT_PEM };

export interface FakePayPalEvent {
  id: string;
  type: string;
  /** The exact bytes delivered (and signed). */
  body: string;
}

export interface EventBus {
  readonly events: FakePayPalEvent[];
  emit(type: string, resourceType: string, summary: string, resource: Record<string, unknown>): FakePayPalEvent;
  deliver(eventId: string): Promise<number>;
  signedHeaders(body: string, opts?: { transmissionTime?: string }): Record<string, string>;
}

export function createEventBus(opts: {
  url: () => string;
  webhookId: string;
  webhookUrl?: string | undefined;
  hold?: boolean | undefined;
}): EventBus {
  const events: FakePayPalEvent[] = [];
  // One chain, so deliveries reach the receiver in creation order and one at a time, as PayPal's retrying sender
  // mostly (not strictly) does; receivers must cope with any order anyway.
  let chain: Promise<unknown> = Promise.resolve();

  function signedHeaders(body: string, o: { transmissionTime?: string } = {}): Record<string, string> {
    const transmissionId = randomUUID();
    const transmissionTime = o.transmissionTime ?? new Date().toISOString();
    const signed = `${transmissionId}|${transmissionTime}|${opts.webhookId}|${crc32(body) >>> 0}`;
    const signature = createSign('sha256').update(signed).sign(FAKE_PAYPAL_KEY_PEM, 'base64');
    return {
      'paypal-transmission-id': transmissionId,
      'paypal-transmission-time': transmissionTime,
      'paypal-cert-url': `${opts.url()}${CERT_PATH}`,
      'paypal-auth-algo': 'SHA256withRSA',
      'paypal-transmission-sig': signature,
    };
  }

  async function deliver(eventId: string): Promise<number> {
    const event = events.find((e) => e.id === eventId);
    if (!event || !opts.webhookUrl) return 0;
    // Each delivery is a new transmission: a fresh id, time and signature over the same event body.
    return postWebhook(opts.webhookUrl, event.body, signedHeaders(event.body));
  }

  return {
    events,
    signedHeaders,
    deliver,
    emit(type, resourceType, summary, resource) {
      const id = `WH-${paypalId()}`;
      const body = JSON.stringify({
        id,
        event_version: '1.0',
        create_time: new Date().toISOString(),
        resource_type: resourceType,
        resource_version: '2.0',
        event_type: type,
        summary,
        resource,
        links: [],
      });
      const event = { id, type, body };
      events.push(event);
      if (opts.webhookUrl && !opts.hold) {
        // setImmediate: the handler's response is written first; the delivery never delays or fails the API call.
        chain = chain.then(() => new Promise((resolve) => setImmediate(() => void deliver(id).then(resolve))));
      }
      return event;
    },
  };
}
