import type { Context } from 'hono';
import { z } from 'zod';
import { cancelRequest, changeRequest, subscriptionActionRequest, subscriptionStatuses } from '../../../src/schemas/billing.js';
import { paginationQuery } from '../../../src/schemas/common.js';
import type { Config } from '../../config.js';
import { cachedView, merchantRoutes, portalRouter, type PortalEnv } from '../../http.js';
import { DEFAULT_LIMIT, toPage } from '../../lib/pagination.js';
import { jsonBody, queryParams } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { productView } from '../catalog/service.js';
import { merchantSubscriptionView } from './views.js';

/** Before a change: the organization and customer as they are now. */
async function portalContext(services: Services, c: Context<PortalEnv>) {
  const auth = c.get('auth');
  const org = await services.organizations.byId(auth.organization.id);
  const customer = await services.customers.get(org.id, { id: auth.customer.id });
  return { org, customer };
}

/** For a read: the organization and customer the session carries (no statement). */
const sessionRows = (c: Context<PortalEnv>) => {
  const { organization, customer } = c.get('auth').rows;
  return { org: organization, customer };
};

/** /portal/v1/subscriptions: the signed-in customer's subscriptions and what they can do with them. */
export function portalSubscriptionRoutes(services: Services, config: Config) {
  /** The view of one subscription, for the organization and customer the handler already loaded. */
  const view = async ({ org, customer }: Awaited<ReturnType<typeof portalContext>>, id: string) => {
    const sub = await services.subscriptions.ownSubscription(org, customer.id, id);
    return services.subscriptions.portalView(org, customer, sub);
  };
  return portalRouter(services, config.publicUrl)
    .get('/', (c) =>
      cachedView(c, services, async () => {
        const { org, customer } = sessionRows(c);
        const q = queryParams(c, paginationQuery);
        const limit = q.limit ?? DEFAULT_LIMIT;
        const { rows, view } = await services.subscriptions.portalPage(org, customer, { limit, startingAfter: q.starting_after });
        return toPage(rows, limit, view);
      }),
    )
    .get('/:id', (c) =>
      cachedView(c, services, async () => {
        const ctx = sessionRows(c);
        const { org } = ctx;
        const subscription = await view(ctx, c.req.param('id'));
        // The plans this subscription can move to: public, active, recurring, same currency.
        const products = subscription.actions.change_plan ? await services.catalog.list(org.id, { limit: 50, visibility: 'public' }) : [];
        const plans = products
          .map((p) => ({ ...p, prices: p.prices.filter((pr) => pr.active && pr.type === 'recurring' && pr.currency === subscription.currency) }))
          .filter((p) => p.prices.length > 0)
          .map((p) => productView(p.product, p.prices));
        return { ...subscription, plans };
      }),
    )
    .post('/:id/cancel', async (c) => {
      const ctx = await portalContext(services, c);
      const { org, customer } = ctx;
      const body = await jsonBody(c, cancelRequest);
      const result = await services.subscriptions.cancel(org, customer.id, c.req.param('id'), body);
      return c.json({ subscription: await view(ctx, result.subscription.id), refund: result.refund });
    })
    .post('/:id/uncancel', async (c) => {
      const ctx = await portalContext(services, c);
      const { org, customer } = ctx;
      const { expected_version } = await jsonBody(c, subscriptionActionRequest);
      const sub = await services.subscriptions.uncancel(org, customer.id, c.req.param('id'), expected_version);
      return c.json(await view(ctx, sub.id));
    })
    .post('/:id/accept-offer', async (c) => {
      const ctx = await portalContext(services, c);
      const { org, customer } = ctx;
      const { expected_version } = await jsonBody(c, subscriptionActionRequest);
      const sub = await services.subscriptions.acceptRetentionOffer(org, customer.id, c.req.param('id'), expected_version);
      return c.json(await view(ctx, sub.id));
    })
    .post('/:id/change-preview', async (c) => {
      const { org, customer } = await portalContext(services, c);
      const body = await jsonBody(c, changeRequest);
      return c.json(await services.subscriptions.changePreview(org, customer.id, c.req.param('id'), body));
    })
    .post('/:id/change', async (c) => {
      const ctx = await portalContext(services, c);
      const { org, customer } = ctx;
      const body = await jsonBody(c, changeRequest);
      const result = await services.subscriptions.change(org, customer.id, c.req.param('id'), body);
      return c.json({ subscription: await view(ctx, result.subscription.id), order_id: result.order?.id ?? null, change: result.preview });
    })
    .post('/:id/cancel-scheduled-change', async (c) => {
      const ctx = await portalContext(services, c);
      const { org, customer } = ctx;
      const { expected_version } = await jsonBody(c, subscriptionActionRequest);
      const sub = await services.subscriptions.cancelScheduledChange(org, customer.id, c.req.param('id'), expected_version);
      return c.json(await view(ctx, sub.id));
    })
    .post('/:id/pause', async (c) => {
      const ctx = await portalContext(services, c);
      const { org, customer } = ctx;
      const { expected_version } = await jsonBody(c, subscriptionActionRequest);
      const sub = await services.subscriptions.pause(org, customer.id, c.req.param('id'), expected_version);
      return c.json(await view(ctx, sub.id));
    })
    .post('/:id/resume', async (c) => {
      const ctx = await portalContext(services, c);
      const { org, customer } = ctx;
      const { expected_version } = await jsonBody(c, subscriptionActionRequest);
      const sub = await services.subscriptions.resume(org, customer.id, c.req.param('id'), expected_version);
      return c.json(await view(ctx, sub.id));
    });
}

const merchantCreate = z.object({
  customer_id: z.string().min(1),
  price_id: z.string().min(1),
  seats: z.number().int().min(1).max(10_000).optional(),
  trial_days: z.number().int().min(1).max(730).optional(),
});

const merchantList = z.object({
  ...paginationQuery.shape,
  customer_id: z.string().optional(),
  status: z.enum(subscriptionStatuses).optional(),
});

/** /v1/subscriptions: created by the merchant for a customer; cancellation reasons readable here. */
export function merchantSubscriptionRoutes(services: Services) {
  return merchantRoutes()
    .post('/', async (c) => {
      const body = await jsonBody(c, merchantCreate);
      const sub = await services.subscriptions.create(c.get('organization'), body);
      return c.json(merchantSubscriptionView(sub), 201);
    })
    .get('/', async (c) => {
      const q = queryParams(c, merchantList);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const rows = await services.subscriptions.list(c.get('organization').id, {
        limit,
        ...(q.customer_id ? { customerId: q.customer_id } : {}),
        ...(q.status ? { statuses: [q.status] } : {}),
        ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
      });
      return c.json(toPage(rows, limit, merchantSubscriptionView));
    })
    .get('/:id', async (c) => {
      const sub = await services.subscriptions.get(c.get('organization').id, c.req.param('id'));
      return c.json(merchantSubscriptionView(sub));
    })
    .post('/:id/cancel', async (c) => {
      const org = c.get('organization');
      const body = await jsonBody(c, cancelRequest);
      const sub = await services.subscriptions.get(org.id, c.req.param('id'));
      const result = await services.subscriptions.cancel(org, sub.customer_id, sub.id, body);
      return c.json({ subscription: merchantSubscriptionView(result.subscription), refund: result.refund });
    });
}
