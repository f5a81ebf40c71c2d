import { inSpan, SpanKind } from '../../../platform/tracing.js';
import type { PaymentProvider } from '../provider.js';

/** The gateway calls of the provider interface: each is one span when tracing is on. */
const calls = [
  'initiate',
  'authorize',
  'capture',
  'refund',
  'cancel',
  'verifyWebhook',
  'lookup',
  'recentPayments',
] as const satisfies readonly (keyof PaymentProvider)[];

/**
 * The provider with a span around each gateway call (`<provider> <operation>`: provider, operation, the answer's
 * status), made once when the registry takes the provider in. Only names and statuses are recorded: never keys,
 * amounts, references, idempotency keys or the gateway's messages. With tracing off each call costs one more
 * function call and one boolean test.
 */
export function tracedProvider(provider: PaymentProvider): PaymentProvider {
  const out: Record<string, unknown> = { ...provider };
  for (const op of calls) {
    const call = provider[op] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof call !== 'function') continue;
    out[op] = (...args: unknown[]) =>
      inSpan(
        `${provider.id} ${op}`,
        { 'backroom.payment.provider': provider.id, 'backroom.payment.operation': op },
        async (span) => {
          const result = await call.apply(provider, args);
          const status = (result as { status?: unknown } | undefined)?.status;
          if (typeof status === 'string') span.setAttribute('backroom.payment.status', status);
          return result;
        },
        provider.inline ? SpanKind.INTERNAL : SpanKind.CLIENT,
      );
  }
  return out as unknown as PaymentProvider;
}
