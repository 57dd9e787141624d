// What the portal, the merchant and webhooks see of an order.
import type { OrderLineRow, OrderRow, RefundRow } from '../../db/schema.js';
import type { Order } from '../../../src/schemas/billing.js';

/** An order's dispute as the portal, the merchant and webhooks see it; null when none. */
export function disputeView(o: Pick<OrderRow, 'dispute_status' | 'dispute_reason' | 'dispute_amount' | 'disputed_at' | 'dispute_closed_at'>) {
  if (!o.dispute_status) return null;
  return {
    status: o.dispute_status,
    reason: o.dispute_reason,
    amount: o.dispute_amount,
    created_at: o.disputed_at?.toISOString() ?? null,
    closed_at: o.dispute_closed_at?.toISOString() ?? null,
  };
}

export function orderEventData(
  o: Pick<OrderRow, 'id' | 'customer_id' | 'subscription_id' | 'invoice_number' | 'status' | 'currency' | 'total' | 'billing_reason'> & Partial<OrderRow>,
) {
  return {
    id: o.id,
    customer_id: o.customer_id,
    subscription_id: o.subscription_id,
    invoice_number: o.invoice_number,
    status: o.status,
    billing_reason: o.billing_reason,
    currency: o.currency,
    total: o.total,
    refunded_amount: o.refunded_amount ?? 0,
  };
}

export function orderLineView(l: OrderLineRow) {
  return {
    kind: l.kind,
    description: l.description,
    quantity: l.quantity,
    unit_amount: l.unit_amount,
    amount: l.amount,
    period_start: l.period_start?.toISOString() ?? null,
    period_end: l.period_end?.toISOString() ?? null,
  };
}

export function orderView(o: OrderRow, lines?: OrderLineRow[], refunds?: RefundRow[], method?: { brand: string; last4: string } | null): Order {
  return {
    id: o.id,
    invoice_number: o.invoice_number,
    status: o.status,
    billing_reason: o.billing_reason,
    subscription_id: o.subscription_id,
    currency: o.currency,
    subtotal: o.subtotal,
    discount_amount: o.discount_amount,
    tax_amount: o.tax_amount,
    credit_amount: o.credit_amount,
    total: o.total,
    refunded_amount: o.refunded_amount,
    tax_note: o.tax_note,
    billing_details: o.billing_details,
    paid_at: o.paid_at?.toISOString() ?? null,
    failure_message: o.failure_message,
    period_start: o.period_start?.toISOString() ?? null,
    period_end: o.period_end?.toISOString() ?? null,
    created_at: o.created_at.toISOString(),
    dispute: disputeView(o),
    ...(lines ? { lines: lines.map(orderLineView) } : {}),
    ...(refunds
      ? { refunds: refunds.map((r) => ({ id: r.id, amount: r.amount, destination: r.destination, reason: r.reason, created_at: r.created_at.toISOString() })) }
      : {}),
    ...(method !== undefined ? { payment_method: method ? { brand: method.brand, last4: method.last4 } : null } : {}),
  };
}
