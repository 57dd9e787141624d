// Headers for the pages this server renders (the full-page portal, the hosted card page, the
// dev outbox): a Content-Security-Policy that allows this server's own scripts only, no
// framing except where a page says who may frame it, no referrer, no MIME sniffing.
// (nosniff and HSTS are also on every answer: see modules/security/edge.ts.)
import type { MiddlewareHandler } from 'hono';

export const csp = (directives: string[]) => directives.join('; ');

/** The headers every rendered page carries, with its CSP. */
export function pageHeaders(policy: string, options: { framable?: boolean } = {}): Record<string, string> {
  return {
    'Content-Security-Policy': policy,
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    // For browsers without frame-ancestors; a page some origins may frame relies on the CSP alone.
    ...(options.framable ? {} : { 'X-Frame-Options': 'DENY' }),
  };
}

/**
 * The full-page portal (/{slug}/portal): the widget's script and chunks from this server, its
 * API on this server, the hosted card form (this server's PUBLIC_URL) in a frame, logos from
 * anywhere over https. Nobody may frame it: a signed-in portal in someone else's frame is a
 * click-jacking target ("Cancel", "Remove card"); merchants embed the elements instead.
 */
export function portalPagePolicy(publicUrl: string): string {
  const server = new URL(publicUrl).origin;
  return csp([
    "default-src 'none'",
    `script-src 'self' ${server}`,
    `style-src 'self' 'unsafe-inline'`,
    "img-src 'self' data: https:",
    "font-src 'self' data:",
    `connect-src 'self' ${server}`,
    `frame-src 'self' ${server}`,
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ]);
}

/** The dev outbox: no scripts at all, inline styles only. */
export const OUTBOX_POLICY = csp([
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
]);

/** Sets the portal page's headers before its handler renders it. */
export function portalPageHeaders(publicUrl: string): MiddlewareHandler {
  const headers = pageHeaders(portalPagePolicy(publicUrl));
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') for (const [name, value] of Object.entries(headers)) c.header(name, value);
    await next();
  };
}

/** A favicon for the rendered pages (the portal's own mark: a card). */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="2" y="6" width="28" height="20" rx="4" fill="#4f46e5"/><rect x="2" y="11" width="28" height="4" fill="#312e81"/><rect x="6" y="19" width="9" height="3" rx="1.5" fill="#e0e7ff"/></svg>`;
export const FAVICON_LINK = '<link rel="icon" href="/favicon.svg" type="image/svg+xml">';
