// The billing part of the fake portal API (overview, subscriptions, orders), shaped like
// server/modules/subscriptions/views.ts and server/modules/orders/service.ts answer. Tests
// change `billing` to set a scene (past due, no orders, an action turned off).
import { http, HttpResponse, type JsonBodyType } from 'msw';
import type { ChangePreview, Order, Plan, RetentionOffer, Subscription } from '../../src/schemas/billing.js';
import type { HeldSeat } from '../../src/schemas/benefits.js';
import { alice, apiError, record, signedIn, unauthenticated, type RecordedRequest } from './handlers.js';

const DAY = 86_400_000;
const NOW = Date.parse('2025-11-21T10:00:00.000Z');
const iso = (days: number) => new Date(NOW + days * DAY).toISOString();

export const reasons = [
  { id: 'too_expensive', label: 'It’s too expensive' },
  { id: 'missing_features', label: 'Some features are missing' },
  { id: 'unused', label: 'I don’t use it enough' },
  { id: 'other', label: 'Other reason' },
];

const price = (id: string, product: string, unit: number, interval: string, model = 'flat') => ({
  id,
  product_id: product,
  model,
  currency: 'USD',
  unit_amount: unit,
  interval,
  interval_count: 1,
});

export const plans: Plan[] = [
  { id: 'prod_starter', name: 'Starter', description: 'For side projects.', prices: [price('price_starter', 'prod_starter', 900, 'month')] },
  {
    id: 'prod_pro',
    name: 'Pro',
    description: 'Unlimited projects, priority support.',
    prices: [price('price_pro_m', 'prod_pro', 2900, 'month'), price('price_pro_y', 'prod_pro', 29000, 'year')],
  },
  { id: 'prod_team', name: 'Team', description: 'Per-seat pricing with SSO.', prices: [price('price_team', 'prod_team', 800, 'month', 'per_seat')] },
];

const allActions = { cancel: true, uncancel: false, change_plan: true, change_seats: false, pause: true, resume: false, cancel_scheduled_change: false };

/** The retention offer (30 % off 3 payments) priced on `amount` for the plan it applies to. */
export function retentionOffer(amount: number, appliesTo: Partial<RetentionOffer['applies_to']> = {}): RetentionOffer {
  return {
    percent_off: 30,
    periods: 3,
    amount,
    discounted_amount: amount - Math.round(amount * 0.3),
    applies_to: { product: { id: 'prod_pro', name: 'Pro' }, price_id: 'price_pro_m', interval: 'month', interval_count: 1, seats: 1, ...appliesTo },
  };
}

/** What cancelling now refunds, priced `age` ms ago by the real clock (the widget prices it again when it is old). */
export const immediateRefund = (amount: number, destination = 'payment_method', age = 0) => ({
  amount,
  currency: 'USD',
  destination,
  as_of: new Date(Date.now() - age).toISOString(),
});

export function proSubscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: 'sub_pro',
    version: 1,
    status: 'active',
    product: { id: 'prod_pro', name: 'Pro', description: 'Unlimited projects, priority support.' },
    price: price('price_pro_m', 'prod_pro', 2900, 'month'),
    seats: 1,
    amount: 2900,
    currency: 'USD',
    interval: 'month',
    interval_count: 1,
    current_period_start: iso(-10),
    current_period_end: iso(20),
    trial_end: null,
    cancel_at_period_end: false,
    canceled_at: null,
    ended_at: null,
    pause_at: null,
    discount: null,
    scheduled_change: null,
    next_invoice: {
      date: iso(20),
      currency: 'USD',
      lines: [
        { kind: 'period', description: 'Pro', quantity: 1, unit_amount: 2900, amount: 2900 },
        { kind: 'tax', description: 'VAT (20%)', quantity: 1, unit_amount: 580, amount: 580 },
      ],
      subtotal: 2900,
      discount_amount: 0,
      tax_amount: 580,
      tax_label: 'VAT (20%)',
      credit_amount: 0,
      total: 3480,
    },
    actions: { ...allActions },
    cancellation: { reasons, retention_offer: retentionOffer(2900), immediate_refund: immediateRefund(2320) },
    ...overrides,
  };
}

