import { paginationQuery } from '../../../src/schemas/common.js';
import { merchantRoutes } from '../../http.js';
import { DEFAULT_LIMIT, toPage } from '../../lib/pagination.js';
import { jsonBody, queryParams } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { endpointCreate, endpointUpdate } from './schemas.js';
import { webhookDeliveryView, webhookEndpointView } from './service.js';

/** /v1/webhook-endpoints: where the merchant receives signed events, and the delivery log. */
export function merchantWebhookRoutes(services: Services) {
  const page = (q: { limit?: number | undefined; starting_after?: string | undefined }) => ({
    limit: q.limit ?? DEFAULT_LIMIT,
    ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
  });

  return merchantRoutes()
    .post('/', async (c) => {
      const body = await jsonBody(c, endpointCreate);
      const row = await services.webhooks.create(c.get('organization').id, body);
      return c.json(webhookEndpointView(row), 201);
    })
    .get('/', async (c) => {
      const opts = page(queryParams(c, paginationQuery));
      const rows = await services.webhooks.list(c.get('organization').id, opts);
      return c.json(toPage(rows, opts.limit, webhookEndpointView));
    })
    .get('/:id', async (c) => {
      const row = await services.webhooks.get(c.get('organization').id, c.req.param('id'));
      return c.json(webhookEndpointView(row));
    })
    .patch('/:id', async (c) => {
      const body = await jsonBody(c, endpointUpdate);
      const row = await services.webhooks.update(c.get('organization').id, c.req.param('id'), body);
      return c.json(webhookEndpointView(row));
    })
    .delete('/:id', async (c) => {
      await services.webhooks.remove(c.get('organization').id, c.req.param('id'));
      return c.body(null, 204);
    })
    .post('/:id/rotate-secret', async (c) => {
      const row = await services.webhooks.rotateSecret(c.get('organization').id, c.req.param('id'));
      return c.json(webhookEndpointView(row));
    })
    .get('/:id/deliveries', async (c) => {
      const opts = page(queryParams(c, paginationQuery));
      const rows = await services.webhooks.deliveries(c.get('organization').id, c.req.param('id'), opts);
      return c.json(toPage(rows, opts.limit, webhookDeliveryView));
    });
}
