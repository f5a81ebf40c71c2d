import { verify, X509Certificate } from 'node:crypto';
import type { Money } from '../../../platform/money.js';
import { InvalidWebhookSignatureError } from '../payments.errors.js';
import type { ProviderEvent, ProviderEventType } from '../provider.js';
import { fromPayPalValue } from './paypal.money.js';

/**
 * PayPal webhook verification by PayPal's documented self-verification scheme: the `paypal-transmission-sig` is an
 * RSA-SHA256 signature over `transmissionId|transmissionTime|webhookId|crc32(rawBody)`, checked with the public key
 * of the certificate at `paypal-cert-url`. That URL comes from the request, so it is only fetched from PayPal's own
 * hosts over https (or from the configured fake) — anything else would let a caller make us fetch arbitrary URLs.
 */

const PAYPAL_CERT_HOSTS = ['api.paypal.com', 'api.sandbox.paypal.com', 'api-m.paypal.com', 'api-m.sandbox.paypal.com'];
const FUTURE_SKEW_MS = 300_000;

export interface WebhookSettings {
  webhookId: string;
  apiBase?: string | undefined;
  certHosts?: string[] | undefined;
  webhookToleranceSeconds?: number | undefined;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE, as zlib) as an unsigned integer; zlib.crc32 only exists from Node 20.15 and we support 20.12. */
export function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function certUrlAllowed(raw: string, settings: WebhookSettings): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (settings.apiBase) {
    const base = new URL(settings.apiBase);
    const prefix = base.pathname.replace(/\/+$/, '');
    if (url.origin === base.origin && url.pathname.startsWith(`${prefix}/`)) return true;
  }
  const hosts = [...PAYPAL_CERT_HOSTS, ...(settings.certHosts ?? [])];
  return url.protocol === 'https:' && url.port === '' && hosts.includes(url.hostname);
}

/** Verifies PayPal webhooks and normalises them; certificates are fetched once per URL. */
export function createWebhookVerifier(
  settings: WebhookSettings,
  provider: string,
  fetchCert: (url: string) => Promise<string> = defaultFetchCert,
): (rawBody: Buffer, headers: Record<string, string | string[] | undefined>) => Promise<ProviderEvent> {
  const certs = new Map<string, Promise<X509Certificate>>();
  const toleranceMs = (settings.webhookToleranceSeconds ?? 300) * 1000;

  function certificate(url: string): Promise<X509Certificate> {
    let cert = certs.get(url);
    if (!cert) {
      cert = fetchCert(url).then((pem) => new X509Certificate(pem));
      // A failed fetch is not cached: the next delivery tries again.
      cert.catch(() => certs.delete(url));
      certs.set(url, cert);
    }
    return cert;
  }

  return async (rawBody, headers) => {
    const h = (name: string) => {
      const v = headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const id = h('paypal-transmission-id');
    const time = h('paypal-transmission-time');
    const certUrl = h('paypal-cert-url');
    const algo = h('paypal-auth-algo');
    const sig = h('paypal-transmission-sig');
    if (!id || !time || !certUrl || !algo || !sig) throw new InvalidWebhookSignatureError(provider);
    if (algo !== 'SHA256withRSA' || !certUrlAllowed(certUrl, settings))
      throw new InvalidWebhookSignatureError(provider);
    const sentAt = Date.parse(time);
    const age = Date.now() - sentAt;
    if (Number.isNaN(sentAt) || age > toleranceMs || -age > FUTURE_SKEW_MS) {
      throw new InvalidWebhookSignatureError(provider);
    }
    let ok = false;
    try {
      const cert = await certificate(certUrl);
      const now = Date.now();
      const current = Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
      const signed = Buffer.from(`${id}|${time}|${settings.webhookId}|${crc32(rawBody)}`);
      ok = current && verify('sha256', signed, cert.publicKey, Buffer.from(sig, 'base64'));
    } catch {
      ok = false;
    }
    if (!ok) throw new InvalidWebhookSignatureError(provider);
    let event: unknown;
    try {
      event = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new InvalidWebhookSignatureError(provider);
    }
    return normaliseEvent(event as PayPalEvent);
  };
}

async function defaultFetchCert(url: string): Promise<string> {
  // `redirect: 'error'`: a redirect could lead off the allowed hosts.
  const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`certificate fetch answered ${res.status}`);
  return res.text();
}

