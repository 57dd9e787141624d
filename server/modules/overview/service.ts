// The portal's overview: everything its first screen shows (the customer, live subscriptions,
// recent orders, benefits, the wallet), read for one request from the services that own them.
import type { SubscriptionRow } from '../../db/schema.js';
import type { PortalAuth } from '../auth/service.js';
import type { BenefitService } from '../benefits/service.js';
import type { CatalogService } from '../catalog/service.js';
import { customerView, type CustomerService } from '../customers/service.js';
import type { OrderService } from '../orders/service.js';
import type { OrganizationService } from '../organizations/service.js';
import { resolvePortalSettings } from '../organizations/settings.js';
import type { SubscriptionService } from '../subscriptions/service.js';
import { catalogCache, portalSubscriptionView } from '../subscriptions/views.js';
import type { WalletService } from '../wallet/service.js';

const SHOWN = new Set(['active', 'trialing', 'past_due', 'paused', 'incomplete', 'unpaid']);
const RECENT_ORDERS = 5;

export interface OverviewDeps {
  organizations: Pick<OrganizationService, 'byId'>;
  customers: Pick<CustomerService, 'get'>;
  catalog: CatalogService;
  subscriptions: SubscriptionService;
  orders: Pick<OrderService, 'list' | 'viewsWithLines'>;
  benefits: Pick<BenefitService, 'portalList'>;
  wallet: Pick<WalletService, 'balances'>;
  /** A customer's subscriptions, newest first. */
  listSubscriptions: (organizationId: string, customerId: string, limit: number) => Promise<SubscriptionRow[]>;
}

export function overviewService(deps: OverviewDeps) {
  return {
    /** GET /portal/v1/overview for the signed-in customer. */
    async forCustomer(auth: Pick<PortalAuth, 'organization' | 'customer' | 'pastDue'>) {
      const org = await deps.organizations.byId(auth.organization.id);
      const customer = await deps.customers.get(org.id, { id: auth.customer.id });
      const [subs, orders, balances] = await Promise.all([
        deps.listSubscriptions(org.id, customer.id, 50),
        deps.orders.list(org.id, { customerId: customer.id, limit: RECENT_ORDERS }),
        deps.wallet.balances(org.id, customer.id),
      ]);
      const cache = catalogCache(org, deps.catalog);
      const upcoming = deps.subscriptions.upcoming(org, customer);
      const live = subs.filter((s) => SHOWN.has(s.status));
      return {
        customer: customerView(customer),
        subscriptions: await Promise.all(live.map((s) => portalSubscriptionView(deps.subscriptions, org, customer, s, cache, upcoming))),
        recent_orders: await deps.orders.viewsWithLines(orders.slice(0, RECENT_ORDERS)),
        has_more_orders: orders.length > RECENT_ORDERS,
        // As GET /portal/v1/benefits shows them; none when that section is turned off.
        benefits: resolvePortalSettings(org.portal_settings).sections.benefits ? await deps.benefits.portalList(org.id, customer.id) : [],
        wallet: { balances },
        past_due: auth.pastDue,
      };
    },
  };
}
