import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface RoleTable {
  id: string;
  name: string;
  description: string | null;
  permissions: string[];
  builtin: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface StaffUserTable {
  id: string;
  email: string;
  email_normalized: string;
  name: string | null;
  password_hash: string | null;
  role_id: string;
  status: 'invited' | 'active' | 'disabled';
  mfa_secret: string | null;
  mfa_enabled_at: Date | null;
  /** Last accepted TOTP time step (bigint: read as a string); a code must be for a later step. */
  mfa_last_step: ColumnType<string | null, number | null | undefined, number | null>;
  /** Sealed secret of an enrolment not yet confirmed. */
  mfa_pending_secret: string | null;
  invited_by: string | null;
  last_login_at: Date | null;
  /** Opted in to low-stock / back-in-stock emails (stock-alerts.ts). */
  stock_alerts: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Which stock events were already mailed to whom: the outbox redelivers, the email goes once. */
export interface StaffStockAlertTable {
  event_id: string;
  staff_id: string;
  created_at: Generated<Date>;
}

export interface CustomerTable {
  id: string;
  email: string;
  email_normalized: string;
  /** Null only once erased (migration 0030's check): an erased customer can never sign in. */
  password_hash: string | null;
  first_name: string | null;
  last_name: string | null;
  email_verified_at: Date | null;
  phone: string | null;
  /** Staff's labels (`vip`, `wholesale`…), a set: replaced as a whole by PATCH. */
  tags: Generated<string[]>;
  status: Generated<'enabled' | 'disabled'>;
  disabled_at: Date | null;
  last_login_at: Date | null;
  /** When the personal data was erased (privacy request); the row stays, with placeholders. */
  erased_at: Date | null;
  /** Generated: lower-cased "first last" (the list's name sort). */
  name_key: ColumnType<string, never, never>;
  /** Generated: lower-cased email, names and phone (the list's trigram search). */
  search_text: ColumnType<string, never, never>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A staff note on a customer (migration 0030); removed with the customer's personal data. */
export interface CustomerNoteTable {
  id: string;
  customer_id: string;
  body: string;
  author_type: 'staff' | 'api_key' | 'system';
  author_id: string | null;
  created_at: Generated<Date>;
}

export type SubjectType = 'customer' | 'staff';

export interface AuthSessionTable {
  id: string;
  token_hash: string;
  subject_type: SubjectType;
  subject_id: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  expires_at: Timestamp;
  revoked_at: Date | null;
  mfa_verified: Generated<boolean>;
}

export interface StaffMfaRecoveryCodeTable {
  staff_id: string;
  code_hash: string;
  used_at: Date | null;
}

export interface ApiKeyTable {
  id: string;
  kind: 'publishable' | 'secret';
  name: string;
  token_hash: string;
  token_hint: string;
  permissions: string[];
  /** Publishable keys: the sales channel they pin (null: the shop's default); secret keys: null. */
  sales_channel_id: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** Failed-login counters (login-throttle.ts, raw SQL only); declared so its owner is known to `check:tables`. */
export interface LoginThrottleTable {
  key: string;
  failures: Generated<number>;
  last_failure_at: Generated<Date>;
  locked_until: Date | null;
}

declare module '../../platform/db/database.js' {
  interface Database {
    role: RoleTable;
    staff_user: StaffUserTable;
    customer: CustomerTable;
    customer_note: CustomerNoteTable;
    auth_session: AuthSessionTable;
    staff_mfa_recovery_code: StaffMfaRecoveryCodeTable;
    api_key: ApiKeyTable;
    login_throttle: LoginThrottleTable;
    staff_stock_alert: StaffStockAlertTable;
  }
}
