import type { Config } from './config.js';
import { applyVariantStock, type CatalogDeps } from './modules/catalog/index.js';
import type { CheckoutDeps } from './modules/checkout/index.js';
import { ensureInventoryItems, type InventoryDeps } from './modules/inventory/index.js';
import type { OrderMail } from './modules/orders/index.js';
import { createPaymentProviders, type PaymentsDeps } from './modules/payments/index.js';
import type { Db } from './platform/db/database.js';
import { defaultTemplatesDir } from './platform/notifications/templates.js';

/**
 * Catalog and inventory are leaves: neither imports the other. Their in-transaction hand-offs are
 * wired here, once, for the HTTP app, the seed, the importer and the workers alike: a new variant
 * gets an inventory item, and every stock change updates the storefront documents in the same
 * transaction. Payments get their gateway registry here.
 */
export interface ModuleDeps {
  catalog: CatalogDeps;
  inventory: InventoryDeps;
  payments: PaymentsDeps;
}

export function wireModules(
  db: Db,
  extra: { catalog?: Partial<CatalogDeps>; inventory?: Partial<InventoryDeps>; payments?: Partial<PaymentsDeps> } = {},
): ModuleDeps {
  const inventory: InventoryDeps = { db, onVariantStockChanged: applyVariantStock, ...extra.inventory };
  const catalog: CatalogDeps = {
    db,
    onVariantsCreated: (tx, variants) => ensureInventoryItems(inventory, tx, variants),
    ...extra.catalog,
  };
  // Gateways (Stripe, PayPal) join the manual provider when they are configured (next issue).
  const payments: PaymentsDeps = { db, providers: createPaymentProviders({}), ...extra.payments };
  return { catalog, inventory, payments };
}

/** Where order emails come from (checkout's confirmation, fulfilment and refund emails). */
export function orderMail(config: Pick<Config, 'SHOP_NAME' | 'TEMPLATES_DIR' | 'STOREFRONT_URL'>): OrderMail {
  return {
    shopName: config.SHOP_NAME,
    templatesDir: config.TEMPLATES_DIR ?? defaultTemplatesDir,
    storefrontUrl: config.STOREFRONT_URL,
  };
}

/** Checkout's deps for the HTTP app and the completion worker alike. */
export function checkoutDeps(
  modules: ModuleDeps,
  config: Pick<Config, 'HOLD_TTL_SECONDS' | 'STOCK_HOLD_AT' | 'SHOP_NAME' | 'TEMPLATES_DIR' | 'STOREFRONT_URL'>,
): CheckoutDeps {
  return {
    db: modules.inventory.db,
    inventory: modules.inventory,
    payments: modules.payments,
    holdTtlSeconds: config.HOLD_TTL_SECONDS,
    holdAt: config.STOCK_HOLD_AT,
    mail: orderMail(config),
  };
}
