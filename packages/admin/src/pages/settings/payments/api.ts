import type { paths } from '@backroom/client';
import { api } from '../../../api/client';

type Json<P extends keyof paths, M extends 'get' | 'put'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type Gateway = Json<'/v1/admin/payment-gateways', 'get'>['data'][number];
export type WebhookEvent = Json<'/v1/admin/payments/webhook-events', 'get'>['data'][number];
export type Dispute = Json<'/v1/admin/disputes', 'get'>['data'][number];
export type Region = Json<'/v1/admin/regions', 'get'>['data'][number];
export type PlatformEvent = Json<'/v1/admin/events', 'get'>['data'][number];

export const paymentKeys = {
  gateways: ['payments', 'gateways'] as const,
  regions: ['payments', 'regions'] as const,
  webhookEvents: ['payments', 'webhook-events'] as const,
  disputes: (status: string, cursor: string | undefined) => ['payments', 'disputes', status, cursor ?? null] as const,
  mismatches: ['payments', 'mismatches'] as const,
};

export const idempotent = (idempotencyKey: string) => ({ headers: { 'Idempotency-Key': idempotencyKey } });

/** The fields each gateway takes (the API's PUT description): settings are shown, secrets only as set / not set. */
export const gatewayFields: Record<
  string,
  { settings: { key: string; label: string }[]; secrets: { key: string; label: string }[] }
> = {
  stripe: {
    settings: [{ key: 'publishableKey', label: 'Publishable key' }],
    secrets: [
      { key: 'secretKey', label: 'Secret key' },
      { key: 'webhookSecret', label: 'Webhook signing secret' },
    ],
  },
  paypal: {
    settings: [
      { key: 'clientId', label: 'Client id' },
      { key: 'webhookId', label: 'Webhook id' },
      { key: 'environment', label: 'Environment (sandbox or live)' },
    ],
    secrets: [{ key: 'clientSecret', label: 'Client secret' }],
  },
};

export const gatewayName = (provider: string) =>
  provider === 'stripe' ? 'Stripe' : provider === 'paypal' ? 'PayPal' : provider;

export async function fetchGateways(signal?: AbortSignal) {
  return (await api.GET('/v1/admin/payment-gateways', { signal })).data.data;
}

export async function fetchRegions(signal?: AbortSignal) {
  return (await api.GET('/v1/admin/regions', { signal })).data.data;
}

export async function fetchWebhookEvents(signal?: AbortSignal) {
  return (await api.GET('/v1/admin/payments/webhook-events', { params: { query: { limit: 50 } }, signal })).data.data;
}

export async function fetchDisputes(status: string, cursor: string | undefined, signal?: AbortSignal) {
  return (
    await api.GET('/v1/admin/disputes', {
      params: { query: { limit: 20, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } },
      signal,
    })
  ).data;
}

/** The newest reconciliation differences (`payment.mismatch` events), newest first. */
export async function fetchMismatches(signal?: AbortSignal) {
  return (
    await api.GET('/v1/admin/events', {
      params: { query: { type: 'payment.mismatch', order: 'desc', limit: 50 } },
      signal,
    })
  ).data.data;
}