export function teamSubscription(overrides: Partial<Subscription> = {}): Subscription {
  return proSubscription({
    id: 'sub_team',
    product: { id: 'prod_team', name: 'Team', description: 'Per-seat pricing with SSO.' },
    price: price('price_team', 'prod_team', 800, 'month', 'per_seat'),
    seats: 3,
    amount: 2400,
    next_invoice: {
      date: iso(20),
      currency: 'USD',
      lines: [
        { kind: 'seats', description: 'Team × 3 seats', quantity: 3, unit_amount: 800, amount: 2400 },
        { kind: 'tax', description: 'VAT (20%)', quantity: 1, unit_amount: 480, amount: 480 },
      ],
      subtotal: 2400,
      discount_amount: 0,
      tax_amount: 480,
      tax_label: 'VAT (20%)',
      credit_amount: 0,
      total: 2880,
    },
    actions: { ...allActions, change_seats: true, pause: false },
    cancellation: {
      reasons,
      retention_offer: retentionOffer(2400, { product: { id: 'prod_team', name: 'Team' }, price_id: 'price_team', seats: 3 }),
      immediate_refund: immediateRefund(1600),
    },
    ...overrides,
  });
}

export function order(n: number, overrides: Partial<Order> = {}): Order {
  const number = `INV-${String(n).padStart(4, '0')}`;
  return {
    id: `ord_${n}`,
    invoice_number: number,
    status: 'paid',
    billing_reason: n === 1 ? 'subscription_create' : 'subscription_cycle',
    subscription_id: 'sub_pro',
    currency: 'USD',
    subtotal: 2900,
    discount_amount: 0,
    tax_amount: 580,
    credit_amount: 0,
    total: 3480,
    refunded_amount: 0,
    tax_note: null,
    billing_details: {
      name: 'Alice Martin',
      company: 'Martin & Co',
      email: alice.email,
      address: { line1: '12 Rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR' },
      tax_id: null,
    },
    paid_at: iso(-30 * (10 - n)),
    failure_message: null,
    period_start: iso(-30 * (10 - n)),
    period_end: iso(-30 * (9 - n)),
    created_at: iso(-30 * (10 - n)),
    lines: [
      { kind: 'period', description: 'Pro', quantity: 1, unit_amount: 2900, amount: 2900, period_start: null, period_end: null },
      { kind: 'tax', description: 'VAT (20%)', quantity: 1, unit_amount: 580, amount: 580, period_start: null, period_end: null },
    ],
    ...overrides,
  };
}

/** Order `ord_3` in detail: a partial refund, paid by Visa. */
export function orderDetail(o: Order): Order {
  return {
    ...o,
    refunds: o.refunded_amount ? [{ id: 're_1', amount: o.refunded_amount, destination: 'payment_method', reason: null, created_at: iso(-1) }] : [],
    payment_method: { brand: 'visa', last4: '4242' },
  };
}

export function changePreview(overrides: Partial<ChangePreview> = {}): ChangePreview {
  return {
    kind: 'upgrade',
    timing: 'now',
    effective_at: new Date(NOW).toISOString(),
    proration_date: new Date(NOW).toISOString(),
    price_id: 'price_pro_y',
    product: { id: 'prod_pro', name: 'Pro' },
    seats: 1,
    new_amount: 29000,
    currency: 'USD',
    interval: 'year',
    interval_count: 1,
    due_now: {
      currency: 'USD',
      lines: [
        { kind: 'proration', description: 'Unused time on Pro after 2025-11-21', quantity: 1, unit_amount: -1933, amount: -1933 },
        { kind: 'period', description: 'Pro', quantity: 1, unit_amount: 29000, amount: 29000 },
        { kind: 'tax', description: 'VAT (20%)', quantity: 1, unit_amount: 5413, amount: 5413 },
      ],
      subtotal: 27067,
      discount_amount: 0,
      tax_amount: 5413,
      tax_label: 'VAT (20%)',
      credit_amount: 0,
      total: 32480,
    },
    proration_lines: [],
    wallet_credit: 0,
    ...overrides,
  };
}

