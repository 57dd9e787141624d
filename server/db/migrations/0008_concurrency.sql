-- Money under concurrency (docs/decisions.md, "Billing operations under concurrency").
--
-- subscriptions.version counts the changes of a subscription: the portal sends the version it
-- showed (expected_version) and a request decided on an older one is answered 409
-- subscription_changed. subscriptions.operation holds a charged change between its pending
-- order and its settlement ({kind, order_id, started_at, …}); while it is set, other changes
-- are refused, and a job finishes it if the process died in between.
ALTER TABLE subscriptions ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE subscriptions ADD COLUMN operation jsonb;
CREATE INDEX subscriptions_operation ON subscriptions ((operation->>'started_at')) WHERE operation IS NOT NULL;

-- Credit given for unused time (a downgrade or seat decrease made now) names the subscription
-- and the stretch of the period it pays back, so an immediate cancellation later in that period
-- does not refund that time a second time.
ALTER TABLE wallet_transactions ADD COLUMN subscription_id text REFERENCES subscriptions(id);
ALTER TABLE wallet_transactions ADD COLUMN period_start timestamptz;
ALTER TABLE wallet_transactions ADD COLUMN period_end timestamptz;
CREATE INDEX wallet_transactions_subscription ON wallet_transactions (subscription_id) WHERE subscription_id IS NOT NULL;

-- A refund to the card is recorded before the processor is asked (pending) and settled after
-- (succeeded, or failed: then the amount went to the wallet instead). A job retries pending
-- refunds a dead process left behind, with the same processor idempotency key.
ALTER TABLE refunds ADD COLUMN status text NOT NULL DEFAULT 'succeeded' CHECK (status IN ('pending', 'succeeded', 'failed'));
CREATE INDEX refunds_pending ON refunds (created_at) WHERE status = 'pending';
CREATE INDEX orders_subscription_period ON orders (subscription_id, period_end) WHERE subscription_id IS NOT NULL;
