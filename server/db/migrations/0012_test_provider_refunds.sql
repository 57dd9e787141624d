-- The offline test provider answers a refund asked again with the same idempotency key with the
-- first refund, as Stripe does (the refunds job asks again when an answer was lost): one row per
-- key, written in the transaction that takes the amount off the charge.
CREATE TABLE test_provider_refunds (
  idempotency_key  text PRIMARY KEY,
  ref              text NOT NULL,
  charge_ref       text NOT NULL,
  amount           bigint NOT NULL,
  created_at       timestamptz NOT NULL
);
