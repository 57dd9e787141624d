// A subscription's life: created, canceled (at the period's end or now, with a refund), kept
// (uncancel, the retention offer), scheduled changes dropped, paused and resumed.
import type { Kysely } from 'kysely';
import type { DB, Organization, SubscriptionOperation, SubscriptionRow } from '../../db/schema.js';
import { DAY } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { periodBoundary } from '../billing/periods.js';
import { resolveBillingSettings, visibleReasons, type CancellationReason } from '../billing/settings.js';
import { orderRepository } from '../orders/repository.js';
import { CANCEL_REFUND_REASON } from '../orders/service.js';
import { resolvePortalSettings } from '../organizations/settings.js';
import { walletRepository } from '../wallet/repository.js';
import type { SubscriptionContext } from './context.js';
import type { SubscriptionNotices } from './notices.js';
import { periodItems } from './pricing.js';
import { refundOf } from './refunds.js';
import { subscriptionRepository } from './repository.js';
import { refundView } from './views.js';
import type { OperationService } from './service.js';
import type { RenewalService } from './service.js';

export function lifecycleService(ctx: SubscriptionContext, notices: SubscriptionNotices, renewals: RenewalService, operations: OperationService) {
  const { db, clock, catalog, orders, repo, deps, load, lockOwn, emit, entitlementsChanged, asOf, updateAndEmit } = ctx;

  /** What cancelling `sub` at `at` refunds (refunds.ts has the formula), read through `x`. */
  async function refundFor(x: Kysely<DB>, org: Organization, sub: SubscriptionRow, at: Date) {
    if (sub.status !== 'active') return null;
    const orderRepo = orderRepository(x);
    const covering = await orderRepo.coveringOrders(sub.id, at);
    if (covering.length === 0) return null;
    const lines = await orderRepo.lines(covering.map((o) => o.id));
    const credits = await walletRepository(x).prorationCredits(sub.id, at);
    return refundOf(
      org,
      sub,
      covering.map((order) => ({ order, lines: lines.filter((l) => l.order_id === order.id) })),
      credits,
      at,
    );
  }

  const lifecycle = {
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
      return (await renewals.settle(sub, order, 'create')).subscription;
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
      input: {
        mode: 'at_period_end' | 'immediately';
        reason?: CancellationReason | undefined;
        comment?: string | undefined;
        expected_version?: number | undefined;
        proration_date?: string | undefined;
      },
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
            const recorded = await orders.recordRefund(
              trx,
              { organizationId: org.id, orderId: part.order.id },
              part.againstOrder,
              refund!.destination,
              CANCEL_REFUND_REASON,
            );
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
        notices.cancelScheduled(org, customer, done.row.id, product, done.sub.current_period_end);
        return { subscription: done.row, refund: null };
      }
      notices.canceled(org, customer, product, refund);
      await entitlementsChanged(done.row);
      return { subscription: done.row, refund };
    },

    async uncancel(org: Organization, customerId: string, id: string, expectedVersion?: number) {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const sub = await lockOwn(trx, org, customerId, id, expectedVersion);
        if (!sub.cancel_at_period_end || sub.status === 'canceled') throw new ApiError(409, 'not_canceling', 'This subscription is not set to end.');
        if (sub.current_period_end <= now) throw new ApiError(409, 'period_over', 'The period has ended; subscribe again instead.');
        return updateAndEmit(
          trx,
          sub,
          {
            cancel_at_period_end: false,
            canceled_at: null,
            cancellation_reason: null,
            cancellation_comment: null,
            updated_at: now,
          },
          'subscription.uncanceled',
        );
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
        return updateAndEmit(
          trx,
          sub,
          {
            discount_percent: offer.percent_off,
            discount_periods_left: offer.periods,
            retention_offer_used: true,
            cancel_at_period_end: false,
            canceled_at: null,
            updated_at: now,
          },
          'subscription.updated',
          { retention_offer: offer },
        );
      });
    },

    /** Drops a plan or seat change scheduled for the renewal. */
    async cancelScheduledChange(org: Organization, customerId: string, id: string, expectedVersion?: number) {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const sub = await lockOwn(trx, org, customerId, id, expectedVersion);
        if (!sub.pending_price_id && !sub.pending_seats) throw new ApiError(409, 'no_scheduled_change', 'No change is scheduled for this subscription.');
        return updateAndEmit(trx, sub, { pending_price_id: null, pending_seats: null, updated_at: now }, 'subscription.updated', { scheduled_change: null });
      });
    },

    async pause(org: Organization, customerId: string, id: string, expectedVersion?: number) {
      if (!resolvePortalSettings(org.portal_settings).actions.pause)
        throw new ApiError(403, 'action_disabled', 'Pausing is not available for this subscription.');
      return db.transaction().execute(async (trx) => {
        const sub = await lockOwn(trx, org, customerId, id, expectedVersion);
        if (sub.status !== 'active' || sub.cancel_at_period_end)
          throw new ApiError(409, 'subscription_not_pausable', 'Only an active subscription can be paused.');
        if (sub.paused_at) throw new ApiError(409, 'already_pausing', 'This subscription is already set to pause.');
        return updateAndEmit(trx, sub, { paused_at: sub.current_period_end, updated_at: clock.now() }, 'subscription.updated', {
          pause_at: sub.current_period_end.toISOString(),
        });
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
        const draft = await orders.draft(
          { org, customer, currency: price.currency, items: periodItems(product, price, sub.seats, now, end), useWallet: true, subscriptionId: sub.id },
          trx,
        );
        const op: SubscriptionOperation = {
          kind: 'resume',
          order_id: '',
          started_at: now.toISOString(),
          price_id: sub.price_id,
          product_id: sub.product_id,
          seats: sub.seats,
          period: { start: now.toISOString(), end: end.toISOString() },
        };
        const { order, row } = await operations.record(trx, org, sub, customer, draft, op, {
          reason: 'subscription_cycle',
          dedupeKey: `resume:${sub.id}:v${sub.version}`,
          periodStart: now,
          periodEnd: end,
        });
        return { row, order, sub, customer, product };
      });
      if (!started.order) return started.row!;
      const settled =
        started.row ??
        (
          await operations.charge(
            started.sub,
            started.order,
            started.customer!,
            `${started.product!.name} · ${started.order.invoice_number}`,
            'Your subscription is still paused.',
            'Your subscription resumes once it is confirmed.',
          )
        ).row;
      await entitlementsChanged(settled);
      return settled;
    },
  };
  return lifecycle;
}
