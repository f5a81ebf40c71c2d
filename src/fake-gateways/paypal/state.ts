import { randomBytes, randomUUID } from 'node:crypto';
import type { FakeResponse } from '../http.js';

/**
 * The fake PayPal's records and their JSON representations. Amounts are kept as PayPal sends them
 * (`{currency_code, value}`) plus integer minor units for the arithmetic, so a partial capture or refund never
 * goes through a float.
 */

export interface PayPalAmount {
  currency_code: string;
  value: string;
}

export interface Link {
  href: string;
  rel: string;
  method: 'GET' | 'POST' | 'PATCH';
}

export interface FakeOrder {
  id: string;
  intent: 'AUTHORIZE' | 'CAPTURE';
  status: 'CREATED' | 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'COMPLETED' | 'VOIDED';
  unit: { reference_id: string; amount: PayPalAmount; custom_id?: string; invoice_id?: string };
  minor: number;
  /** Whether the create request had a payment_source (PayPal then answers PAYER_ACTION_REQUIRED + payer-action). */
  payerAction: boolean;
  /** Where the approval page sends the buyer back (experience_context), as PayPal does after approval. */
  returnUrl?: string | undefined;
  cancelUrl?: string | undefined;
  /** Set by a `decline` approval: the buyer's funding instrument fails at authorize/capture time. */
  declines: boolean;
  createTime: string;
  updateTime: string;
  authorizationIds: string[];
  captureIds: string[];
}

export interface FakeAuthorization {
  id: string;
  orderId: string;
  status: 'CREATED' | 'PARTIALLY_CAPTURED' | 'CAPTURED' | 'VOIDED';
  amount: PayPalAmount;
  minor: number;
  capturedMinor: number;
  customId?: string | undefined;
  invoiceId?: string | undefined;
  createTime: string;
  updateTime: string;
  expirationTime: string;
  captureIds: string[];
}

export interface FakeCapture {
  id: string;
  orderId: string;
  authorizationId?: string | undefined;
  /** PENDING: accepted, money not taken yet (a review, an eCheck); settled later as COMPLETED or DECLINED. */
  status: 'COMPLETED' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'PENDING' | 'DECLINED';
  statusReason?: string | undefined;
  amount: PayPalAmount;
  minor: number;
  refundedMinor: number;
  finalCapture: boolean;
  customId?: string | undefined;
  invoiceId?: string | undefined;
  noteToPayer?: string | undefined;
  createTime: string;
  refundIds: string[];
}

export interface FakeRefund {
  id: string;
  captureId: string;
  orderId: string;
  /** PENDING: PayPal accepted the refund but has not sent the money (an eCheck); it may still fail. */
  status: 'COMPLETED' | 'PENDING' | 'FAILED';
  statusReason?: string | undefined;
  /** Money PayPal took back on its own (PAYMENT.CAPTURE.REVERSED: a chargeback, a reversed funding). */
  reversal?: boolean | undefined;
  amount: PayPalAmount;
  minor: number;
  invoiceId?: string | undefined;
  customId?: string | undefined;
  noteToPayer?: string | undefined;
  createTime: string;
}

export interface FakeDispute {
  id: string;
  captureId: string;
  reason: string;
  status: 'OPEN' | 'RESOLVED';
  amount: PayPalAmount;
  outcome?: string | undefined;
  createTime: string;
}

export interface PayPalStore {
  orders: Map<string, FakeOrder>;
  authorizations: Map<string, FakeAuthorization>;
  captures: Map<string, FakeCapture>;
  refunds: Map<string, FakeRefund>;
  disputes: Map<string, FakeDispute>;
}

