import { Hono } from 'hono';
import { isSameOrigin, merchantRoutes, type AppEnv } from '../../http.js';
import { jsonBody } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { organizationUpdate } from './schemas.js';
import { merchantOrganizationView, publicOrganizationView } from './service.js';

/** GET /portal/v1/organizations/{slug}: what the widget needs before sign-in. Public. */
export function publicOrganizationRoutes(services: Services, publicUrl: string) {
  return (
    new Hono<AppEnv>()
      .get('/:slug', async (c) => {
        const org = await services.organizations.bySlug(c.req.param('slug'));
        c.set('corsOrigins', org.allowed_origins);
        return c.json(publicOrganizationView(org));
      })
      /**
       * Whether the calling page's origin may use this organization's portal. Readable from any
       * origin (a simple GET, no preflight), so a widget on a page the organization does not
       * allow learns why its requests fail (the browser hides CORS refusals as network errors)
       * and can say what to add. Tells nothing a request with an Origin header would not.
       */
      .get('/:slug/origin', async (c) => {
        c.header('Access-Control-Allow-Origin', '*');
        c.header('Cache-Control', 'no-store');
        const origin = c.req.header('origin') ?? null;
        const org = await services.organizations.bySlug(c.req.param('slug')).catch(() => undefined);
        const allowed = Boolean(org && (!origin || isSameOrigin(c, origin, publicUrl) || org.allowed_origins.includes(origin)));
        return c.json({ origin, organization_found: Boolean(org), allowed });
      })
  );
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
