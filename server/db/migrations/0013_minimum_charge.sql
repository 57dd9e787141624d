-- Amounts under the processor's minimum charge are carried to the subscription's next invoice
-- (as Stripe does): the order is closed as `carried_forward` and the next order of the
-- subscription gets a "Balance carried from INV-…" line; carried_into_order_id says which.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
  CHECK (status IN ('pending', 'paid', 'failed', 'refunded', 'partially_refunded', 'void', 'carried_forward'));
ALTER TABLE orders ADD COLUMN carried_into_order_id text REFERENCES orders(id);
CREATE INDEX orders_carried_open ON orders (subscription_id) WHERE status = 'carried_forward' AND carried_into_order_id IS NULL;
ALTER TABLE order_lines DROP CONSTRAINT order_lines_kind_check;
ALTER TABLE order_lines ADD CONSTRAINT order_lines_kind_check
  CHECK (kind IN ('period', 'proration', 'seats', 'usage', 'one_time', 'credit', 'discount', 'tax', 'carried_balance'));
