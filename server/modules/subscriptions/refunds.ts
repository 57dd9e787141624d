import type { OrderLineRow, OrderRow, Organization, SubscriptionRow } from '../../db/schema.js';
import { resolveBillingSettings } from '../billing/settings.js';

/** The part of an order's refund that goes back where it came from. */
export interface RefundPart {
  order: OrderRow;
  /** Back against the order's card payment (to the card, or to the wallet by the organization's setting). */
  againstOrder: number;
  /** Paid from the wallet in the first place: returned there. */
  toWallet: number;
}

export interface CancellationRefund {
  amount: number;
  currency: string;
  destination: 'payment_method' | 'wallet';
  parts: RefundPart[];
}

/** The lines that buy time: a period, seats, or a prorated stretch of a period. */
const TIME_KINDS = new Set(['period', 'seats', 'proration']);

/** `amount` spread evenly over [start, end): the part of it after `at`. */
function unusedShare(amount: number, start: Date, end: Date, at: Date): number {
  const length = end.getTime() - start.getTime();
  if (length <= 0 || end <= at) return 0;
  const from = Math.max(start.getTime(), at.getTime());
  return (amount * (end.getTime() - from)) / length;
}

/**
 * What an immediate cancellation at `at` gives back (docs/decisions.md, "Refund on immediate
 * cancellation"):
 *
 *   refund = Σ over paid orders of the subscription, Σ over their time lines (period, seats,
 *            proration, including negative "unused time" lines) of amount × unused share,
 *            scaled by what the order really took (total + wallet credit) / its subtotal
 *            (so tax and discounts are refunded in the same proportion)
 *          − Σ proration credit already put in the wallet for this time, × its unused share
 *
 * rounded to the minor unit, never below 0 and never more than is left of what was paid.
 * It is taken from the newest order first; within an order, from its card payment first, and
 * what was paid from the wallet goes back to the wallet.
 */
export function cancellationRefund(
  orders: Array<{ order: OrderRow; lines: OrderLineRow[] }>,
  credits: Array<{ amount: number; period_start: Date | null; period_end: Date | null }>,
  at: Date,
  destination: 'payment_method' | 'wallet',
): CancellationRefund | null {
  let owed = 0;
  let left = 0;
  for (const { order, lines } of orders) {
    const taken = order.total + order.credit_amount;
    left += Math.max(0, taken - order.refunded_amount);
    if (order.subtotal <= 0) continue;
    const unused = lines
      .filter((l) => TIME_KINDS.has(l.kind) && l.period_start && l.period_end)
      .reduce((sum, l) => sum + unusedShare(l.amount, l.period_start!, l.period_end!, at), 0);
    owed += (unused * taken) / order.subtotal;
  }
  for (const credit of credits) {
    if (credit.period_start && credit.period_end) owed -= unusedShare(credit.amount, credit.period_start, credit.period_end, at);
  }
  const amount = Math.min(Math.max(0, Math.round(owed)), left);
  if (amount <= 0) return null;
  let rest = amount;
  const parts: RefundPart[] = [];
  for (const { order } of [...orders].sort((a, b) => (a.order.id < b.order.id ? 1 : -1))) {
    if (rest <= 0) break;
    const available = Math.max(0, order.total + order.credit_amount - order.refunded_amount);
    const take = Math.min(rest, available);
    if (take <= 0) continue;
    const againstOrder = Math.min(take, order.total - order.refunded_amount);
    parts.push({ order, againstOrder, toWallet: take - againstOrder });
    rest -= take;
  }
  return { amount, currency: orders[0]!.order.currency, destination, parts };
}

/**
 * What cancelling `sub` at `at` refunds, from the paid orders that cover time after `at` (with
 * their lines) and the proration credit given for that time: none unless the subscription is
 * active and such an order exists.
 */
export function refundOf(
  org: Organization,
  sub: SubscriptionRow,
  covering: Array<{ order: OrderRow; lines: OrderLineRow[] }>,
  credits: Array<{ amount: number; period_start: Date | null; period_end: Date | null }>,
  at: Date,
): CancellationRefund | null {
  if (sub.status !== 'active' || covering.length === 0) return null;
  return cancellationRefund(covering, credits, at, resolveBillingSettings(org.billing_settings).cancel_refund_to);
}
