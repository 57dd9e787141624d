// Charged changes between their pending order and their settlement (docs/decisions.md,
// "Billing operations under concurrency"): applying a change, settling, recovering after a crash.
import type { Kysely } from 'kysely';
import type { BillingReason, CustomerRow, DB, Organization, OrderRow, SubscriptionOperation, SubscriptionRow } from '../../db/schema.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { periodBoundary } from '../billing/periods.js';
import type { OrderDraft } from '../orders/service.js';
import { orderRepository } from '../orders/repository.js';
import { walletRepository } from '../wallet/repository.js';
import type { SubscriptionContext } from './context.js';
import { subscriptionRepository } from './repository.js';
import type { ChangePlan } from './changes.js';

/** A charged change not settled within this long was left by a dead process: the jobs finish it. */
export const OPERATION_LEASE_MS = 60 * 1000;
/** How long a charged change waits for the customer to authenticate its payment before it is undone. */
export const AUTHENTICATION_WINDOW_MS = 15 * 60 * 1000;

export function operationService(ctx: SubscriptionContext) {
  const { db, clock, orders, repo, deps, load, emit, entitlementsChanged } = ctx;

  /** A plan decided now, as the change it will make once paid. */
  function operationOf(plan: ChangePlan, _sub: SubscriptionRow, now: Date): SubscriptionOperation {
    return {
      kind: 'change',
      order_id: '',
      started_at: now.toISOString(),
      change_kind: plan.kind === 'none' ? 'seats' : plan.kind,
      price_id: plan.price.id,
      product_id: plan.product.id,
      seats: plan.seats,
      ...(plan.resetCycle
        ? {
            period: {
              start: plan.prorationDate.toISOString(),
              end: periodBoundary(plan.prorationDate, plan.price.interval!, plan.price.interval_count, 1).toISOString(),
            },
          }
        : {}),
    };
  }

  /**
   * Makes a change take effect, in the caller's transaction (the subscription is locked): the
   * new plan and seats, a new cycle when the interval changed, credit for unused time into
   * the wallet when the change lowers the price now.
   */
  async function applyChange(
    trx: Kysely<DB>,
    sub: SubscriptionRow,
    op: SubscriptionOperation,
    order: OrderRow | null,
    walletCredit: number,
    plan?: ChangePlan,
  ) {
    const now = clock.now();
    const row = (await subscriptionRepository(trx).update(sub.id, {
      price_id: op.price_id,
      product_id: op.product_id,
      seats: op.seats,
      pending_price_id: null,
      pending_seats: null,
      operation: null,
      ...(op.period
        ? {
            billing_anchor: new Date(op.period.start),
            periods_elapsed: 1,
            current_period_start: new Date(op.period.start),
            current_period_end: new Date(op.period.end),
          }
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

  /** A paid operation takes effect, in the caller's transaction (the subscription is locked). */
  async function settle(trx: Kysely<DB>, sub: SubscriptionRow, op: SubscriptionOperation, order: OrderRow) {
    if (op.kind !== 'resume') return applyChange(trx, sub, op, order, 0);
    const row = (await subscriptionRepository(trx).update(sub.id, {
      status: 'active',
      paused_at: null,
      operation: null,
      billing_anchor: new Date(op.period!.start),
      periods_elapsed: 1,
      current_period_start: new Date(op.period!.start),
      current_period_end: new Date(op.period!.end),
      updated_at: clock.now(),
    }))!;
    await emit(trx, row, 'subscription.updated', { previous_status: 'paused' });
    return row;
  }

  const operations = {
    operationOf,
    applyChange,

    /**
     * Starts a charged operation (a change or a resume) in the caller's transaction, under the
     * subscription's lock: records its order (the dedupe key gives a retry the same order) and
     * marks the operation in flight with it, for `charge` after the commit. An order the wallet
     * paid in full takes effect at once (`row`); nothing is left to charge.
     */
    async record(
      trx: Kysely<DB>,
      org: Organization,
      sub: SubscriptionRow,
      customer: CustomerRow,
      draft: OrderDraft,
      op: SubscriptionOperation,
      meta: { reason: BillingReason; dedupeKey: string; periodStart: Date; periodEnd: Date },
    ): Promise<{ order: OrderRow; row: SubscriptionRow | null }> {
      const { order } = await orders.create(trx, org, customer, draft, { subscriptionId: sub.id, ...meta });
      const started = { ...op, order_id: order.id };
      if (order.status === 'paid') return { order, row: await settle(trx, sub, started, order) };
      await subscriptionRepository(trx).update(sub.id, { operation: JSON.stringify(started), updated_at: clock.now() });
      return { order, row: null };
    },

    /**
     * After the commit: charges a recorded operation's order and settles it (finishOperation).
     * A decline is 402 payment_failed; its message ends with `declined` (what stays as it was).
     * A charge the bank wants authenticated is 402 authentication_required (ending with `waiting`).
     */
    async charge(sub: SubscriptionRow, order: OrderRow, customer: CustomerRow, description: string, declined: string, waiting: string) {
      const paid = await ctx.charge(order, customer, description);
      // The bank wants the customer: the operation stays in flight until they confirm the payment
      // in the dialog (or fail to, or leave it: then recoverOperations undoes it).
      if (paid.status === 'requires_action') throw ctx.authenticationRequired(paid.order, waiting);
      const settled = await operations.finishOperation(sub.organization_id, sub.id, order.id, paid.status);
      if (paid.status === 'failed') throw new ApiError(402, 'payment_failed', `${paid.message} ${declined}`, { decline_code: paid.code });
      return { row: settled!, order: paid.order };
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
        return settle(trx, sub, op, order);
      });
    },

    /** The jobs' part: charged changes a dead process left between charge and settlement. */
    async recoverOperations(olderThanMs = OPERATION_LEASE_MS): Promise<number> {
      const stale = await repo.staleOperations(new Date(clock.now().getTime() - olderThanMs), 50);
      let finished = 0;
      for (const sub of stale) {
        const op = sub.operation!;
        try {
          const order = await orders.find(sub.organization_id, op.order_id);
          if (!order) continue;
          const { customer, product } = await load(sub);
          const paid = await orders.pay(order, customer, `${product.name} · ${order.invoice_number}`);
          if (paid.status === 'requires_action') {
            // Waiting for the customer in the change dialog; left longer than that, the change is
            // undone (the PaymentIntent canceled first, or paid after all if they just confirmed).
            if (new Date(op.started_at).getTime() > clock.now().getTime() - AUTHENTICATION_WINDOW_MS) continue;
            const payment = await orders.awaitingPayment(order.id);
            if (payment?.provider_ref) await orders.settleAuthentication(payment.provider_ref, { giveUp: true });
            finished += 1;
            continue;
          }
          await operations.finishOperation(sub.organization_id, sub.id, order.id, paid.status);
          if (paid.status === 'succeeded') await entitlementsChanged(sub);
          finished += 1;
        } catch (error) {
          deps.logger.error({ err: error, subscription: sub.id }, 'could not finish a charged change; it will be tried again');
        }
      }
      return finished;
    },
  };
  return operations;
}
