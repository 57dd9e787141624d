import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { z } from 'zod';
import { benefitTypes } from '../../../src/schemas/benefits.js';
import { paginationQuery } from '../../../src/schemas/common.js';
import type { Config } from '../../config.js';
import { cachedView, clientIp, merchantRoutes, portalRouter, requireSecretKey, requireSection, type AppEnv, type MerchantEnv } from '../../http.js';
import { DEFAULT_LIMIT, toPage } from '../../lib/pagination.js';
import { jsonBody, queryParams } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { contentDisposition } from './files.js';
import { apiKeyValidate, benefitCreate, benefitUpdate, licenseKeyActivate, licenseKeyDeactivate, licenseKeyValidate, uploadQuery } from './schemas.js';
import { fileView, merchantGrantView } from './views.js';

const benefitList = z.object({ ...paginationQuery.shape, type: z.enum(benefitTypes).optional() });
const grantList = z.object({
  ...paginationQuery.shape,
  customer_id: z.string().max(64).optional(),
  benefit_id: z.string().max(64).optional(),
  include_revoked: z.enum(['true', 'false']).optional(),
});

/** GET /portal/v1/benefits and what the customer can do with a benefit. */
export function portalBenefitRoutes(services: Services, config: Config) {
  return portalRouter(services, config.publicUrl)
    .use(requireSection('benefits'))
    .get('/', (c) => {
      const auth = c.get('auth');
      return cachedView(c, services, async () => ({ data: await services.benefits.portalList(auth.organization.id, auth.customer.id) }));
    })
    .post('/:id/rotate', async (c) => {
      const auth = c.get('auth');
      return c.json(await services.benefits.rotate(auth.organization.id, auth.customer.id, c.req.param('id')));
    })
    .post('/:id/reveal', async (c) => {
      const auth = c.get('auth');
      return c.json(await services.benefits.reveal(auth.organization.id, auth.customer.id, c.req.param('id')));
    });
}

/**
 * /v1/license-keys: for the merchant's software, with no secret key (it ships to customers).
 * Rate-limited per IP. Mounted before the merchant routers, whose secret-key check covers /v1/*.
 */
export function licenseKeyRoutes(services: Services, config: Config) {
  return new Hono<AppEnv>()
    .post('/validate', async (c) => {
      const body = await jsonBody(c, licenseKeyValidate);
      const org = await services.organizations.bySlug(body.organization);
      return c.json(await services.benefits.validateLicense(org, { key: body.key, activation_id: body.activation_id, ip: clientIp(c, config.trustProxy) }));
    })
    .post('/activate', async (c) => {
      const body = await jsonBody(c, licenseKeyActivate);
      const org = await services.organizations.bySlug(body.organization);
      return c.json(await services.benefits.activateLicense(org, { key: body.key, label: body.label, ip: clientIp(c, config.trustProxy) }), 201);
    })
    .post('/deactivate', async (c) => {
      const body = await jsonBody(c, licenseKeyDeactivate);
      const org = await services.organizations.bySlug(body.organization);
      return c.json(await services.benefits.deactivateLicense(org, { key: body.key, activation_id: body.activation_id, ip: clientIp(c, config.trustProxy) }));
    });
}

/**
 * POST /v1/benefits/{id}/files?filename=…: the raw body is the file, streamed to disk.
 * Mounted before the other merchant routers so no middleware reads the body as text first;
 * an Idempotency-Key is not honoured here (a repeated upload makes a second file).
 */
export function benefitUploadRoutes(services: Services) {
  return new Hono<MerchantEnv>().post('/:id/files', requireSecretKey(services), async (c) => {
    const { filename } = queryParams(c, uploadQuery);
    const length = c.req.header('content-length');
    const file = await services.benefits.upload(c.get('organization').id, c.req.param('id'), {
      filename,
      contentType: c.req.header('content-type'),
      length: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
      body: c.req.raw.body,
    });
    return c.json(fileView(file), 201);
  });
}

/** /v1/benefits, benefits on products, grants, and API key checks for the merchant's backend. */
export function merchantBenefitRoutes(services: Services) {
  return merchantRoutes()
    .post('/benefits', async (c) => {
      const body = await jsonBody(c, benefitCreate);
      const row = await services.benefits.create(c.get('organization').id, body);
      return c.json((await services.benefits.merchantViews([row]))[0], 201);
    })
    .get('/benefits', async (c) => {
      const q = queryParams(c, benefitList);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const rows = await services.benefits.list(c.get('organization').id, {
        limit,
        ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
        ...(q.type ? { type: q.type } : {}),
      });
      const page = toPage(rows, limit, (r) => r);
      return c.json({ ...page, data: await services.benefits.merchantViews(page.data) });
    })
    .get('/benefits/:id', async (c) => {
      const row = await services.benefits.get(c.get('organization').id, c.req.param('id'));
      return c.json((await services.benefits.merchantViews([row]))[0]);
    })
    .patch('/benefits/:id', async (c) => {
      const body = await jsonBody(c, benefitUpdate);
      const row = await services.benefits.update(c.get('organization').id, c.req.param('id'), body);
      return c.json((await services.benefits.merchantViews([row]))[0]);
    })
    .delete('/benefits/:id', async (c) => {
      await services.benefits.remove(c.get('organization').id, c.req.param('id'));
      return c.json({ id: c.req.param('id'), deleted: true });
    })
    .delete('/benefits/:id/files/:file_id', async (c) => {
      await services.benefits.removeFile(c.get('organization').id, c.req.param('id'), c.req.param('file_id'));
      return c.json({ id: c.req.param('file_id'), deleted: true });
    })
    .get('/products/:id/benefits', async (c) => {
      const rows = await services.benefits.productBenefits(c.get('organization').id, c.req.param('id'));
      return c.json({ data: await services.benefits.merchantViews(rows) });
    })
    .post('/products/:id/benefits/:benefit_id', async (c) => {
      const rows = await services.benefits.attach(c.get('organization').id, c.req.param('id'), c.req.param('benefit_id'));
      return c.json({ data: await services.benefits.merchantViews(rows) });
    })
    .delete('/products/:id/benefits/:benefit_id', async (c) => {
      const rows = await services.benefits.detach(c.get('organization').id, c.req.param('id'), c.req.param('benefit_id'));
      return c.json({ data: await services.benefits.merchantViews(rows) });
    })
    .get('/benefit-grants', async (c) => {
      const q = queryParams(c, grantList);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const rows = await services.benefits.listGrants(c.get('organization').id, {
        limit,
        includeRevoked: q.include_revoked === 'true',
        ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
        ...(q.customer_id ? { customerId: q.customer_id } : {}),
        ...(q.benefit_id ? { benefitId: q.benefit_id } : {}),
      });
      return c.json(toPage(rows, limit, merchantGrantView));
    })
    .post('/customer-api-keys/validate', async (c) => {
      const body = await jsonBody(c, apiKeyValidate);
      return c.json(await services.benefits.validateApiKey(c.get('organization').id, body.key));
    });
}

/** GET /files/{id}?grant=…&expires=…&sig=…: a signed, expiring download link (public). */
export function fileDownloadRoutes(services: Services) {
  return new Hono<AppEnv>().get('/:id', async (c) => {
    const { file, stream } = await services.benefits.download(c.req.param('id'), {
      grant: c.req.query('grant'),
      expires: c.req.query('expires'),
      sig: c.req.query('sig'),
    });
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(file.size),
        'Content-Disposition': contentDisposition(file.name),
        'Cache-Control': 'private, no-store',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      },
    });
  });
}
