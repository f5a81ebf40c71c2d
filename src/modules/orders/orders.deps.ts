import type { Db } from '../../platform/db/database.js';
import type { InventoryDeps } from '../inventory/index.js';
import type { PaymentsDeps } from '../payments/index.js';

/** What order commands need: cancellations release stock and void/refund payments; fulfilment ships stock. */
export interface OrderDeps {
  db: Db;
  inventory: InventoryDeps;
  payments: PaymentsDeps;
}
