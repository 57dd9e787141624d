-- Stripe's events reconciled into ours (payments/stripe-events.ts). Each event is stored with
-- its payload and handled once by its id (the primary key of 0003: a second delivery, even at
-- the same moment, finds the row and changes nothing).
ALTER TABLE stripe_events
  ADD COLUMN object_id text,
  -- Stripe's `created` of the event: the order things happened in, not the order they arrived.
  ADD COLUMN created_at timestamptz,
  ADD COLUMN payload jsonb,
  -- What handling it did ('applied', 'ignored', 'stale', 'unknown_object', …), for support.
  ADD COLUMN outcome text;

-- Refunds made in Stripe (its dashboard) are recorded by their Stripe id, once.
CREATE UNIQUE INDEX refunds_provider_ref ON refunds (provider_ref) WHERE provider_ref IS NOT NULL;
-- Payments found by their PaymentIntent (asynchronous results, disputes, refunds in Stripe).
CREATE INDEX payments_provider_ref ON payments (provider_ref) WHERE provider_ref IS NOT NULL;
-- Cards found by their Stripe id (card updater, detached in Stripe); customers by theirs.
CREATE INDEX payment_methods_provider_ref ON payment_methods (provider_ref);
CREATE INDEX customers_provider_ref ON customers (provider_customer_ref) WHERE provider_customer_ref IS NOT NULL;

-- Disputes (chargebacks) of an order's payment: one per charge at Stripe, kept on the order.
ALTER TABLE orders
  ADD COLUMN dispute_ref text,
  ADD COLUMN dispute_status text CHECK (dispute_status IN ('open', 'won', 'lost')),
  ADD COLUMN dispute_reason text,
  ADD COLUMN dispute_amount bigint,
  ADD COLUMN disputed_at timestamptz,
  ADD COLUMN dispute_closed_at timestamptz,
  -- Stripe's `created` of the last dispute event applied: an older one arriving late is ignored.
  ADD COLUMN dispute_event_at timestamptz;

-- Card updater: the `created` of the last Stripe event applied to a card (older ones are ignored),
-- and the expiry (YYYY-MM) the customer was last told about ("your card expires soon", once each).
ALTER TABLE payment_methods
  ADD COLUMN provider_event_at timestamptz,
  ADD COLUMN expiry_notice_for text;
CREATE INDEX payment_methods_default_expiry ON payment_methods (exp_year, exp_month) WHERE is_default AND detached_at IS NULL;

-- One live row per card and customer: the portal's confirm and Stripe's setup_intent.succeeded
-- may save the same card at the same moment.
CREATE UNIQUE INDEX payment_methods_live_ref ON payment_methods (customer_id, provider_ref) WHERE detached_at IS NULL;
