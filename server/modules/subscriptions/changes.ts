// Plan and seat changes: what a change would do (priced exactly as it will be charged), and doing it.
import type { Kysely } from 'kysely';
import type { CustomerRow, DB, PriceRow, ProductRow, Organization, SubscriptionRow } from '../../db/schema.js';
import { ApiError } from '../../lib/errors.js';
import { prorate, seconds } from '../billing/money.js';
import { periodBoundary } from '../billing/periods.js';
import { resolveBillingSettings } from '../billing/settings.js';
import type { DraftItem, OrderDraft } from '../orders/service.js';
import { resolvePortalSettings } from '../organizations/settings.js';
import type { SubscriptionContext } from './context.js';
import type { SubscriptionNotices } from './notices.js';
import { periodAmount, periodItems, yearlyValue } from './pricing.js';
import { subscriptionRepository } from './repository.js';
import { changePreviewView } from './views.js';
import type { OperationService } from './service.js';

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

const fmtDate = (d: Date) => d.toISOString().slice(0, 10);

export function changeService(ctx: SubscriptionContext, notices: SubscriptionNotices, operations: OperationService) {
  const { db, clock, orders, deps, load, lockOwn, emit, entitlementsChanged, asOf, catalogOn } = ctx;

  const changes = {
    /** What a plan or seat change would do, priced exactly as `change` will charge it. */
    async plan(org: Organization, sub: SubscriptionRow, request: ChangeRequest, x: Kysely<DB> = db): Promise<ChangePlan> {
      if (!['active', 'trialing'].includes(sub.status) || sub.cancel_at_period_end) {
        throw new ApiError(
          409,
          'subscription_not_changeable',
          sub.cancel_at_period_end ? 'Resume this subscription before changing it.' : 'Only an active subscription can be changed.',
        );
      }
      const actions = resolvePortalSettings(org.portal_settings).actions;
      const { customer, price: oldPrice, product: oldProduct } = await load(sub, x);
      const c = catalogOn(x);
      const newPrice = request.price_id ? await c.price(org.id, request.price_id) : oldPrice;
      const { product: newProduct } = newPrice.product_id === oldProduct.id ? { product: oldProduct } : await c.product(org.id, newPrice.product_id);
      if (request.price_id && request.price_id !== oldPrice.id) {
        if (!actions.plan_change) throw new ApiError(403, 'action_disabled', 'Plan changes are not available. Contact support to change your plan.');
        if (
          !newPrice.active ||
          newPrice.type !== 'recurring' ||
          newProduct.archived_at ||
          (newProduct.visibility !== 'public' && newProduct.id !== oldProduct.id)
        ) {
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
        throw new ApiError(409, 'seats_in_use', `${assigned} seats are assigned. Revoke ${assigned - seats} of them before going down to ${seats}.`, {
          seats_assigned: assigned,
        });
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
        return {
          ...base,
          timing: sub.status === 'trialing' ? 'now' : timing,
          effective_at: sub.status === 'trialing' ? now : sub.current_period_end,
          resetCycle: false,
          draft: null,
          items: [],
          walletCredit: 0,
        };
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
      const draft = net > 0 ? await orders.draft({ org, customer, currency: newPrice.currency, items, useWallet: true, subscriptionId: sub.id }, x) : null;
      return { ...base, effective_at: prorationDate, resetCycle, draft, items, walletCredit: net < 0 ? -net : 0 };
    },

    async changePreview(org: Organization, customerId: string, id: string, request: ChangeRequest) {
      const sub = await ctx.ownSubscription(org, customerId, id);
      const plan = await changes.plan(org, sub, request);
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
        const plan = await changes.plan(org, sub, request, trx);
        if (plan.timing === 'renewal') {
          const row = (await subscriptionRepository(trx).update(sub.id, {
            pending_price_id: plan.price.id === sub.price_id ? null : plan.price.id,
            pending_seats: plan.seats === sub.seats ? null : plan.seats,
            updated_at: now,
          }))!;
          await emit(trx, row, 'subscription.updated', {
            scheduled_change: { price_id: plan.price.id, seats: plan.seats, effective_at: plan.effective_at.toISOString() },
          });
          return { sub, plan, row, order: null };
        }
        const op = operations.operationOf(plan, sub, now);
        if (!plan.draft) return { sub, plan, row: await operations.applyChange(trx, sub, op, null, plan.walletCredit, plan), order: null };
        const { order, row } = await operations.record(trx, org, sub, plan.customer, plan.draft, op, {
          reason: 'subscription_update',
          dedupeKey: `change:${sub.id}:v${sub.version}`,
          periodStart: plan.prorationDate,
          periodEnd: op.period ? new Date(op.period.end) : sub.current_period_end,
        });
        return { sub, plan, row, order };
      });
      const { sub, plan } = started;
      let { row, order } = started;
      if (plan.timing === 'renewal') return { subscription: row!, order: null, preview: changePreviewView(sub, plan) };
      if (!row) {
        ({ row, order } = await operations.charge(
          sub,
          order!,
          plan.customer,
          `${plan.product.name} · ${order!.invoice_number}`,
          'Your plan was not changed.',
          'Your plan changes once it is confirmed.',
        ));
      }
      const customer = plan.customer;
      notices.changed(org, customer, row.id, plan, order);
      await entitlementsChanged(row);
      return { subscription: row, order, preview: changePreviewView(sub, plan) };
    },
  };
  return changes;
}
