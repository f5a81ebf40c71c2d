import { createHmac, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidWebhookSignatureError, PaymentProviderError } from '../payments.errors.js';
import type { InitiateResult, OperationResult, PaymentProvider, ProviderEvent } from '../provider.js';

/** What the test gateway does with a call. */
export const testOutcomes = ['approve', 'decline', 'error', 'timeout', 'requires_action'] as const;
export type TestOutcome = (typeof testOutcomes)[number];

export interface TestProviderSettings {
  /** How long a `timeout` outcome takes to answer: set it above the caller's deadline (default 30 s). */
  timeoutMs?: number;
  /** Webhook signing secret (HMAC-SHA256 of the raw body, hex, in `x-test-signature`). */
  webhookSecret?: string;
}

export interface TestPaymentProvider extends PaymentProvider {
  /** Queues the outcome of the next capture/refund/cancel/authorize call (default: approve). */
  script(outcome: TestOutcome): void;
  /** Every call received, in order, with its idempotency key (what a real gateway would log). */
  readonly calls: { method: string; idempotencyKey: string }[];
  /** Signs a webhook body as the gateway would. */
  sign(body: string): string;
}

/**
 * A gateway for tests whose outcome is chosen: `metadata.testOutcome` for initiate, `script()`
 * for the calls after it. Like real gateways it remembers idempotency keys: the same key returns
 * the first answer again without doing anything twice. A `timeout` does the work but answers
 * only after `timeoutMs` — the lost-response case a retry with the same key must resolve.
 */
export function testProvider(settings: TestProviderSettings = {}, id = 'test'): TestPaymentProvider {
  const timeoutMs = settings.timeoutMs ?? 30_000;
  const secret = settings.webhookSecret ?? 'test-webhook-secret';
  const answers = new Map<string, unknown>();
  const queue: TestOutcome[] = [];
  const calls: { method: string; idempotencyKey: string }[] = [];
  let counter = 0;

  async function run<T>(
    method: string,
    key: string,
    outcome: TestOutcome,
    done: () => T,
    declined: () => T,
    action?: () => T,
  ): Promise<T> {
    calls.push({ method, idempotencyKey: key });
    if (answers.has(key)) return answers.get(key) as T;
    if (outcome === 'error') throw new PaymentProviderError(id, `test gateway error on ${method}`);
    const answer = outcome === 'decline' ? declined() : outcome === 'requires_action' && action ? action() : done();
    answers.set(key, answer);
    if (outcome === 'timeout') await sleep(timeoutMs, undefined, { ref: false });
    return answer;
  }
  const next = () => queue.shift() ?? 'approve';
  const ref = (prefix: string) => `${prefix}_test_${++counter}`;
  const op = (prefix: string) => (): OperationResult => ({ status: 'succeeded', providerReference: ref(prefix) });
  const refused = (): OperationResult => ({ status: 'declined', declineCode: 'test_declined' });

  return {
    id,
    calls,
    script: (outcome) => void queue.push(outcome),
    sign: (body) => createHmac('sha256', secret).update(body).digest('hex'),
    initiate: (input) => {
      const chosen = input.metadata.testOutcome ?? 'approve';
      const outcome = (testOutcomes as readonly string[]).includes(chosen) ? (chosen as TestOutcome) : 'approve';
      const reference = `pi_test_${input.attemptId}`;
      return run<InitiateResult>(
        'initiate',
        input.idempotencyKey,
        outcome,
        () => ({ status: 'authorized', providerReference: reference }),
        () => ({ status: 'declined', providerReference: reference, declineCode: 'card_declined' }),
        () => ({
          status: 'requires_action',
          providerReference: reference,
          clientData: { clientSecret: `${reference}_secret`, nextAction: 'three_d_secure' },
        }),
      );
    },
    authorize: (input) =>
      run<InitiateResult>(
        'authorize',
        input.idempotencyKey,
        next(),
        () => ({ status: 'authorized', providerReference: input.providerReference }),
        () => ({
          status: 'declined',
          providerReference: input.providerReference,
          declineCode: 'authentication_failed',
        }),
      ),
    capture: (input) => run('capture', input.idempotencyKey, next(), op('ch'), refused),
    refund: (input) => run('refund', input.idempotencyKey, next(), op('re'), refused),
    cancel: (input) => run('cancel', input.idempotencyKey, next(), op('cn'), refused),
    async verifyWebhook(rawBody, headers) {
      const given = headers['x-test-signature'];
      const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('hex'));
      const actual = Buffer.from(typeof given === 'string' ? given : '');
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
        throw new InvalidWebhookSignatureError(id);
      }
      return JSON.parse(rawBody.toString('utf8')) as ProviderEvent;
    },
  };
}
