// Usage as the portal sees it: GET /portal/v1/usage (server/modules/usage/service.ts
// `subscriptionUsage`). Pure zod/mini, shared by the widget and the server.
import * as z from 'zod/mini';

const int = z.number();

export const usageMeter = z.object({
  meter: z.object({ id: z.string(), name: z.string(), unit: z.nullable(z.string()), aggregation: z.string() }),
  subscription_id: z.string(),
  product_name: z.string(),
  period: z.object({ start: z.string(), end: z.string() }),
  usage: int,
  included: int,
  /** null: no limit (pay as you go). */
  limit: z.nullable(int),
  percentage: z.nullable(int),
  overage: z.object({ units: int, unit_amount: int, amount: int, currency: z.string() }),
  history: z.object({
    /** UTC days of the current period so far. */
    daily: z.array(z.object({ date: z.string(), value: int })),
    /** The last whole periods, oldest first. */
    periods: z.array(z.object({ start: z.string(), end: z.string(), value: int })),
  }),
});
export type UsageMeter = z.infer<typeof usageMeter>;

export const usageList = z.object({ meters: z.array(usageMeter) });
