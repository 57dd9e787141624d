// Hono environment types and the middleware every module shares: client IP, origin
// checks, session and secret-key authentication, Idempotency-Key handling.
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import type { Organization } from './db/schema.js';
import { chooseEncoding, encodeJson, JSON_THRESHOLD } from './lib/compression.js';
import { ApiError } from './lib/errors.js';
import type { PortalAuth } from './modules/auth/service.js';
import { idempotency } from './modules/idempotency/middleware.js';
import type { Services } from './services.js';
import type { SectionId } from '../src/schemas/organization.js';
import { sectionSetting } from './modules/organizations/settings.js';

export interface AppVariables {
  /** Origins the resolved organization allows; read by the CORS middleware. */
  corsOrigins?: string[];
}
export type AppEnv = { Variables: AppVariables };
export type PortalEnv = {
  Variables: AppVariables & {
    auth: PortalAuth;
    /** The session was read by this request (not a cached one): its read versions are current. */
    sessionFresh: boolean;
  };
};
export type MerchantEnv = { Variables: AppVariables & { organization: Organization } };

export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

/** PUBLIC_URL's origin, parsed once: asked twice per browser request (the origin check and CORS). */
const publicOrigins = new Map<string, string>();
function originOf(publicUrl: string): string {
  let origin = publicOrigins.get(publicUrl);
  if (origin === undefined) {
    origin = new URL(publicUrl).origin;
    publicOrigins.set(publicUrl, origin);
  }
  return origin;
}

/**
 * The origin of the address a request came to: its scheme and Host, the same for each of its
 * paths, so remembered by that prefix (a few hosts; at most 100, plain host names only) rather
 * than parsed twice per browser request (the origin check and CORS, ≈2.5 µs each).
 */
const requestOrigins = new Map<string, string>();
const PLAIN_PREFIX = /^https?:\/\/[\w.:[\]-]{1,200}$/;
function requestOrigin(url: string): string {
  const end = url.indexOf('/', url.indexOf('//') + 2);
  const prefix = end === -1 ? url : url.slice(0, end);
  let origin = requestOrigins.get(prefix);
  if (origin !== undefined) return origin;
  if (!PLAIN_PREFIX.test(prefix)) return new URL(url).origin;
  origin = new URL(prefix).origin;
  if (requestOrigins.size >= 100) requestOrigins.delete(requestOrigins.keys().next().value!);
  requestOrigins.set(prefix, origin);
  return origin;
}

export function isSameOrigin(c: Context, origin: string, publicUrl: string): boolean {
  return origin === originOf(publicUrl) || origin === requestOrigin(c.req.url);
}

/**
 * Once the organization is known, a browser request must come from one of its allowed
 * origins (or this server). Refused before anything happens, not only hidden by CORS.
 */
export function assertOrigin(c: Context, allowedOrigins: string[], publicUrl: string): void {
  c.set('corsOrigins', allowedOrigins);
  const origin = c.req.header('origin');
  if (!origin || isSameOrigin(c, origin, publicUrl) || allowedOrigins.includes(origin)) return;
  throw new ApiError(403, 'origin_not_allowed', `Requests from ${origin} are not allowed for this organization. Add it to the organization's allowed origins.`);
}

function bearer(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

export const BILLING_STATUS_HEADER = 'CP-Billing-Status';
/** `seat` for a seat holder without billing of their own (the portal shows them a team member's sections), else `full`. */
export const PORTAL_SCOPE_HEADER = 'CP-Portal-Scope';

export function requireSession(services: Services, publicUrl: string): MiddlewareHandler<PortalEnv> {
  return async (c, next) => {
    if (c.get('auth')) return next();
    const token = bearer(c);
    const started = performance.now();
    const auth = token ? await services.auth.authenticate(token) : undefined;
    if (!auth) {
      throw new ApiError(
        401,
        token ? 'session_expired' : 'unauthenticated',
        token ? 'Your session has expired or was signed out. Sign in again.' : 'Sign in to continue.',
      );
    }
    assertOrigin(c, auth.organization.allowed_origins, publicUrl);
    c.set('auth', auth);
    c.set('sessionFresh', auth.readStartedAt >= started);
    // Every portal answer says whether a payment failed, so any view can show the past-due
    // banner without a request of its own. Set before the handler runs: headers added to a
    // finished response cost the server adapter its fast path.
    c.header(BILLING_STATUS_HEADER, auth.requiresAction ? 'requires_action' : auth.pastDue ? 'past_due' : 'ok');
    c.header(PORTAL_SCOPE_HEADER, auth.seatOnly ? 'seat' : 'full');
    // The customer's language, once known: the widget shows itself in it unless the page
    // chose one (a CORS-safelisted header, readable cross-origin without exposing it).
    if (auth.customer.locale) c.header('Content-Language', auth.customer.locale);
    await next();
  };
}

export function requireSecretKey(services: Services): MiddlewareHandler<MerchantEnv> {
  return async (c, next) => {
    const key = bearer(c);
    const organization = key ? await services.organizations.authenticateSecretKey(key) : undefined;
    if (!organization) {
      throw new ApiError(401, 'invalid_api_key', 'Send a valid secret key as "Authorization: Bearer sk_…".');
    }
    c.set('organization', organization);
    await next();
  };
}

/**
 * Refuses a portal section the organization turned off (portal_settings.sections), in the
 * API and not only in the widget.
 */
export function requireSection(section: SectionId): MiddlewareHandler<PortalEnv> {
  return async (c, next) => {
    if (!sectionSetting(c.get('auth').organization.portal_settings, section)) {
      throw new ApiError(403, 'section_disabled', `The ${section} section is turned off for this portal.`);
    }
    await next();
  };
}

/** A Buffer as the Uint8Array a Response takes (same memory; Node's Buffers are never shared). */
const bytes = (b: Buffer) => new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.length);