export const PDF_BYTES = '%PDF-1.4 fake invoice';

/** The scene the fake serves; reset before each test. */
export const billing = {
  pastDue: false,
  /** A payment waits for the customer's authentication (CP-Billing-Status: requires_action). */
  requiresAction: false,
  subscriptions: [] as Subscription[],
  orders: [] as Order[],
  walletBalance: 1250,
  benefits: [] as Array<{ id: string; description: string; type: string }>,
  /** Seats the customer holds on others' plans (the overview's `memberships`). */
  memberships: [] as HeldSeat[],
  /** A seat holder without billing of their own: `CP-Portal-Scope: seat`. */
  seatOnly: false,
  reset(): void {
    this.pastDue = false;
    this.memberships = [];
    this.seatOnly = false;
    this.requiresAction = false;
    this.benefits = [];
    this.subscriptions = [proSubscription(), teamSubscription()];
    this.orders = Array.from({ length: 7 }, (_, i) => order(7 - i));
    this.walletBalance = 1250;
  },
};
billing.reset();

export const headers = () => ({
  'CP-Billing-Status': billing.requiresAction ? 'requires_action' : billing.pastDue ? 'past_due' : 'ok',
  'CP-Portal-Scope': billing.seatOnly ? 'seat' : 'full',
});

/** A seat holder: the customer joined Acme Labs' Team plan and has no billing of their own. */
export function seatHolderScene(owner = 'Acme Labs'): void {
  billing.subscriptions = [];
  billing.orders = [];
  billing.walletBalance = 0;
  billing.seatOnly = true;
  billing.benefits = [{ id: 'bgr_9', description: 'Team Discord server', type: 'discord' }];
  billing.memberships = [{ seat_id: 'seat_2', subscription_id: 'sub_team', plan: 'Team', owner, claimed_at: '2026-11-20T10:00:00.000Z' }];
}

const json = (body: unknown, status = 200) => HttpResponse.json(body as JsonBodyType, { status, headers: headers() });

/** Records the request; answers 401 unless signed in, else what `answer` returns. */
export function authed(answer: (r: RecordedRequest, params: Record<string, string>, url: string) => Response | Promise<Response>) {
  return async ({ request, params }: { request: Request; params: Record<string, string | readonly string[] | undefined> }) => {
    const r = await record(request);
    if (!signedIn(r)) return unauthenticated(r);
    return answer(r, params as Record<string, string>, request.url);
  };
}

function page<T extends { id: string }>(items: T[], url: string) {
  const query = new URL(url).searchParams;
  const limit = Number(query.get('limit') ?? 20);
  const after = query.get('starting_after');
  const start = after ? items.findIndex((i) => i.id === after) + 1 : 0;
  const data = items.slice(start, start + limit);
  const hasMore = start + limit < items.length;
  return { data, has_more: hasMore, next_cursor: hasMore ? data[data.length - 1]!.id : null };
}

const findSub = (id: string) => billing.subscriptions.find((s) => s.id === id);
/** Stores the subscription as an action left it: one version newer, as the server does. */
const replaceSub = (sub: Subscription) => {
  const updated = { ...sub, version: (findSub(sub.id)?.version ?? sub.version) + 1 };
  billing.subscriptions = billing.subscriptions.map((s) => (s.id === sub.id ? updated : s));
  return updated;
};
const notFound = () => apiError(404, 'subscription_not_found', 'This subscription was not found.');

/** Like the server: an action decided on another version than the stored one is 409 subscription_changed. */
export function stale(r: RecordedRequest, sub: Subscription): Response | undefined {
  const expected = (r.body as { expected_version?: number } | undefined)?.expected_version;
  if (expected === undefined || expected === sub.version) return undefined;
  return apiError(409, 'subscription_changed', 'This subscription just changed. Here it is now; review it before trying again.', { version: sub.version });
}

