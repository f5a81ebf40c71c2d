import type { Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import type { Principal } from '../identity/index.js';
import {
  abandonAttempt,
  type CaptureMethod,
  callProvider,
  getPayment,
  recordPaymentOutcome,
  resumeAttempt,
  type StartedPayment,
  startPayment,
} from '../payments/index.js';
import { lockOpenCartWithLines, selectCart, touch, touchReturning } from './carts.repository.js';
import { getCart } from './carts.service.js';
import { type CartView, cachedRegion, cartView, priceCart } from './carts.view.js';
import type { CheckoutDeps } from './completion.deps.js';
import { ProviderNotInRegionError } from './completion.errors.js';
import { givePaymentBack } from './paid-carts.js';

export interface PaymentMethodInput {
  provider: string;
  /** Passed to the gateway with the attempt (never card data or secrets): e.g. a return URL, the test outcome. */
  data?: Record<string, string> | undefined;
}

export interface ChosenPayment {
  provider: string;
  /** The prepared attempt, for gateways whose buyer acts in the browser first (Stripe, PayPal). */
  id?: string | undefined;
  status?: string | undefined;
  /** What the storefront needs: Stripe's `clientSecret`, PayPal's `approvalUrl`; empty for manual payment. */
  clientData: Record<string, string>;
}

/**
 * `POST /v1/store/carts/{id}/payment`: the buyer picks how to pay. The cart remembers the provider (configured and
 * offered in the cart's region: 422 naming `/body/provider` otherwise) and its data. For a gateway whose buyer acts
 * in the browser before completing (`prepares`: Stripe's card fields, PayPal's approval page) the attempt starts
 * here, for the cart's total now, and its client data (client secret, approval link) comes back; choosing again
 * with the same total answers the same attempt, a new total replaces it. Completion then asks the gateway for the
 * buyer's result. Card numbers never come here: the platform's card guard refuses them in any body.
 * @throws PaymentProviderError 502/503 when the gateway did not answer (retry: same attempt, same key).
 */
export async function choosePaymentMethod(
  deps: CheckoutDeps,
  principal: Principal,
  cartId: string,
  input: PaymentMethodInput,
): Promise<{ cart: CartView; payment: ChosenPayment }> {
  const provider = deps.payments.providers.get(input.provider, '/body/provider');
  const { prepared, release, changed } = await withTransaction(deps.db, async (tx) => {
    const row = await lockOpenCartWithLines(tx, cartId, principal);
    const captureMethod = await regionPaymentSettings(tx, row, input.provider);
    const data = input.data ?? {};
    if (!provider.prepares) {
      const updated = await touchReturning(tx, cartId, {
        payment_provider: input.provider,
        payment_data: jsonb(data),
        payment_id: null,
      });
      // Switching away from a gateway: its attempt is given up (and, if the buyer had paid it, given back below).
      return {
        prepared: null,
        release: row.payment_id ? await giveUp(tx, row.payment_id) : undefined,
        // Nothing else changes the cart: the answer is priced from this row and the lines read with the lock.
        changed: { ...updated, lines: row.lines, settings_token: row.settings_token },
      };
    }
    await touch(tx, cartId, { payment_provider: input.provider, payment_data: jsonb(data) });
    const started = await prepareAttempt(deps, tx, row.payment_id, {
      cartId,
      provider: input.provider,
      data,
      captureMethod,
    });
    return { ...started, changed: null };
  });
  let payment: ChosenPayment = { provider: input.provider, clientData: {} };
  // The buyer had paid the attempt given up (for the old total, or with the other provider): that money goes back.
  // Best effort here: a void already under way elsewhere, or one whose gateway call failed (its operation stays
  // pending and the reconciler repeats it with the same key), must not fail the buyer's choice.
  if (release) await givePaymentBack(deps, release).catch(() => false);
  if (prepared) {
    const attempt = prepared.call ?? null;
    if (attempt) {
      const outcome = await callProvider(deps.payments, attempt);
      const res = await withTransaction(deps.db, (tx) =>
        recordPaymentOutcome(tx, { paymentId: attempt.paymentId, idempotencyKey: attempt.idempotencyKey, outcome }),
      );
      if (res.error) throw res.error;
    }
    const view = await getPayment(deps.db, prepared.paymentId);
    payment = { provider: input.provider, id: view.id, status: view.status, clientData: view.clientData ?? {} };
  }
  const cart = changed ? await cartView(deps.db, changed, deps.discountsFor) : await getCart(deps, principal, cartId);
  return { cart, payment };
}

/**
 * In the cart's transaction: keep the cart's open attempt when it is for the same provider and total (answering it
 * again — a repeat after a timeout repeats the gateway call with the same key), else start a new one and give the
 * old one up (a late authorization of it is reported, never turned into an order).
 */
async function prepareAttempt(
  deps: CheckoutDeps,
  tx: Tx,
  current: string | null,
  input: { cartId: string; provider: string; data: Record<string, string>; captureMethod: CaptureMethod },
): Promise<{
  prepared: { paymentId: string; call?: StartedPayment | undefined } | null;
  release?: string | undefined;
}> {
  const cart = await selectCart(tx, input.cartId);
  if (!cart) return { prepared: null };
  const { totals } = await priceCart(tx, cart, deps.discountsFor);
  if (totals.total <= 0) return { prepared: null };
  let release: string | undefined;
  if (current) {
    const p = await getPayment(tx, current);
    const same =
      p.provider === input.provider &&
      p.amount.amount === totals.total &&
      p.amount.currency === cart.currency_code &&
      p.captureMethod === input.captureMethod &&
      (p.status === 'pending' || p.status === 'requires_action');
    if (same) {
      const pending = p.status === 'pending' ? await resumeAttempt(tx, p.id) : null;
      return { prepared: { paymentId: p.id, call: pending ?? undefined } };
    }
    release = await giveUp(tx, current);
  }
  const started = await startPayment(deps.payments, tx, {
    cartId: input.cartId,
    provider: input.provider,
    amount: { amount: totals.total, currency: cart.currency_code },
    customer: cart.email ? { email: cart.email } : undefined,
    returnUrl: input.data.returnUrl,
    metadata: { ...input.data, cartId: input.cartId },
    captureMethod: input.captureMethod,
  });
  await touch(tx, input.cartId, { payment_id: started.paymentId });
  return { prepared: { paymentId: started.paymentId, call: started }, release };
}

/**
 * Gives the cart's attempt up (a late answer can no longer authorize it). Returns its id when the buyer had already
 * paid it and no order took the money — the caller gives that back after the transaction — else undefined.
 */
async function giveUp(tx: Tx, paymentId: string): Promise<string | undefined> {
  const p = await getPayment(tx, paymentId);
  await abandonAttempt(tx, paymentId);
  return !p.orderId && (p.status === 'authorized' || p.status === 'captured') ? paymentId : undefined;
}

/**
 * The region's payment settings: whether it offers `provider` (null list: every configured provider) and when
 * money is taken. A cart without a region takes the defaults.
 * @throws ProviderNotInRegionError (422) when the region does not offer it.
 */
export async function regionPaymentSettings(
  db: Tx | CheckoutDeps['db'],
  cart: { region_id: string | null; settings_token?: string | null | undefined },
  provider: string,
  path = '/body/provider',
): Promise<CaptureMethod> {
  if (!cart.region_id) return 'manual';
  // From the settings cache while the cart's token is current (a write to `region` changes the token).
  const region = await cachedRegion(db, cart.settings_token, cart.region_id).catch((err: unknown) => {
    if (err instanceof NotFoundError) return null;
    throw err;
  });
  if (!region) return 'manual';
  if (region.paymentProviders && !region.paymentProviders.includes(provider)) {
    throw new ProviderNotInRegionError(provider, path);
  }
  return region.captureMethod;
}
