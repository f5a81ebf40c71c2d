import type { Config } from './config.js';
import { buildEventCatalogue } from './event-catalogue.js';
import { applyVariantStock, type CatalogDeps } from './modules/catalog/index.js';
import { type CheckoutDeps, promotionDiscounts } from './modules/checkout/index.js';
import { ensureInventoryItems, type InventoryDeps } from './modules/inventory/index.js';
import type { OrderMail } from './modules/orders/index.js';
import { createPaymentProviders, type GatewayEnv, type PaymentsDeps } from './modules/payments/index.js';
import type { WebhookEventCatalogue, WebhooksDeps } from './modules/webhooks/index.js';
import type { SecretBox } from './platform/crypto/secret-box.js';
import type { Db } from './platform/db/database.js';
import type { Logger } from './platform/logger.js';
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
    // The app passes its replica's readDb (DATABASE_REPLICA_URL); seed, imports and workers never read the storefront.
    readDb: db,
    onVariantsCreated: (tx, variants) => ensureInventoryItems(inventory, tx, variants),
    ...extra.catalog,
  };
  // Gateways (Stripe, PayPal) join the manual provider through `refreshGateways` when they are configured.
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

/**
 * Checkout's deps for the HTTP app, the webhook applier and the workers alike: the one place they are built, so every
 * path prices a cart with the same promotion engine (a paid, discounted cart must not look changed to the worker).
 */
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
    discountsFor: promotionDiscounts(),
    mail: orderMail(config),
  };
}

/** The gateway part of the configuration (credentials, fake/mock API bases, the call deadline). */
export function gatewayEnvOf(config: Config): GatewayEnv {
  return {
    STRIPE_SECRET_KEY: config.STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: config.STRIPE_WEBHOOK_SECRET,
    STRIPE_PUBLISHABLE_KEY: config.STRIPE_PUBLISHABLE_KEY,
    STRIPE_API_BASE: config.STRIPE_API_BASE,
    PAYPAL_CLIENT_ID: config.PAYPAL_CLIENT_ID,
    PAYPAL_CLIENT_SECRET: config.PAYPAL_CLIENT_SECRET,
    PAYPAL_WEBHOOK_ID: config.PAYPAL_WEBHOOK_ID,
    PAYPAL_ENVIRONMENT: config.PAYPAL_ENVIRONMENT,
    PAYPAL_API_BASE: config.PAYPAL_API_BASE,
    PAYMENT_PROVIDER_TIMEOUT_MS: config.PAYMENT_PROVIDER_TIMEOUT_MS,
  };
}

/**
 * The webhooks module's deps for the HTTP app (endpoints, test pings, replays) and the workers
 * (fan-out and delivery) alike. The event catalogue is built once per process.
 */
export function webhooksDeps(
  config: Pick<
    Config,
    | 'WEBHOOKS_ALLOW_PRIVATE_URLS'
    | 'WEBHOOK_TIMEOUT_MS'
    | 'WEBHOOK_CONCURRENCY'
    | 'WEBHOOK_DISABLE_AFTER_HOURS'
    | 'WEBHOOK_SECRET_OVERLAP_HOURS'
    | 'WEBHOOK_POLL_INTERVAL_MS'
    | 'TEMPLATES_DIR'
    | 'SHOP_NAME'
  >,
  parts: { db: Db; secretBox: SecretBox; logger: Logger },
): WebhooksDeps {
  return {
    db: parts.db,
    secretBox: parts.secretBox,
    logger: parts.logger.child({ component: 'webhooks' }),
    catalogue: eventCatalogue(),
    urlPolicy: { allowPrivate: config.WEBHOOKS_ALLOW_PRIVATE_URLS },
    settings: {
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      concurrency: config.WEBHOOK_CONCURRENCY,
      disableAfterHours: config.WEBHOOK_DISABLE_AFTER_HOURS,
      secretOverlapHours: config.WEBHOOK_SECRET_OVERLAP_HOURS,
      pollIntervalMs: config.WEBHOOK_POLL_INTERVAL_MS,
    },
    mail: { templatesDir: config.TEMPLATES_DIR ?? defaultTemplatesDir, shopName: config.SHOP_NAME },
  };
}

let catalogue: WebhookEventCatalogue | undefined;
/** Built on first use and shared: it only describes code. */
function eventCatalogue(): WebhookEventCatalogue {
  catalogue ??= buildEventCatalogue();
  return catalogue;
}
