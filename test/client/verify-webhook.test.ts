import { verifyWebhook, type WebhookEnvelope, WebhookVerifyError } from '@backroom/client';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';

/** A delivery as Backroom sends it, signed with the standardwebhooks package (Standard Webhooks 1.0). */
const secret = `whsec_${Buffer.from('a 32-byte signing secret for tests').toString('base64')}`;
const otherSecret = `whsec_${Buffer.from('another secret, not this endpoint').toString('base64')}`;
const envelope: WebhookEnvelope = {
  type: 'order.placed',
  timestamp: '2026-12-07T03:00:00.000Z',
  sequence: 42,
  data: { id: 'ord_1', number: 1001 },
};
const body = JSON.stringify(envelope);

function signed(payload: string, opts: { at?: Date; secrets?: string[] } = {}) {
  const at = opts.at ?? new Date();
  const signatures = (opts.secrets ?? [secret]).map((s) => new Webhook(s).sign('evt_1', at, payload));
  return {
    'webhook-id': 'evt_1',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

function refusal(fn: () => unknown): WebhookVerifyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WebhookVerifyError);
    return e as WebhookVerifyError;
  }
  throw new Error('expected verifyWebhook to refuse the delivery');
}

describe('verifyWebhook', () => {
  it('accepts a delivery signed with the endpoint secret and returns its parsed body', () => {
    expect(verifyWebhook(body, signed(body), secret)).toEqual(envelope);
  });

  it('reads the headers from a fetch Headers object and from Node headers in any case', () => {
    expect(verifyWebhook(body, new Headers(signed(body)), secret)).toEqual(envelope);
    const upper = Object.fromEntries(Object.entries(signed(body)).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook(new TextEncoder().encode(body), upper, secret)).toEqual(envelope);
  });

  it('refuses a tampered body', () => {
    const headers = signed(body);
    const tampered = body.replace('"number":1001', '"number":1002');
    expect(refusal(() => verifyWebhook(tampered, headers, secret)).reason).toBe('signature_invalid');
  });

  it('refuses a delivery signed with another secret', () => {
    expect(refusal(() => verifyWebhook(body, signed(body, { secrets: [otherSecret] }), secret)).reason).toBe(
      'signature_invalid',
    );
  });

  it('refuses a stale timestamp (a replayed delivery), even correctly signed', () => {
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    expect(refusal(() => verifyWebhook(body, signed(body, { at: tenMinutesAgo }), secret)).reason).toBe(
      'timestamp_stale',
    );
  });

  it('refuses a delivery without the signature headers', () => {
    const { 'webhook-signature': _dropped, ...rest } = signed(body);
    expect(refusal(() => verifyWebhook(body, rest, secret)).reason).toBe('headers_invalid');
  });

  it('during a rotation: both signatures sent, either secret accepts; a consumer may hold old and new', () => {
    const both = signed(body, { secrets: [otherSecret, secret] });
    expect(verifyWebhook(body, both, secret)).toEqual(envelope);
    expect(verifyWebhook(body, signed(body), [otherSecret, secret])).toEqual(envelope);
  });

  it('refuses a signed body that is not an event envelope', () => {
    expect(refusal(() => verifyWebhook('[1,2]', signed('[1,2]'), secret)).reason).toBe('body_invalid');
    expect(refusal(() => verifyWebhook('not json', signed('not json'), secret)).reason).toBe('body_invalid');
  });
});
