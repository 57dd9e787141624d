import type { Config } from '../../config.js';
import { portalRouter } from '../../http.js';
import type { Services } from '../../services.js';
import { customerView } from '../customers/service.js';
import { orderView } from '../orders/views.js';
import { catalogCache, portalSubscriptionView } from '../subscriptions/views.js';
import { walletRepository } from '../wallet/repository.js';
import { resolvePortalSettings } from '../organizations/settings.js';

const SHOWN = new Set(['active', 'trialing', 'past_due', 'paused', 'incomplete', 'unpaid']);

/** GET /portal/v1/overview: everything the overview shows, in one request. */
export function portalOverviewRoutes(services: Services, config: Config, deps: { wallet: ReturnType<typeof walletRepository>; now: () => Date }) {
  return portalRouter(services, config.publicUrl).get('/', async (c) => {
    const auth = c.get('auth');
    const org = await services.organizations.byId(auth.organization.id);
    const customer = await services.customers.get(org.id, { id: auth.customer.id });
    const [subs, orders, balances] = await Promise.all([
      services.subscriptions.repo.list(org.id, { customerId: customer.id, limit: 50 }),
      services.orders.repo.list(org.id, { customerId: customer.id, limit: 5 }),
      deps.wallet.balances(org.id, customer.id, deps.now()),
    ]);
    const cache = catalogCache(org, services.catalog);
    const upcoming = services.subscriptions.upcoming(org, customer);
    const live = subs.filter((s) => SHOWN.has(s.status));
    return c.json({
      customer: customerView(customer),
      subscriptions: await Promise.all(live.map((s) => portalSubscriptionView(services.subscriptions, org, customer, s, cache, upcoming))),
      recent_orders: await (async () => {
        const recent = orders.slice(0, 5);
        const lines = await services.orders.repo.lines(recent.map((o) => o.id));
        return recent.map((o) => orderView(o, lines.filter((l) => l.order_id === o.id)));
      })(),
      has_more_orders: orders.length > 5,
      // As GET /portal/v1/benefits shows them; none when that section is turned off.
      benefits: resolvePortalSettings(org.portal_settings).sections.benefits ? await services.benefits.portalList(org.id, customer.id) : [],
      wallet: { balances },
      past_due: auth.pastDue,
    });
  });
}
