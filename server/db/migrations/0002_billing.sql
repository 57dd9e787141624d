-- Billing engine: catalog, payment methods, subscriptions, orders and invoices, payments,
-- refunds, webhooks out, idempotency keys. Money is integer minor units plus a currency.

ALTER TABLE organizations ADD COLUMN billing_settings jsonb NOT NULL DEFAULT '{}';
ALTER TABLE customers ADD COLUMN billing_details jsonb NOT NULL DEFAULT '{}';
ALTER TABLE customers ADD COLUMN provider_customer_ref text;

CREATE TABLE products (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name             text NOT NULL,
  description      text,
  visibility       text NOT NULL CHECK (visibility IN ('public', 'private')),
  archived_at      timestamptz,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX products_organization ON products (organization_id, id);

CREATE TABLE prices (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  product_id       text NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  type             text NOT NULL CHECK (type IN ('one_time', 'recurring')),
  model            text NOT NULL CHECK (model IN ('flat', 'per_seat', 'metered')),
  currency         text NOT NULL,
  unit_amount      bigint NOT NULL CHECK (unit_amount >= 0),
  interval         text CHECK (interval IN ('day', 'week', 'month', 'year')),
  interval_count   integer NOT NULL DEFAULT 1 CHECK (interval_count >= 1),
  included_units   bigint NOT NULL DEFAULT 0,
  meter_id         text,
  active           boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL
);
CREATE INDEX prices_product ON prices (product_id);

CREATE TABLE payment_methods (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  customer_id      text NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  provider         text NOT NULL,
  provider_ref     text NOT NULL,
  brand            text NOT NULL,
  last4            text NOT NULL,
  exp_month        integer NOT NULL,
  exp_year         integer NOT NULL,
  is_default       boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL,
  detached_at      timestamptz
);
CREATE INDEX payment_methods_customer ON payment_methods (customer_id) WHERE detached_at IS NULL;
CREATE UNIQUE INDEX payment_methods_one_default ON payment_methods (customer_id) WHERE is_default AND detached_at IS NULL;

CREATE TABLE subscriptions (
  id                    text PRIMARY KEY,
  organization_id       text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  customer_id           text NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  product_id            text NOT NULL REFERENCES products(id),
  price_id              text NOT NULL REFERENCES prices(id),
  status                text NOT NULL CHECK (status IN ('incomplete', 'trialing', 'active', 'past_due', 'paused', 'canceled', 'unpaid')),
  seats                 integer NOT NULL DEFAULT 1 CHECK (seats >= 1),
  -- Periods are counted from the anchor, so a subscription started on the 31st renews on the
  -- last day of shorter months and returns to the 31st after.
  billing_anchor        timestamptz NOT NULL,
  periods_elapsed       integer NOT NULL DEFAULT 0,
  current_period_start  timestamptz NOT NULL,
  current_period_end    timestamptz NOT NULL,
  trial_end             timestamptz,
  cancel_at_period_end  boolean NOT NULL DEFAULT false,
  canceled_at           timestamptz,
  ended_at              timestamptz,
  cancellation_reason   text,
  cancellation_comment  text,
  pending_price_id      text REFERENCES prices(id),
  pending_seats         integer,
  paused_at             timestamptz,
  discount_percent      integer,
  discount_periods_left integer,
  retention_offer_used  boolean NOT NULL DEFAULT false,
  dunning_attempts      integer NOT NULL DEFAULT 0,
  next_retry_at         timestamptz,
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL
);
CREATE INDEX subscriptions_customer ON subscriptions (organization_id, customer_id, id);
CREATE INDEX subscriptions_due ON subscriptions (current_period_end) WHERE status IN ('active', 'trialing');
CREATE INDEX subscriptions_retry ON subscriptions (next_retry_at) WHERE status = 'past_due';
CREATE INDEX subscriptions_organization ON subscriptions (organization_id, id);

CREATE TABLE invoice_counters (
  organization_id  text PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  last_number      integer NOT NULL
);

CREATE TABLE orders (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  customer_id      text NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  subscription_id  text REFERENCES subscriptions(id),
  invoice_number   text NOT NULL,
  billing_reason   text NOT NULL CHECK (billing_reason IN ('purchase', 'subscription_create', 'subscription_cycle', 'subscription_update')),
  status           text NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'refunded', 'partially_refunded', 'void')),
  currency         text NOT NULL,
  subtotal         bigint NOT NULL,
  discount_amount  bigint NOT NULL DEFAULT 0,
  tax_amount       bigint NOT NULL DEFAULT 0,
  credit_amount    bigint NOT NULL DEFAULT 0,
  total            bigint NOT NULL,
  refunded_amount  bigint NOT NULL DEFAULT 0,
  tax_note         text,
  billing_details  jsonb NOT NULL DEFAULT '{}',
  payment_method_id text REFERENCES payment_methods(id),
  paid_at          timestamptz,
  failure_message  text,
  -- One order per billing event: a renewal job that runs twice finds the order it made.
  dedupe_key       text,
  period_start     timestamptz,
  period_end       timestamptz,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE UNIQUE INDEX orders_invoice_number ON orders (organization_id, invoice_number);
