import type { PriceRow, ProductRow, SubscriptionRow } from '../../db/schema.js';
import type { DraftItem } from '../orders/service.js';

/** The statuses in which a subscription is live: it has access and is billed. */
export const LIVE = ['active', 'trialing', 'past_due'] as const;

/** Will renew at the end of its period (and so has a next invoice). */
export const renews = (sub: SubscriptionRow) => (LIVE as readonly string[]).includes(sub.status) && !sub.cancel_at_period_end && !sub.paused_at;

/** Price of one period: per-seat prices multiply by seats; metered prices bill usage (separately). */
export function periodAmount(price: PriceRow, seats: number): number {
  if (price.model === 'metered') return 0;
  return price.unit_amount * (price.model === 'per_seat' ? seats : 1);
}

/** A comparable yearly value, to tell an upgrade from a downgrade across intervals. */
export function yearlyValue(price: PriceRow, seats: number): number {
  const perYear: Record<string, number> = { day: 365, week: 52, month: 12, year: 1 };
  return (periodAmount(price, seats) * (perYear[price.interval ?? 'month'] ?? 12)) / price.interval_count;
}

/** The invoice line(s) for one period of `price` (none for a metered price: usage is billed in arrears). */
export function periodItems(product: ProductRow, price: PriceRow, seats: number, start: Date, end: Date): DraftItem[] {
  if (price.model === 'metered') return [];
  const quantity = price.model === 'per_seat' ? seats : 1;
  return [
    {
      kind: price.model === 'per_seat' ? 'seats' : 'period',
      description: price.model === 'per_seat' ? `${product.name} × ${seats} seat${seats === 1 ? '' : 's'}` : product.name,
      quantity,
      unit_amount: price.unit_amount,
      amount: price.unit_amount * quantity,
      period_start: start,
      period_end: end,
    },
  ];
}
