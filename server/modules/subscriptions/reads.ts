// The portal's subscription views, read in a fixed number of statements however many
// subscriptions, orders, credits or meters there are (issue 15: at most 4 per view):
//   1. the subscriptions: the page shown and every live one (the next invoices share the wallet);
//   2. one statement of lists (lib/json-rows.ts): the catalog they name, the wallet's open
//      credits, and for the cancellation refunds the paid orders covering time ahead with their
//      lines and the proration credit for that time, the balances carried forward (under the
//      processor's minimum) into the next invoices — plus any lists the caller adds (the
//      overview's orders, balances and benefits);
//   3. the usage so far of metered subscriptions, for their next invoices (none without).
// The organization and the customer come with the session (auth: PortalAuth.rows).
import type { Expression } from 'kysely';
import type { CustomerRow, Organization, SubscriptionRow } from '../../db/schema.js';
import { listsTemplate } from '../../lib/json-rows.js';
import { catalogRepository, customerCatalogRows } from '../catalog/repository.js';
import { catalogSnapshot } from '../catalog/service.js';
import { orderRepository, ordersWithLinesFromJson, type OrderWithLines } from '../orders/repository.js';
import type { CarriedBalance } from '../orders/service.js';
import { openCreditsFromJson, prorationCreditsFromJson, walletRepository } from '../wallet/repository.js';
import type { SubscriptionContext } from './context.js';
import { refundOf } from './refunds.js';
import type { RenewalService } from './service.js';
import { portalSubscriptionView, refundView, subscriptionViewSettings, type PortalSubscriptionReads } from './views.js';

function groupBy<T>(rows: T[], key: (row: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    if (k === null) continue;
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

/** The values every subscription view's lists are read with. */
export type ListArgs = { organizationId: string; customerId: string; at: Date };
/**
 * Lists a caller reads in the same statement (the overview's orders, balances, benefits): made
 * from the same values alone; `shape` names which lists there are (lib/statement-template.ts).
 */
export type ExtraLists<E extends Record<string, Expression<unknown>>> = { shape: string; build: (args: ListArgs) => E };

export function portalReadService(ctx: SubscriptionContext, renewals: RenewalService) {
  const { db, clock, repo } = ctx;

  /** The lists every subscription view needs beside the subscriptions, for one statement. */
  function queries({ organizationId, customerId, at }: ListArgs) {
    const wallet = walletRepository(db);
    return {
      ...catalogRepository(db).customerCatalogQueries(organizationId, customerId),
      open_credits: wallet.openCreditsQuery(organizationId, customerId, at),
      proration_credits: wallet.customerProrationCreditsQuery(organizationId, customerId, at),
      covering_orders: orderRepository(db).customerCoveringQuery(organizationId, customerId, at),
      carried_balances: orderRepository(db).customerCarriedQuery(organizationId, customerId),
    };
  }
  type Lists = Record<keyof ReturnType<typeof queries>, unknown>;
  // Built and compiled once per shape (lib/statement-template.ts): the subscriptions view's
  // lists, and those with a caller's extra lists (the overview's), keyed by the caller's shape.
  const ownLists = listsTemplate(db, queries);
  const withExtra = new Map<string, (shape: string, args: ListArgs) => Promise<Record<string, Array<Record<string, unknown>>>>>();
  function extraLists(extra: ExtraLists<Record<string, Expression<unknown>>>, args: ListArgs) {
    let run = withExtra.get(extra.shape);
    if (!run) {
      run = listsTemplate(db, (a: ListArgs) => ({ ...queries(a), ...extra.build(a) }));
      withExtra.set(extra.shape, run);
    }
    return run(extra.shape, args);
  }

  async function reads(org: Organization, customer: CustomerRow, live: SubscriptionRow[], lists: Lists, at: Date): Promise<PortalSubscriptionReads> {
    const catalog = catalogSnapshot(customerCatalogRows(lists));
    const carried = groupBy(lists.carried_balances as Array<CarriedBalance & { subscription_id: string | null }>, (c) => c.subscription_id);
    const upcoming = await renewals.upcomingInvoices(
      org,
      customer,
      live,
      catalog,
      openCreditsFromJson(lists.open_credits),
      new Map([...carried].map(([id, rows]) => [id, rows.map(({ subscription_id: _, ...c }) => c)])),
    );
    const covering = groupBy<OrderWithLines>(ordersWithLinesFromJson(lists.covering_orders), (o) => o.order.subscription_id);
    const credits = groupBy(prorationCreditsFromJson(lists.proration_credits), (c) => c.subscription_id);
    return {
      catalog,
      settings: subscriptionViewSettings(org),
      upcoming,
      immediateRefund(sub) {
        const refund = refundOf(org, sub, covering.get(sub.id) ?? [], credits.get(sub.id) ?? [], at);
        return refund ? { ...refundView(refund), as_of: at.toISOString() } : null;
      },
    };
  }

  return {
    /**
     * A page of the customer's subscriptions (newest first, one over `limit`) and `view` to show
     * any of them; `extra` lists are read in the same statement as the subscriptions' own
     * (returned in `lists`). Three statements, two without metered subscriptions.
     */
    async portalPage<E extends Record<string, Expression<unknown>>>(
      org: Organization,
      customer: CustomerRow,
      opts: { limit: number; startingAfter?: string | undefined },
      extra?: ExtraLists<E>,
    ) {
      const at = clock.now();
      const args: ListArgs = { organizationId: org.id, customerId: customer.id, at };
      const [{ page, live }, lists] = await Promise.all([
        repo.portalRows(org.id, customer.id, opts),
        (extra ? extraLists(extra, args) : ownLists('own', args)) as Promise<Lists & Record<keyof E, unknown>>,
      ]);
      const r = await reads(org, customer, live, lists, at);
      return { rows: page, view: (sub: SubscriptionRow) => portalSubscriptionView(sub, r), lists };
    },

    /** One subscription as the portal shows it (the caller read it): three statements, two without metered subscriptions. */
    async portalView(org: Organization, customer: CustomerRow, sub: SubscriptionRow) {
      const at = clock.now();
      const [live, lists] = await Promise.all([
        repo.liveForCustomer(org.id, customer.id),
        ownLists('own', { organizationId: org.id, customerId: customer.id, at }),
      ]);
      return portalSubscriptionView(sub, await reads(org, customer, live, lists, at));
    },
  };
}
