import { msg, str } from '@lit/localize';
import type { TemplateResult } from 'lit';
import { formatMoney, formatShortDate } from '../../i18n/money.js';
import type { Order, Subscription } from '../../schemas/billing.js';
import { badge, type BadgeTone } from '../../ui/badge.js';

/** The subscription's state as a badge: "Active", "Cancels Dec 21", "Past due"… */
export function subscriptionBadge(sub: Subscription): TemplateResult {
  if (sub.status === 'active' && sub.cancel_at_period_end) return badge('warning', msg(str`Cancels ${formatShortDate(sub.current_period_end)}`));
  if (sub.status === 'active' && sub.pause_at) return badge('info', msg(str`Pauses ${formatShortDate(sub.pause_at)}`));
  const labels: Record<string, [BadgeTone, string]> = {
    active: ['success', msg('Active')],
    trialing: ['info', msg('Trial')],
    past_due: ['danger', msg('Past due')],
    paused: ['neutral', msg('Paused')],
    canceled: ['neutral', msg('Canceled')],
    incomplete: ['warning', msg('Incomplete')],
    unpaid: ['danger', msg('Unpaid')],
  };
  const [tone, label] = labels[sub.status] ?? ['neutral', sub.status];
  return badge(tone, label);
}

/** One line on what happens next: the next charge, the end, the pause. */
export function nextChargeText(sub: Subscription): string {
  if (sub.status === 'canceled') return sub.ended_at ? msg(str`Ended on ${formatShortDate(sub.ended_at)}`) : msg('Ended');
  if (sub.cancel_at_period_end) return msg(str`Ends on ${formatShortDate(sub.current_period_end)}, no further charges`);
  if (sub.status === 'paused') return msg('Paused: no charges until you resume');
  if (sub.pause_at) return msg(str`Pauses on ${formatShortDate(sub.pause_at)}`);
  if (sub.status === 'past_due' && sub.past_due_reason === 'authentication_required') return msg('Waiting for you to confirm the payment with your bank');
  if (sub.status === 'past_due') return msg('Payment failed: we will retry automatically');
  const next = sub.next_invoice;
  if (!next) return '';
  const amount = formatMoney(next.total, next.currency);
  const date = formatShortDate(next.date);
  return sub.status === 'trialing' ? msg(str`Trial ends ${date}, then ${amount}`) : msg(str`Next charge ${amount} on ${date}`);
}

export function orderBadge(order: Order): TemplateResult {
  const labels: Record<string, [BadgeTone, string]> = {
    paid: ['success', msg('Paid')],
    pending: ['warning', msg('Pending')],
    requires_action: ['warning', msg('Needs confirmation')],
    failed: ['danger', msg('Failed')],
    refunded: ['neutral', msg('Refunded')],
    partially_refunded: ['info', msg('Partially refunded')],
    void: ['neutral', msg('Void')],
    carried_forward: ['neutral', msg('Carried forward')],
  };
  const [tone, label] = labels[order.status] ?? ['neutral', order.status];
  return badge(tone, label);
}

/** A dispute of the order's payment with the customer's bank, as a badge; nothing when none. */
export function disputeBadge(order: Order): TemplateResult | string {
  if (!order.dispute) return '';
  return order.dispute.status === 'open' ? badge('danger', msg('Disputed')) : badge('neutral', msg('Dispute closed'));
}

/** The order detail's line on its dispute: since when, for how much, and how it ended. */
export function disputeText(order: Order): string {
  const d = order.dispute;
  if (!d) return '';
  const amount = formatMoney(d.amount ?? order.total, order.currency);
  if (d.status === 'open') return msg(str`Disputed with your bank since ${formatShortDate(d.created_at ?? order.created_at)}: ${amount}`);
  const closed = formatShortDate(d.closed_at ?? d.created_at ?? order.created_at);
  return d.status === 'lost'
    ? msg(str`Dispute closed on ${closed}: ${amount} returned by your bank`)
    : msg(str`Dispute closed on ${closed}: the payment stands`);
}

/** What an order was for: its first line ("Pro", "Team × 3 seats"), or why it was made. */
export function orderSummary(order: Order): string {
  const first = order.lines?.find((l) => !['tax', 'credit', 'discount'].includes(l.kind));
  if (first) return first.description;
  const reasons: Record<string, string> = {
    subscription_create: msg('New subscription'),
    subscription_cycle: msg('Renewal'),
    subscription_update: msg('Subscription change'),
    purchase: msg('Purchase'),
  };
  return reasons[order.billing_reason] ?? order.billing_reason;
}
