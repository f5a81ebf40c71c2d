import type { ColumnType, Generated } from 'kysely';
import type { ActorType } from '../../platform/audit/audit.js';

/** Kysely types of the fulfilment tables (migration 0022). */

export type FulfillmentState = 'created' | 'shipped' | 'delivered';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface FulfillmentTable {
  id: string;
  order_id: string;
  location_id: string;
  status: Generated<FulfillmentState>;
  carrier: string | null;
  tracking_number: string | null;
  tracking_url: string | null;
  created_at: Generated<Date>;
  shipped_at: Timestamp | null;
  delivered_at: Timestamp | null;
  updated_at: Generated<Date>;
  actor_type: ActorType;
  actor_id: string | null;
}

export interface FulfillmentLineTable {
  fulfillment_id: string;
  order_line_id: string;
  quantity: number;
}

declare module '../../platform/db/database.js' {
  interface Database {
    fulfillment: FulfillmentTable;
    fulfillment_line: FulfillmentLineTable;
  }
}
