import { allocate, money, percentage } from '../../platform/money.js';
import { computeTotals, type DiscountInput } from './totals.js';

/**
 * The pure promotion rules: which promotions apply to a cart and for how much. No database: the caller loads the
 * candidate promotions (with their usage so far) and the cart lines (each with its product and category ids,
 * ancestors included).
 *
 * - A promotion is valid for a cart when it has started (`startsAt ≤ now`), has not ended (`now < endsAt`), is in
 *   the cart's currency when it has one (fixed promotions always do; a percentage one only with a minimum), has uses
 *   left (total, and for a known customer their own), and the cart subtotal (before discounts) reaches its minimum.
 * - Amount: the eligible base is the sum of the eligible lines' subtotals (every line for `order`, lines whose
 *   product is listed for `products`, lines with any listed category for `categories`). Percentage = base × bp /
 *   10000 rounded half-up once per promotion; fixed = min(value, base). A line-targeted amount is split over its
 *   eligible lines by largest remainder (weights = line subtotals); an order amount is split by the totals engine.
 * - Combining: the combinable valid promotions form one stack (all of them apply); each non-combinable one is an
 *   option on its own. The option with the biggest total discount (after the engine's caps) wins; on a tie the stack
 *   wins, then the earlier promotion id. So at most one non-combinable promotion applies, and never with another.
 */

export const rejectReasons = [
  'unknown',
  'expired',
  'not_started',
  'minimum_not_met',
  'usage_limit_reached',
  'not_combinable',
  'currency',
  'not_applicable',
] as const;
export type RejectReason = (typeof rejectReasons)[number];

export interface PromotionRule {
  id: string;
  code: string | null;
  kind: 'percentage' | 'fixed';
  value: number;
  currency: string | null;
  target: 'order' | 'products' | 'categories';
  targetIds: string[];
  minSubtotal: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  used: number;
  /** Redemptions by the cart's customer so far. */
  customerUses: number;
  combinable: boolean;
}

export interface PromotionLine {
  lineId: string;
  productId: string;
  /** The product's categories and all their ancestors. */
  categoryIds: string[];
  /** Minor units, before discounts. */
  subtotal: number;
}

export interface PromotionCart {
  currency: string;
  /** A customer id or a guest's lowercased email; null when not known yet (per-customer limits are then not checked). */
  customerKey: string | null;
  codes: string[];
  lines: PromotionLine[];
  subtotal: number;
  now?: Date;
}

export interface AppliedPromotion {
  promotionId: string;
  code: string | null;
  amount: number;
}

export interface PromotionEvaluation {
  discounts: DiscountInput[];
  applied: AppliedPromotion[];
  rejectedCodes: { code: string; reason: RejectReason }[];
}

/** Codes compare trimmed and case-insensitively. */
export const normalizeCode = (code: string) => code.trim().toLowerCase();

function invalidReason(p: PromotionRule, cart: PromotionCart, now: Date): RejectReason | null {
  if (p.startsAt && p.startsAt.getTime() > now.getTime()) return 'not_started';
  if (p.endsAt && p.endsAt.getTime() <= now.getTime()) return 'expired';
  if (p.currency !== null && p.currency !== cart.currency) return 'currency';
  if (p.usageLimit !== null && p.used >= p.usageLimit) return 'usage_limit_reached';
  if (cart.customerKey !== null && p.perCustomerLimit !== null && p.customerUses >= p.perCustomerLimit) {
    return 'usage_limit_reached';
  }
  if (p.minSubtotal !== null && cart.subtotal < p.minSubtotal) return 'minimum_not_met';
  return null;
}

function eligibleLines(p: PromotionRule, lines: PromotionLine[]): PromotionLine[] {
  if (p.target === 'order') return lines;
  const ids = new Set(p.targetIds);
  if (p.target === 'products') return lines.filter((l) => ids.has(l.productId));
  return lines.filter((l) => l.categoryIds.some((c) => ids.has(c)));
}

