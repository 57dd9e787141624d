import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { seatAssign, seatClaim } from '../../../src/schemas/benefits.js';
import { paginationQuery } from '../../../src/schemas/common.js';
import type { Config } from '../../config.js';
import { assertOrigin, cachedView, clientIp, merchantRoutes, portalRouter, requireSection, type AppEnv, type PortalEnv } from '../../http.js';
import { DEFAULT_LIMIT, toPage } from '../../lib/pagination.js';
import { jsonBody, queryParams } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { merchantSeatView } from './service.js';

const portalList = z.object({ subscription_id: z.string().min(1).max(64).optional() });
const merchantList = z.object({
  ...paginationQuery.shape,
  subscription_id: z.string().max(64).optional(),
  customer_id: z.string().max(64).optional(),
  status: z.enum(['pending', 'claimed', 'revoked']).optional(),
});

const organization = (services: Services, c: Context<PortalEnv>) => services.organizations.byId(c.get('auth').organization.id);

/**
 * /portal/v1/seats: the owner of a per-seat subscription assigns, resends and revokes seats;
 * POST /claim (public) lets an invitee take a seat and signs them in.
 */
export function portalSeatRoutes(services: Services, config: Config) {
  const owner = portalRouter(services, config.publicUrl)
    .use(requireSection('seats'))
    .get('/', async (c) => {
      const q = queryParams(c, portalList);
      // A read: the organization the session carries.
      return cachedView(c, services, async () => ({
        data: await services.seats.portalList(c.get('auth').rows.organization, c.get('auth').customer.id, q.subscription_id),
      }));
    })
    .post('/', async (c) => {
      const body = await jsonBody(c, seatAssign);
      return c.json(await services.seats.assign(await organization(services, c), c.get('auth').customer.id, body), 201);
    })
    .post('/:id/resend', async (c) => c.json(await services.seats.resend(await organization(services, c), c.get('auth').customer.id, c.req.param('id'))))
    .delete('/:id', async (c) => c.json(await services.seats.revoke(await organization(services, c), c.get('auth').customer.id, c.req.param('id'))));

  // The public claim is registered first: it answers before the session check of the router below.
  return new Hono<AppEnv>()
    .post('/claim', async (c) => {
      const body = await jsonBody(c, seatClaim);
      const result = await services.seats.claim({
        token: body.token,
        ip: clientIp(c, config.trustProxy),
        checkOrigin: (allowed) => assertOrigin(c, allowed, config.publicUrl),
      });
      return c.json(result);
    })
    .route('/', owner);
}

/** GET /v1/seats: the merchant reads seats (assignment happens in the portal). */
export function merchantSeatRoutes(services: Services) {
  return merchantRoutes().get('/', async (c) => {
    const q = queryParams(c, merchantList);
    const limit = q.limit ?? DEFAULT_LIMIT;
    const rows = await services.seats.list(c.get('organization').id, {
      limit,
      ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
      ...(q.subscription_id ? { subscriptionId: q.subscription_id } : {}),
      ...(q.customer_id ? { customerId: q.customer_id } : {}),
      ...(q.status ? { status: q.status } : {}),
    });
    return c.json(toPage(rows, limit, merchantSeatView));
  });
}
