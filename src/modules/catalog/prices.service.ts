import { sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { AppError, type FieldError, ValidationError } from '../../platform/errors.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import type { CatalogDeps } from './catalog.deps.js';
import { priceErrors } from './products.validate.js';
import { rebuildProductDocuments } from './read-model.js';

/**
 * Bulk price update: up to 1,000 prices by variant id or SKU in one transaction. Unknown variants
 * fail the whole request (nothing changes); affected products get a new version (so an editor
 * holding an old one gets 412), fresh storefront documents, one audit row and one event each.
 */

export interface BulkPrice {
  variantId?: string | undefined;
  sku?: string | undefined;
  currency: string;
  amount: number;
  compareAtAmount?: number | null | undefined;
}

export const MAX_BULK_PRICES = 1000;

export async function bulkUpdatePrices(
  deps: CatalogDeps,
  ctx: AuditContext,
  prices: readonly BulkPrice[],
): Promise<{ updated: number; productIds: string[] }> {
  const errors: FieldError[] = priceErrors(
    prices.map((p) => ({ currency: p.currency, amount: p.amount, compareAtAmount: p.compareAtAmount ?? null })),
    '/body/prices',
  ).filter((e) => !e.message.includes('listed twice'));
  prices.forEach((p, i) => {
    if ((p.variantId === undefined) === (p.sku === undefined)) {
      errors.push({ path: `/body/prices/${i}`, message: 'needs exactly one of variantId or sku' });
    }
  });
  const keys = prices.map((p) => `${p.variantId ?? `sku:${p.sku}`}|${p.currency}`);
  keys.forEach((k, i) => {
    if (keys.indexOf(k) !== i) errors.push({ path: `/body/prices/${i}`, message: 'repeats an earlier entry' });
  });
  if (errors.length > 0) throw new ValidationError(errors);

  return withTransaction(deps.db, async (tx) => {
    const ids = prices.flatMap((p) => (p.variantId ? [p.variantId] : []));
    const skus = prices.flatMap((p) => (p.sku ? [p.sku] : []));
    const found = await tx
      .selectFrom('variant')
      .select(['id', 'sku', 'product_id'])
      .where((eb) =>
        eb.or([eb('id', 'in', ids.length > 0 ? ids : ['']), eb('sku', 'in', skus.length > 0 ? skus : [''])]),
      )
      .execute();
    const byId = new Map(found.map((v) => [v.id, v]));
    const bySku = new Map(found.map((v) => [v.sku, v]));
    const resolved = prices.map((p) => (p.variantId ? byId.get(p.variantId) : bySku.get(p.sku ?? '')));
    const missing = resolved.flatMap((v, i) =>
      v
        ? []
        : [{ path: `/body/prices/${i}/${prices[i]?.variantId ? 'variantId' : 'sku'}`, message: 'no such variant' }],
    );
    if (missing.length > 0) {
      throw new AppError(404, 'NOT_FOUND', 'Not found', {
        detail: 'Some variants do not exist; nothing was changed.',
        errors: missing,
      });
    }
    const rows = prices.map((p, i) => ({
      variant_id: resolved[i]?.id ?? '',
      currency_code: p.currency,
      amount: p.amount,
      compare_at_amount: p.compareAtAmount ?? null,
    }));
    await tx
      .insertInto('variant_price')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['variant_id', 'currency_code']).doUpdateSet((eb) => ({
          amount: eb.ref('excluded.amount'),
          compare_at_amount: eb.ref('excluded.compare_at_amount'),
        })),
      )
      .execute();
    const productIds = [...new Set(resolved.map((v) => v?.product_id ?? ''))].sort();
    await tx
      .updateTable('product')
      .set({ version: sql`version + 1`, updated_at: sql`now()` })
      .where('id', 'in', productIds)
      .execute();
    await rebuildProductDocuments(tx, productIds);
    const productOf = new Map(found.map((v) => [v.id, v.product_id]));
    for (const productId of productIds) {
      const mine = rows.filter((r) => productOf.get(r.variant_id) === productId);
      await recordAudit(tx, ctx, {
        action: 'product.prices_updated',
        targetType: 'product',
        targetId: productId,
        changes: {
          prices: mine.map((r) => ({
            variantId: r.variant_id,
            currency: r.currency_code,
            amount: r.amount,
            compareAtAmount: r.compare_at_amount,
          })),
        },
      });
      await appendEvent(tx, { type: 'product.updated', aggregateId: productId, payload: { productId } });
    }
    return { updated: rows.length, productIds };
  });
}
