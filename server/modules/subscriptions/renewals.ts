// Renewals, payment retries and dunning, and the invoices the next renewals will produce.
import type { CustomerRow, OrderRow, Organization, SubscriptionRow } from '../../db/schema.js';
import { DAY } from '../../lib/clock.js';
import { periodBoundary } from '../billing/periods.js';
import { resolveBillingSettings } from '../billing/settings.js';
import type { CatalogSnapshot } from '../catalog/service.js';
import type { CarriedBalance } from '../orders/service.js';
import { walletAllocator } from '../wallet/repository.js';
import type { SubscriptionContext } from './context.js';
import type { SubscriptionNotices } from './notices.js';
import { periodItems, renews } from './pricing.js';
import { subscriptionRepository } from './repository.js';
import { draftView, type NextInvoice } from './views.js';

export function renewalService(ctx: SubscriptionContext, notices: SubscriptionNotices) {
  const { db, clock, catalog, orders, repo, deps, load, emit, entitlementsChanged } = ctx;

  /** The days after the failed renewal on which the payment is tried again. */
  function dunningSchedule(org: Organization) {
    return resolveBillingSettings(org.billing_settings).dunning_retry_days;
  }

  /**
   * Claims due subscriptions a batch at a time and works on each; one failure waits for its
   * lease and does not stop the rest. `stop()` true (shutting down): what is claimed and not
   * started is released for another instance at once.
   */
  async function eachClaimed(
    kind: 'renewal' | 'retry',
    limit: number,
    work: (sub: SubscriptionRow) => Promise<unknown>,
    failure: string,
    stop: () => boolean,
  ): Promise<number> {
    let processed = 0;
    for (;;) {
      if (stop()) return processed;
      const batch = await repo.claim(kind, clock.now(), limit);
      if (batch.length === 0) return processed;
      for (const [i, sub] of batch.entries()) {
        if (stop()) {
          for (const rest of batch.slice(i)) await repo.release(rest.id);
          return processed;
        }
        try {
          await work(sub);
          processed += 1;
        } catch (error) {
          deps.logger.error({ err: error, subscription: sub.id }, failure);
        }
      }
    }
  }

  /** A payment waiting for the customer is given up (canceled at the processor), unless it just succeeded. */
  async function giveUp(order: OrderRow) {
    const payment = await orders.awaitingPayment(order.id);
    if (payment?.provider_ref) await orders.settleAuthentication(payment.provider_ref, { giveUp: true });
  }

  const renewals = {
    /**
     * Charges an order that belongs to a subscription and moves the subscription on:
     * active when paid; incomplete (first invoice) or past_due (renewal) when not.
     */
    /** Finishes a renewal or retry: success makes it active, failure starts or continues dunning. */
    async settle(sub: SubscriptionRow, order: OrderRow, trigger: 'create' | 'retry' | 'method_changed') {
      const { org, customer, product } = await load(sub);
      const result = await orders.pay(order, customer, `${product.name} · ${order.invoice_number}`);
      const now = clock.now();
      const retryDays = dunningSchedule(org);
      if (result.status === 'succeeded') {
        const updated = await db.transaction().execute(async (trx) => {
          const row = await subscriptionRepository(trx).update(
            sub.id,
            { status: 'active', past_due_reason: null, dunning_attempts: 0, next_retry_at: null, locked_until: null, updated_at: now },
            { statuses: ['incomplete', 'past_due', 'unpaid', 'active', 'trialing'] },
          );
          if (row && sub.status !== 'active') await emit(trx, row, 'subscription.updated', { previous_status: sub.status });
          return row;
        });
        notices.paid(org, customer, product, order, trigger === 'create' ? 'started' : 'received');
        await entitlementsChanged(sub);
        return { ok: true as const, subscription: updated ?? sub, order: result.order };
      }
      // Failed, or waiting for the customer's authentication (which dunning treats the same:
      // the schedule goes on, reminding them, up to its final action).
      const reason = result.status === 'requires_action' ? ('authentication_required' as const) : ('payment_failed' as const);
      let updated: SubscriptionRow | undefined;
      if (trigger === 'create') {
        updated = await repo.update(sub.id, { status: 'incomplete', past_due_reason: reason, locked_until: null, updated_at: now });
      } else if (trigger === 'method_changed') {
        updated = await repo.update(sub.id, { past_due_reason: reason, updated_at: now }, { statuses: ['past_due', 'unpaid', 'incomplete'] });
      } else if (trigger === 'retry') {
        const attempts = sub.dunning_attempts + 1;
        const settings = resolveBillingSettings(org.billing_settings);
        if (attempts >= retryDays.length) {
          updated = await db.transaction().execute(async (trx) => {
            const final = settings.dunning_final_action === 'cancel' ? ('canceled' as const) : ('unpaid' as const);
            const row = await subscriptionRepository(trx).update(sub.id, {
              status: final,
              past_due_reason: final === 'canceled' ? null : reason,
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
          updated = await repo.update(sub.id, {
            dunning_attempts: attempts,
            past_due_reason: reason,
            next_retry_at: new Date(now.getTime() + Math.max(1, gap) * DAY),
            locked_until: null,
            updated_at: now,
          });
        }
      }
      // Canceled for good: a payment still waiting for the customer is given up at the processor,
      // so confirming it later cannot charge for a subscription that is over.
      if (updated?.status === 'canceled' && result.status === 'requires_action') await giveUp(result.order);
      if (trigger !== 'method_changed') {
        if (result.status === 'requires_action') orders.notices.confirmPayment(org, customer, result.order, product.name);
        else notices.paymentFailed(org, customer, product, order, result);
      }
      await entitlementsChanged(sub);
      return {
        ok: false as const,
        subscription: updated ?? sub,
        order: result.order,
        code: result.code,
        message: result.message,
        requiresAction: result.status === 'requires_action',
      };
    },

    /** Renews one subscription whose period has ended. Safe to run twice: the second run changes nothing. */
    async renewOne(sub: SubscriptionRow) {
      const { org, customer, product, price } = await load(sub);
      const now = clock.now();
      const end = sub.current_period_end;
      if (sub.cancel_at_period_end) {
        await db.transaction().execute(async (trx) => {
          const row = await subscriptionRepository(trx).update(
            sub.id,
            { status: 'canceled', ended_at: end, locked_until: null, updated_at: now },
            { periodEnd: end },
          );
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
        subscriptionId: sub.id,
      });
      // The order is recorded under the subscription's lock, only while the period it renews is
      // still the current one and no charged change is settling (a portal change at the same
      // moment waits for this, then sees the new period).
      const recorded = await db.transaction().execute(async (trx) => {
        const locked = await subscriptionRepository(trx).lock(sub.organization_id, sub.id);
        if (!locked || locked.operation || locked.current_period_end.getTime() !== end.getTime() || !['active', 'trialing'].includes(locked.status))
          return null;
        return orders.create(trx, org, customer, draft, {
          subscriptionId: sub.id,
          reason: fromTrial ? 'subscription_create' : 'subscription_cycle',
          dedupeKey: `cycle:${sub.id}:${end.toISOString()}`,
          periodStart: end,
          periodEnd: newEnd,
        });
      });
      // Changed meanwhile: the lease keeps the job from taking it again in this run.
      if (!recorded) return;
      const { order } = recorded;
      // Charge first, then move to the new period in one guarded update. A crash in between
      // leaves the subscription due: the next run finds the same order (dedupe key) and the
      // same pending payment (same provider idempotency key), so it never charges twice.
      const paid = await orders.pay(order, customer, `${nextProduct.name} · ${order.invoice_number}`);
      deps.metrics?.renewal(paid.status === 'succeeded' ? 'charged' : 'failed');
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
            past_due_reason: paid.status === 'succeeded' ? null : paid.status === 'requires_action' ? 'authentication_required' : 'payment_failed',
            dunning_attempts: 0,
            next_retry_at: paid.status === 'succeeded' ? null : new Date(now.getTime() + (retryDays[0] ?? 1) * DAY),
            locked_until: null,
            updated_at: now,
          },
          { periodEnd: end },
        );
        if (row) {
          await emit(trx, row, 'subscription.renewed', { order_id: order.id });
          if (paid.status !== 'succeeded') {
            await emit(trx, row, 'subscription.past_due', {
              order_id: order.id,
              failure_message: paid.message,
              reason: paid.status === 'requires_action' ? 'authentication_required' : 'payment_failed',
            });
          }
        }
        return row;
      });
      if (!advanced) return;
      await entitlementsChanged(sub);
      if (paid.status === 'succeeded') {
        notices.renewed(org, customer, nextProduct, order, end, newEnd);
      } else if (paid.status === 'requires_action') {
        orders.notices.confirmPayment(org, customer, paid.order, nextProduct.name);
      } else {
        notices.paymentFailed(org, customer, nextProduct, paid.order, paid);
      }
    },

    /** The renewal job: every subscription whose period has ended, claimed a batch at a time. */
    renewDue(limit = 10, stop: () => boolean = () => false): Promise<number> {
      return eachClaimed('renewal', limit, (sub) => renewals.renewOne(sub), 'renewal failed; it will be retried when the lease ends', stop);
    },

    /** The dunning job: past-due subscriptions whose next retry is due. */
    retryDue(limit = 10, stop: () => boolean = () => false): Promise<number> {
      return eachClaimed('retry', limit, (sub) => renewals.retry(sub, 'retry'), 'payment retry failed; it will be retried when the lease ends', stop);
    },

    async retry(sub: SubscriptionRow, trigger: 'retry' | 'method_changed') {
      const order = (await orders.latestFailedForSubscription(sub.id)) ?? undefined;
      if (!order) {
        await repo.update(sub.id, { status: 'active', next_retry_at: null, dunning_attempts: 0, locked_until: null, updated_at: clock.now() });
        await entitlementsChanged(sub);
        return undefined;
      }
      return renewals.settle(sub, order, trigger);
    },

    /**
     * An order of the subscription was paid outside a renewal or retry (the processor's
     * asynchronous result): a subscription that was waiting on it (past due, incomplete, unpaid)
     * is active again, once, with nothing else unpaid. A charged change's own order is left to
     * its operation (recoverOperations finishes it).
     */
    async onOrderPaid(order: OrderRow) {
      if (!order.subscription_id) return null;
      const sub = await repo.find(order.organization_id, order.subscription_id);
      if (!sub || sub.operation?.order_id === order.id) return null;
      if (!['past_due', 'incomplete', 'unpaid'].includes(sub.status)) return null;
      if (await orders.latestFailedForSubscription(sub.id)) return null;
      const now = clock.now();
      const updated = await db.transaction().execute(async (trx) => {
        const row = await subscriptionRepository(trx).update(
          sub.id,
          { status: 'active', past_due_reason: null, dunning_attempts: 0, next_retry_at: null, updated_at: now },
          { statuses: ['past_due', 'incomplete', 'unpaid'] },
        );
        if (row) await emit(trx, row, 'subscription.updated', { previous_status: sub.status });
        return row;
      });
      if (!updated) return null;
      const { org, customer, product } = await load(updated);
      notices.paid(org, customer, product, order, sub.status === 'incomplete' ? 'started' : 'received');
      await entitlementsChanged(updated);
      return updated;
    },

    /** A new default card: retry whatever is unpaid at once, so the customer sees the result. */
    async onPaymentMethodChanged(orgId: string, customerId: string) {
      const subs = await repo.liveForCustomer(orgId, customerId);
      const results = [];
      for (const sub of subs.filter((s) => s.status === 'past_due' || s.status === 'incomplete' || s.status === 'unpaid')) {
        results.push(await renewals.retry(sub, 'method_changed'));
      }
      return results;
    },

    /**
     * The invoices the customer's next renewals will produce, priced now, with the wallet spent
     * across them in the order the renewal job charges them (period end, then id): the previews
     * add up to what will be charged. From what the caller read with its view (the customer's
     * live subscriptions, catalog and open credits): one statement more, for the usage so far of
     * metered subscriptions, or none. A look-up by subscription.
     */
    async upcomingInvoices(
      org: Organization,
      customer: CustomerRow,
      live: SubscriptionRow[],
      catalog: CatalogSnapshot,
      credits: Parameters<typeof walletAllocator>[0],
      /** Each subscription's balances carried forward from invoices under the processor's minimum (orders.draft adds them). */
      carried: Map<string, CarriedBalance[]>,
    ): Promise<Map<string, NextInvoice>> {
      const subs = live.filter(renews).sort((a, b) => a.current_period_end.getTime() - b.current_period_end.getTime() || (a.id < b.id ? -1 : 1));
      const now = clock.now();
      const plans = subs.map((sub) => {
        const price = catalog.price(sub.pending_price_id ?? sub.price_id);
        // Usage so far in this period, at the current price: an estimate that grows until the renewal.
        const current = sub.pending_price_id ? catalog.price(sub.price_id) : price;
        return { sub, price, product: catalog.product(price.product_id), current, measured: sub.status !== 'trialing' && Boolean(deps.usageItemsMany) };
      });
      const measured = plans.filter((p) => p.measured);
      const usage = measured.length
        ? await deps.usageItemsMany!(
            customer.id,
            measured.map((p) => ({ price: p.current, meter: catalog.meter(p.current.meter_id), start: p.sub.current_period_start, end: now })),
          )
        : [];
      const wallet = walletAllocator(credits);
      const result = new Map<string, NextInvoice>();
      for (const { sub, price, product, measured: m } of plans) {
        const seats = sub.pending_seats ?? sub.seats;
        const start = sub.current_period_end;
        const end = periodBoundary(start, price.interval!, price.interval_count, 1);
        const discount = sub.discount_periods_left && sub.discount_periods_left > 0 ? sub.discount_percent : null;
        const items = m ? usage[measured.findIndex((p) => p.sub === sub)]! : [];
        const draft = await orders.draft({
          org,
          customer,
          currency: price.currency,
          items: [...items, ...periodItems(product, price, seats, start, end)],
          discountPercent: discount,
          useWallet: true,
          walletBalance: wallet.available(price.currency, start),
          subscriptionId: sub.id,
          carried: carried.get(sub.id) ?? [],
        });
        wallet.spend(price.currency, start, draft.credit_amount);
        result.set(sub.id, { date: start.toISOString(), ...draftView(draft) });
      }
      return result;
    },
  };
  return renewals;
}
