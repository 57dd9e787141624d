-- Payments that need the customer (SCA / 3-D Secure; docs/decisions.md, "Payments that need
-- the customer"). An off-session charge the card's bank wants authenticated leaves its order
-- requires_action and its payment requires_action with the processor's PaymentIntent (its id in
-- provider_ref, its client secret here, handed only to the hosted confirm page). The customer
-- confirms it from the portal; settling it is idempotent by the PaymentIntent id.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
  CHECK (status IN ('pending', 'requires_action', 'paid', 'failed', 'refunded', 'partially_refunded', 'void', 'carried_forward'));
CREATE INDEX orders_requires_action ON orders (customer_id) WHERE status = 'requires_action';

ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (status IN ('pending', 'requires_action', 'succeeded', 'failed', 'canceled'));
ALTER TABLE payments ADD COLUMN client_secret text;

-- Why a subscription is past due: its charge was declined, or it waits for the customer to
-- authenticate it (the portal then offers "Confirm payment" instead of "Update payment method").
ALTER TABLE subscriptions ADD COLUMN past_due_reason text CHECK (past_due_reason IN ('payment_failed', 'authentication_required'));

-- A hosted page opened to confirm one payment (kind 'open' / 'confirm' as for cards).
ALTER TABLE hosted_tokens ADD COLUMN payment_id text REFERENCES payments(id) ON DELETE CASCADE;

-- The offline provider's PaymentIntents waiting for the customer.
ALTER TABLE test_provider_charges ADD COLUMN client_secret text;
