// The edge: what every request meets before any handler (and so before any database call).
//   - a bounded body (413): JSON endpoints MAX_JSON_BODY_BYTES, the upload route its own;
//   - a body that is not JSON on a JSON endpoint (415), JSON that does not parse (400);
//   - text holding NUL or an unpaired surrogate in the body, the query string or a path
//     parameter (400 invalid_text, naming the field);
//   - path ids of the wrong shape (404, when the handler reads them: after authentication,
//     before the lookup; see id-shape.ts);
//   - nosniff on every answer, HSTS when PUBLIC_URL is https.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { matchedRoutes } from 'hono/route';
import type { Config } from '../../config.js';
import type { AppEnv } from '../../http.js';
import { ApiError, errorBody } from '../../lib/errors.js';
import { hasIdShape, idNotFound, idParamsOf, type IdKind } from '../../lib/id-shape.js';
import { readJsonBody } from '../../lib/request-body.js';
import { invalidText, isBadText } from '../../lib/text.js';
import { tooLarge as fileTooLarge } from '../benefits/files.js';
import { STRIPE_WEBHOOK_PATH } from '../payments/stripe-webhook.js';

/** Routes whose body is not JSON: read raw by their handler, bounded here. */
const RAW_BODY_ROUTES: Record<string, 'upload' | 'raw'> = {
  // The file is streamed to disk; its size is bounded again while streaming (benefits/files.ts).
  'POST /v1/benefits/:id/files': 'upload',
  // Stripe's signed events: the signature covers the exact bytes.
  [`POST ${STRIPE_WEBHOOK_PATH}`]: 'raw',
};

export interface EdgeOptions {
  /** The portal's CORS middleware: the widget must be able to read what the edge refuses. */
  portalCors?: MiddlewareHandler<AppEnv>;
}

const tooLarge = (limit: number) =>
  new ApiError(
    413,
    'payload_too_large',
    `The request body is larger than the limit of ${limit >= 1024 * 1024 ? `${Math.round(limit / (1024 * 1024))} MB` : `${Math.round(limit / 1024)} KB`}.`,
  );

/** The route that will answer (the first matched handler that is not middleware). */
function handlerRoute(c: Context): { index: number; method: string; path: string } | undefined {
  const routes = matchedRoutes(c);
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i]!;
    if (route.method !== 'ALL') return { index: i, method: route.method, path: route.path };
  }
  return undefined;
}

/** The path parameters as the handler at `index` will read them (decoded). */
function paramsAt(c: Context, index: number): Record<string, string> {
  const own = c.req.routeIndex;
  c.req.routeIndex = index;
  try {
    return c.req.param() as Record<string, string>;
  } finally {
    c.req.routeIndex = own;
  }
}

function assertCleanUrl(c: Context, route: { index: number }): void {
  // Only a percent-escape can put a NUL into a decoded path or query (and decoding never
  // makes an unpaired surrogate): most requests skip this.
  if (!c.req.url.includes('%')) return;
  const params = paramsAt(c, route.index);
  for (const name in params) if (isBadText(params[name]!)) throw invalidText(name, 'path');
  const query = c.req.queries();
  for (const name in query) {
    if (isBadText(name)) throw invalidText(name, 'query');
    for (const value of query[name]!) if (isBadText(value)) throw invalidText(name, 'query');
  }
}

const idPlans = new Map<string, Map<string, IdKind>>();
function idPlan(routePath: string): Map<string, IdKind> {
  let plan = idPlans.get(routePath);
  if (!plan) {
    plan = idParamsOf(routePath);
    idPlans.set(routePath, plan);
  }
  return plan;
}

/**
 * Ids are checked where the handler reads them, so authentication, the origin check and a
 * turned-off section still answer first (401/403), and a malformed id never reaches a query.
 */
function checkIdsOnRead(c: Context): void {
  const req = c.req;
  const read = req.param.bind(req) as (key?: string) => unknown;
  const check = (name: string, value: unknown) => {
    const kind = idPlan(matchedRoutes(c)[req.routeIndex]?.path ?? '').get(name);
    if (kind && typeof value === 'string' && !hasIdShape(kind, value)) throw idNotFound(kind, value);
  };
  Object.defineProperty(req, 'param', {
    configurable: true,
    value: (key?: string) => {
      const value = read(key);
      if (key !== undefined) check(key, value);
      else for (const [name, v] of Object.entries(value as Record<string, string>)) check(name, v);
      return value;
    },
  });
}

export function edge(config: Config, options: EdgeOptions = {}): MiddlewareHandler<AppEnv> {
  const hsts = config.publicUrl.startsWith('https:') ? 'max-age=31536000' : undefined;
  const limitJson = bodyLimit({
    maxSize: config.maxJsonBodyBytes,
    onError: () => {
      throw tooLarge(config.maxJsonBodyBytes);
    },
  });

  async function checks(c: Context, next: () => Promise<void>): Promise<void> {
    const route = handlerRoute(c);
    if (!route) return next();
    assertCleanUrl(c, route);
    if (idPlan(route.path).size > 0) checkIdsOnRead(c);
    // A GET or HEAD has no body. Asked first: reading `c.req.raw.body` makes @hono/node-server
    // build the full WHATWG Request (headers copied, an AbortController), ≈15 % of a cached
    // GET's CPU in a profile (docs/architecture.md, performance).
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || !c.req.raw.body) return next();
    const kind = RAW_BODY_ROUTES[`${route.method} ${route.path}`];
    if (kind === 'upload') {
      const length = Number(c.req.header('content-length') ?? 0);
      if (length > config.maxUploadBytes) throw fileTooLarge(config.maxUploadBytes);
      return next();
    }
    await limitJson(c, async () => {
      if (kind !== 'raw') await readJsonBody(c);
      await next();
    });
  }

  return async (c, next) => {
    c.header('X-Content-Type-Options', 'nosniff');
    if (hsts) c.header('Strict-Transport-Security', hsts);
    if (c.req.method === 'OPTIONS') return next();
    const cors = options.portalCors;
    if (!cors || !c.req.path.startsWith('/portal/v1/')) return checks(c, next);
    // Refused here, before the portal's CORS middleware ran: answer through it, so the
    // widget on an allowed origin can read why.
    let refused: ApiError | undefined;
    try {
      await checks(c, next);
      return;
    } catch (error) {
      if (!(error instanceof ApiError) || c.finalized) throw error;
      refused = error;
    }
    await cors(c, async () => {
      c.res = c.json(errorBody(refused.code, refused.message, refused.details), refused.status, refused.headers);
    });
    return c.res;
  };
}