/** Records an action on one subscription: 404 or 409 as the server would, else what `act` answers. */
const action = (act: (sub: Subscription, r: RecordedRequest) => Response | Promise<Response>) =>
  authed((r, { id }) => {
    const sub = findSub(id!);
    if (!sub) return notFound();
    return stale(r, sub) ?? act(sub, r);
  });

export const billingHandlers = [
  http.get(
    '*/portal/v1/overview',
    authed(() =>
      json({
        customer: alice,
        subscriptions: billing.subscriptions.filter((s) => s.status !== 'canceled'),
        recent_orders: billing.orders.slice(0, 5),
        has_more_orders: billing.orders.length > 5,
        benefits: billing.benefits,
        wallet: { balances: billing.walletBalance ? [{ currency: 'USD', balance: billing.walletBalance }] : [] },
        past_due: billing.pastDue,
        memberships: billing.memberships,
      }),
    ),
  ),
  http.get(
    '*/portal/v1/subscriptions',
    authed((_r, _p, url) => json(page(billing.subscriptions, url))),
  ),
  http.get(
    '*/portal/v1/subscriptions/:id',
    authed((_r, { id }) => {
      const sub = findSub(id!);
      return sub ? json({ ...sub, plans: sub.actions.change_plan ? plans : [] }) : notFound();
    }),
  ),
  http.post(
    '*/portal/v1/subscriptions/:id/cancel',
    action((sub, r) => {
      const { mode } = r.body as { mode: string };
      const now = new Date(NOW).toISOString();
      const ended = { cancel: false, change_plan: false, change_seats: false, pause: false, cancel_scheduled_change: false };
      const updated = replaceSub(
        mode === 'immediately'
          ? { ...sub, status: 'canceled', ended_at: now, canceled_at: now, next_invoice: null, scheduled_change: null, actions: { ...sub.actions, ...ended } }
          : {
              ...sub,
              cancel_at_period_end: true,
              canceled_at: now,
              next_invoice: null,
              scheduled_change: null,
              actions: { ...sub.actions, ...ended, uncancel: true },
            },
      );
      const refund = sub.cancellation.immediate_refund;
      return json({
        subscription: updated,
        refund: mode === 'immediately' && refund ? { amount: refund.amount, currency: refund.currency, destination: refund.destination } : null,
      });
    }),
  ),
  http.post(
    '*/portal/v1/subscriptions/:id/uncancel',
    action((sub) =>
      json(
        replaceSub({
          ...proSubscription(),
          ...sub,
          cancel_at_period_end: false,
          canceled_at: null,
          next_invoice: proSubscription().next_invoice,
          actions: { ...allActions },
        }),
      ),
    ),
  ),
  http.post(
    '*/portal/v1/subscriptions/:id/accept-offer',
    action((sub) => json(replaceSub({ ...sub, discount: { percent_off: 30, periods_left: 3 }, cancellation: { ...sub.cancellation, retention_offer: null } }))),
  ),
  http.post(
    '*/portal/v1/subscriptions/:id/cancel-scheduled-change',
    action((sub) =>
      sub.scheduled_change
        ? json(replaceSub({ ...sub, scheduled_change: null, actions: { ...sub.actions, cancel_scheduled_change: false } }))
        : apiError(409, 'no_scheduled_change', 'No change is scheduled for this subscription.'),
    ),
  ),
  http.post(
    '*/portal/v1/subscriptions/:id/change-preview',
    authed((r, { id }) => {
      const sub = findSub(id!);
      if (!sub) return notFound();
      const body = r.body as { price_id?: string; seats?: number };
      if (body.seats !== undefined) {
        const more = body.seats > sub.seats;
        const diff = Math.abs(body.seats - sub.seats) * 533;
        return json(
          changePreview({
            kind: 'seats',
            price_id: sub.price.id,
            product: { id: sub.product.id, name: sub.product.name },
            seats: body.seats,
            new_amount: body.seats * 800,
            interval: 'month',
            due_now: more
              ? {
                  currency: 'USD',
                  lines: [{ kind: 'proration', description: `Remaining time on Team × ${body.seats}`, quantity: 1, unit_amount: diff, amount: diff }],
                  subtotal: diff,
                  discount_amount: 0,
                  tax_amount: 0,
                  tax_label: null,
                  credit_amount: 0,
                  total: diff,
                }
              : null,
            wallet_credit: more ? 0 : diff,
          }),
        );
      }
      if (body.price_id === 'price_starter') {
        return json(
          changePreview({
            kind: 'downgrade',
            timing: 'renewal',
            effective_at: sub.current_period_end,
            price_id: 'price_starter',
            product: { id: 'prod_starter', name: 'Starter' },
            new_amount: 900,
            interval: 'month',
            due_now: null,
          }),
        );
      }
      return json(changePreview({ price_id: body.price_id ?? sub.price.id }));
    }),
  ),
  http.post(
    '*/portal/v1/subscriptions/:id/change',
    action((sub, r) => {
      const body = r.body as { price_id?: string; seats?: number };
      if (body.seats !== undefined) {
        const updated = replaceSub({ ...sub, seats: body.seats, amount: body.seats * 800 });
        return json({ subscription: updated, order_id: 'ord_new', change: changePreview({ kind: 'seats', seats: body.seats, price_id: sub.price.id }) });
      }
      if (body.price_id === 'price_starter') {
        const preview = changePreview({
          kind: 'downgrade',
          timing: 'renewal',
          effective_at: sub.current_period_end,
          price_id: 'price_starter',
          product: { id: 'prod_starter', name: 'Starter' },
          new_amount: 900,
          due_now: null,
        });
        const updated = replaceSub({
          ...sub,
          scheduled_change: {
            product: { id: 'prod_starter', name: 'Starter' },
            price_id: 'price_starter',
            interval: 'month',
            interval_count: 1,
            seats: 1,
            amount: 900,
            effective_at: sub.current_period_end,
          },
          actions: { ...sub.actions, cancel_scheduled_change: true },
        });
        return json({ subscription: updated, order_id: null, change: preview });
      }
      const updated = replaceSub({ ...sub, price: price('price_pro_y', 'prod_pro', 29000, 'year'), amount: 29000, interval: 'year' });
      return json({ subscription: updated, order_id: 'ord_new', change: changePreview() });
    }),
  ),
  http.post(
    '*/portal/v1/subscriptions/:id/pause',
    action((sub) =>
      json(replaceSub({ ...sub, pause_at: sub.current_period_end, next_invoice: null, actions: { ...sub.actions, pause: false, resume: true } })),
    ),
  ),
  http.post(
    '*/portal/v1/subscriptions/:id/resume',
    action((sub) => json(replaceSub({ ...sub, status: 'active', pause_at: null, actions: { ...sub.actions, pause: true, resume: false } }))),
  ),
  http.get(
    '*/portal/v1/orders',
    authed((_r, _p, url) => json(page(billing.orders, url))),
  ),
  http.get(
    '*/portal/v1/orders/:id',
    authed((_r, { id }) => {
      const o = billing.orders.find((x) => x.id === id);
      return o ? json(orderDetail(o)) : apiError(404, 'order_not_found', 'This order was not found.');
    }),
  ),
  http.get(
    '*/portal/v1/orders/:id/:document',
    authed((_r, { id, document }) => {
      const o = billing.orders.find((x) => x.id === id);
      if (!o) return apiError(404, 'order_not_found', 'This order was not found.');
      const kind = String(document).replace('.pdf', '');
      return new HttpResponse(`${PDF_BYTES} ${kind} ${o.invoice_number}`, {
        headers: { ...headers(), 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${kind}-${o.invoice_number}.pdf"` },
      });
    }),
  ),
  http.patch(
    '*/portal/v1/orders/:id/invoice-details',
    authed((r, { id }) => {
      const o = billing.orders.find((x) => x.id === id);
      if (!o) return apiError(404, 'order_not_found', 'This order was not found.');
      const body = r.body as Order['billing_details'];
      const updated = { ...o, billing_details: { ...o.billing_details, ...body } };
      billing.orders = billing.orders.map((x) => (x.id === o.id ? updated : x));
      const { lines: _lines, ...withoutLines } = updated;
      return json(withoutLines);
    }),
  ),
];
