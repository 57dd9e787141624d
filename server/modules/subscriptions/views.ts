import type { Organization, SubscriptionRow } from '../../db/schema.js';
import { resolveBillingSettings, visibleReasons, type BillingSettings } from '../billing/settings.js';
import { priceView, type CatalogSnapshot } from '../catalog/service.js';
import { resolvePortalSettings } from '../organizations/settings.js';
import { percentOf } from '../billing/money.js';
import type { OrderDraft } from '../orders/service.js';
import type { ChangePlan } from './changes.js';
import { periodAmount } from './pricing.js';
import type { CancellationRefund } from './refunds.js';
import type { Subscription } from '../../../src/schemas/billing.js';

export type NextInvoice = ReturnType<typeof draftView> & { date: string };

/** What the portal's subscription views are built from, read once for a request (reads.ts). */
export interface PortalSubscriptionReads {
  catalog: CatalogSnapshot;
  /** The organization's settings, resolved once for the request (not once per subscription). */
  settings: { billing: BillingSettings; actions: ReturnType<typeof resolvePortalSettings>['actions']; reasons: ReturnType<typeof visibleReasons> };
  /** The customer's upcoming invoices with the wallet shared across them (renewals.upcomingInvoices). */
  upcoming: Map<string, NextInvoice>;
  /** What cancelling now refunds, tax included, with the second it is priced as of. */
  immediateRefund(sub: SubscriptionRow): (ReturnType<typeof refundView> & { as_of: string }) | null;
}

/** The organization's settings the subscription views read, resolved once. */
export function subscriptionViewSettings(org: Organization): PortalSubscriptionReads['settings'] {
  const billing = resolveBillingSettings(org.billing_settings);
  return { billing, actions: resolvePortalSettings(org.portal_settings).actions, reasons: visibleReasons(billing) };
}

/** A subscription as the portal shows it: everything one view needs, from what the request read. */
export function portalSubscriptionView(sub: SubscriptionRow, reads: PortalSubscriptionReads): Subscription {
  const { catalog } = reads;
  const price = catalog.price(sub.price_id);
  const product = catalog.product(sub.product_id);
  const pendingPrice = sub.pending_price_id ? catalog.price(sub.pending_price_id) : null;
  const pendingProduct = pendingPrice ? catalog.product(pendingPrice.product_id) : null;
  const { billing: settings, actions, reasons } = reads.settings;
  const live = ['active', 'trialing', 'past_due'].includes(sub.status);
  const canCancel = live && !sub.cancel_at_period_end;
  // The offer's discount applies to the next payments: at the scheduled plan, if one is scheduled.
  const offer = settings.retention_offer && !sub.retention_offer_used && live ? settings.retention_offer : null;
  const nextPrice = pendingPrice ?? price;
  const nextSeats = sub.pending_seats ?? sub.seats;
  const nextAmount = periodAmount(nextPrice, nextSeats);
  return {
    id: sub.id,
    /** Send it back as expected_version: a change decided on an older version is refused (409 subscription_changed). */
    version: sub.version,
    status: sub.status,
    /** Why it is past due: payment_failed (update the card) or authentication_required (confirm the payment). */
    past_due_reason: sub.status === 'active' || sub.status === 'trialing' ? null : sub.past_due_reason,
    product: { id: product.id, name: product.name, description: product.description },
    price: priceView(price),
    seats: sub.seats,
    amount: periodAmount(price, sub.seats),
    currency: price.currency,
    interval: price.interval,
    interval_count: price.interval_count,
    current_period_start: sub.current_period_start.toISOString(),
    current_period_end: sub.current_period_end.toISOString(),
    trial_end: sub.trial_end?.toISOString() ?? null,
    cancel_at_period_end: sub.cancel_at_period_end,
    canceled_at: sub.canceled_at?.toISOString() ?? null,
    ended_at: sub.ended_at?.toISOString() ?? null,
    pause_at: sub.status !== 'paused' ? (sub.paused_at?.toISOString() ?? null) : null,
    discount: sub.discount_percent ? { percent_off: sub.discount_percent, periods_left: sub.discount_periods_left ?? 0 } : null,
    // While set to end, a scheduled change will not happen; "Don't cancel" brings it back.
    scheduled_change:
      (sub.pending_price_id || sub.pending_seats) && !sub.cancel_at_period_end
        ? {
            product: pendingProduct ? { id: pendingProduct.id, name: pendingProduct.name } : { id: product.id, name: product.name },
            price_id: pendingPrice?.id ?? price.id,
            interval: (pendingPrice ?? price).interval,
            interval_count: (pendingPrice ?? price).interval_count,
            seats: sub.pending_seats ?? sub.seats,
            amount: periodAmount(pendingPrice ?? price, sub.pending_seats ?? sub.seats),
            effective_at: sub.current_period_end.toISOString(),
          }
        : null,
    next_invoice: reads.upcoming.get(sub.id) ?? null,
    actions: {
      cancel: canCancel,
      uncancel: sub.cancel_at_period_end && sub.status !== 'canceled',
      change_plan: actions.plan_change && live && sub.status !== 'past_due' && !sub.cancel_at_period_end,
      change_seats: actions.seat_change && price.model === 'per_seat' && live && sub.status !== 'past_due' && !sub.cancel_at_period_end,
      pause: actions.pause && sub.status === 'active' && !sub.paused_at && !sub.cancel_at_period_end,
      resume: actions.pause && (sub.status === 'paused' || Boolean(sub.paused_at)),
      cancel_scheduled_change: Boolean(sub.pending_price_id || sub.pending_seats) && !sub.cancel_at_period_end && live,
    },
    cancellation: {
      reasons,
      retention_offer: offer
        ? {
            ...offer,
            /** The payments the discount applies to: the next renewal's plan and seats. */
            applies_to: {
              product: { id: (pendingProduct ?? product).id, name: (pendingProduct ?? product).name },
              price_id: nextPrice.id,
              interval: nextPrice.interval,
              interval_count: nextPrice.interval_count,
              seats: nextSeats,
            },
            amount: nextAmount,
            discounted_amount: nextAmount - percentOf(nextAmount, offer.percent_off),
          }
        : null,
      /** What cancelling now refunds, tax included; send `as_of` back as proration_date to get exactly this. */
      immediate_refund: canCancel && sub.status === 'active' ? reads.immediateRefund(sub) : null,
      reason: sub.cancellation_reason,
      comment: sub.cancellation_comment,
    },
  };
}

