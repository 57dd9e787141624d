// What the portal's billing endpoints answer (server/modules/subscriptions/views.ts,
// server/modules/orders/service.ts `orderView`, server/modules/overview/routes.ts), as the
// widget reads it. Statuses and kinds stay plain strings so a new one from a newer server
// renders as text instead of failing the whole answer.
import * as z from 'zod/mini';
import { heldSeat } from './benefits.js';
import { customer } from './customer.js';

const nullableString = z.nullable(z.string());
const int = z.number();

export const price = z.object({
  id: z.string(),
  product_id: z.string(),
  /** `flat`, `per_seat` or `metered`. */
  model: z.string(),
  currency: z.string(),
  unit_amount: int,
  interval: nullableString,
  interval_count: int,
});
export type Price = z.infer<typeof price>;

export const invoiceLine = z.object({
  kind: z.string(),
  description: z.string(),
  quantity: int,
  unit_amount: int,
  amount: int,
});
export type InvoiceLine = z.infer<typeof invoiceLine>;

/** An invoice priced but not issued: the next renewal, or what a change charges now. */
export const invoicePreview = z.object({
  currency: z.string(),
  lines: z.array(invoiceLine),
  subtotal: int,
  discount_amount: int,
  tax_amount: int,
  tax_label: nullableString,
  credit_amount: int,
  total: int,
});
export type InvoicePreview = z.infer<typeof invoicePreview>;

/**
 * Every status a subscription can have (the subscriptions table's CHECK in
 * server/db/migrations/0002_billing.sql): the server's row type and the merchant API's
 * `?status=` filter. The portal's `subscription.status` stays a plain string (see above).
 */
export const subscriptionStatuses = ['incomplete', 'trialing', 'active', 'past_due', 'paused', 'canceled', 'unpaid'] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/** Why a customer cancels (the reasons a merchant can relabel or hide in billing settings). */
export const cancellationReasons = [
  'too_expensive',
  'missing_features',
  'switched_service',
  'unused',
  'customer_service',
  'too_complex',
  'low_quality',
  'other',
] as const;
export type CancellationReason = (typeof cancellationReasons)[number];

// ── What the portal sends about a subscription (the server validates with these) ──

/** The subscription's version the customer was shown: a request decided on another is 409 subscription_changed. */
const expectedVersion = z.optional(z.int().check(z.minimum(1), z.maximum(2_147_483_647)));
/** uncancel, accept-offer, pause, resume, cancel-scheduled-change. */
export const subscriptionActionRequest = z.object({ expected_version: expectedVersion });

export const cancelRequest = z.object({
  mode: z.enum(['at_period_end', 'immediately']),
  reason: z.optional(z.enum(cancellationReasons)),
  comment: z.optional(z.string().check(z.trim(), z.maxLength(2000))),
  expected_version: expectedVersion,
  /** With `immediately`: the `as_of` of the refund shown (cancellation.immediate_refund), so exactly that is refunded. */
  proration_date: z.optional(z.iso.datetime()),
});
export type CancelRequest = z.input<typeof cancelRequest>;

/** A plan change, a seat change or both; `timing` when the merchant lets the customer choose. */
export const changeRequest = z
  .object({
    price_id: z.optional(z.string().check(z.minLength(1))),
    seats: z.optional(z.int().check(z.minimum(1), z.maximum(10_000))),
    timing: z.optional(z.enum(['now', 'renewal'])),
    proration_date: z.optional(z.iso.datetime()),
    expected_version: expectedVersion,
  })
  .check(z.refine((b) => b.price_id !== undefined || b.seats !== undefined, { message: 'Send price_id, seats, or both.' }));
export type ChangeRequest = z.input<typeof changeRequest>;

/** A product as a subscription names it. */
const productRef = z.object({ id: z.string(), name: z.string() });

/** What the next payments are for: the plan and seats at the renewal (the scheduled ones, if any). */
const plannedPrice = z.object({
  product: productRef,
  price_id: z.string(),
  interval: nullableString,
  interval_count: int,
  seats: int,
});

export const subscription = z.object({
  id: z.string(),
  /** Bumped by every change; sent back as `expected_version` with every action decided on this state. */
  version: int,
  status: z.string(),
  /** While past due: `payment_failed` (update the card) or `authentication_required` (confirm the payment). */
  past_due_reason: z.optional(nullableString),
  product: z.object({ id: z.string(), name: z.string(), description: z.optional(nullableString) }),
  price,
  seats: int,
  amount: int,
  currency: z.string(),
  interval: nullableString,
  interval_count: int,
  current_period_start: z.string(),
  current_period_end: z.string(),
  trial_end: nullableString,
  cancel_at_period_end: z.boolean(),
  canceled_at: nullableString,
  ended_at: nullableString,
  /** When a scheduled pause starts (the end of the period). */
  pause_at: nullableString,
  discount: z.nullable(z.object({ percent_off: int, periods_left: int })),
  /** A plan or seat change at the renewal; null while the subscription is set to end ("Don't cancel" brings it back). */
  scheduled_change: z.nullable(z.extend(plannedPrice, { amount: int, effective_at: z.string() })),
  next_invoice: z.nullable(z.extend(invoicePreview, { date: z.string() })),
  /** What the customer may do; an action that is false is not offered at all. */
  actions: z.object({
    cancel: z.boolean(),
    uncancel: z.boolean(),
    change_plan: z.boolean(),
    change_seats: z.boolean(),
    pause: z.boolean(),
    resume: z.boolean(),
    /** Drop the scheduled plan or seat change ("Keep current plan"). */
    cancel_scheduled_change: z.boolean(),
  }),
  cancellation: z.object({
    reasons: z.array(z.object({ id: z.string(), label: z.string() })),
    /** Priced on the payments the discount applies to (`applies_to`: the scheduled plan, if any). */
    retention_offer: z.nullable(z.object({ percent_off: int, periods: int, amount: int, discounted_amount: int, applies_to: plannedPrice })),
    /** What cancelling now refunds, tax included; `as_of` goes back as the cancel's proration_date so the refund is exactly this. */
    immediate_refund: z.nullable(z.object({ amount: int, currency: z.string(), destination: z.string(), as_of: z.string() })),
    /** What the customer said when cancelling (a reason id and their comment), once cancelled or scheduled to be. */
    reason: z.optional(nullableString),
    comment: z.optional(nullableString),
  }),
});
export type Subscription = z.infer<typeof subscription>;
export type RetentionOffer = NonNullable<Subscription['cancellation']['retention_offer']>;

