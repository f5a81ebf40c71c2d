import type { CartSnapshot, DiscountsFor } from './carts.view.js';
import { evaluatePromotions } from './promotions.evaluate.js';
import type { PromotionCart } from './promotions.rules.js';

/** What the promotion engine sees of a cart. Customers are counted by id, guests by lowercased email (per-customer limits), as at redemption. */
export function promotionCartOf(cart: CartSnapshot): PromotionCart {
  return {
    currency: cart.currency,
    customerKey: cart.customerId ?? cart.email?.trim().toLowerCase() ?? null,
    codes: cart.promoCodes,
    lines: cart.lines.map((l) => ({
      lineId: l.lineId,
      productId: l.productId,
      categoryIds: l.categoryIds,
      subtotal: l.subtotal,
    })),
    subtotal: cart.lines.reduce((n, l) => n + l.subtotal, 0),
  };
}

/** The cart's default discounts: the promotion engine over the cart's codes and lines. */
export function promotionDiscounts(): DiscountsFor {
  return async (cart, db) => {
    const evaluation = await evaluatePromotions(db, promotionCartOf(cart));
    return {
      discounts: evaluation.discounts,
      codes: Object.fromEntries(evaluation.applied.map((a) => [a.promotionId, a.code])),
      rejectedCodes: evaluation.rejectedCodes,
    };
  };
}
