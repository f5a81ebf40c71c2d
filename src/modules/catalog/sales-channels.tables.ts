import type { Generated } from 'kysely';

export interface SalesChannelTable {
  id: string;
  name: string;
  description: string | null;
  is_default: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

declare module '../../platform/db/database.js' {
  interface Database {
    sales_channel: SalesChannelTable;
  }
}