interface PayPalEvent {
  id: string;
  event_type: string;
  resource?: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function amountOf(raw: unknown): Money | undefined {
  const a = obj(raw);
  try {
    return fromPayPalValue(str(a.value) ?? '', str(a.currency_code) ?? '');
  } catch {
    return undefined;
  }
}

/**
 * The key of our call from a capture's or refund's invoice_id. A refund split over several captures sends its parts
 * as `<key>:1`, `<key>:2` (see paypal.refunds.ts); each part's event names the one refund call they belong to, so
 * the ledger completes that call instead of taking a part for a refund made elsewhere. Keys of refund calls end in
 * `:refund:<seq>` (idempotencyKeys.refund), which tells a part suffix from the key itself.
 */
export function callKey(invoiceId: string | undefined): string | undefined {
  return invoiceId?.replace(/^(.+:refund:\d+):\d+$/, '$1');
}

const PAYMENT_TYPES: Record<string, ProviderEventType> = {
  'PAYMENT.AUTHORIZATION.CREATED': 'authorized',
  'PAYMENT.AUTHORIZATION.VOIDED': 'voided',
  'PAYMENT.CAPTURE.COMPLETED': 'captured',
  'PAYMENT.CAPTURE.DENIED': 'failed',
  'PAYMENT.CAPTURE.DECLINED': 'failed',
  'PAYMENT.CAPTURE.REFUNDED': 'refunded',
  // A PENDING refund is counted as made, as the adapter's refund call counts it; a later FAILED takes it back.
  'PAYMENT.REFUND.PENDING': 'refunded',
  'PAYMENT.REFUND.FAILED': 'refund_failed',
  // Refund-shaped: money PayPal took back from the capture on its own (a chargeback, a reversed funding source).
  'PAYMENT.CAPTURE.REVERSED': 'reversed',
};

/** Events whose resource is a refund: it names its capture only by the `up` link, and its order not at all. */
const REFUND_RESOURCES = new Set([
  'PAYMENT.CAPTURE.REFUNDED',
  'PAYMENT.REFUND.PENDING',
  'PAYMENT.REFUND.FAILED',
  'PAYMENT.CAPTURE.REVERSED',
]);

/** The capture a refund resource belongs to, from its `up` link (`…/v2/payments/captures/<id>`). */
function upCapture(r: Json): string | undefined {
  const links = Array.isArray(r.links) ? r.links.map(obj) : [];
  const up = str(links.find((l) => l.rel === 'up')?.href) ?? '';
  return /\/captures\/([^/?#]+)/.exec(up)?.[1];
}

/**
 * Maps a (verified) PayPal event to ours. Amounts are per object (this capture, this refund), never running totals.
 * Only what PayPal's resources guarantee is used: a refund carries `custom_id`/`invoice_id` only when our refund call
 * set them (one made in PayPal's dashboard has neither) and no order id, so refunds are found by their capture.
 */
export function normaliseEvent(event: PayPalEvent): ProviderEvent {
  const r = obj(event.resource);
  const base = { eventId: String(event.id), providerType: String(event.event_type) };
  const related = obj(obj(r.supplementary_data).related_ids);
  const paymentType = PAYMENT_TYPES[event.event_type];
  if (paymentType) {
    const refund = REFUND_RESOURCES.has(event.event_type);
    const reason = str(obj(r.status_details).reason);
    return {
      ...base,
      type: paymentType,
      paymentId: str(r.custom_id),
      providerReference: refund ? undefined : str(related.order_id),
      objectReference: str(r.id),
      ...(refund ? { parentReference: upCapture(r) } : {}),
      amount: amountOf(r.amount),
      // Our key (invoice_id) names the call a capture, refund or declined capture belongs to.
      ...(paymentType === 'authorized' || paymentType === 'voided'
        ? {}
        : { cumulative: false, idempotencyKey: callKey(str(r.invoice_id)) }),
      ...(paymentType === 'failed' ? { declineCode: reason ?? String(r.status ?? 'DENIED') } : {}),
      ...(paymentType === 'refund_failed' ? { refundFailure: { status: String(r.status ?? 'FAILED'), reason } } : {}),
    };
  }
  if (event.event_type === 'CUSTOMER.DISPUTE.CREATED' || event.event_type === 'CUSTOMER.DISPUTE.RESOLVED') {
    const tx = obj(Array.isArray(r.disputed_transactions) ? r.disputed_transactions[0] : undefined);
    return {
      ...base,
      type: event.event_type === 'CUSTOMER.DISPUTE.CREATED' ? 'dispute_opened' : 'dispute_closed',
      paymentId: str(tx.custom),
      objectReference: str(tx.seller_transaction_id),
      amount: amountOf(r.dispute_amount),
      dispute: {
        id: String(r.dispute_id ?? ''),
        reason: str(r.reason),
        status: str(r.status),
        amount: amountOf(r.dispute_amount),
      },
    };
  }
  if (event.event_type === 'CHECKOUT.ORDER.APPROVED') {
    const unit = obj(Array.isArray(r.purchase_units) ? r.purchase_units[0] : undefined);
    // The buyer approved; nothing is authorized until we call authorize/capture (checkout completes the cart).
    return { ...base, type: 'approved', providerReference: str(r.id), paymentId: str(unit.custom_id) };
  }
  return { ...base, type: 'other' };
}