/**
 * A portal view's GET answer: the one kept for this customer, address and session state while
 * the read versions prove nothing it shows changed (modules/portal-cache), else computed now.
 */
export async function cachedView(c: Context<PortalEnv>, services: Services, compute: () => Promise<unknown>): Promise<Response> {
  const auth = c.get('auth');
  const url = c.req.url;
  const key = `${auth.seatOnly ? 's' : 'f'}${auth.pastDue ? 'p' : '-'}${auth.requiresAction ? 'a' : '-'} ${url.slice(url.indexOf('/', url.indexOf('//') + 2))}`;
  const answer = await services.portalAnswers.answer(
    { organizationId: auth.organization.id, customerId: auth.customer.id, readVersions: auth.readVersions, fresh: c.get('sessionFresh') },
    key,
    compute,
  );
  // Another process changed the customer: this process reads the session (and its rows) afresh next time.
  if (answer.sessionStale) services.auth.forgetCustomer(auth.customer.id);
  c.header('Content-Type', 'application/json');
  // Compressed as compressAnswer would, once per kept answer and encoding (it then passes this by).
  const encoding = answer.body.length >= JSON_THRESHOLD && c.req.method !== 'HEAD' ? chooseEncoding(c.req.header('accept-encoding')) : undefined;
  if (encoding) {
    const packed = await answer.encoded(encoding, (raw) => encodeJson(raw, encoding));
    c.header('Content-Encoding', encoding);
    c.header('Content-Length', String(packed.length));
    // Beside what the CORS layer varies on (Origin).
    c.header('Vary', 'Accept-Encoding', { append: true });
    return c.body(bytes(packed), 200);
  }
  return c.body(bytes(answer.body), 200);
}

/** Idempotency-Key handling with keys scoped to the signed-in customer. */
const portalKeys = (services: Services) =>
  idempotency(services.idempotency, (c) => {
    const auth = c.get('auth' as never) as PortalAuth;
    return { organizationId: auth.organization.id, scope: `customer:${auth.customer.id}` };
  });
/** Idempotency-Key handling with keys scoped to the merchant. */
const merchantKeys = (services: Services) =>
  idempotency(services.idempotency, (c) => ({ organizationId: (c.get('organization' as never) as Organization).id, scope: 'merchant' }));

/** A router for customer endpoints: a live session, then Idempotency-Key handling. */
export const portalRouter = (services: Services, publicUrl: string) => new Hono<PortalEnv>().use(requireSession(services, publicUrl)).use(portalKeys(services));
/**
 * The one merchant API router, mounted at /v1: a secret key, then Idempotency-Key handling, once
 * per request. Modules give it their routes (`merchantRoutes()`); public /v1 endpoints (license
 * keys) and streamed uploads are their own routers, mounted before it.
 */
export function merchantApi(services: Services, routes: Array<[path: string, router: Hono<MerchantEnv>]>): Hono<MerchantEnv> {
  const api = new Hono<MerchantEnv>().use(requireSecretKey(services)).use(merchantKeys(services));
  for (const [path, router] of routes) api.route(path, router);
  return api;
}
/** A module's merchant routes, given to `merchantApi` (which authenticates them). */
export const merchantRoutes = () => new Hono<MerchantEnv>();
