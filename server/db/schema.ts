// Row types for Kysely. Kept by hand beside the SQL migrations; one interface per table.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;
type Json<T> = ColumnType<T, string, string>;

export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  branding: Json<Record<string, unknown>>;
  portal_settings: Json<Record<string, unknown>>;
  allowed_origins: Json<string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  organization_id: string;
  name: string;
  key_hash: string;
  key_hint: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface CustomersTable {
  id: string;
  organization_id: string;
  email: string;
  name: string | null;
  external_id: string | null;
  metadata: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LoginCodesTable {
  id: string;
  organization_id: string;
  email: string;
  customer_id: string | null;
  code_hash: string;
  attempts: Generated<number>;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  retired_at: Timestamp | null;
  created_at: Timestamp;
}

export interface LinkTokensTable {
  id: string;
  organization_id: string;
  customer_id: string;
  token_hash: string;
  kind: 'pre_auth' | 'email_link';
  login_code_id: string | null;
  return_url: string | null;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  organization_id: string;
  customer_id: string;
  token_hash: string;
  return_url: string | null;
  created_at: Timestamp;
  last_used_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface RateLimitsTable {
  key: string;
  window_started_at: Timestamp;
  hits: number;
}

export interface OutboxEmailsTable {
  id: string;
  organization_id: string | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  created_at: Timestamp;
}

export interface SchemaMigrationsTable {
  name: string;
  applied_at: Timestamp;
}

export interface DB {
  organizations: OrganizationsTable;
  api_keys: ApiKeysTable;
  customers: CustomersTable;
  login_codes: LoginCodesTable;
  link_tokens: LinkTokensTable;
  sessions: SessionsTable;
  rate_limits: RateLimitsTable;
  outbox_emails: OutboxEmailsTable;
  schema_migrations: SchemaMigrationsTable;
}

export type Organization = Selectable<OrganizationsTable>;
export type CustomerRow = Selectable<CustomersTable>;
export type NewCustomer = Insertable<CustomersTable>;
export type SessionRow = Selectable<SessionsTable>;
