import type { AuditContext } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import type { AppError, FieldError } from '../../platform/errors.js';
import type { Principal } from '../identity/index.js';
import { assertStockLikely, commitHold, reserve } from '../inventory/index.js';
import { createOrder, liveOrderOfCart, type NewOrderLine } from '../orders/index.js';
import {
  attachOrder,
  callProvider,
  getPayment,
  PaymentDeclinedError,
  resumeAttempt,
  type StartedPayment,
  startPayment,
} from '../payments/index.js';
import { promotionCartOf } from './cart-promotions.js';
import type { CartWithLines } from './carts.repository.js';
import { assertAccess, selectCart } from './carts.repository.js';
import { moveCart } from './carts.state.js';
import { type PricedCart, priceCart, snapshotOf } from './carts.view.js';
import type { CheckoutDeps } from './completion.deps.js';
import { CartIncompleteError, PaymentAmountChangedError } from './completion.errors.js';
import { type Settled, settle } from './completion.finish.js';
import { PromotionExhaustedError } from './promotions.errors.js';
import { evaluatePromotions } from './promotions.evaluate.js';
import { redeemPromotions } from './promotions.redeem.js';

/**
 * Checkout phase one, in the caller's transaction: lock the cart, price it again from the catalog, check it is
 * complete, create the order `pending_payment` with its snapshot, redeem its promotions (limits enforced under
 * concurrency), start the payment attempt, then reserve its stock (one conditional statement: the cart's holds become
 * the order's reservations, or stock is taken now when it was not held or the holds expired) and mark the cart
 * `completing`. Nothing here talks to a gateway.
 *
 * A cart that is already completing or completed is not an error: the caller gets its live order back, so every
 * repeat of "complete" converges on the same answer.
 */

export type Begun =
  | { kind: 'started'; orderId: string; payment: StartedPayment | null }
  | { kind: 'existing'; orderId: string }
  /** Settled in this transaction: a free order, or an inline provider (no gateway to wait for). */
  | { kind: 'settled'; orderId: string; error?: AppError | undefined };

export async function beginCompletion(
  deps: CheckoutDeps,
  tx: Tx,
  principal: Principal,
  actor: AuditContext,
  cartId: string,
): Promise<Begun> {
  const cart = await selectCart(tx, cartId, true);
  assertAccess(cart, cartId, principal);
  if (cart.status !== 'open') return { kind: 'existing', orderId: await liveOrderOf(tx, cartId) };

  const lines = cart.lines.map((l) => ({ variantId: l.variant_id, quantity: l.quantity }));
  // Sold out already? Fail now, before the order is built (the reservation below still decides).
  await assertStockLikely(tx, { cartId, lines });
  const priced = await priceCart(tx, cart, deps.discountsFor);
  assertComplete(cart, priced, deps);
  if (cart.promo_codes.length > 0) await assertCodesStillApply(tx, cart, priced);

  const { totals } = priced;
  const email = cart.email as string;
  const order = await createOrder(tx, actor, {
    cartId,
    customerId: cart.customer_id,
    email,
    salesChannelId: cart.sales_channel_id,
    regionId: cart.region_id,
    currency: cart.currency_code,
    subtotal: totals.subtotal,
    discountTotal: totals.discountTotal,
    shippingTotal: totals.shippingTotal,
    taxTotal: totals.taxTotal,
    total: totals.total,
    shippingAddress: cart.shipping_address,
    billingAddress: cart.billing_address ?? cart.shipping_address,
    shippingMethod: priced.shipping
      ? { id: priced.shipping.id, name: priced.shipping.name, amount: totals.shippingTotal }
      : null,
    promoCodes: cart.promo_codes,
    lines: orderLines(cart, priced),
  });
  const promotionIds = totals.discounts.filter((d) => d.amount > 0).map((d) => d.promotionId);
  if (promotionIds.length > 0) {
    await redeemPromotions(tx, {
      promotionIds: [...new Set(promotionIds)],
      customerKey: cart.customer_id ?? email.trim().toLowerCase(),
      orderId: order.id,
    });
  }
  let payment: StartedPayment | null = null;
  const provider = totals.total > 0 ? deps.payments.providers.get(cart.payment_provider as string) : null;
  if (provider?.prepares) {
    payment = await usePreparedPayment(tx, cart, totals.total, order.id);
  } else if (provider) {
    payment = await startPayment(deps.payments, tx, {
      cartId,
      provider: provider.id,
      amount: { amount: totals.total, currency: cart.currency_code },
      customer: { email },
      metadata: { ...cart.payment_data, orderId: order.id, orderNumber: String(order.number) },
      captureMethod: priced.region?.captureMethod,
    });
    await attachOrder(tx, payment.paymentId, order.id);
  }
  // No gateway to wait for (nothing to pay, a provider that answers without I/O, or a prepared payment the gateway
  // already authorized — its webhook came first): settle here, in this transaction, and nothing can stop between.
  const inline = !payment || deps.payments.providers.get(payment.provider).inline === true;
  let settled: Settled | null = null;
  if (inline) {
    const outcome = payment ? await callProvider(deps.payments, payment) : null;
    settled = await settle(deps, tx, actor, order.id, payment && outcome ? { attempt: payment, outcome } : null);
  } else {
    await moveCart(tx, cartId, 'completing');
  }
  // Stock last: the stock levels stay locked from here to the commit, and a flash sale queues on them.
  const live = deps.holdAt === 'add_to_cart' && cart.held_until && new Date(cart.held_until) > new Date();
  if (live) await commitHold(deps.inventory, tx, { cartId, orderId: order.id, lines, actor });
  else await reserve(deps.inventory, tx, { cartId, orderId: order.id, lines, actor });
  if (settled?.error) {
    // An inline provider refused: roll the whole attempt back (nothing reached a gateway) and report it.
    throw settled.error;
  }
  return settled ? { kind: 'settled', orderId: order.id } : { kind: 'started', orderId: order.id, payment };
}

