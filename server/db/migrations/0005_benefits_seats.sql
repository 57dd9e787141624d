-- Benefits (license keys, downloads, Discord invites, API keys, custom), what each customer
-- was granted, license key activations, and seats of per-seat subscriptions.

CREATE TABLE benefits (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  type             text NOT NULL CHECK (type IN ('license_key', 'download', 'discord', 'api_key', 'custom')),
  description      text NOT NULL,
  properties       jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  -- Deleted benefits stay (their grants are history) but are never granted again.
  deleted_at       timestamptz
);
CREATE INDEX benefits_organization ON benefits (organization_id, id);

CREATE TABLE product_benefits (
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  product_id       text NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  benefit_id       text NOT NULL REFERENCES benefits(id) ON DELETE CASCADE,
  created_at       timestamptz NOT NULL,
  PRIMARY KEY (product_id, benefit_id)
);
CREATE INDEX product_benefits_benefit ON product_benefits (benefit_id);

-- Files of download benefits; the bytes live under DATA_DIR/files/<organization>/<file id>.
CREATE TABLE benefit_files (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  benefit_id       text NOT NULL REFERENCES benefits(id) ON DELETE CASCADE,
  name             text NOT NULL,
  size             bigint NOT NULL,
  content_type     text NOT NULL,
  sha256           text NOT NULL,
  created_at       timestamptz NOT NULL,
  deleted_at       timestamptz
);
CREATE INDEX benefit_files_benefit ON benefit_files (benefit_id, id);

-- One row per customer and benefit: granted, or revoked (and granted again later). License
-- keys and API keys live on the grant: a SHA-256 for lookups, AES-256-GCM to show it again.
CREATE TABLE benefit_grants (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  customer_id      text NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  benefit_id       text NOT NULL REFERENCES benefits(id) ON DELETE CASCADE,
  granted_at       timestamptz NOT NULL,
  revoked_at       timestamptz,
  key_hash         text,
  key_encrypted    text,
  key_hint         text,
  key_created_at   timestamptz,
  expires_at       timestamptz,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE UNIQUE INDEX benefit_grants_customer_benefit ON benefit_grants (customer_id, benefit_id);
CREATE UNIQUE INDEX benefit_grants_key ON benefit_grants (organization_id, key_hash) WHERE key_hash IS NOT NULL;
CREATE INDEX benefit_grants_benefit ON benefit_grants (benefit_id) WHERE revoked_at IS NULL;
CREATE INDEX benefit_grants_organization ON benefit_grants (organization_id, id);

CREATE TABLE license_key_activations (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  grant_id         text NOT NULL REFERENCES benefit_grants(id) ON DELETE CASCADE,
  label            text NOT NULL,
  created_at       timestamptz NOT NULL
);
CREATE INDEX license_key_activations_grant ON license_key_activations (grant_id, id);

-- Which price each order line bought, so a paid one-time purchase grants its product's benefits.
ALTER TABLE order_lines ADD COLUMN price_id text REFERENCES prices(id);
CREATE INDEX order_lines_price ON order_lines (price_id) WHERE price_id IS NOT NULL;

-- Seats of per-seat subscriptions: invited by email (pending), claimed by a customer, revoked.
CREATE TABLE customer_seats (
  id                text PRIMARY KEY,
  organization_id   text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  subscription_id   text NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  email             text NOT NULL,
  -- The customer who claimed the seat.
  customer_id       text REFERENCES customers(id) ON DELETE SET NULL,
  status            text NOT NULL CHECK (status IN ('pending', 'claimed', 'revoked')),
  token_hash        text,
  token_expires_at  timestamptz,
  invited_at        timestamptz NOT NULL,
  claimed_at        timestamptz,
  revoked_at        timestamptz,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX customer_seats_token ON customer_seats (token_hash) WHERE token_hash IS NOT NULL;
CREATE UNIQUE INDEX customer_seats_email ON customer_seats (subscription_id, email) WHERE status <> 'revoked';
CREATE INDEX customer_seats_subscription ON customer_seats (subscription_id, id);
CREATE INDEX customer_seats_holder ON customer_seats (organization_id, customer_id) WHERE status = 'claimed';
CREATE INDEX customer_seats_organization ON customer_seats (organization_id, id);
