import type { Config } from '../../config.js';
import { cachedView, portalRouter } from '../../http.js';
import type { Services } from '../../services.js';

/** GET /portal/v1/overview: everything the overview shows, in one request. */
export function portalOverviewRoutes(services: Services, config: Config) {
  return portalRouter(services, config.publicUrl).get('/', (c) => cachedView(c, services, () => services.overview.forCustomer(c.get('auth'))));
}
