// What every part of the subscription engine shares: its dependencies, the repository, reading
// a subscription with what it refers to (through a transaction's connection when inside one),
// locking it as the customer saw it, and emitting its webhooks.
import type { Kysely, Updateable } from 'kysely';
import type { CustomerRow, DB, MeterRow, OrderRow, Organization, PriceRow, SubscriptionRow, SubscriptionsTable } from '../../db/schema.js';
import type { Background } from '../../lib/background.js';
import type { Clock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { catalogRepository } from '../catalog/repository.js';
import { catalogService, type CatalogService } from '../catalog/service.js';
import { customerRepository } from '../customers/repository.js';
import type { CustomerService } from '../customers/service.js';
import type { Mailer } from '../email/mailer.js';
import type { Metrics } from '../ops/metrics.js';
import type { DraftItem, OrderService } from '../orders/service.js';
import { organizationRepository } from '../organizations/repository.js';
import type { WebhookEventType } from '../webhooks/events.js';
import type { WebhookService } from '../webhooks/service.js';
import { subscriptionRepository } from './repository.js';
import { subscriptionEventData } from './views.js';

export interface SubscriptionDeps {
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
  /** usageItems for several prices whose meters were read (the next invoices' estimates): one statement for all. */
  usageItemsMany?: (customerId: string, requests: Array<{ price: PriceRow; meter: MeterRow | undefined; start: Date; end: Date }>) => Promise<DraftItem[][]>;
  /** Benefits follow subscriptions: called after a change of status or product (benefits.syncCustomer). */
  onEntitlementsChanged?: (organizationId: string, customerId: string) => Promise<void>;
  /** Renewals charged and failed, for /metrics. */
  metrics?: Pick<Metrics, 'renewal'> | undefined;
  /** Seats assigned (pending or claimed): a seat change may not go below it. */
  countAssignedSeats?: (subscriptionId: string, x: Kysely<DB>) => Promise<number>;
}

export function subscriptionContext(deps: SubscriptionDeps) {
  const { db, clock, catalog } = deps;
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
   * customer saw it: a charged change still settling, a renewal or retry under way (the job's
   * lease), or a version other than the one the request was decided on (`expected_version`),
   * is 409 subscription_changed.
   */
  async function lockOwn(trx: Kysely<DB>, org: Organization, customerId: string | null, id: string, expectedVersion?: number) {
    const sub = await subscriptionRepository(trx).lock(org.id, id, customerId ?? undefined);
    if (!sub) throw new ApiError(404, 'subscription_not_found', 'This subscription was not found.');
    if (sub.operation) {
      throw new ApiError(
        409,
        'subscription_changed',
        'This subscription is being changed right now. Here it is now; try again in a moment.',
        { version: sub.version },
        { 'Retry-After': '2' },
      );
    }
    // Claimed by the renewal or retry job (its lease): the job decided on the subscription as it
    // was and will write the next period from that; a change now would be overwritten.
    if (sub.locked_until && sub.locked_until > clock.now()) {
      throw new ApiError(
        409,
        'subscription_changed',
        'This subscription is being renewed right now. Here it is now; try again in a moment.',
        { version: sub.version },
        { 'Retry-After': '2' },
      );
    }
    if (expectedVersion !== undefined && expectedVersion !== sub.version) {
      throw new ApiError(409, 'subscription_changed', 'This subscription just changed. Here it is now; review it before trying again.', {
        version: sub.version,
      });
    }
    return sub;
  }

  async function emit(executor: Kysely<DB>, sub: SubscriptionRow, type: WebhookEventType, extra: Record<string, unknown> = {}) {
    await deps.webhooks.emit(executor, sub.organization_id, type, { ...subscriptionEventData(sub), ...extra });
  }

  /** Updates the (locked) subscription in the caller's transaction and emits `type` for the result. */
  async function updateAndEmit(
    trx: Kysely<DB>,
    sub: SubscriptionRow,
    patch: Updateable<SubscriptionsTable>,
    type: WebhookEventType,
    extra: Record<string, unknown> = {},
  ) {
    const row = (await subscriptionRepository(trx).update(sub.id, patch))!;
    await emit(trx, row, type, extra);
    return row;
  }

  async function ownSubscription(org: Organization, customerId: string, id: string) {
    const sub = await repo.findForCustomer(org.id, customerId, id);
    if (!sub) throw new ApiError(404, 'subscription_not_found', 'This subscription was not found.');
    return sub;
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

  /**
   * Charges a charged change's order. The processor not answering is not the customer's fault
   * and loses nothing: the change stays in flight and the jobs finish or undo it
   * (recoverOperations), so the answer is 503 with Retry-After, never a 500.
   */
  async function charge(order: OrderRow, customer: CustomerRow, description: string) {
    try {
      return await deps.orders.pay(order, customer, description);
    } catch (error) {
      deps.logger.warn({ order: order.id, err: error }, 'payment processor did not answer; the change stays in flight for the jobs');
      throw new ApiError(
        503,
        'payment_processor_unavailable',
        'We could not reach the payment processor. Your change is recorded and is completed or undone within a few minutes.',
        undefined,
        { 'Retry-After': '60' },
      );
    }
  }

  /**
   * A charged change or resume whose payment the card's bank wants the customer to
   * authenticate: 402 authentication_required naming the order, which the portal's dialog
   * confirms in the hosted page (POST /portal/v1/payments/confirm-session {order_id}).
   */
  function authenticationRequired(order: OrderRow, then: string) {
    return new ApiError(402, 'authentication_required', `Your bank asks you to confirm this payment. ${then}`, {
      order_id: order.id,
      amount: order.total,
      currency: order.currency,
    });
  }

  return {
    deps,
    db,
    authenticationRequired,
    clock,
    catalog,
    orders: deps.orders,
    repo,
    entitlementsChanged,
    catalogOn,
    load,
    lockOwn,
    emit,
    updateAndEmit,
    ownSubscription,
    asOf,
    charge,
  };
}
export type SubscriptionContext = ReturnType<typeof subscriptionContext>;
