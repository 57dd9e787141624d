// What the merchant sends to /v1/meters and /v1/events.
import { z } from 'zod';

export const meterCreate = z.object({
  name: z.string().trim().min(1).max(100),
  event_name: z.string().trim().min(1).max(100),
  aggregation: z.enum(['sum', 'count', 'max', 'unique_count']),
  property: z.string().trim().min(1).max(100).optional(),
  filter: z.record(z.string().max(100), z.union([z.string().max(200), z.number(), z.boolean()])).optional(),
  unit: z.string().trim().max(30).optional(),
});

export const eventsBody = z.object({
  events: z
    .array(
      z
        .object({
          id: z.string().min(1).max(200),
          customer_id: z.string().min(1).optional(),
          external_customer_id: z.string().min(1).optional(),
          name: z.string().min(1).max(100),
          timestamp: z.iso.datetime({ offset: true }).optional(),
          properties: z.record(z.string().max(100), z.unknown()).optional(),
        })
        .refine((e) => (e.customer_id === undefined) !== (e.external_customer_id === undefined), {
          message: 'send exactly one of customer_id or external_customer_id',
        }),
    )
    .min(1)
    .max(1000),
});