/** The discount a promotion gives on its own, or null when it gives nothing (no eligible line, zero base). */
export function discountFor(p: PromotionRule, cart: PromotionCart): DiscountInput | null {
  const lines = eligibleLines(p, cart.lines).filter((l) => l.subtotal > 0);
  const base = lines.reduce((acc, l) => acc + l.subtotal, 0);
  if (base === 0) return null;
  const amount =
    p.kind === 'percentage'
      ? percentage(money(base, cart.currency), p.value, 'half_up').amount
      : Math.min(p.value, base);
  if (amount <= 0) return null;
  if (p.target === 'order') return { promotionId: p.id, target: 'order', amount };
  const shares = allocate(
    money(amount, cart.currency),
    lines.map((l) => l.subtotal),
  );
  return {
    promotionId: p.id,
    target: 'lines',
    lines: lines.map((l, i) => ({ lineId: l.lineId, amount: shares[i]?.amount ?? 0 })).filter((l) => l.amount > 0),
  };
}

/** What a set of discounts really takes off the cart, per discount, after the totals engine's caps. */
function price(cart: PromotionCart, discounts: DiscountInput[]): number[] {
  const totals = computeTotals({
    currency: cart.currency,
    taxInclusive: false,
    lines: cart.lines.map((l) => ({ lineId: l.lineId, unitPrice: l.subtotal, quantity: 1, taxRate: 0 })),
    discounts,
  });
  return totals.discounts.map((d) => d.amount);
}

/** Chooses and prices the promotions for a cart (rules above). `candidates` are the active automatic promotions plus those matching the codes. */
export function choosePromotions(candidates: PromotionRule[], cart: PromotionCart): PromotionEvaluation {
  const now = cart.now ?? new Date();
  const entered = new Map<string, string>();
  for (const code of cart.codes) if (!entered.has(normalizeCode(code))) entered.set(normalizeCode(code), code.trim());
  const byCode = new Map(candidates.filter((p) => p.code !== null).map((p) => [normalizeCode(p.code ?? ''), p]));
  const rejectedCodes: PromotionEvaluation['rejectedCodes'] = [];
  const reject = (p: PromotionRule, reason: RejectReason) => {
    if (p.code !== null) rejectedCodes.push({ code: entered.get(normalizeCode(p.code)) ?? p.code, reason });
  };
  for (const [key, code] of entered) if (!byCode.has(key)) rejectedCodes.push({ code, reason: 'unknown' });

  const valid: { p: PromotionRule; discount: DiscountInput }[] = [];
  const considered = candidates
    .filter((p) => p.code === null || entered.has(normalizeCode(p.code)))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const p of considered) {
    const reason = invalidReason(p, cart, now);
    const discount = reason ? null : discountFor(p, cart);
    if (reason) reject(p, reason);
    else if (!discount) reject(p, 'not_applicable');
    else valid.push({ p, discount });
  }

  const stack = valid.filter((v) => v.p.combinable);
  const options = [...(stack.length > 0 ? [stack] : []), ...valid.filter((v) => !v.p.combinable).map((v) => [v])];
  let best: { set: typeof valid; amounts: number[]; total: number } = { set: [], amounts: [], total: 0 };
  for (const set of options) {
    const amounts = price(
      cart,
      set.map((v) => v.discount),
    );
    const total = amounts.reduce((acc, a) => acc + a, 0);
    if (total > best.total) best = { set, amounts, total };
  }

  const applied: AppliedPromotion[] = [];
  const discounts: DiscountInput[] = [];
  best.set.forEach((v, i) => {
    const amount = best.amounts[i] ?? 0;
    if (amount === 0) {
      reject(v.p, 'not_applicable');
      return;
    }
    applied.push({ promotionId: v.p.id, code: v.p.code, amount });
    discounts.push(v.discount);
  });
  for (const v of valid) if (!best.set.includes(v)) reject(v.p, 'not_combinable');
  return { discounts, applied, rejectedCodes };
}
