import type { Migration } from 'kysely';
import * as m0001 from './0001_platform_outbox.js';
import * as m0002 from './0002_platform_idempotency.js';
import * as m0003 from './0003_identity.js';
import * as m0004 from './0004_identity_login_throttle.js';
import * as m0005 from './0005_platform_notifications.js';
import * as m0006 from './0006_identity_one_time_tokens.js';
import * as m0007 from './0007_identity_mfa.js';
import * as m0008 from './0008_identity_customer_address.js';
import * as m0009 from './0009_identity_staff_admin.js';
import * as m0010 from './0010_catalog_sales_channel.js';
import * as m0011 from './0011_identity_publishable_key_channel.js';
import * as m0012 from './0012_catalog_products.js';
import * as m0013 from './0013_inventory.js';
import * as m0014 from './0014_catalog_read_model.js';
import * as m0015 from './0015_imports.js';
import * as m0016 from './0016_payments.js';
import * as m0017 from './0017_checkout_regions.js';
import * as m0018 from './0018_orders.js';
import * as m0019 from './0019_checkout_carts.js';
import * as m0020 from './0020_checkout_promotions.js';
import * as m0021 from './0021_checkout_completion.js';
import * as m0022 from './0022_orders_fulfillment.js';
import * as m0023 from './0023_orders_returns.js';
import * as m0024 from './0024_payment_gateways.js';
import * as m0025 from './0025_payments_refund_reversal.js';
import * as m0026 from './0026_payments_buyer_approval.js';
import * as m0027 from './0027_platform_event_position.js';
import * as m0028 from './0028_webhooks.js';
import * as m0029 from './0029_identity_staff_stock_alerts.js';
import * as m0030 from './0030_identity_customer_admin.js';
import * as m0031 from './0031_orders_admin_list.js';
import * as m0032 from './0032_orders_dashboard.js';
import * as m0033 from './0033_orders_timeline_erasure.js';
import * as m0034 from './0034_platform_worker_runs.js';
import * as m0035 from './0035_checkout_settings_token.js';

/**
 * Every migration, in order. Names are `NNNN_<module>_<what>`; add new ones at the end (the
 * migrator refuses a list whose applied prefix changed).
 */
export const migrations: Record<string, Migration> = {
  '0001_platform_outbox': m0001,
  '0002_platform_idempotency': m0002,
  '0003_identity': m0003,
  '0004_identity_login_throttle': m0004,
  '0005_platform_notifications': m0005,
  '0006_identity_one_time_tokens': m0006,
  '0007_identity_mfa': m0007,
  '0008_identity_customer_address': m0008,
  '0009_identity_staff_admin': m0009,
  '0010_catalog_sales_channel': m0010,
  '0011_identity_publishable_key_channel': m0011,
  '0012_catalog_products': m0012,
  '0013_inventory': m0013,
  '0014_catalog_read_model': m0014,
  '0015_imports': m0015,
  '0016_payments': m0016,
  '0017_checkout_regions': m0017,
  '0018_orders': m0018,
  '0019_checkout_carts': m0019,
  '0020_checkout_promotions': m0020,
  '0021_checkout_completion': m0021,
  '0022_orders_fulfillment': m0022,
  '0023_orders_returns': m0023,
  '0024_payment_gateways': m0024,
  '0025_payments_refund_reversal': m0025,
  '0026_payments_buyer_approval': m0026,
  '0027_platform_event_position': m0027,
  '0028_webhooks': m0028,
  '0029_identity_staff_stock_alerts': m0029,
  '0030_identity_customer_admin': m0030,
  '0031_orders_admin_list': m0031,
  '0032_orders_dashboard': m0032,
  '0033_orders_timeline_erasure': m0033,
  '0034_platform_worker_runs': m0034,
  '0035_checkout_settings_token': m0035,
};