/**
 * The attempt `POST /payment` prepared (Stripe PaymentIntent, PayPal order), now the order's: it must be for this
 * total — the cart may have changed since (409, choose the method again) — and not refused. Returns the gateway call
 * still to make (ask for the buyer's result), or null when its answer is already recorded.
 */
async function usePreparedPayment(
  tx: Tx,
  cart: CartWithLines,
  total: number,
  orderId: string,
): Promise<StartedPayment | null> {
  if (!cart.payment_id)
    throw new CartIncompleteError([{ path: '/payment', message: 'choose the payment method again' }]);
  const p = await getPayment(tx, cart.payment_id);
  if (p.amount.amount !== total || p.amount.currency !== cart.currency_code) {
    throw new PaymentAmountChangedError(p.amount.amount, total, cart.currency_code);
  }
  if (p.status === 'failed' || p.status === 'voided') throw new PaymentDeclinedError(p.declineCode);
  await attachOrder(tx, p.id, orderId);
  return resumeAttempt(tx, p.id);
}

/** The order of a cart that is no longer open (orders keep which one is live). */
export async function liveOrderOf(tx: Tx, cartId: string): Promise<string> {
  const orderId = await liveOrderOfCart(tx, cartId);
  if (!orderId) throw new Error(`cart ${cartId} is not open yet has no order`);
  return orderId;
}

/**
 * A code the buyer entered that ran out since they saw the cart must not silently become a full-price order: 409
 * PROMOTION_EXHAUSTED (nothing changed), and the storefront shows the new total. Codes rejected for other reasons
 * already showed as giving nothing in the cart.
 */
async function assertCodesStillApply(tx: Tx, cart: CartWithLines, priced: PricedCart): Promise<void> {
  const evaluation = await evaluatePromotions(tx, promotionCartOf(snapshotOf(cart, priced.variants)));
  const gone = evaluation.rejectedCodes.find((r) => r.reason === 'usage_limit_reached');
  if (gone) throw new PromotionExhaustedError(null, gone.code);
}

/** Every reason the cart cannot become an order yet, at once, so the storefront can show them together. */
function assertComplete(cart: CartWithLines, priced: PricedCart, deps: CheckoutDeps): void {
  const errors: FieldError[] = [];
  if (cart.lines.length === 0) errors.push({ path: '/lines', message: 'the cart is empty' });
  const pricedIds = new Set(priced.totals.lines.map((l) => l.lineId));
  cart.lines.forEach((l, i) => {
    if (!pricedIds.has(l.id)) errors.push({ path: `/lines/${i}`, message: 'is no longer available; remove it' });
  });
  if (!cart.email) errors.push({ path: '/email', message: 'is required' });
  if (!cart.shipping_address) errors.push({ path: '/shippingAddress', message: 'is required' });
  if (priced.region && !priced.shipping) {
    errors.push({
      path: '/shippingMethod',
      message: cart.shipping_option_id ? 'no longer ships this cart; choose another' : 'is required',
    });
  }
  if (priced.totals.total > 0) {
    const offered = priced.region?.paymentProviders;
    if (!cart.payment_provider) errors.push({ path: '/payment/provider', message: 'choose a payment method first' });
    else if (
      !deps.payments.providers.ids().includes(cart.payment_provider) ||
      (offered && !offered.includes(cart.payment_provider))
    ) {
      errors.push({ path: '/payment/provider', message: 'is no longer available; choose another' });
    }
  }
  if (errors.length > 0) throw new CartIncompleteError(errors);
}

/** The order's line snapshot: names, SKUs, prices, discounts and taxes exactly as priced now. */
function orderLines(cart: CartWithLines, priced: PricedCart): NewOrderLine[] {
  const byId = new Map(priced.totals.lines.map((t) => [t.lineId, t]));
  const taxName = priced.rule?.name ?? 'Tax';
  return cart.lines.map((l) => {
    const v = priced.variants.get(l.variant_id);
    const t = byId.get(l.id);
    if (!v || !t) throw new Error(`line ${l.id} was checked as priced`);
    return {
      variantId: l.variant_id,
      productId: v.productId,
      sku: v.sku,
      title: v.title,
      variantTitle: v.variantTitle,
      quantity: l.quantity,
      unitPrice: v.prices[cart.currency_code] ?? t.subtotal / l.quantity,
      subtotal: t.subtotal,
      discount: t.discount,
      tax: t.tax,
      total: t.total,
      taxLines: t.tax > 0 ? [{ name: taxName, rate: t.taxRate, amount: t.tax }] : [],
    };
  });
}
