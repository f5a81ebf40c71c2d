import { UnknownPaymentProviderError } from '../payments.errors.js';
import type { PaymentProvider } from '../provider.js';
import { manualProvider } from './manual.js';
import { type TestProviderSettings, testProvider } from './test.js';
import { tracedProvider } from './traced.js';

export interface PaymentProviderSettings {
  /** Offer bank transfer / cash on delivery (default true). */
  manual?: boolean;
  /** Offer the test gateway (tests and demo shops only). */
  test?: TestProviderSettings | false;
  /** Further adapters (Stripe, PayPal …), keyed by their id. */
  extra?: PaymentProvider[];
}

/** The configured gateways, looked up by id. */
export interface PaymentProviders {
  ids(): string[];
  /** @throws UnknownPaymentProviderError (422) naming `path` when `id` is not configured. */
  get(id: string, path?: string): PaymentProvider;
  has(id: string): boolean;
  /** Adds or replaces a gateway (its settings changed through the admin API). */
  set(provider: PaymentProvider): void;
  remove(id: string): void;
}

/** Builds the provider lookup from settings (done once, in the app's wiring). */
export function createPaymentProviders(settings: PaymentProviderSettings = {}): PaymentProviders {
  const all = new Map<string, PaymentProvider>();
  // Every gateway call goes through a provider taken from here: wrapped once, each call is a span (tracing on).
  const add = (provider: PaymentProvider) => void all.set(provider.id, tracedProvider(provider));
  if (settings.manual !== false) add(manualProvider());
  if (settings.test) add(testProvider(settings.test));
  for (const p of settings.extra ?? []) add(p);
  return {
    ids: () => [...all.keys()],
    has: (id) => all.has(id),
    set: add,
    remove: (id) => void all.delete(id),
    get(id, path = '/provider') {
      const provider = all.get(id);
      if (!provider) throw new UnknownPaymentProviderError(id, path);
      return provider;
    },
  };
}
