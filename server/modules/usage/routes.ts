import { z } from 'zod';
import type { Config } from '../../config.js';
import { cachedView, merchantRoutes, portalRouter, requireSection } from '../../http.js';
import { jsonBody, queryParams } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { eventsBody, meterCreate } from './schemas.js';
import { meterView } from './service.js';

const usageQuery = z.object({ customer_id: z.string().min(1), start: z.iso.datetime(), end: z.iso.datetime() });

/** /v1/meters and /v1/events for the merchant. */
export function merchantUsageRoutes(services: Services) {
  return merchantRoutes()
    .post('/meters', async (c) => {
      const body = await jsonBody(c, meterCreate);
      return c.json(meterView(await services.usage.createMeter(c.get('organization').id, body)), 201);
    })
    .get('/meters', async (c) => c.json({ data: (await services.usage.listMeters(c.get('organization').id)).map(meterView) }))
    .get('/meters/:id', async (c) => c.json(meterView(await services.usage.meter(c.get('organization').id, c.req.param('id')))))
    .get('/meters/:id/usage', async (c) => {
      const org = c.get('organization');
      const q = queryParams(c, usageQuery);
      const meter = await services.usage.meter(org.id, c.req.param('id'));
      const customer = await services.customers.get(org.id, { id: q.customer_id });
      const [value] = await services.usage.aggregate(meter, customer.id, [{ start: new Date(q.start), end: new Date(q.end) }]);
      return c.json({ meter_id: meter.id, customer_id: customer.id, start: q.start, end: q.end, value });
    })
    .post('/events', async (c) => {
      const body = await jsonBody(c, eventsBody);
      return c.json(await services.usage.ingest(c.get('organization').id, body.events), 202);
    });
}

/** GET /portal/v1/usage: each meter of the customer's subscriptions, with its history. */
export function portalUsageRoutes(services: Services, config: Config) {
  return portalRouter(services, config.publicUrl)
    .use(requireSection('usage'))
    .get('/', (c) => {
      const { organization, customer } = c.get('auth');
      return cachedView(c, services, () => services.usage.portalUsage(organization.id, customer.id));
    });
}
