import type { Kysely } from 'kysely';
import type { CustomerRow, DB, OrderRow, Organization, PriceRow, ProductRow, SubscriptionRow } from '../../db/schema.js';
import type { Background } from '../../lib/background.js';
import { DAY, type Clock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { prorate, seconds } from '../billing/money.js';
import { periodBoundary } from '../billing/periods.js';
import { resolveBillingSettings, visibleReasons, type CancellationReason } from '../billing/settings.js';
import type { CatalogService } from '../catalog/service.js';
import type { CustomerService } from '../customers/service.js';
import type { Mailer } from '../email/mailer.js';
import { noticeEmail } from '../email/templates.js';
import { customerLocale, isMessageKey, translator, type Translator } from '../../i18n/index.js';
import type { DraftItem, OrderDraft, OrderService } from '../orders/service.js';
import { organizationRepository } from '../organizations/repository.js';
import { resolvePortalSettings } from '../organizations/settings.js';
import { walletRepository } from '../wallet/repository.js';
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
  countAssignedSeats?: (subscriptionId: string) => Promise<number>;
}

export interface ChangeRequest {
  price_id?: string | undefined;
  seats?: number | undefined;
  timing?: 'now' | 'renewal' | undefined;
  /** From a preview: prorate as of that second, so the change charges exactly what was shown. */
  proration_date?: string | undefined;
}

export interface ChangePlan {
  kind: 'upgrade' | 'downgrade' | 'seats' | 'none';
  timing: 'now' | 'renewal';
  effective_at: Date;
  price: PriceRow;
  product: ProductRow;
  seats: number;
  prorationDate: Date;
  /** Restarts the billing cycle now (the interval changed). */
  resetCycle: boolean;
  /** What is charged now (total > 0), or null. */
  draft: OrderDraft | null;
  items: DraftItem[];
  /** Net credit for unused time, put in the wallet (in minor units), when the change lowers the price now. */
  walletCredit: number;
}