CREATE UNIQUE INDEX orders_dedupe ON orders (organization_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX orders_customer ON orders (organization_id, customer_id, id);
CREATE INDEX orders_subscription ON orders (subscription_id, id);
CREATE INDEX orders_organization ON orders (organization_id, id);

CREATE TABLE order_lines (
  id               text PRIMARY KEY,
  order_id         text NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  position         integer NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('period', 'proration', 'seats', 'usage', 'one_time', 'credit', 'discount', 'tax')),
  description      text NOT NULL,
  quantity         bigint NOT NULL DEFAULT 1,
  unit_amount      bigint NOT NULL,
  amount           bigint NOT NULL,
  period_start     timestamptz,
  period_end       timestamptz
);
CREATE INDEX order_lines_order ON order_lines (order_id, position);

CREATE TABLE payments (
  id                 text PRIMARY KEY,
  organization_id    text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  order_id           text NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  payment_method_id  text REFERENCES payment_methods(id),
  provider           text NOT NULL,
  provider_ref       text,
  -- Sent to the provider as its idempotency key: a retried attempt is the same charge.
  attempt_key        text NOT NULL UNIQUE,
  amount             bigint NOT NULL,
  currency           text NOT NULL,
  status             text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  failure_code       text,
  failure_message    text,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX payments_order ON payments (order_id);

CREATE TABLE refunds (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  order_id         text NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  amount           bigint NOT NULL CHECK (amount > 0),
  currency         text NOT NULL,
  reason           text,
  destination      text NOT NULL CHECK (destination IN ('payment_method', 'wallet')),
  provider_ref     text,
  created_at       timestamptz NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id);

CREATE TABLE webhook_endpoints (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  url              text NOT NULL,
  secret           text NOT NULL,
  events           jsonb NOT NULL DEFAULT '[]',
  enabled          boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_organization ON webhook_endpoints (organization_id);

CREATE TABLE webhook_events (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  type             text NOT NULL,
  payload          jsonb NOT NULL,
  created_at       timestamptz NOT NULL
);
CREATE INDEX webhook_events_organization ON webhook_events (organization_id, id);

CREATE TABLE webhook_deliveries (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  event_id         text NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
  endpoint_id      text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  status           text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz,
  last_status_code integer,
  last_error       text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

CREATE TABLE idempotency_keys (
  organization_id  text NOT NULL,
  scope            text NOT NULL,
  key              text NOT NULL,
  request_hash     text NOT NULL,
  status_code      integer,
  response_body    text,
  created_at       timestamptz NOT NULL,
  PRIMARY KEY (organization_id, scope, key)
);

-- A lease: the renewal or retry job that claimed a subscription holds it until then.
ALTER TABLE subscriptions ADD COLUMN locked_until timestamptz;

-- The wallet: a ledger of credits (positive) and their use (negative), per currency.
CREATE TABLE wallet_transactions (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  customer_id      text NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  currency         text NOT NULL,
  amount           bigint NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('promotional', 'refund', 'prepaid', 'proration', 'applied', 'expired', 'adjustment')),
  description      text NOT NULL,
  order_id         text REFERENCES orders(id),
  expires_at       timestamptz,
  created_at       timestamptz NOT NULL
);
CREATE INDEX wallet_transactions_customer ON wallet_transactions (organization_id, customer_id, currency, id);

-- The offline test provider keeps its own records, as Stripe would on its side.
CREATE TABLE test_provider_setup_intents (
  id               text PRIMARY KEY,
  client_secret    text NOT NULL,
  customer_ref     text NOT NULL,
  status           text NOT NULL,
  payment_method_ref text,
  brand            text,
  last4            text,
  exp_month        integer,
  exp_year         integer,
  error_code       text,
  error_message    text,
  created_at       timestamptz NOT NULL
);

CREATE TABLE test_provider_charges (
  idempotency_key  text PRIMARY KEY,
  ref              text NOT NULL,
  customer_ref     text NOT NULL,
  payment_method_ref text NOT NULL,
  amount           bigint NOT NULL,
  currency         text NOT NULL,
  status           text NOT NULL,
  failure_code     text,
  failure_message  text,
  refunded_amount  bigint NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL
);
