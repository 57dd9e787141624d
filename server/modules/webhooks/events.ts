/** Every event the server sends to merchants' webhook endpoints. */
export const webhookEventTypes = [
  'subscription.created',
  'subscription.updated',
  'subscription.canceled',
  'subscription.uncanceled',
  'subscription.past_due',
  'subscription.renewed',
  'order.created',
  'order.paid',
  'order.refunded',
  'order.payment_failed',
  'order.carried_forward',
  'order.disputed',
  'order.dispute_closed',
  'payment_method.updated',
  'payment_method.detached',
  'customer.updated',
  'customer_seat.assigned',
  'customer_seat.claimed',
  'customer_seat.revoked',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];