const LIVE = ['active', 'trialing', 'past_due'] as const;

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

  async function load(sub: SubscriptionRow) {
    const [org, customer, price, product] = await Promise.all([
      orgs.findById(sub.organization_id),
      deps.customers.get(sub.organization_id, { id: sub.customer_id }),
      catalog.price(sub.organization_id, sub.price_id),
      catalog.findProduct(sub.organization_id, sub.product_id),
    ]);
    return { org: org!, customer, price, product: product! };
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
      const { order } = await orders.create(org, customer, draft, {
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
      const { order } = await orders.create(org, customer, draft, {
        subscriptionId: sub.id,
        reason: fromTrial ? 'subscription_create' : 'subscription_cycle',
        dedupeKey: `cycle:${sub.id}:${end.toISOString()}`,
        periodStart: end,
        periodEnd: newEnd,
      });
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

    async cancel(org: Organization, customerId: string, id: string, input: { mode: 'at_period_end' | 'immediately'; reason?: CancellationReason | undefined; comment?: string | undefined }) {
      const sub = await ownSubscription(org, customerId, id);
      if (sub.status === 'canceled') throw new ApiError(409, 'subscription_canceled', 'This subscription has already ended.');
      const settings = resolveBillingSettings(org.billing_settings);
      if (input.reason && !visibleReasons(settings).some((r) => r.id === input.reason)) {
        throw new ApiError(400, 'reason_invalid', 'Choose one of the listed reasons.');
      }
      const now = clock.now();
      const { customer, product } = await load(sub);
      if (input.mode === 'at_period_end') {
        if (sub.cancel_at_period_end) throw new ApiError(409, 'already_canceling', 'This subscription is already set to end at the end of the period.');
        const row = await db.transaction().execute(async (trx) => {
          const r = await subscriptionRepository(trx).update(sub.id, {
            cancel_at_period_end: true,
            canceled_at: now,
            cancellation_reason: input.reason ?? null,
            cancellation_comment: input.comment ?? null,
            paused_at: null,
            pending_price_id: null,
            pending_seats: null,
            updated_at: now,
          });
          await emit(trx, r!, 'subscription.canceled');
          return r!;
        });
        notify(org, customer, ({ t, date }) => ({
          subject: t('cancelScheduled.subject', { product: product.name, date: date(sub.current_period_end) }),
          heading: t('cancelScheduled.heading'),
          paragraphs: [t('cancelScheduled.body', { date: date(sub.current_period_end) })],
          action: { label: t('action.manageSubscription'), url: portalUrl(org) },
        }));
        return { subscription: row, refund: null };
      }
      const refund = await service.cancellationRefund(org, sub);
      const row = await db.transaction().execute(async (trx) => {
        const r = await subscriptionRepository(trx).update(sub.id, {
          status: 'canceled',
          cancel_at_period_end: false,
          canceled_at: now,
          ended_at: now,
          cancellation_reason: input.reason ?? null,
          cancellation_comment: input.comment ?? null,
          next_retry_at: null,
          updated_at: now,
        });
        await emit(trx, r!, 'subscription.canceled', { refund: refund ? { amount: refund.amount, currency: refund.currency, destination: refund.destination } : null });
        return r!;
      });
      if (refund) {
        if (refund.againstOrder > 0) await orders.refund(refund.order, refund.againstOrder, refund.destination, 'Unused time after cancellation');
        if (refund.extraToWallet > 0) {
          await walletRepository(db).insert({
            id: newId('wtx', now.getTime()),
            organization_id: org.id,
            customer_id: customerId,
            currency: refund.currency,
            amount: refund.extraToWallet,
            kind: 'refund',
            description: `Unused time on ${product.name}`,
            order_id: refund.order.id,
            now,
          });
        }
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
      await entitlementsChanged(row);
      return { subscription: row, refund: refund ? { amount: refund.amount, currency: refund.currency, destination: refund.destination } : null };
    },

    /**
     * What an immediate cancellation gives back: the unused share (to the second) of what was
     * paid for the current period, tax included. The part paid by card goes back to the card
     * or to the wallet (organization setting); a part paid from the wallet goes back there.
     */
    async cancellationRefund(org: Organization, sub: SubscriptionRow, at: Date = clock.now()) {
      if (sub.status !== 'active') return null;
      const order = (await orders.repo.paidForSubscription(sub.id)).find((o) => o.period_start?.getTime() === sub.current_period_start.getTime());
      if (!order) return null;
      const total = seconds(sub.current_period_start, sub.current_period_end);
      const remaining = seconds(at, sub.current_period_end);
      const refundableToCard = order.total - order.refunded_amount;
      const amount = Math.min(prorate(order.total + order.credit_amount, remaining, total), refundableToCard + order.credit_amount);
      if (amount <= 0) return null;
      const setting = resolveBillingSettings(org.billing_settings).cancel_refund_to;
      const againstOrder = Math.min(amount, refundableToCard);
      return {
        amount,
        currency: order.currency,
        order,
        againstOrder,
        destination: setting,
        /** Paid from the wallet in the first place: returned there. */
        extraToWallet: amount - againstOrder,
      };
    },

    async uncancel(org: Organization, customerId: string, id: string) {
      const sub = await ownSubscription(org, customerId, id);
      if (!sub.cancel_at_period_end || sub.status === 'canceled') throw new ApiError(409, 'not_canceling', 'This subscription is not set to end.');
      const now = clock.now();
      if (sub.current_period_end <= now) throw new ApiError(409, 'period_over', 'The period has ended; subscribe again instead.');
      return db.transaction().execute(async (trx) => {
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

    async acceptRetentionOffer(org: Organization, customerId: string, id: string) {
      const sub = await ownSubscription(org, customerId, id);
      const offer = resolveBillingSettings(org.billing_settings).retention_offer;
      if (!offer) throw new ApiError(404, 'no_offer', 'There is no offer for this subscription.');
      if (sub.retention_offer_used) throw new ApiError(409, 'offer_used', 'This offer was already used on this subscription.');
      if (!['active', 'trialing', 'past_due'].includes(sub.status)) throw new ApiError(409, 'subscription_not_active', 'This subscription is not active.');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
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

    /** What a plan or seat change would do, priced exactly as `change` will charge it. */
    async plan(org: Organization, sub: SubscriptionRow, request: ChangeRequest): Promise<ChangePlan> {
      if (!['active', 'trialing'].includes(sub.status) || sub.cancel_at_period_end) {
        throw new ApiError(409, 'subscription_not_changeable', sub.cancel_at_period_end ? 'Resume this subscription before changing it.' : 'Only an active subscription can be changed.');
      }
      const actions = resolvePortalSettings(org.portal_settings).actions;
      const { customer, price: oldPrice, product: oldProduct } = await load(sub);
      const newPrice = request.price_id ? await catalog.price(org.id, request.price_id) : oldPrice;
      const { product: newProduct } = newPrice.product_id === oldProduct.id ? { product: oldProduct } : await catalog.product(org.id, newPrice.product_id);
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
      const assigned = seats < sub.seats && deps.countAssignedSeats ? await deps.countAssignedSeats(sub.id) : 0;
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
      let prorationDate = now;
      if (request.proration_date) {
        const d = new Date(request.proration_date);
        if (Number.isNaN(d.getTime()) || d > now || now.getTime() - d.getTime() > 60 * 60 * 1000 || d < sub.current_period_start) {
          throw new ApiError(400, 'proration_date_invalid', 'The preview is out of date. Review the change again.');
        }
        prorationDate = d;
      }
      const base = { kind, timing, price: newPrice, product: newProduct, seats, prorationDate };
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
      const draft = net > 0 ? await orders.draft({ org, customer, currency: newPrice.currency, items, useWallet: true }) : null;
      return { ...base, effective_at: prorationDate, resetCycle, draft, items, walletCredit: net < 0 ? -net : 0 };
    },

    async changePreview(org: Organization, customerId: string, id: string, request: ChangeRequest) {
      const sub = await ownSubscription(org, customerId, id);
      const plan = await service.plan(org, sub, request);
      return changePreviewView(sub, plan);
    },

    async change(org: Organization, customerId: string, id: string, request: ChangeRequest) {
      const sub = await ownSubscription(org, customerId, id);
      const plan = await service.plan(org, sub, request);
      const { customer } = await load(sub);
      const now = clock.now();
      if (plan.timing === 'renewal') {
        const row = await db.transaction().execute(async (trx) => {
          const r = await subscriptionRepository(trx).update(sub.id, {
            pending_price_id: plan.price.id === sub.price_id ? null : plan.price.id,
            pending_seats: plan.seats === sub.seats ? null : plan.seats,
            updated_at: now,
          });
          await emit(trx, r!, 'subscription.updated', { scheduled_change: { price_id: plan.price.id, seats: plan.seats, effective_at: plan.effective_at.toISOString() } });
          return r!;
        });
        return { subscription: row, order: null, preview: changePreviewView(sub, plan) };
      }
      let order: OrderRow | null = null;
      if (plan.draft) {
        ({ order } = await orders.create(org, customer, plan.draft, {
          subscriptionId: sub.id,
          reason: 'subscription_update',
          dedupeKey: null,
          periodStart: plan.prorationDate,
          periodEnd: plan.resetCycle ? periodBoundary(plan.prorationDate, plan.price.interval!, plan.price.interval_count, 1) : sub.current_period_end,
        }));
        const paid = await orders.pay(order, customer, `${plan.product.name} · ${order.invoice_number}`);
        if (paid.status === 'failed') {
          await orders.voidOrder(order);
          throw new ApiError(402, 'payment_failed', `${paid.message} Your plan was not changed.`, { decline_code: paid.code });
        }
        order = paid.order;
      }
      const row = await db.transaction().execute(async (trx) => {
        const r = await subscriptionRepository(trx).update(sub.id, {
          price_id: plan.price.id,
          product_id: plan.product.id,
          seats: plan.seats,
          pending_price_id: null,
          pending_seats: null,
          ...(plan.resetCycle
            ? {
                billing_anchor: plan.prorationDate,
                periods_elapsed: 1,
                current_period_start: plan.prorationDate,
                current_period_end: periodBoundary(plan.prorationDate, plan.price.interval!, plan.price.interval_count, 1),
              }
            : {}),
          updated_at: now,
        });
        if (plan.walletCredit > 0) {
          await walletRepository(trx).insert({
            id: newId('wtx', now.getTime()),
            organization_id: org.id,
            customer_id: customer.id,
            currency: plan.price.currency,
            amount: plan.walletCredit,
            kind: 'proration',
            description: `Unused time after changing to ${plan.product.name}${plan.price.model === 'per_seat' ? ` × ${plan.seats}` : ''}`,
            now,
          });
        }
        await emit(trx, r!, 'subscription.updated', { change: { kind: plan.kind, price_id: plan.price.id, seats: plan.seats, order_id: order?.id ?? null } });
        return r!;
      });
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

    async pause(org: Organization, customerId: string, id: string) {
      if (!resolvePortalSettings(org.portal_settings).actions.pause) throw new ApiError(403, 'action_disabled', 'Pausing is not available for this subscription.');
      const sub = await ownSubscription(org, customerId, id);
      if (sub.status !== 'active' || sub.cancel_at_period_end) throw new ApiError(409, 'subscription_not_pausable', 'Only an active subscription can be paused.');
      if (sub.paused_at) throw new ApiError(409, 'already_pausing', 'This subscription is already set to pause.');
      return db.transaction().execute(async (trx) => {
        const r = await subscriptionRepository(trx).update(sub.id, { paused_at: sub.current_period_end, updated_at: clock.now() });
        await emit(trx, r!, 'subscription.updated', { pause_at: sub.current_period_end.toISOString() });
        return r!;
      });
    },

    /** Resumes a paused subscription: a new period starts now and is charged. */
    async resume(org: Organization, customerId: string, id: string) {
      const sub = await ownSubscription(org, customerId, id);
      const now = clock.now();
      if (sub.status !== 'paused') {
        if (!sub.paused_at) throw new ApiError(409, 'not_paused', 'This subscription is not paused.');
        return db.transaction().execute(async (trx) => {
          const r = await subscriptionRepository(trx).update(sub.id, { paused_at: null, updated_at: now });
          await emit(trx, r!, 'subscription.updated', { pause_at: null });
          return r!;
        });
      }
      const { customer, price, product } = await load(sub);
      const end = periodBoundary(now, price.interval!, price.interval_count, 1);
      const draft = await orders.draft({ org, customer, currency: price.currency, items: periodItems(product, price, sub.seats, now, end), useWallet: true });
      const { order } = await orders.create(org, customer, draft, { subscriptionId: sub.id, reason: 'subscription_cycle', dedupeKey: `resume:${sub.id}:${now.toISOString()}`, periodStart: now, periodEnd: end });
      const paid = await orders.pay(order, customer, `${product.name} · ${order.invoice_number}`);
      if (paid.status === 'failed') {
        await orders.voidOrder(order);
        throw new ApiError(402, 'payment_failed', `${paid.message} Your subscription is still paused.`, { decline_code: paid.code });
      }
      const resumed = await db.transaction().execute(async (trx) => {
        const r = await subscriptionRepository(trx).update(sub.id, {
          status: 'active',
          paused_at: null,
          billing_anchor: now,
          periods_elapsed: 1,
          current_period_start: now,
          current_period_end: end,
          updated_at: now,
        });
        await emit(trx, r!, 'subscription.updated', { previous_status: 'paused' });
        return r!;
      });
      await entitlementsChanged(resumed);
      return resumed;
    },

    /** The invoice the next renewal will produce, priced now. Null when nothing will renew. */
    async nextInvoice(org: Organization, customer: CustomerRow, sub: SubscriptionRow) {
      if (!['active', 'trialing', 'past_due'].includes(sub.status) || sub.cancel_at_period_end || sub.paused_at) return null;
      const price = await catalog.price(org.id, sub.pending_price_id ?? sub.price_id);
      const product = (await catalog.product(org.id, price.product_id)).product;
      const seats = sub.pending_seats ?? sub.seats;
      const start = sub.current_period_end;
      const end = periodBoundary(start, price.interval!, price.interval_count, 1);
      const discount = sub.discount_periods_left && sub.discount_periods_left > 0 ? sub.discount_percent : null;
      // Usage so far in this period, at the current price: an estimate that grows until the renewal.
      const current = sub.pending_price_id ? await catalog.price(org.id, sub.price_id) : price;
      const usage = sub.status === 'trialing' || !deps.usageItems ? [] : await deps.usageItems(org.id, customer.id, current, sub.current_period_start, clock.now());
      const draft = await orders.draft({ org, customer, currency: price.currency, items: [...usage, ...periodItems(product, price, seats, start, end)], discountPercent: discount, useWallet: true });
      return { date: start.toISOString(), ...draftView(draft) };
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
