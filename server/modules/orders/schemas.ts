// What the merchant sends to /v1/refunds and /v1/orders.
import { z } from 'zod';

export const refundBody = z.object({
  order_id: z.string().min(1),
  amount: z.number().int().min(1).optional(),
  destination: z.enum(['payment_method', 'wallet']).default('payment_method'),
  reason: z.string().trim().max(500).optional(),
});

export const purchaseBody = z.object({
  customer_id: z.string().min(1),
  items: z
    .array(z.object({ price_id: z.string().min(1), quantity: z.number().int().min(1).max(10_000).default(1) }))
    .min(1)
    .max(20),
});
