import type { Db } from '../../platform/db/database.js';
import { PaymentProviderError } from './payments.errors.js';
import type { PaymentProviders } from './providers/registry.js';

export interface PaymentsDeps {
  db: Db;
  providers: PaymentProviders;
  /** Deadline of one gateway call, in ms (default 10 000). Past it the outcome is unknown. */
  providerTimeoutMs?: number | undefined;
  /** How long an operation in flight stays its caller's before the reconciler may take it over (default 60 s). */
  operationLeaseSeconds?: number | undefined;
}

/**
 * Runs one gateway call with a deadline. Never call it inside a transaction: a gateway can take
 * seconds, and a transaction held that long blocks every other change to the payment.
 * @throws PaymentProviderError (503 `PAYMENT_PROVIDER_TIMEOUT`) when the deadline passes.
 */
export async function withDeadline<T>(deps: PaymentsDeps, provider: string, call: () => Promise<T>): Promise<T> {
  const ms = deps.providerTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new PaymentProviderError(provider, `${provider} did not answer within ${ms} ms`, { timeout: true })),
      ms,
    );
  });
  try {
    return await Promise.race([call(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Shortened message of an unknown failure, for `last_error` (never a secret: gateway messages only). */
export { errorText } from '../../platform/errors.js';
