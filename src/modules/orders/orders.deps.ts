import type { Db, Tx } from '../../platform/db/database.js';
import type { InventoryDeps } from '../inventory/index.js';
import type { PaymentsDeps } from '../payments/index.js';

/** Where order emails come from: templates (templates/email/<name>.txt), the shop's name, the storefront's URL. */
export interface OrderMail {
  shopName: string;
  templatesDir: string;
  storefrontUrl: string;
}

/** What order commands need: cancellations release stock and void/refund payments; fulfilment ships stock. */
export interface OrderDeps {
  db: Db;
  inventory: InventoryDeps;
  payments: PaymentsDeps;
  mail: OrderMail;
  /** Runs in the cancelling transaction: upstream modules give back what the order used (checkout: promotion uses). */
  onCancelled?: ((tx: Tx, orderId: string) => Promise<void>) | undefined;
}
