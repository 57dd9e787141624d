import { Hono } from 'hono';
import { merchantRoutes, type AppEnv } from '../../http.js';
import { jsonBody } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { organizationUpdate } from './schemas.js';
import { merchantOrganizationView, publicOrganizationView } from './service.js';

/** GET /portal/v1/organizations/{slug}: what the widget needs before sign-in. Public. */
export function publicOrganizationRoutes(services: Services) {
  return new Hono<AppEnv>().get('/:slug', async (c) => {
    const org = await services.organizations.bySlug(c.req.param('slug'));
    c.set('corsOrigins', org.allowed_origins);
    return c.json(publicOrganizationView(org));
  });
}

/** /v1/organization: the merchant's own settings, branding and allowed origins. */
export function merchantOrganizationRoutes(services: Services) {
  return merchantRoutes()
    .get('/', (c) => c.json(merchantOrganizationView(c.get('organization'))))
    .patch('/', async (c) => {
      const body = await jsonBody(c, organizationUpdate);
      const org = await services.organizations.update(c.get('organization'), body);
      return c.json(merchantOrganizationView(org));
    });
}
