import { createHmac } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { postWebhook } from '../http.js';
import { newId, nowSeconds } from './state.js';

/** The API version the fake claims in events (the one `stripe@23` pins). */
export const FAKE_API_VERSION = '2026-10-28.endive';

export interface RecordedEvent {
  id: string;
  type: string;
  /** The exact JSON that was (or would be) delivered: what the signature covers. */
  body: string;
}

/** The API request that caused an event; null ids for events the fake's control endpoints caused (like Stripe's automatic ones). */
export interface EventCause {
  requestId: string | null;
  idempotencyKey: string | null;
}

export interface EventLogOptions {
  webhookSecret: string;
  webhookUrl?: string | undefined;
  holdWebhooks?: boolean | undefined;
}

/**
 * Records every event and delivers them to the webhook URL one after another in creation order, each signed as
 * Stripe signs (`Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 of "<t>.<body>">`). Delivery starts on a later turn of
 * the event loop so the API response that caused it goes out first, and a slow receiver never holds the API up.
 */
export class EventLog {
  readonly events: RecordedEvent[] = [];
  /** Status of each automatic delivery (0: unreachable), in delivery order. */
  readonly deliveries: { eventId: string; status: number }[] = [];
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly opts: EventLogOptions) {}

  /** Records an event whose `data.object` is a snapshot of `object` now, and queues its delivery. */
  emit(type: string, object: object, cause: EventCause): RecordedEvent {
    const id = newId('evt');
    const event = {
      id,
      object: 'event',
      api_version: FAKE_API_VERSION,
      created: nowSeconds(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: cause.requestId, idempotency_key: cause.idempotencyKey },
      type,
    };
    const recorded: RecordedEvent = { id, type, body: JSON.stringify(event) };
    this.events.push(recorded);
    if (this.opts.webhookUrl && !this.opts.holdWebhooks) {
      this.chain = this.chain.then(async () => {
        await nextTurn();
        if (this.closed) return;
        const status = await this.post(recorded);
        this.deliveries.push({ eventId: id, status });
      });
    }
    return recorded;
  }

  /** Posts one recorded event again, freshly signed; the receiver's status (0 when unreachable or no URL). */
  async deliver(eventId: string): Promise<number> {
    const event = this.events.find((e) => e.id === eventId);
    if (!event) throw new Error(`fake stripe: no event ${eventId}`);
    return this.post(event);
  }

  /** Waits until every queued automatic delivery has been attempted. */
  settled(): Promise<void> {
    return this.chain;
  }

  close(): void {
    this.closed = true;
  }

  signatureHeader(body: string, opts: { timestamp?: number; secret?: string } = {}): string {
    const t = opts.timestamp ?? nowSeconds();
    const v1 = createHmac('sha256', opts.secret ?? this.opts.webhookSecret)
      .update(`${t}.${body}`)
      .digest('hex');
    return `t=${t},v1=${v1}`;
  }

  private post(event: RecordedEvent): Promise<number> {
    const url = this.opts.webhookUrl;
    if (!url) return Promise.resolve(0);
    return postWebhook(url, event.body, {
      'stripe-signature': this.signatureHeader(event.body),
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    });
  }
}