export const plan = z.object({
  id: z.string(),
  name: z.string(),
  description: nullableString,
  prices: z.array(price),
});
export type Plan = z.infer<typeof plan>;

/** GET /subscriptions/{id}: the subscription and the plans it can move to. */
export const subscriptionDetail = z.extend(subscription, { plans: z.array(plan) });
export type SubscriptionDetail = z.infer<typeof subscriptionDetail>;

export const subscriptionPage = z.object({ data: z.array(subscription), has_more: z.boolean(), next_cursor: nullableString });
export type SubscriptionPage = z.infer<typeof subscriptionPage>;

export const changePreview = z.object({
  kind: z.string(),
  /** `now`: charged and applied at once; `renewal`: applied at `effective_at`. */
  timing: z.string(),
  effective_at: z.string(),
  /** Send back with the change so it charges exactly what the preview showed. */
  proration_date: z.string(),
  price_id: z.string(),
  product: productRef,
  seats: int,
  new_amount: int,
  currency: z.string(),
  interval: nullableString,
  interval_count: int,
  due_now: z.nullable(invoicePreview),
  proration_lines: z.array(z.object({ kind: z.string(), description: z.string(), amount: int })),
  wallet_credit: int,
});
export type ChangePreview = z.infer<typeof changePreview>;

/** `destination`: `payment_method` (the card) or `wallet`. */
export const refund = z.object({ amount: int, currency: z.string(), destination: z.string() });

export const cancelResult = z.object({ subscription, refund: z.nullable(refund) });
export type CancelResult = z.infer<typeof cancelResult>;

export const changeResult = z.object({ subscription, order_id: nullableString, change: changePreview });
export type ChangeResult = z.infer<typeof changeResult>;

const detailText = z.optional(nullableString);

export const invoiceAddress = z.object({
  line1: detailText,
  line2: detailText,
  city: detailText,
  state: detailText,
  postal_code: detailText,
  country: detailText,
});

/** The buyer as printed on an invoice. */
export const invoiceDetails = z.object({
  name: detailText,
  company: detailText,
  email: detailText,
  address: z.optional(z.nullable(invoiceAddress)),
  tax_id: detailText,
});
export type InvoiceDetails = z.infer<typeof invoiceDetails>;

export const order = z.object({
  id: z.string(),
  invoice_number: z.string(),
  /** pending, requires_action (the customer confirms the payment), paid, failed, refunded, partially_refunded, void */
  status: z.string(),
  billing_reason: z.string(),
  subscription_id: nullableString,
  currency: z.string(),
  subtotal: int,
  discount_amount: int,
  tax_amount: int,
  credit_amount: int,
  total: int,
  refunded_amount: int,
  tax_note: nullableString,
  billing_details: invoiceDetails,
  paid_at: nullableString,
  failure_message: nullableString,
  period_start: nullableString,
  period_end: nullableString,
  created_at: z.string(),
  lines: z.optional(z.array(z.extend(invoiceLine, { period_start: nullableString, period_end: nullableString }))),
  refunds: z.optional(z.array(z.object({ id: z.string(), amount: int, destination: z.string(), reason: nullableString, created_at: z.string() }))),
  payment_method: z.optional(z.nullable(z.object({ brand: z.string(), last4: z.string() }))),
  /** A dispute (chargeback) of the payment: open, won or lost; null when none. */
  dispute: z.optional(
    z.nullable(z.object({ status: z.string(), reason: nullableString, amount: z.nullable(int), created_at: nullableString, closed_at: nullableString })),
  ),
});
export type Order = z.infer<typeof order>;

export const orderPage = z.object({ data: z.array(order), has_more: z.boolean(), next_cursor: nullableString });
export type OrderPage = z.infer<typeof orderPage>;

export const overview = z.object({
  customer,
  subscriptions: z.array(subscription),
  recent_orders: z.array(order),
  has_more_orders: z.boolean(),
  benefits: z.array(z.object({ id: z.string(), description: z.string(), type: z.string() })),
  wallet: z.object({ balances: z.array(z.object({ currency: z.string(), balance: int })) }),
  past_due: z.boolean(),
  /** Seats the customer holds on other customers' subscriptions (a team they joined). */
  memberships: z.optional(z.array(heldSeat)),
});
export type Overview = z.infer<typeof overview>;
