// Usage and wallet as the portal sees them: GET /portal/v1/usage
// (server/modules/usage/service.ts `subscriptionUsage`) and GET /portal/v1/wallet
// (server/modules/wallet/routes.ts). Pure zod/mini, shared by the widget and the server.
import * as z from 'zod/mini';
import { page } from './common.js';

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

export const walletTransaction = z.object({
  id: z.string(),
  /** Positive: credit granted; negative: credit used or expired. */
  amount: int,
  currency: z.string(),
  kind: z.string(),
  description: z.string(),
  order_id: z.nullable(z.string()),
  expires_at: z.nullable(z.string()),
  remaining: z.nullable(int),
  created_at: z.string(),
});
export type WalletTransaction = z.infer<typeof walletTransaction>;

export const walletTransactionPage = page(walletTransaction);

export const wallet = z.object({
  balances: z.array(z.object({ currency: z.string(), balance: int })),
  transactions: walletTransactionPage,
});
export type Wallet = z.infer<typeof wallet>;
