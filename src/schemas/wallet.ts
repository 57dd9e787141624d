// The wallet as the portal sees it: GET /portal/v1/wallet (server/modules/wallet/service.ts).
// Pure zod/mini, shared by the widget and the server.
import * as z from 'zod/mini';
import { page } from './common.js';

const int = z.number();

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