export function createStore(): PayPalStore {
  return { orders: new Map(), authorizations: new Map(), captures: new Map(), refunds: new Map(), disputes: new Map() };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** PayPal ids are 17 upper-case alphanumerics (orders, authorizations, captures and refunds alike). */
export function paypalId(): string {
  return [...randomBytes(17)].map((b) => ALNUM[b % ALNUM.length]).join('');
}

export const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** PayPal's error body: `name`, `message`, a `debug_id` and one detail naming the issue. */
export function ppError(
  status: number,
  name: string,
  message: string,
  issue: string,
  description: string,
  field?: string,
): FakeResponse {
  const detail = { ...(field ? { field, location: 'body' } : {}), issue, description };
  return {
    status,
    body: { name, message, debug_id: randomUUID().replace(/-/g, '').slice(0, 13), details: [detail], links: [] },
  };
}

export const unprocessable = (issue: string, description: string, field?: string): FakeResponse =>
  ppError(
    422,
    'UNPROCESSABLE_ENTITY',
    'The requested action could not be performed, semantically incorrect, or failed business validation.',
    issue,
    description,
    field,
  );

/** 409: a request with this PayPal-Request-Id is still being processed (documented for void and refund). */
export const previousRequestInProgress = (): FakeResponse =>
  ppError(
    409,
    'RESOURCE_CONFLICT',
    'The server has detected a conflict while processing this request.',
    'PREVIOUS_REQUEST_IN_PROGRESS',
    'A previous request on this resource is currently in progress. Please wait for sometime and try again. It is best to space out the initial and the subsequent request(s) to avoid receiving this error.',
  );

export const notFound = (_what: string, _id: string): FakeResponse =>
  ppError(
    404,
    'RESOURCE_NOT_FOUND',
    'The specified resource does not exist.',
    'INVALID_RESOURCE_ID',
    // PayPal's exact text (its schema enumerates it); the tests' messages name the id themselves.
    'Specified resource ID does not exist. Please check the resource ID and try again.',
  );

export const invalidRequest = (field: string, issue: string, description: string): FakeResponse =>
  ppError(
    400,
    'INVALID_REQUEST',
    'Request is not well-formed, syntactically incorrect, or violates schema.',
    issue,
    description,
    field,
  );

export function authorizationView(base: string, a: FakeAuthorization): Record<string, unknown> {
  const self = `${base}/v2/payments/authorizations/${a.id}`;
  return {
    id: a.id,
    status: a.status,
    amount: a.amount,
    ...(a.invoiceId !== undefined ? { invoice_id: a.invoiceId } : {}),
    ...(a.customId !== undefined ? { custom_id: a.customId } : {}),
    seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
    expiration_time: a.expirationTime,
    create_time: a.createTime,
    update_time: a.updateTime,
    supplementary_data: { related_ids: { order_id: a.orderId } },
    links: [
      { href: self, rel: 'self', method: 'GET' },
      { href: `${self}/capture`, rel: 'capture', method: 'POST' },
      { href: `${self}/void`, rel: 'void', method: 'POST' },
      { href: `${base}/v2/checkout/orders/${a.orderId}`, rel: 'up', method: 'GET' },
    ],
  };
}

export function captureView(base: string, c: FakeCapture): Record<string, unknown> {
  const self = `${base}/v2/payments/captures/${c.id}`;
  const up = c.authorizationId
    ? `${base}/v2/payments/authorizations/${c.authorizationId}`
    : `${base}/v2/checkout/orders/${c.orderId}`;
  return {
    id: c.id,
    status: c.status,
    ...(c.statusReason ? { status_details: { reason: c.statusReason } } : {}),
    amount: c.amount,
    final_capture: c.finalCapture,
    ...(c.invoiceId !== undefined ? { invoice_id: c.invoiceId } : {}),
    ...(c.customId !== undefined ? { custom_id: c.customId } : {}),
    ...(c.noteToPayer !== undefined ? { note_to_payer: c.noteToPayer } : {}),
    seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
    disbursement_mode: 'INSTANT',
    create_time: c.createTime,
    update_time: c.createTime,
    supplementary_data: {
      related_ids: { order_id: c.orderId, ...(c.authorizationId ? { authorization_id: c.authorizationId } : {}) },
    },
    links: [
      { href: self, rel: 'self', method: 'GET' },
      { href: `${self}/refund`, rel: 'refund', method: 'POST' },
      { href: up, rel: 'up', method: 'GET' },
    ],
  };
}

/**
 * A refund as PayPal's refund resource has it: the capture it belongs to only as the `up` link, no order id, and
 * `custom_id`/`invoice_id` only when the refund request carried them (a refund made in PayPal's dashboard has none).
 */
export function refundView(base: string, r: FakeRefund): Record<string, unknown> {
  return {
    id: r.id,
    status: r.status,
    ...(r.statusReason ? { status_details: { reason: r.statusReason } } : {}),
    amount: r.amount,
    ...(r.invoiceId !== undefined ? { invoice_id: r.invoiceId } : {}),
    ...(r.customId !== undefined ? { custom_id: r.customId } : {}),
    ...(r.noteToPayer !== undefined ? { note_to_payer: r.noteToPayer } : {}),
    create_time: r.createTime,
    update_time: r.createTime,
    links: [
      { href: `${base}/v2/payments/refunds/${r.id}`, rel: 'self', method: 'GET' },
      { href: `${base}/v2/payments/captures/${r.captureId}`, rel: 'up', method: 'GET' },
    ],
  };
}

export function orderView(base: string, store: PayPalStore, o: FakeOrder): Record<string, unknown> {
  const auths = o.authorizationIds.flatMap((id) => store.authorizations.get(id) ?? []);
  const caps = o.captureIds.flatMap((id) => store.captures.get(id) ?? []);
  const refunds = caps.flatMap((c) => c.refundIds.flatMap((id) => store.refunds.get(id) ?? []));
  const payments = {
    ...(auths.length ? { authorizations: auths.map((a) => authorizationView(base, a)) } : {}),
    ...(caps.length ? { captures: caps.map((c) => captureView(base, c)) } : {}),
    ...(refunds.length ? { refunds: refunds.map((r) => refundView(base, r)) } : {}),
  };
  const self = `${base}/v2/checkout/orders/${o.id}`;
  const links: Link[] = [{ href: self, rel: 'self', method: 'GET' }];
  if (o.status === 'CREATED' || o.status === 'PAYER_ACTION_REQUIRED') {
    links.push({
      href: `${base}/checkoutnow?token=${o.id}`,
      rel: o.payerAction ? 'payer-action' : 'approve',
      method: 'GET',
    });
  }
  if (o.status === 'APPROVED') {
    const action = o.intent === 'AUTHORIZE' ? 'authorize' : 'capture';
    links.push({ href: `${self}/${action}`, rel: action, method: 'POST' });
  }
  return {
    id: o.id,
    intent: o.intent,
    status: o.status,
    ...(o.payerAction ? { payment_source: { paypal: {} } } : {}),
    purchase_units: [{ ...o.unit, ...(Object.keys(payments).length ? { payments } : {}) }],
    create_time: o.createTime,
    update_time: o.updateTime,
    links,
  };
}
