// The subscription engine, composed from its parts (each file has one reason to change):
//   context.ts     dependencies, reading and locking a subscription, webhooks
//   lifecycle.ts   create, cancel (with the refund), uncancel, offer, scheduled changes, pause, resume
//   changes.ts     plan and seat changes: plan (the preview) and change
//   operations.ts  charged changes between their order and their settlement; crash recovery
//   renewals.ts    renewals, retries and dunning, upcoming invoices with the wallet shared
//   notices.ts     the customer emails;  pricing.ts  period amounts and lines;  refunds.ts  the refund formula
//   reads.ts       the portal's subscription views in a fixed number of statements
//   views.ts       what the portal, the merchant and webhooks see
import type { OrderRow } from '../../db/schema.js';
import { ApiError } from '../../lib/errors.js';
import { changeService } from './changes.js';
import { subscriptionContext, type SubscriptionDeps } from './context.js';
import { lifecycleService } from './lifecycle.js';
import { subscriptionNotices } from './notices.js';
import { operationService } from './operations.js';
import { LIVE, periodItems } from './pricing.js';
import { portalReadService } from './reads.js';
import { renewalService } from './renewals.js';

export { OPERATION_LEASE_MS } from './operations.js';
export type { ChangePlan, ChangeRequest } from './changes.js';

export function subscriptionService(deps: SubscriptionDeps) {
  const ctx = subscriptionContext(deps);
  const notices = subscriptionNotices(deps);
  const renewals = renewalService(ctx, notices);
  const operations = operationService(ctx);
  const changes = changeService(ctx, notices, operations);
  const lifecycle = lifecycleService(ctx, notices, renewals, operations);
  return {
    periodItems,
    ...renewals,
    finishOperation: operations.finishOperation,
    /**
     * After a payment that waited for the customer's authentication was settled
     * (orders.settleAuthentication calls it): a charged change or resume in flight on that
     * order finishes (applied when paid, undone when not); a renewal or retry paid restores
     * the subscription. Idempotent.
     */
    async afterAuthentication(order: OrderRow, outcome: 'succeeded' | 'failed') {
      if (!order.subscription_id) return;
      const sub = await ctx.repo.find(order.organization_id, order.subscription_id);
      if (!sub) return;
      if (sub.operation?.order_id === order.id) {
        await operations.finishOperation(sub.organization_id, sub.id, order.id, outcome);
        if (outcome === 'succeeded') await ctx.entitlementsChanged(sub);
        return;
      }
      if (outcome === 'succeeded') await renewals.onOrderPaid(order);
    },
    recoverOperations: operations.recoverOperations,
    ...changes,
    ...lifecycle,
    ...portalReadService(ctx, renewals),
    ownSubscription: ctx.ownSubscription,
    /** A page of the organization's (or one customer's) subscriptions, newest first. */
    list: (organizationId: string, opts: Parameters<typeof ctx.repo.list>[1]) => ctx.repo.list(organizationId, opts),
    /** One of the organization's subscriptions, or undefined. */
    find: (organizationId: string, id: string) => ctx.repo.find(organizationId, id),
    /** One of the organization's subscriptions; 404 subscription_not_found. */
    async get(organizationId: string, id: string) {
      const sub = await ctx.repo.find(organizationId, id);
      if (!sub) throw new ApiError(404, 'subscription_not_found', 'No such subscription.');
      return sub;
    },
    load: ctx.load,
    LIVE,
  };
}
export type SubscriptionService = ReturnType<typeof subscriptionService>;
export type RenewalService = ReturnType<typeof renewalService>;
export type OperationService = ReturnType<typeof operationService>;
