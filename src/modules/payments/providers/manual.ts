import { InvalidWebhookSignatureError } from '../payments.errors.js';
import type { PaymentProvider } from '../provider.js';

/**
 * Bank transfer / cash on delivery: nothing to call. The payment is authorized at checkout with a
 * reference of its own, and staff capture it when the money arrives. It has no webhooks.
 */
export function manualProvider(id = 'manual'): PaymentProvider {
  return {
    id,
    inline: true,
    // Derived from our attempt id, so a repeated initiate answers the same (idempotent by construction).
    initiate: async (input) => ({ status: 'authorized', providerReference: `man_${input.attemptId}` }),
    authorize: async (input) => ({ status: 'authorized', providerReference: input.providerReference }),
    capture: async () => ({ status: 'succeeded' }),
    refund: async () => ({ status: 'succeeded' }),
    cancel: async () => ({ status: 'succeeded' }),
    verifyWebhook: async () => {
      throw new InvalidWebhookSignatureError(id);
    },
  };
}
