-- Foundation: organizations, merchant keys, customers, sign-in, sessions, rate limits, email outbox.
-- Ids are prefixed ULIDs (time-ordered text), so "ORDER BY id" is creation order and
-- cursor pagination is a plain index range scan.

CREATE TABLE organizations (
  id               text PRIMARY KEY,
  slug             text NOT NULL UNIQUE,
  name             text NOT NULL,
  branding         jsonb NOT NULL DEFAULT '{}',
  portal_settings  jsonb NOT NULL DEFAULT '{}',
  allowed_origins  jsonb NOT NULL DEFAULT '[]',
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);

CREATE TABLE api_keys (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name             text NOT NULL,
  key_hash         text NOT NULL UNIQUE,
  key_hint         text NOT NULL,
  created_at       timestamptz NOT NULL,
  revoked_at       timestamptz
);
CREATE INDEX api_keys_organization ON api_keys (organization_id);

CREATE TABLE customers (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  email            text NOT NULL,
  name             text,
  external_id      text,
  metadata         jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE UNIQUE INDEX customers_organization_email ON customers (organization_id, email);
CREATE UNIQUE INDEX customers_organization_external_id ON customers (organization_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX customers_organization_id ON customers (organization_id, id);

-- One-time sign-in codes. Rows exist for unknown emails too (customer_id NULL, never sent),
-- so a wrong guess answers the same whether or not the email belongs to a customer.
CREATE TABLE login_codes (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  email            text NOT NULL,
  customer_id      text REFERENCES customers(id) ON DELETE CASCADE,
  code_hash        text NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  expires_at       timestamptz NOT NULL,
  used_at          timestamptz,
  retired_at       timestamptz,
  created_at       timestamptz NOT NULL
);
CREATE INDEX login_codes_lookup ON login_codes (organization_id, email, created_at DESC);

-- Single-use tokens that open a session: pre-authenticated links made by the merchant's
-- backend, and the one-click link in a sign-in email (tied to its code).
CREATE TABLE link_tokens (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  customer_id      text NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  token_hash       text NOT NULL UNIQUE,
  kind             text NOT NULL CHECK (kind IN ('pre_auth', 'email_link')),
  login_code_id    text REFERENCES login_codes(id) ON DELETE CASCADE,
  return_url       text,
  expires_at       timestamptz NOT NULL,
  used_at          timestamptz,
  created_at       timestamptz NOT NULL
);
CREATE INDEX link_tokens_login_code ON link_tokens (login_code_id) WHERE login_code_id IS NOT NULL;

CREATE TABLE sessions (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  customer_id      text NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  token_hash       text NOT NULL UNIQUE,
  return_url       text,
  created_at       timestamptz NOT NULL,
  last_used_at     timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  revoked_at       timestamptz
);
CREATE INDEX sessions_customer ON sessions (customer_id) WHERE revoked_at IS NULL;

-- Fixed-window counters; the key is a hash, so no email or IP is kept here in clear.
CREATE TABLE rate_limits (
  key               text PRIMARY KEY,
  window_started_at timestamptz NOT NULL,
  hits              integer NOT NULL
);

-- The development outbox: mail that was not sent over SMTP.
CREATE TABLE outbox_emails (
  id               text PRIMARY KEY,
  organization_id  text REFERENCES organizations(id) ON DELETE CASCADE,
  to_address       text NOT NULL,
  subject          text NOT NULL,
  text_body        text NOT NULL,
  html_body        text NOT NULL,
  created_at       timestamptz NOT NULL
);
