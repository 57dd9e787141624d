import type { Kysely } from 'kysely';
import type { CustomerRow, DB, OrderRow, Organization, PriceRow, ProductRow, SubscriptionOperation, SubscriptionRow } from '../../db/schema.js';
import type { Background } from '../../lib/background.js';
import { DAY, type Clock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { prorate, seconds } from '../billing/money.js';
import { periodBoundary } from '../billing/periods.js';
import { resolveBillingSettings, visibleReasons, type CancellationReason } from '../billing/settings.js';
import { catalogRepository } from '../catalog/repository.js';
import { catalogService, type CatalogService } from '../catalog/service.js';
import { customerRepository } from '../customers/repository.js';
import { orderRepository } from '../orders/repository.js';
import type { CustomerService } from '../customers/service.js';
import type { Mailer } from '../email/mailer.js';
import { noticeEmail } from '../email/templates.js';
import { customerLocale, isMessageKey, translator, type Translator } from '../../i18n/index.js';
import { CANCEL_REFUND_REASON, type DraftItem, type OrderDraft, type OrderService } from '../orders/service.js';
import { organizationRepository } from '../organizations/repository.js';
import { resolvePortalSettings } from '../organizations/settings.js';
import { walletAllocator, walletRepository } from '../wallet/repository.js';
import { cancellationRefund, type CancellationRefund } from './refunds.js';
import type { WebhookService } from '../webhooks/service.js';
import type { WebhookEventType } from '../webhooks/events.js';
import { subscriptionRepository } from './repository.js';

interface Deps {
  db: Kysely<DB>;
  clock: Clock;
  catalog: CatalogService;
  customers: CustomerService;
  orders: OrderService;
  webhooks: WebhookService;
  mailer: Mailer;
  background: Background;
  logger: Logger;
  publicUrl: string;
  /** Usage above the included units for a period, as invoice lines (billed in arrears). */
  usageItems?: (organizationId: string, customerId: string, price: PriceRow, start: Date, end: Date) => Promise<DraftItem[]>;
  /** Benefits follow subscriptions: called after a change of status or product (benefits.syncCustomer). */
  onEntitlementsChanged?: (organizationId: string, customerId: string) => Promise<void>;
  /** Seats assigned (pending or claimed): a seat change may not go below it. */
  countAssignedSeats?: (subscriptionId: string, x: Kysely<DB>) => Promise<number>;
}

export interface ChangeRequest {
  price_id?: string | undefined;
  seats?: number | undefined;
  timing?: 'now' | 'renewal' | undefined;
  /** From a preview: prorate as of that second, so the change charges exactly what was shown. */
  proration_date?: string | undefined;
  /** The subscription's version the customer saw; another is 409 subscription_changed. */
  expected_version?: number | undefined;
}

export interface ChangePlan {
  kind: 'upgrade' | 'downgrade' | 'seats' | 'none';
  timing: 'now' | 'renewal';
  effective_at: Date;
  price: PriceRow;
  product: ProductRow;
  seats: number;
  prorationDate: Date;
  customer: CustomerRow;
  /** Restarts the billing cycle now (the interval changed). */
  resetCycle: boolean;
  /** What is charged now (total > 0), or null. */
  draft: OrderDraft | null;
  items: DraftItem[];
  /** Net credit for unused time, put in the wallet (in minor units), when the change lowers the price now. */
  walletCredit: number;
}

const LIVE = ['active', 'trialing', 'past_due'] as const;

/** A charged change not settled within this long was left by a dead process: the jobs finish it. */
export const OPERATION_LEASE_MS = 60 * 1000;

/** Will renew at the end of its period (and so has a next invoice). */
const renews = (sub: SubscriptionRow) => (LIVE as readonly string[]).includes(sub.status) && !sub.cancel_at_period_end && !sub.paused_at;

export type NextInvoice = ReturnType<typeof draftView> & { date: string };

/** Price of one period: per-seat prices multiply by seats; metered prices bill usage (separately). */
export function periodAmount(price: PriceRow, seats: number): number {
  if (price.model === 'metered') return 0;
  return price.unit_amount * (price.model === 'per_seat' ? seats : 1);
}

/** A comparable yearly value, to tell an upgrade from a downgrade across intervals. */
function yearlyValue(price: PriceRow, seats: number): number {
  const perYear: Record<string, number> = { day: 365, week: 52, month: 12, year: 1 };
  return (periodAmount(price, seats) * (perYear[price.interval ?? 'month'] ?? 12)) / price.interval_count;
}

const fmtDate = (d: Date) => d.toISOString().slice(0, 10);

export function subscriptionService(deps: Deps) {
  const { db, clock, catalog, orders } = deps;
  const repo = subscriptionRepository(db);
  const orgs = organizationRepository(db);
  const entitlementsChanged = async (sub: SubscriptionRow) => deps.onEntitlementsChanged?.(sub.organization_id, sub.customer_id);

  /** The catalog read through `x`: inside a transaction every read uses its connection (never a second one from the pool). */
  const catalogOn = (x: Kysely<DB>) => (x === db ? catalog : catalogService(catalogRepository(x), clock));

  async function load(sub: SubscriptionRow, x: Kysely<DB> = db) {
    if (x === db) {
      const [org, customer, price, product] = await Promise.all([
        orgs.findById(sub.organization_id),
        deps.customers.get(sub.organization_id, { id: sub.customer_id }),
        catalog.price(sub.organization_id, sub.price_id),
        catalog.findProduct(sub.organization_id, sub.product_id),
      ]);
      return { org: org!, customer, price, product: product! };
    }
    const c = catalogOn(x);
    const org = (await organizationRepository(x).findById(sub.organization_id))!;
    const customer = (await customerRepository(x).findById(sub.organization_id, sub.customer_id))!;
    const price = await c.price(sub.organization_id, sub.price_id);
    const product = (await c.findProduct(sub.organization_id, sub.product_id))!;
    return { org, customer, price, product };
  }

  /**
   * The customer's subscription, locked for the rest of the transaction `trx`, as the
   * customer saw it: a charged change still settling, or a version other than the one the
   * request was decided on (`expected_version`), is 409 subscription_changed.
   */
  async function lockOwn(trx: Kysely<DB>, org: Organization, customerId: string | null, id: string, expectedVersion?: number) {
    const sub = await subscriptionRepository(trx).lock(org.id, id, customerId ?? undefined);
    if (!sub) throw new ApiError(404, 'subscription_not_found', 'This subscription was not found.');
    if (sub.operation) {
      throw new ApiError(409, 'subscription_changed', 'This subscription is being changed right now. Here it is now; try again in a moment.', { version: sub.version }, { 'Retry-After': '2' });
    }
    if (expectedVersion !== undefined && expectedVersion !== sub.version) {
      throw new ApiError(409, 'subscription_changed', 'This subscription just changed. Here it is now; review it before trying again.', { version: sub.version });
    }
    return sub;
  }

  function periodItems(product: ProductRow, price: PriceRow, seats: number, start: Date, end: Date): DraftItem[] {
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

  async function emit(executor: Kysely<DB>, sub: SubscriptionRow, type: WebhookEventType, extra: Record<string, unknown> = {}) {
    await deps.webhooks.emit(executor, sub.organization_id, type, { ...subscriptionEventData(sub), ...extra });
  }

  function portalUrl(org: Organization) {
    return `${deps.publicUrl}/${org.slug}/portal`;
  }

  /** An email to the customer, written in their language: `write` gets the translator for it. */
  function notify(org: Organization, customer: CustomerRow, write: (tr: Translator) => Omit<Parameters<typeof noticeEmail>[0], 'brand' | 'locale'>) {
    const locale = customerLocale(org, customer);
    const rendered = noticeEmail({ brand: brand(org), locale, ...write(translator(locale)) });
    deps.background.run('billing email', () => deps.mailer.send({ organizationId: org.id, to: customer.email, ...rendered }));
  }

  function paymentFailedEmail(org: Organization, customer: CustomerRow, product: ProductRow, order: OrderRow, failure: { code: string; message: string }) {
    notify(org, customer, ({ t, money }) => {
      const decline = `decline.${failure.code}`;
      return {
        subject: t('paymentFailed.subject', { product: product.name }),
        heading: t('paymentFailed.heading'),
        paragraphs: [
          t('paymentFailed.body', { invoice: order.invoice_number, reason: isMessageKey(decline) ? t(decline) : failure.message }),
          t('paymentFailed.retry'),
        ],
        facts: [[t('fact.amountDue'), money(order.total, order.currency)]],
        action: { label: t('action.updatePaymentMethod'), url: portalUrl(org) },
      };
    });
  }

  function brand(org: Organization) {
    return { name: org.name, primaryColor: (org.branding as { primary_color?: string | null }).primary_color ?? null };
  }

  async function ownSubscription(org: Organization, customerId: string, id: string) {
    const sub = await repo.findForCustomer(org.id, customerId, id);
    if (!sub) throw new ApiError(404, 'subscription_not_found', 'This subscription was not found.');
    return sub;
  }

  /** Finishes a renewal or retry: success makes it active, failure starts or continues dunning. */
  function dunningSchedule(org: Organization) {
    return resolveBillingSettings(org.billing_settings).dunning_retry_days;
  }

  /**
   * The second a change or refund is priced as of: now, or the second a preview showed (at most
   * an hour ago, inside the current period), so what is charged or refunded is what was shown.
   */
  function asOf(iso: string | undefined, sub: SubscriptionRow, now: Date): Date {
    if (!iso) return now;
    const d = new Date(iso);
    if (Number.isNaN(d.getTime()) || d > now || now.getTime() - d.getTime() > 60 * 60 * 1000 || d < sub.current_period_start) {
      throw new ApiError(400, 'proration_date_invalid', 'The preview is out of date. Review the change again.');
    }
    return d;
  }

  /** What cancelling `sub` at `at` refunds (refunds.ts has the formula), read through `x`. */
  async function refundFor(x: Kysely<DB>, org: Organization, sub: SubscriptionRow, at: Date) {
    if (sub.status !== 'active') return null;
    const orderRepo = orderRepository(x);
    const covering = await orderRepo.coveringOrders(sub.id, at);
    if (covering.length === 0) return null;
    const lines = await orderRepo.lines(covering.map((o) => o.id));
    const credits = await walletRepository(x).prorationCredits(sub.id, at);
    const destination = resolveBillingSettings(org.billing_settings).cancel_refund_to;
    return cancellationRefund(
      covering.map((order) => ({ order, lines: lines.filter((l) => l.order_id === order.id) })),
      credits,
      at,
      destination,
    );
  }

  /** A plan decided now, as the change it will make once paid. */
  function operationOf(plan: ChangePlan, sub: SubscriptionRow, now: Date): SubscriptionOperation {
    return {
      kind: 'change',
      order_id: '',
      started_at: now.toISOString(),
      change_kind: plan.kind === 'none' ? 'seats' : plan.kind,
      price_id: plan.price.id,
      product_id: plan.product.id,
      seats: plan.seats,
      ...(plan.resetCycle
        ? { period: { start: plan.prorationDate.toISOString(), end: periodBoundary(plan.prorationDate, plan.price.interval!, plan.price.interval_count, 1).toISOString() } }
        : {}),
    };
  }

  /**
   * Makes a change take effect, in the caller's transaction (the subscription is locked): the
   * new plan and seats, a new cycle when the interval changed, credit for unused time into
   * the wallet when the change lowers the price now.
   */
  async function applyChange(trx: Kysely<DB>, sub: SubscriptionRow, op: SubscriptionOperation, order: OrderRow | null, walletCredit: number, plan?: ChangePlan) {
    const now = clock.now();
    const row = (await subscriptionRepository(trx).update(sub.id, {
      price_id: op.price_id,
      product_id: op.product_id,
      seats: op.seats,
      pending_price_id: null,
      pending_seats: null,
      operation: null,
      ...(op.period
        ? { billing_anchor: new Date(op.period.start), periods_elapsed: 1, current_period_start: new Date(op.period.start), current_period_end: new Date(op.period.end) }
        : {}),
      updated_at: now,
    }))!;
    if (walletCredit > 0 && plan) {
      await walletRepository(trx).insert({
        id: newId('wtx', now.getTime()),
        organization_id: sub.organization_id,
        customer_id: sub.customer_id,
        currency: plan.price.currency,
        amount: walletCredit,
        kind: 'proration',
        description: `Unused time after changing to ${plan.product.name}${plan.price.model === 'per_seat' ? ` × ${plan.seats}` : ''}`,
        subscription_id: sub.id,
        period: { start: plan.prorationDate, end: sub.current_period_end },
        now,
      });
    }
    await emit(trx, row, 'subscription.updated', { change: { kind: op.change_kind, price_id: op.price_id, seats: op.seats, order_id: order?.id ?? null } });
    return row;
  }

  /** The next renewal's invoice, with the wallet credit still unspent by earlier ones (`wallet`). */
  async function invoiceAfter(org: Organization, customer: CustomerRow, sub: SubscriptionRow, wallet: ReturnType<typeof walletAllocator>): Promise<NextInvoice> {
    const price = await catalog.price(org.id, sub.pending_price_id ?? sub.price_id);
    const product = (await catalog.product(org.id, price.product_id)).product;
    const seats = sub.pending_seats ?? sub.seats;
    const start = sub.current_period_end;
    const end = periodBoundary(start, price.interval!, price.interval_count, 1);
    const discount = sub.discount_periods_left && sub.discount_periods_left > 0 ? sub.discount_percent : null;
    // Usage so far in this period, at the current price: an estimate that grows until the renewal.
    const current = sub.pending_price_id ? await catalog.price(org.id, sub.price_id) : price;
    const usage = sub.status === 'trialing' || !deps.usageItems ? [] : await deps.usageItems(org.id, customer.id, current, sub.current_period_start, clock.now());
    const draft = await orders.draft({
      org,
      customer,
      currency: price.currency,
      items: [...usage, ...periodItems(product, price, seats, start, end)],
      discountPercent: discount,
      useWallet: true,
      walletBalance: wallet.available(price.currency, start),
    });
    wallet.spend(price.currency, start, draft.credit_amount);
    return { date: start.toISOString(), ...draftView(draft) };
  }

  const service = {
    repo,
    periodItems,

    async create(org: Organization, input: { customer_id: string; price_id: string; seats?: number | undefined; trial_days?: number | undefined }) {
      const customer = await deps.customers.get(org.id, { id: input.customer_id });
      const price = await catalog.price(org.id, input.price_id);
      if (price.type !== 'recurring' || !price.interval) throw new ApiError(400, 'price_not_recurring', 'A subscription needs a recurring price.');
      if (!price.active) throw new ApiError(400, 'price_inactive', 'This price is no longer offered.');
      const seats = input.seats ?? 1;
      if (price.model !== 'per_seat' && seats !== 1) throw new ApiError(400, 'seats_not_supported', 'Only per-seat prices take a seat count.');
      const { product } = await catalog.product(org.id, price.product_id);
      const now = clock.now();
      const trial = input.trial_days ? new Date(now.getTime() + input.trial_days * DAY) : null;
      const anchor = trial ?? now;
      const sub = await db.transaction().execute(async (trx) => {
        const row = await subscriptionRepository(trx).insert({
          id: newId('sub', now.getTime()),
          organization_id: org.id,
          customer_id: customer.id,
          product_id: product.id,
          price_id: price.id,
          status: trial ? 'trialing' : 'incomplete',
          seats,
          billing_anchor: anchor,
          periods_elapsed: trial ? 0 : 1,
          current_period_start: now,
          current_period_end: trial ?? periodBoundary(anchor, price.interval!, price.interval_count, 1),
          trial_end: trial,
          cancel_at_period_end: false,
          canceled_at: null,
          ended_at: null,
          cancellation_reason: null,
          cancellation_comment: null,
          pending_price_id: null,
          pending_seats: null,
          paused_at: null,
          discount_percent: null,
          discount_periods_left: null,
          retention_offer_used: false,
          dunning_attempts: 0,
          next_retry_at: null,
          created_at: now,
          updated_at: now,
        });
        await emit(trx, row, 'subscription.created');
        return row;
      });
      if (trial) {
        await entitlementsChanged(sub);
        return sub;
      }
      const firstItems = periodItems(product, price, seats, sub.current_period_start, sub.current_period_end);
      if (firstItems.length === 0) {
        // Purely metered: nothing is due up front; usage is billed at the end of the period.
        const active = (await repo.update(sub.id, { status: 'active', updated_at: now }))!;
        await entitlementsChanged(active);
        return active;
      }
      const draft = await orders.draft({ org, customer, currency: price.currency, items: firstItems, useWallet: true });
      const { order } = await orders.create(db, org, customer, draft, {
        subscriptionId: sub.id,
        reason: 'subscription_create',
        dedupeKey: `create:${sub.id}`,
        periodStart: sub.current_period_start,
        periodEnd: sub.current_period_end,
      });
      return (await service.settle(sub, order, 'create')).subscription;
    },

    /**
     * Charges an order that belongs to a subscription and moves the subscription on:
     * active when paid; incomplete (first invoice) or past_due (renewal) when not.
     */
    async settle(sub: SubscriptionRow, order: OrderRow, trigger: 'create' | 'retry' | 'method_changed') {
      const { org, customer, product } = await load(sub);
      const result = await orders.pay(order, customer, `${product.name} · ${order.invoice_number}`);
      const now = clock.now();
      const retryDays = dunningSchedule(org);
      if (result.status === 'succeeded') {
        const updated = await db.transaction().execute(async (trx) => {
          const row = await subscriptionRepository(trx).update(
            sub.id,
            { status: 'active', dunning_attempts: 0, next_retry_at: null, locked_until: null, updated_at: now },
            { statuses: ['incomplete', 'past_due', 'unpaid', 'active', 'trialing'] },
          );
          if (row && sub.status !== 'active') await emit(trx, row, 'subscription.updated', { previous_status: sub.status });
          return row;
        });
        {
          notify(org, customer, ({ t, money }) => ({
            subject: trigger === 'create' ? t('subscriptionStarted.subject', { product: product.name }) : t('paymentReceived.subject', { product: product.name }),
            heading: trigger === 'create' ? t('subscriptionStarted.heading') : t('paymentReceived.heading'),
            paragraphs: [trigger === 'create' ? t('subscriptionStarted.body', { product: product.name }) : t('paymentReceived.body', { invoice: order.invoice_number })],
            facts: [
              [t('fact.invoice'), order.invoice_number],
              [t('fact.amount'), money(order.total, order.currency)],
            ],
            action: { label: t('action.viewInPortal'), url: portalUrl(org) },
          }));
        }
        await entitlementsChanged(sub);
        return { ok: true as const, subscription: updated ?? sub, order: result.order };
      }
      // Failed.
      let updated: SubscriptionRow | undefined;
      if (trigger === 'create') {
        updated = await repo.update(sub.id, { status: 'incomplete', locked_until: null, updated_at: now });
      } else if (trigger === 'retry') {
        const attempts = sub.dunning_attempts + 1;
        const settings = resolveBillingSettings(org.billing_settings);
        if (attempts >= retryDays.length) {
          updated = await db.transaction().execute(async (trx) => {
            const final = settings.dunning_final_action === 'cancel' ? ('canceled' as const) : ('unpaid' as const);
            const row = await subscriptionRepository(trx).update(sub.id, {
              status: final,
              dunning_attempts: attempts,
              next_retry_at: null,
              locked_until: null,
              ...(final === 'canceled' ? { ended_at: now, canceled_at: now, cancellation_reason: 'payment_failed' } : {}),
              updated_at: now,
            });
            if (row) await emit(trx, row, final === 'canceled' ? 'subscription.canceled' : 'subscription.updated');
            return row;
          });
        } else {
          const gap = (retryDays[attempts] ?? 1) - (retryDays[attempts - 1] ?? 0);
          updated = await repo.update(sub.id, { dunning_attempts: attempts, next_retry_at: new Date(now.getTime() + Math.max(1, gap) * DAY), locked_until: null, updated_at: now });
        }
      }
      if (trigger !== 'method_changed') paymentFailedEmail(org, customer, product, order, result);
      await entitlementsChanged(sub);
      return { ok: false as const, subscription: updated ?? sub, order: result.order, code: result.code, message: result.message };
    },

    /** Renews one subscription whose period has ended. Safe to run twice: the second run changes nothing. */
    async renewOne(sub: SubscriptionRow) {
      const { org, customer, product, price } = await load(sub);
      const now = clock.now();
      const end = sub.current_period_end;
      if (sub.cancel_at_period_end) {
        await db.transaction().execute(async (trx) => {
          const row = await subscriptionRepository(trx).update(sub.id, { status: 'canceled', ended_at: end, locked_until: null, updated_at: now }, { periodEnd: end });
          if (row) await emit(trx, row, 'subscription.updated', { previous_status: sub.status });
        });
        await entitlementsChanged(sub);
        return;
      }
      if (sub.paused_at && sub.paused_at <= end) {
        await db.transaction().execute(async (trx) => {
          const row = await subscriptionRepository(trx).update(sub.id, { status: 'paused', locked_until: null, updated_at: now }, { periodEnd: end });
          if (row) await emit(trx, row, 'subscription.updated', { previous_status: sub.status });
        });
        await entitlementsChanged(sub);
        return;
      }
      const nextPrice = sub.pending_price_id ? await catalog.price(org.id, sub.pending_price_id) : price;
      const nextProduct = nextPrice.product_id === product.id ? product : (await catalog.product(org.id, nextPrice.product_id)).product;
      const seats = sub.pending_seats ?? sub.seats;
      const intervalChanged = nextPrice.interval !== price.interval || nextPrice.interval_count !== price.interval_count;
      const fromTrial = sub.status === 'trialing';
      const anchor = intervalChanged || fromTrial ? end : sub.billing_anchor;
      const n = intervalChanged || fromTrial ? 1 : sub.periods_elapsed + 1;
      const newEnd = periodBoundary(anchor, nextPrice.interval!, nextPrice.interval_count, n);
      const discount = sub.discount_periods_left && sub.discount_periods_left > 0 ? sub.discount_percent : null;
      // Usage is billed in arrears for the period that just ended (not for a trial).
      const usage = fromTrial || !deps.usageItems ? [] : await deps.usageItems(org.id, customer.id, price, sub.current_period_start, end);
      const draft = await orders.draft({
        org,
        customer,
        currency: nextPrice.currency,
        items: [...usage, ...periodItems(nextProduct, nextPrice, seats, end, newEnd)],
        discountPercent: discount,
        useWallet: true,
      });
      // The order is recorded under the subscription's lock, only while the period it renews is
      // still the current one and no charged change is settling (a portal change at the same
      // moment waits for this, then sees the new period).
      const recorded = await db.transaction().execute(async (trx) => {
        const locked = await subscriptionRepository(trx).lock(sub.organization_id, sub.id);
        if (!locked || locked.operation || locked.current_period_end.getTime() !== end.getTime() || !['active', 'trialing'].includes(locked.status)) return null;
        return orders.create(trx, org, customer, draft, {
          subscriptionId: sub.id,
          reason: fromTrial ? 'subscription_create' : 'subscription_cycle',
          dedupeKey: `cycle:${sub.id}:${end.toISOString()}`,
          periodStart: end,
          periodEnd: newEnd,
        });
      });
      if (!recorded) {
        await repo.release(sub.id);
        return;
      }
      const { order } = recorded;
      // Charge first, then move to the new period in one guarded update. A crash in between
      // leaves the subscription due: the next run finds the same order (dedupe key) and the
      // same pending payment (same provider idempotency key), so it never charges twice.
      const paid = await orders.pay(order, customer, `${nextProduct.name} · ${order.invoice_number}`);
      const retryDays = dunningSchedule(org);
      const advanced = await db.transaction().execute(async (trx) => {
        const row = await subscriptionRepository(trx).update(
          sub.id,
          {
            price_id: nextPrice.id,
            product_id: nextProduct.id,
            seats,
            pending_price_id: null,
            pending_seats: null,
            billing_anchor: anchor,
            periods_elapsed: n,
            current_period_start: end,
            current_period_end: newEnd,
            discount_periods_left: discount ? sub.discount_periods_left! - 1 : sub.discount_periods_left,
            discount_percent: discount && sub.discount_periods_left! - 1 <= 0 ? null : sub.discount_percent,
            status: paid.status === 'succeeded' ? 'active' : 'past_due',
            dunning_attempts: 0,
            next_retry_at: paid.status === 'succeeded' ? null : new Date(now.getTime() + (retryDays[0] ?? 1) * DAY),
            locked_until: null,
            updated_at: now,
          },
          { periodEnd: end },
        );
        if (row) {
          await emit(trx, row, 'subscription.renewed', { order_id: order.id });
          if (paid.status === 'failed') await emit(trx, row, 'subscription.past_due', { order_id: order.id, failure_message: paid.message });
        }
        return row;
      });
      if (!advanced) return;
      await entitlementsChanged(sub);
      if (paid.status === 'succeeded') {
        notify(org, customer, ({ t, money, date }) => ({
          subject: t('renewed.subject', { product: nextProduct.name }),
          heading: t('renewed.heading'),
          paragraphs: [t('renewed.body', { start: date(end), end: date(newEnd) })],
          facts: [
            [t('fact.invoice'), order.invoice_number],
            [t('fact.amount'), money(order.total, order.currency)],
            [t('fact.nextRenewal'), date(newEnd)],
          ],
          action: { label: t('action.viewInvoice'), url: portalUrl(org) },
        }));
      } else {
        paymentFailedEmail(org, customer, nextProduct, paid.order, paid);
      }
    },

    /** The renewal job: every subscription whose period has ended, claimed a batch at a time. */
    async renewDue(limit = 50): Promise<number> {
      let processed = 0;
      for (;;) {
        const batch = await repo.claim('renewal', clock.now(), limit);
        if (batch.length === 0) return processed;
        for (const sub of batch) {
          try {
            await service.renewOne(sub);
          } catch (error) {
            deps.logger.error({ err: error, subscription: sub.id }, 'renewal failed; it will be retried when the lease ends');
            continue;
          }
          processed += 1;
        }
        if (batch.length < limit && processed > 10_000) return processed;
      }
    },

    /** The dunning job: past-due subscriptions whose next retry is due. */
    async retryDue(limit = 50): Promise<number> {
      let processed = 0;
      for (;;) {
        const batch = await repo.claim('retry', clock.now(), limit);
        if (batch.length === 0) return processed;
        for (const sub of batch) {
          try {
            await service.retry(sub, 'retry');
          } catch (error) {
            deps.logger.error({ err: error, subscription: sub.id }, 'payment retry failed; it will be retried when the lease ends');
            continue;
          }
          processed += 1;
        }
      }
    },

    async retry(sub: SubscriptionRow, trigger: 'retry' | 'method_changed') {
      const order = (await orders.repo.latestFailedForSubscription(sub.id)) ?? undefined;
      if (!order) {
        await repo.update(sub.id, { status: 'active', next_retry_at: null, dunning_attempts: 0, locked_until: null, updated_at: clock.now() });
        await entitlementsChanged(sub);
        return undefined;
      }
      return service.settle(sub, order, trigger);
    },

    /** A new default card: retry whatever is unpaid at once, so the customer sees the result. */
    async onPaymentMethodChanged(orgId: string, customerId: string) {
      const subs = await repo.liveForCustomer(orgId, customerId);
      const results = [];
      for (const sub of subs.filter((s) => s.status === 'past_due' || s.status === 'incomplete' || s.status === 'unpaid')) {
        results.push(await service.retry(sub, 'method_changed'));
      }
      return results;
    },

    /**
     * Cancels at the period's end, or now with a refund of the unused time. One transaction
     * decides under the subscription's lock (a second cancel at the same moment waits, then
     * finds it canceled); card refunds are recorded in it and asked of the processor after.
     */
    async cancel(
      org: Organization,
      customerId: string | null,
      id: string,
      input: { mode: 'at_period_end' | 'immediately'; reason?: CancellationReason | undefined; comment?: string | undefined; expected_version?: number | undefined; proration_date?: string | undefined },
    ) {
      const settings = resolveBillingSettings(org.billing_settings);
      if (input.reason && !visibleReasons(settings).some((r) => r.id === input.reason)) {
        throw new ApiError(400, 'reason_invalid', 'Choose one of the listed reasons.');
      }
      const now = clock.now();
      const done = await db.transaction().execute(async (trx) => {
        const sub = await lockOwn(trx, org, customerId, id, input.expected_version);
        if (sub.status === 'canceled') throw new ApiError(409, 'subscription_canceled', 'This subscription has already ended.');
        const trxRepo = subscriptionRepository(trx);
        const reason = { cancellation_reason: input.reason ?? null, cancellation_comment: input.comment ?? null };
        if (input.mode === 'at_period_end') {
          if (sub.cancel_at_period_end) throw new ApiError(409, 'already_canceling', 'This subscription is already set to end at the end of the period.');
          // A scheduled plan change or pause stays recorded: "Don't cancel" brings it back.
          const row = (await trxRepo.update(sub.id, { cancel_at_period_end: true, canceled_at: now, ...reason, updated_at: now }))!;
          await emit(trx, row, 'subscription.canceled');
          return { sub, row, refund: null, pending: [] as string[] };
        }
        const at = asOf(input.proration_date, sub, now);
        const refund = await refundFor(trx, org, sub, at);
        const row = (await trxRepo.update(sub.id, {
          status: 'canceled',
          cancel_at_period_end: false,
          canceled_at: now,
          ended_at: now,
          ...reason,
          next_retry_at: null,
          updated_at: now,
        }))!;
        const pending: string[] = [];
        for (const part of refund?.parts ?? []) {
          if (part.againstOrder > 0) {
            const recorded = await orders.recordRefund(trx, { organizationId: org.id, orderId: part.order.id }, part.againstOrder, refund!.destination, CANCEL_REFUND_REASON);
            if (recorded.status === 'pending') pending.push(recorded.id);
          }
          if (part.toWallet > 0) {
            await walletRepository(trx).insert({
              id: newId('wtx', now.getTime()),
              organization_id: org.id,
              customer_id: sub.customer_id,
              currency: refund!.currency,
              amount: part.toWallet,
              kind: 'refund',
              description: `Unused time after cancellation (invoice ${part.order.invoice_number})`,
              order_id: part.order.id,
              now,
            });
          }
        }
        await emit(trx, row, 'subscription.canceled', { refund: refund ? refundView(refund) : null });
        return { sub, row, refund, pending };
      });
      // After the commit: the processor is asked for each card refund (a refusal puts the amount in the wallet).
      for (const refundId of done.pending) await orders.settleRefund(refundId, 'wallet');
      const { customer, product } = await load(done.row);
      const refund = done.refund ? refundView(done.refund) : null;
      if (input.mode === 'at_period_end') {
        notify(org, customer, ({ t, date }) => ({
          subject: t('cancelScheduled.subject', { product: product.name, date: date(done.sub.current_period_end) }),
          heading: t('cancelScheduled.heading'),
          paragraphs: [t('cancelScheduled.body', { date: date(done.sub.current_period_end) })],
          action: { label: t('action.manageSubscription'), url: portalUrl(org) },
        }));
        return { subscription: done.row, refund: null };
      }
      notify(org, customer, ({ t, money }) => ({
        subject: t('canceled.subject', { product: product.name }),
        heading: t('canceled.heading'),
        paragraphs: [
          t('canceled.body'),
          ...(refund ? [t(refund.destination === 'wallet' ? 'canceled.refundToWallet' : 'canceled.refundToCard', { amount: money(refund.amount, refund.currency) })] : []),
        ],
        action: { label: t('action.openPortal'), url: portalUrl(org) },
      }));
      await entitlementsChanged(done.row);
      return { subscription: done.row, refund };
    },

    /** What cancelling now would refund, as of `at`: shown in the cancel dialog before the customer confirms. */
    async refundPreview(org: Organization, sub: SubscriptionRow, at: Date = clock.now()) {
      const refund = await refundFor(db, org, sub, at);
      return refund ? { ...refundView(refund), as_of: at.toISOString() } : null;
    },

    async uncancel(org: Organization, customerId: string, id: string, expectedVersion?: number) {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const sub = await lockOwn(trx, org, customerId, id, expectedVersion);
        if (!sub.cancel_at_period_end || sub.status === 'canceled') throw new ApiError(409, 'not_canceling', 'This subscription is not set to end.');
        if (sub.current_period_end <= now) throw new ApiError(409, 'period_over', 'The period has ended; subscribe again instead.');
        const r = await subscriptionRepository(trx).update(sub.id, {
          cancel_at_period_end: false,
          canceled_at: null,
          cancellation_reason: null,
          cancellation_comment: null,
          updated_at: now,
        });
        await emit(trx, r!, 'subscription.uncanceled');
        return r!;
      });
    },

    async acceptRetentionOffer(org: Organization, customerId: string, id: string, expectedVersion?: number) {
      const offer = resolveBillingSettings(org.billing_settings).retention_offer;
      if (!offer) throw new ApiError(404, 'no_offer', 'There is no offer for this subscription.');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const sub = await lockOwn(trx, org, customerId, id, expectedVersion);
        if (sub.retention_offer_used) throw new ApiError(409, 'offer_used', 'This offer was already used on this subscription.');
        if (!['active', 'trialing', 'past_due'].includes(sub.status)) throw new ApiError(409, 'subscription_not_active', 'This subscription is not active.');
        const r = await subscriptionRepository(trx).update(sub.id, {
          discount_percent: offer.percent_off,
          discount_periods_left: offer.periods,
          retention_offer_used: true,
          cancel_at_period_end: false,
          canceled_at: null,
          updated_at: now,
        });
        await emit(trx, r!, 'subscription.updated', { retention_offer: offer });
        return r!;
      });
    },

    /** Drops a plan or seat change scheduled for the renewal. */
    async cancelScheduledChange(org: Organization, customerId: string, id: string, expectedVersion?: number) {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const sub = await lockOwn(trx, org, customerId, id, expectedVersion);
        if (!sub.pending_price_id && !sub.pending_seats) throw new ApiError(409, 'no_scheduled_change', 'No change is scheduled for this subscription.');
        const r = await subscriptionRepository(trx).update(sub.id, { pending_price_id: null, pending_seats: null, updated_at: now });
        await emit(trx, r!, 'subscription.updated', { scheduled_change: null });
        return r!;
      });
    },

    /** What a plan or seat change would do, priced exactly as `change` will charge it. */
    async plan(org: Organization, sub: SubscriptionRow, request: ChangeRequest, x: Kysely<DB> = db): Promise<ChangePlan> {
      if (!['active', 'trialing'].includes(sub.status) || sub.cancel_at_period_end) {
        throw new ApiError(409, 'subscription_not_changeable', sub.cancel_at_period_end ? 'Resume this subscription before changing it.' : 'Only an active subscription can be changed.');
      }
      const actions = resolvePortalSettings(org.portal_settings).actions;
      const { customer, price: oldPrice, product: oldProduct } = await load(sub, x);
      const c = catalogOn(x);
      const newPrice = request.price_id ? await c.price(org.id, request.price_id) : oldPrice;
      const { product: newProduct } = newPrice.product_id === oldProduct.id ? { product: oldProduct } : await c.product(org.id, newPrice.product_id);
      if (request.price_id && request.price_id !== oldPrice.id) {
        if (!actions.plan_change) throw new ApiError(403, 'action_disabled', 'Plan changes are not available. Contact support to change your plan.');
        if (!newPrice.active || newPrice.type !== 'recurring' || newProduct.archived_at || (newProduct.visibility !== 'public' && newProduct.id !== oldProduct.id)) {
          throw new ApiError(400, 'price_unavailable', 'This plan is not available.');
        }
        if (newPrice.currency !== oldPrice.currency) throw new ApiError(400, 'currency_mismatch', 'You can only switch to plans in the same currency.');
      }
      const seats = request.seats ?? (newPrice.model === 'per_seat' ? sub.seats : 1);
      if (newPrice.model !== 'per_seat' && seats !== 1) throw new ApiError(400, 'seats_not_supported', 'This plan is not priced per seat.');
      if (request.seats !== undefined && request.seats !== sub.seats && !actions.seat_change) {
        throw new ApiError(403, 'action_disabled', 'Seat changes are not available. Contact support.');
      }
      const assigned = seats < sub.seats && deps.countAssignedSeats ? await deps.countAssignedSeats(sub.id, x) : 0;
      if (seats < assigned) {
        throw new ApiError(409, 'seats_in_use', `${assigned} seats are assigned. Revoke ${assigned - seats} of them before going down to ${seats}.`, { seats_assigned: assigned });
      }
      const settings = resolveBillingSettings(org.billing_settings);
      const oldValue = yearlyValue(oldPrice, sub.seats);
      const newValue = yearlyValue(newPrice, seats);
      const samePrice = newPrice.id === oldPrice.id;
      const kind: ChangePlan['kind'] = samePrice && seats === sub.seats ? 'none' : samePrice ? 'seats' : newValue >= oldValue ? 'upgrade' : 'downgrade';
      if (kind === 'none') throw new ApiError(400, 'no_change', 'Choose a different plan or seat count.');
      if (kind === 'downgrade' && !actions.downgrade) throw new ApiError(403, 'action_disabled', 'Downgrades are not available. Contact support.');
      const timing: 'now' | 'renewal' =
        request.timing ?? (kind === 'upgrade' ? settings.upgrade_timing : kind === 'downgrade' ? settings.downgrade_timing : 'now');
      const now = clock.now();
      const prorationDate = asOf(request.proration_date, sub, now);
      const base = { kind, timing, price: newPrice, product: newProduct, seats, prorationDate, customer };
      if (timing === 'renewal' || sub.status === 'trialing') {
        return { ...base, timing: sub.status === 'trialing' ? 'now' : timing, effective_at: sub.status === 'trialing' ? now : sub.current_period_end, resetCycle: false, draft: null, items: [], walletCredit: 0 };
      }
      const resetCycle = newPrice.interval !== oldPrice.interval || newPrice.interval_count !== oldPrice.interval_count;
      const total = seconds(sub.current_period_start, sub.current_period_end);
      const remaining = seconds(prorationDate, sub.current_period_end);
      const unused = prorate(periodAmount(oldPrice, sub.seats), remaining, total);
      const after = fmtDate(prorationDate);
      const items: DraftItem[] = [];
      if (unused > 0) {
        items.push({
          kind: 'proration',
          description: `Unused time on ${oldProduct.name}${oldPrice.model === 'per_seat' ? ` × ${sub.seats}` : ''} after ${after}`,
          quantity: 1,
          unit_amount: -unused,
          amount: -unused,
          period_start: prorationDate,
          period_end: sub.current_period_end,
        });
      }
      if (resetCycle) {
        const end = periodBoundary(prorationDate, newPrice.interval!, newPrice.interval_count, 1);
        items.push(...periodItems(newProduct, newPrice, seats, prorationDate, end));
      } else {
        const remainingNew = prorate(periodAmount(newPrice, seats), remaining, total);
        if (remainingNew > 0) {
          items.push({
            kind: 'proration',
            description: `Remaining time on ${newProduct.name}${newPrice.model === 'per_seat' ? ` × ${seats}` : ''} after ${after}`,
            quantity: 1,
            unit_amount: remainingNew,
            amount: remainingNew,
            period_start: prorationDate,
            period_end: sub.current_period_end,
          });
        }
      }
      const net = items.reduce((s, i) => s + i.amount, 0);
      const draft = net > 0 ? await orders.draft({ org, customer, currency: newPrice.currency, items, useWallet: true }, x) : null;
      return { ...base, effective_at: prorationDate, resetCycle, draft, items, walletCredit: net < 0 ? -net : 0 };
    },

    async changePreview(org: Organization, customerId: string, id: string, request: ChangeRequest) {
      const sub = await ownSubscription(org, customerId, id);
      const plan = await service.plan(org, sub, request);
      return changePreviewView(sub, plan);
    },

    /**
     * A plan or seat change. Decided in one transaction under the subscription's lock; when it
     * charges now, that transaction records the pending order (dedupe key: the subscription's
     * version) and marks the change in flight; the charge runs after the commit; a second
     * transaction settles it (finishOperation). A change at the same moment waits for the lock
     * and is told 409 subscription_changed; a crash between charge and settle is finished by
     * the jobs (recoverOperations) with the same processor idempotency key.
     */
    async change(org: Organization, customerId: string, id: string, request: ChangeRequest) {
      const now = clock.now();
      const started = await db.transaction().execute(async (trx) => {
        const sub = await lockOwn(trx, org, customerId, id, request.expected_version);
        const plan = await service.plan(org, sub, request, trx);
        if (plan.timing === 'renewal') {
          const row = (await subscriptionRepository(trx).update(sub.id, {
            pending_price_id: plan.price.id === sub.price_id ? null : plan.price.id,
            pending_seats: plan.seats === sub.seats ? null : plan.seats,
            updated_at: now,
          }))!;
          await emit(trx, row, 'subscription.updated', { scheduled_change: { price_id: plan.price.id, seats: plan.seats, effective_at: plan.effective_at.toISOString() } });
          return { sub, plan, row, order: null };
        }
        const op = operationOf(plan, sub, now);
        if (!plan.draft) return { sub, plan, row: await applyChange(trx, sub, op, null, plan.walletCredit, plan), order: null };
        const { order } = await orders.create(trx, org, plan.customer, plan.draft, {
          subscriptionId: sub.id,
          reason: 'subscription_update',
          dedupeKey: `change:${sub.id}:v${sub.version}`,
          periodStart: plan.prorationDate,
          periodEnd: op.period ? new Date(op.period.end) : sub.current_period_end,
        });
        // All of it paid from the wallet: nothing to charge.
        if (order.status === 'paid') return { sub, plan, row: await applyChange(trx, sub, op, order, 0), order };
        await subscriptionRepository(trx).update(sub.id, { operation: JSON.stringify({ ...op, order_id: order.id }), updated_at: now });
        return { sub, plan, row: null, order };
      });
      const { sub, plan } = started;
      let { row, order } = started;
      if (plan.timing === 'renewal') return { subscription: row!, order: null, preview: changePreviewView(sub, plan) };
      if (!row) {
        const paid = await orders.pay(order!, plan.customer, `${plan.product.name} · ${order!.invoice_number}`);
        const settled = await service.finishOperation(sub.organization_id, sub.id, order!.id, paid.status);
        if (paid.status === 'failed') {
          throw new ApiError(402, 'payment_failed', `${paid.message} Your plan was not changed.`, { decline_code: paid.code });
        }
        row = settled!;
        order = paid.order;
      }
      const customer = plan.customer;
      notify(org, customer, ({ t, money }) => ({
        subject: t('changed.subject', { product: plan.product.name }),
        heading: t('changed.heading'),
        paragraphs: [
          plan.price.model === 'per_seat'
            ? t('changed.bodySeats', { product: plan.product.name, count: plan.seats })
            : t('changed.body', { product: plan.product.name }),
        ],
        facts: [
          ...(order ? ([[t('fact.chargedNow'), money(order.total, order.currency)]] as Array<[string, string]>) : []),
          ...(plan.walletCredit ? ([[t('fact.walletCredit'), money(plan.walletCredit, plan.price.currency)]] as Array<[string, string]>) : []),
        ],
        action: { label: t('action.viewInPortal'), url: portalUrl(org) },
      }));
      await entitlementsChanged(row);
      return { subscription: row, order, preview: changePreviewView(sub, plan) };
    },

    /**
     * Settles a charged change (plan, seats or resume) once its order's charge is known, under
     * the subscription's lock: paid → the change takes effect; failed → the order is void and
     * its wallet credit returned. Whoever comes second (a request and the recovery job) finds
     * nothing left to do. Returns the subscription as it is after.
     */
    async finishOperation(organizationId: string, id: string, orderId: string, outcome: 'succeeded' | 'failed') {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const trxRepo = subscriptionRepository(trx);
        const sub = await trxRepo.lock(organizationId, id);
        const op = sub?.operation;
        if (!sub || !op || op.order_id !== orderId) return sub;
        const order = (await orderRepository(trx).find(organizationId, orderId))!;
        if (outcome === 'failed') {
          await orders.voidOrder(order, trx);
          return (await trxRepo.update(sub.id, { operation: null, updated_at: now }))!;
        }
        if (op.kind === 'resume') {
          const row = (await trxRepo.update(sub.id, {
            status: 'active',
            paused_at: null,
            operation: null,
            billing_anchor: new Date(op.period!.start),
            periods_elapsed: 1,
            current_period_start: new Date(op.period!.start),
            current_period_end: new Date(op.period!.end),
            updated_at: now,
          }))!;
          await emit(trx, row, 'subscription.updated', { previous_status: 'paused' });
          return row;
        }
        return applyChange(trx, sub, op, order, 0);
      });
    },

    /** The jobs' part: charged changes a dead process left between charge and settlement. */
    async recoverOperations(olderThanMs = OPERATION_LEASE_MS): Promise<number> {
      const stale = await repo.staleOperations(new Date(clock.now().getTime() - olderThanMs), 50);
      let finished = 0;
      for (const sub of stale) {
        const op = sub.operation!;
        try {
          const order = await orders.repo.find(sub.organization_id, op.order_id);
          if (!order) continue;
          const { customer, product } = await load(sub);
          const paid = await orders.pay(order, customer, `${product.name} · ${order.invoice_number}`);
          await service.finishOperation(sub.organization_id, sub.id, order.id, paid.status);
          if (paid.status === 'succeeded') await entitlementsChanged(sub);
          finished += 1;
        } catch (error) {
          deps.logger.error({ err: error, subscription: sub.id }, 'could not finish a charged change; it will be tried again');
        }
      }
      return finished;
    },

    async pause(org: Organization, customerId: string, id: string, expectedVersion?: number) {
      if (!resolvePortalSettings(org.portal_settings).actions.pause) throw new ApiError(403, 'action_disabled', 'Pausing is not available for this subscription.');
      return db.transaction().execute(async (trx) => {
        const sub = await lockOwn(trx, org, customerId, id, expectedVersion);
        if (sub.status !== 'active' || sub.cancel_at_period_end) throw new ApiError(409, 'subscription_not_pausable', 'Only an active subscription can be paused.');
        if (sub.paused_at) throw new ApiError(409, 'already_pausing', 'This subscription is already set to pause.');
        const r = await subscriptionRepository(trx).update(sub.id, { paused_at: sub.current_period_end, updated_at: clock.now() });
        await emit(trx, r!, 'subscription.updated', { pause_at: sub.current_period_end.toISOString() });
        return r!;
      });
    },

    /** Resumes a paused subscription (a new period starts now and is charged), or drops a scheduled pause. */
    async resume(org: Organization, customerId: string, id: string, expectedVersion?: number) {
      const now = clock.now();
      const started = await db.transaction().execute(async (trx) => {
        const sub = await lockOwn(trx, org, customerId, id, expectedVersion);
        if (sub.status !== 'paused') {
          if (!sub.paused_at) throw new ApiError(409, 'not_paused', 'This subscription is not paused.');
          const r = (await subscriptionRepository(trx).update(sub.id, { paused_at: null, updated_at: now }))!;
          await emit(trx, r, 'subscription.updated', { pause_at: null });
          return { row: r, order: null, sub, customer: null, product: null };
        }
        const { customer, price, product } = await load(sub, trx);
        const end = periodBoundary(now, price.interval!, price.interval_count, 1);
        const draft = await orders.draft({ org, customer, currency: price.currency, items: periodItems(product, price, sub.seats, now, end), useWallet: true }, trx);
        const { order } = await orders.create(trx, org, customer, draft, { subscriptionId: sub.id, reason: 'subscription_cycle', dedupeKey: `resume:${sub.id}:v${sub.version}`, periodStart: now, periodEnd: end });
        const op: SubscriptionOperation = { kind: 'resume', order_id: order.id, started_at: now.toISOString(), price_id: sub.price_id, product_id: sub.product_id, seats: sub.seats, period: { start: now.toISOString(), end: end.toISOString() } };
        await subscriptionRepository(trx).update(sub.id, { operation: JSON.stringify(op), updated_at: now });
        return { row: null, order, sub, customer, product };
      });
      if (started.row) return started.row;
      const paid = await orders.pay(started.order!, started.customer!, `${started.product!.name} · ${started.order!.invoice_number}`);
      const settled = await service.finishOperation(org.id, started.sub.id, started.order!.id, paid.status);
      if (paid.status === 'failed') {
        throw new ApiError(402, 'payment_failed', `${paid.message} Your subscription is still paused.`, { decline_code: paid.code });
      }
      await entitlementsChanged(settled!);
      return settled!;
    },

    /**
     * The invoices the customer's next renewals will produce, priced now, with the wallet spent
     * across them in the order the renewal job charges them (period end, then id): the previews
     * add up to what will be charged. Returns a look-up by subscription; computed once, on first use.
     */
    upcoming(org: Organization, customer: CustomerRow) {
      let all: Promise<Map<string, NextInvoice>> | null = null;
      const compute = async () => {
        const subs = (await repo.liveForCustomer(org.id, customer.id))
          .filter(renews)
          .sort((a, b) => a.current_period_end.getTime() - b.current_period_end.getTime() || (a.id < b.id ? -1 : 1));
        const wallet = walletAllocator(subs.length ? await walletRepository(db).openCredits(org.id, customer.id, clock.now()) : []);
        const result = new Map<string, NextInvoice>();
        for (const sub of subs) result.set(sub.id, await invoiceAfter(org, customer, sub, wallet));
        return result;
      };
      return async (sub: SubscriptionRow): Promise<NextInvoice | null> => (renews(sub) ? ((await (all ??= compute())).get(sub.id) ?? null) : null);
    },

    /** The invoice one subscription's next renewal will produce (with the wallet shared as `upcoming` shares it). */
    async nextInvoice(org: Organization, customer: CustomerRow, sub: SubscriptionRow) {
      return service.upcoming(org, customer)(sub);
    },

    ownSubscription,
    load,
    LIVE,
  };
  return service;
}
export type SubscriptionService = ReturnType<typeof subscriptionService>;

/** What retrying unpaid renewals after a card change did, as the portal reports it. */
export function retriedView(results: Array<{ ok: boolean; subscription: SubscriptionRow; message?: string } | undefined>) {
  return results.flatMap((r) => (r ? [{ subscription_id: r.subscription.id, status: r.subscription.status, ok: r.ok, message: r.ok ? null : (r.message ?? null) }] : []));
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
