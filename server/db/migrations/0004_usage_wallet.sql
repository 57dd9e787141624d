-- Usage meters and events, with hourly aggregates kept up to date as events arrive, so
-- reading usage does not scan events; and what is left of each wallet credit.

CREATE TABLE meters (
  id               text PRIMARY KEY,
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name             text NOT NULL,
  event_name       text NOT NULL,
  -- Events count when their properties contain this object (jsonb @>).
  filter           jsonb NOT NULL DEFAULT '{}',
  aggregation      text NOT NULL CHECK (aggregation IN ('sum', 'count', 'max', 'unique_count')),
  property         text,
  unit             text,
  created_at       timestamptz NOT NULL
);
CREATE UNIQUE INDEX meters_organization_name ON meters (organization_id, name);
CREATE INDEX meters_event ON meters (organization_id, event_name);

-- Idempotent by the merchant's event id.
CREATE TABLE usage_events (
  organization_id  text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  event_id         text NOT NULL,
  customer_id      text NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  name             text NOT NULL,
  properties       jsonb NOT NULL DEFAULT '{}',
  occurred_at      timestamptz NOT NULL,
  created_at       timestamptz NOT NULL,
  PRIMARY KEY (organization_id, event_id)
);
CREATE INDEX usage_events_customer ON usage_events (customer_id, name, occurred_at);

-- Per meter, customer and hour: the sum (or count) and the maximum of what arrived.
CREATE TABLE meter_usage_hourly (
  meter_id         text NOT NULL REFERENCES meters(id) ON DELETE CASCADE,
  customer_id      text NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  hour             timestamptz NOT NULL,
  total            numeric NOT NULL,
  maximum          numeric NOT NULL,
  PRIMARY KEY (meter_id, customer_id, hour)
);

-- For unique-count meters: each distinct value once per hour.
CREATE TABLE meter_unique_hourly (
  meter_id         text NOT NULL REFERENCES meters(id) ON DELETE CASCADE,
  customer_id      text NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  hour             timestamptz NOT NULL,
  value            text NOT NULL,
  PRIMARY KEY (meter_id, customer_id, hour, value)
);

-- A flat or per-seat price may bill usage above its included units at this price per unit.
ALTER TABLE prices ADD COLUMN overage_unit_amount bigint;

-- Credits (positive rows) keep what is left to use; use draws from the soonest to expire.
ALTER TABLE wallet_transactions ADD COLUMN remaining bigint NOT NULL DEFAULT 0;
UPDATE wallet_transactions SET remaining = amount WHERE amount > 0;
ALTER TABLE wallet_transactions ADD COLUMN expired_at timestamptz;
CREATE INDEX wallet_transactions_open ON wallet_transactions (customer_id, currency, expires_at) WHERE remaining > 0;
