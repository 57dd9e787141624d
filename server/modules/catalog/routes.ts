import { z } from 'zod';
import { paginationQuery } from '../../../src/schemas/common.js';
import { merchantRoutes } from '../../http.js';
import { DEFAULT_LIMIT, toPage } from '../../lib/pagination.js';
import { jsonBody, queryParams } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { priceCreate, productCreate, productUpdate } from './schemas.js';
import { priceView, productView } from './service.js';

const listQuery = z.object({
  ...paginationQuery.shape,
  visibility: z.enum(['public', 'private']).optional(),
  include_archived: z.enum(['true', 'false']).optional(),
});

/** /v1/products and /v1/prices: the merchant's catalog. */
export function merchantCatalogRoutes(services: Services) {
  return merchantRoutes()
    .post('/products', async (c) => {
      const body = await jsonBody(c, productCreate);
      const { product, prices } = await services.catalog.createProduct(c.get('organization').id, body);
      return c.json(productView(product, prices), 201);
    })
    .get('/products', async (c) => {
      const q = queryParams(c, listQuery);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const rows = await services.catalog.list(c.get('organization').id, {
        limit,
        ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
        ...(q.visibility ? { visibility: q.visibility } : {}),
        includeArchived: q.include_archived === 'true',
      });
      return c.json(toPage(rows, limit, (r) => productView(r.product, r.prices)));
    })
    .get('/products/:id', async (c) => {
      const { product, prices } = await services.catalog.product(c.get('organization').id, c.req.param('id'));
      return c.json(productView(product, prices));
    })
    .patch('/products/:id', async (c) => {
      const body = await jsonBody(c, productUpdate);
      const { product, prices } = await services.catalog.update(c.get('organization').id, c.req.param('id'), body);
      return c.json(productView(product, prices));
    })
    .post('/products/:id/prices', async (c) => {
      const org = c.get('organization');
      const body = await jsonBody(c, priceCreate);
      const { product } = await services.catalog.product(org.id, c.req.param('id'));
      return c.json(priceView(await services.catalog.addPriceRow(org.id, product.id, body)), 201);
    })
    .patch('/prices/:id', async (c) => {
      const body = await jsonBody(c, z.object({ active: z.boolean() }));
      return c.json(priceView(await services.catalog.setPriceActive(c.get('organization').id, c.req.param('id'), body.active)));
    });
}