export function merchantSubscriptionView(sub: SubscriptionRow) {
  return {
    id: sub.id,
    customer_id: sub.customer_id,
    product_id: sub.product_id,
    price_id: sub.price_id,
    status: sub.status,
    past_due_reason: sub.past_due_reason,
    seats: sub.seats,
    current_period_start: sub.current_period_start.toISOString(),
    current_period_end: sub.current_period_end.toISOString(),
    trial_end: sub.trial_end?.toISOString() ?? null,
    cancel_at_period_end: sub.cancel_at_period_end,
    canceled_at: sub.canceled_at?.toISOString() ?? null,
    ended_at: sub.ended_at?.toISOString() ?? null,
    cancellation_reason: sub.cancellation_reason,
    cancellation_comment: sub.cancellation_comment,
    pending_price_id: sub.pending_price_id,
    pending_seats: sub.pending_seats,
    pause_at: sub.paused_at?.toISOString() ?? null,
    discount_percent: sub.discount_percent,
    discount_periods_left: sub.discount_periods_left,
    dunning_attempts: sub.dunning_attempts,
    next_retry_at: sub.next_retry_at?.toISOString() ?? null,
    created_at: sub.created_at.toISOString(),
  };
}

/** What retrying unpaid renewals after a card change did, as the portal reports it. */
export function retriedView(results: Array<{ ok: boolean; subscription: SubscriptionRow; message?: string } | undefined>) {
  return results.flatMap((r) =>
    r ? [{ subscription_id: r.subscription.id, status: r.subscription.status, ok: r.ok, message: r.ok ? null : (r.message ?? null) }] : [],
  );
}

/** A cancellation's refund as the portal, the merchant and the webhook see it. */
export function refundView(r: CancellationRefund) {
  return { amount: r.amount, currency: r.currency, destination: r.destination };
}

export function draftView(d: OrderDraft) {
  return {
    currency: d.currency,
    lines: d.lines.map((l) => ({ kind: l.kind, description: l.description, quantity: l.quantity, unit_amount: l.unit_amount, amount: l.amount })),
    subtotal: d.subtotal,
    discount_amount: d.discount_amount,
    tax_amount: d.tax_amount,
    tax_label: d.tax_label,
    credit_amount: d.credit_amount,
    total: d.total,
  };
}

export function changePreviewView(sub: SubscriptionRow, plan: ChangePlan) {
  return {
    subscription_id: sub.id,
    kind: plan.kind,
    timing: plan.timing,
    effective_at: plan.effective_at.toISOString(),
    proration_date: plan.prorationDate.toISOString(),
    price_id: plan.price.id,
    product: { id: plan.product.id, name: plan.product.name },
    seats: plan.seats,
    new_amount: periodAmount(plan.price, plan.seats),
    currency: plan.price.currency,
    interval: plan.price.interval,
    interval_count: plan.price.interval_count,
    /** Charged now; null when nothing is due now. */
    due_now: plan.draft ? draftView(plan.draft) : null,
    proration_lines: plan.items.map((l) => ({ kind: l.kind, description: l.description, amount: l.amount })),
    wallet_credit: plan.walletCredit,
  };
}

export function subscriptionEventData(s: SubscriptionRow) {
  return {
    id: s.id,
    customer_id: s.customer_id,
    product_id: s.product_id,
    price_id: s.price_id,
    status: s.status,
    seats: s.seats,
    current_period_start: s.current_period_start.toISOString(),
    current_period_end: s.current_period_end.toISOString(),
    cancel_at_period_end: s.cancel_at_period_end,
    canceled_at: s.canceled_at?.toISOString() ?? null,
    ended_at: s.ended_at?.toISOString() ?? null,
    cancellation_reason: s.cancellation_reason,
    cancellation_comment: s.cancellation_comment,
  };
}
