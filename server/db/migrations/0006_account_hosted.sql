-- Email change confirmed by a code sent to the new address; short-lived tokens for the
-- hosted payment-method page (never the session token).

CREATE TABLE email_changes (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  customer_id      text NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  new_email        text NOT NULL,
  code_hash        text NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  expires_at       timestamptz NOT NULL,
  used_at          timestamptz,
  retired_at       timestamptz,
  created_at       timestamptz NOT NULL
);
CREATE INDEX email_changes_customer ON email_changes (customer_id, created_at DESC);

CREATE TABLE hosted_tokens (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  customer_id      text NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  -- 'open': the token in the iframe's URL, used once to start; 'confirm': what the page then holds.
  kind             text NOT NULL CHECK (kind IN ('open', 'confirm')),
  token_hash       text NOT NULL UNIQUE,
  parent_origin    text NOT NULL,
  make_default     boolean NOT NULL DEFAULT true,
  setup_intent_id  text,
  expires_at       timestamptz NOT NULL,
  used_at          timestamptz,
  created_at       timestamptz NOT NULL
);
