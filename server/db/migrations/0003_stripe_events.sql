-- Stripe webhook events already handled, by Stripe's event id: Stripe delivers at least once,
-- so a redelivered event is acknowledged without being handled again.
CREATE TABLE stripe_events (
  id               text PRIMARY KEY,
  type             text NOT NULL,
  received_at      timestamptz NOT NULL
);
