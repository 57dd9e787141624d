import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './http.js';
import { isSameOrigin } from './http.js';

const ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key, Accept-Language';

/**
 * CORS for the portal API. A preflight carries no credentials, so it is answered for any
 * origin some organization allows; the real request is then checked against its own
 * organization (see assertOrigin) and only allowed origins get to read the answer.
 */
export function portalCors(publicUrl: string, anyAllowsOrigin: (origin: string) => Promise<boolean>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (c.req.method === 'OPTIONS') {
      const allowed = origin && (isSameOrigin(c, origin, publicUrl) || (await anyAllowsOrigin(origin)));
      const headers: Record<string, string> = { Vary: 'Origin' };
      if (allowed) {
        headers['Access-Control-Allow-Origin'] = origin;
        headers['Access-Control-Allow-Methods'] = 'GET, POST, PATCH, PUT, DELETE';
        headers['Access-Control-Allow-Headers'] = ALLOW_HEADERS;
        headers['Access-Control-Max-Age'] = '600';
      }
      return c.body(null, 204, headers);
    }
    c.header('Vary', 'Origin');
    await next();
    if (!origin) return;
    const known = c.get('corsOrigins');
    const allowed = isSameOrigin(c, origin, publicUrl) || (known ? known.includes(origin) : await anyAllowsOrigin(origin));
    if (allowed) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Expose-Headers', 'Retry-After, CP-Billing-Status, CP-Portal-Scope');
    }
  };
}
