import { describe, expect, it } from 'vitest';
import {
  createPaymentProviders,
  type InitiateInput,
  InvalidWebhookSignatureError,
  manualProvider,
  PaymentProviderError,
  testProvider,
  UnknownPaymentProviderError,
} from '../../src/modules/payments/index.js';

const eur = (amount: number) => ({ amount, currency: 'EUR' });
const initiate = (attemptId: string, testOutcome?: string): InitiateInput => ({
  attemptId,
  idempotencyKey: `${attemptId}:initiate`,
  amount: eur(1000),
  metadata: testOutcome ? { testOutcome } : ({} as Record<string, string>),
});

describe('payment providers', () => {
  it('looks providers up by id and names the field of an unknown one (422)', () => {
    const providers = createPaymentProviders({ test: { timeoutMs: 10 } });
    expect(providers.ids().sort()).toEqual(['manual', 'test']);
    expect(providers.get('manual').id).toBe('manual');
    const err = (() => {
      try {
        providers.get('stripe', '/body/provider');
      } catch (e) {
        return e;
      }
    })() as UnknownPaymentProviderError;
    expect(err).toBeInstanceOf(UnknownPaymentProviderError);
    expect(err).toMatchObject({ status: 422, code: 'UNKNOWN_PAYMENT_PROVIDER' });
    expect(err.errors).toEqual([{ path: '/body/provider', message: expect.any(String) }]);
    expect(createPaymentProviders({ manual: false }).ids()).toEqual([]);
  });

  it('manual authorizes at once with a reference derived from the attempt, and captures/refunds/cancels', async () => {
    const p = manualProvider();
    const first = await p.initiate(initiate('pay_1'));
    expect(first).toEqual({ status: 'authorized', providerReference: 'man_pay_1' });
    expect(await p.initiate(initiate('pay_1'))).toEqual(first);
    const call = { providerReference: 'man_pay_1', amount: eur(500), idempotencyKey: 'pay_1:capture:1' };
    expect((await p.capture(call)).status).toBe('succeeded');
    expect((await p.refund(call)).status).toBe('succeeded');
    expect((await p.cancel(call)).status).toBe('succeeded');
    await expect(p.verifyWebhook(Buffer.from('{}'), {})).rejects.toBeInstanceOf(InvalidWebhookSignatureError);
  });

  it('test gateway: the outcome is chosen by metadata.testOutcome', async () => {
    const p = testProvider({ timeoutMs: 20 });
    expect((await p.initiate(initiate('a', 'approve'))).status).toBe('authorized');
    expect(await p.initiate(initiate('b', 'decline'))).toMatchObject({
      status: 'declined',
      declineCode: 'card_declined',
    });
    const action = await p.initiate(initiate('c', 'requires_action'));
    expect(action.status).toBe('requires_action');
    expect(action.clientData?.clientSecret).toBeTruthy();
    await expect(p.initiate(initiate('d', 'error'))).rejects.toBeInstanceOf(PaymentProviderError);
    const started = Date.now();
    expect((await p.initiate(initiate('e', 'timeout'))).status).toBe('authorized');
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('test gateway remembers idempotency keys: same key, same answer, no second effect', async () => {
    const p = testProvider({ timeoutMs: 20 });
    const call = { providerReference: 'pi_x', amount: eur(100), idempotencyKey: 'pay_x:capture:1' };
    p.script('decline');
    const first = await p.capture(call);
    expect(first.status).toBe('declined');
    expect(await p.capture(call)).toEqual(first);
    const other = await p.capture({ ...call, idempotencyKey: 'pay_x:capture:2' });
    expect(other.status).toBe('succeeded');
    expect(await p.capture({ ...call, idempotencyKey: 'pay_x:capture:2' })).toEqual(other);
    // An error is not remembered: the gateway did nothing, so a retry does the work.
    p.script('error');
    await expect(p.refund({ ...call, idempotencyKey: 'pay_x:refund:1' })).rejects.toMatchObject({
      code: 'PAYMENT_PROVIDER_ERROR',
      status: 502,
    });
    expect((await p.refund({ ...call, idempotencyKey: 'pay_x:refund:1' })).status).toBe('succeeded');
  });

  it('test gateway webhooks: a valid signature parses, a wrong one throws InvalidWebhookSignatureError', async () => {
    const p = testProvider({ webhookSecret: 's3cret' });
    const body = JSON.stringify({ eventId: 'evt_1', type: 'captured', providerReference: 'pi_1', idempotencyKey: 'k' });
    expect(await p.verifyWebhook(Buffer.from(body), { 'x-test-signature': p.sign(body) })).toMatchObject({
      eventId: 'evt_1',
      type: 'captured',
    });
    await expect(p.verifyWebhook(Buffer.from(body), { 'x-test-signature': 'bad' })).rejects.toBeInstanceOf(
      InvalidWebhookSignatureError,
    );
    await expect(p.verifyWebhook(Buffer.from(`${body} `), { 'x-test-signature': p.sign(body) })).rejects.toBeInstanceOf(
      InvalidWebhookSignatureError,
    );
  });
});
