import type { DiscountsFor } from './carts.view.js';
import { evaluatePromotions } from './promotions.evaluate.js';

/**
 * The cart's default discounts: the promotion engine over the cart's codes and lines. Customers
 * are counted by id, guests by lowercased email (per-customer limits), as at redemption.
 */
export function promotionDiscounts(): DiscountsFor {
  return async (cart, db) => {
    const evaluation = await evaluatePromotions(db, {
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
    });
    return evaluation.discounts;
  };
}
