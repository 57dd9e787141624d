// The portal's overview: everything its first screen shows (the customer, live subscriptions,
// recent orders, benefits, the wallet), read for one request from the services that own them.
import type { PortalAuth } from '../auth/service.js';
import type { BenefitService } from '../benefits/service.js';
import { customerView } from '../customers/service.js';
import type { OrderService } from '../orders/service.js';
import { resolvePortalSettings } from '../organizations/settings.js';
import type { SeatService } from '../seats/service.js';
import type { SubscriptionService } from '../subscriptions/service.js';
import { balancesFromJson } from '../wallet/repository.js';
import type { WalletService } from '../wallet/service.js';

const SHOWN = new Set(['active', 'trialing', 'past_due', 'paused', 'incomplete', 'unpaid']);
const RECENT_ORDERS = 5;

export interface OverviewDeps {
  subscriptions: Pick<SubscriptionService, 'portalPage'>;
  orders: Pick<OrderService, 'recentWithLinesQuery' | 'viewsFromJson'>;
  benefits: Pick<BenefitService, 'portalGrantsQuery' | 'portalViews'>;
  wallet: Pick<WalletService, 'balancesQuery'>;
  seats: Pick<SeatService, 'heldQuery' | 'heldViews'>;
}

export function overviewService(deps: OverviewDeps) {
  return {
    /**
     * GET /portal/v1/overview for the signed-in customer: the organization and customer the
     * session carries; the subscriptions, and in one statement with their catalog, credits and
     * refund inputs the recent orders, the balances, the benefits and the seats held; the metered usage. Three
     * statements at most, however many rows.
     */
    async forCustomer(auth: Pick<PortalAuth, 'rows' | 'pastDue'>) {
      const { organization: org, customer } = auth.rows;
      // As GET /portal/v1/benefits shows them; none when that section is turned off.
      const benefitsShown = resolvePortalSettings(org.portal_settings).sections.benefits;
      const { rows, view, lists } = await deps.subscriptions.portalPage(
        org,
        customer,
        { limit: 50 },
        {
          // Built once per shape (with or without benefits), from the values alone.
          shape: benefitsShown ? 'overview+benefits' : 'overview',
          build: ({ organizationId, customerId, at }) => ({
            recent_orders: deps.orders.recentWithLinesQuery(organizationId, customerId, RECENT_ORDERS),
            balances: deps.wallet.balancesQuery(organizationId, customerId, at),
            ...(benefitsShown ? { benefits: deps.benefits.portalGrantsQuery(organizationId, customerId) } : {}),
            // The teams the customer joined (seats on others' subscriptions): whose, which plan.
            memberships: deps.seats.heldQuery(organizationId, customerId),
          }),
        },
      );
      const orders = deps.orders.viewsFromJson(lists.recent_orders);
      return {
        customer: customerView(customer),
        subscriptions: rows.filter((s) => SHOWN.has(s.status)).map(view),
        recent_orders: orders.slice(0, RECENT_ORDERS),
        has_more_orders: orders.length > RECENT_ORDERS,
        benefits: benefitsShown ? deps.benefits.portalViews((lists as { benefits?: unknown }).benefits) : [],
        wallet: { balances: balancesFromJson(lists.balances as Array<{ currency: string; balance: unknown }>) },
        past_due: auth.pastDue,
        memberships: deps.seats.heldViews(lists.memberships),
      };
    },
  };
}
