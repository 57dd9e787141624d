// The merchant's side of the integration, for the merchant's own Node backend:
//   const portal = createPortalClient({ serverUrl: 'https://billing.example.com', secretKey: process.env.CP_SECRET_KEY })
//   const { portal_url } = await portal.createPortalSession({ externalCustomerId: user.id })
// plus ready route handlers for Express and Next.js that send a signed-in user of the
// merchant's app straight into the portal (one click, no second sign-in).
// Uses only fetch: no dependency on our server code, safe to import in any backend.

export interface PortalClientOptions {
  /** Where the customer-portal server runs, e.g. https://billing.example.com */
  serverUrl: string;
  /** A secret key from `customer-portal-server create-org` (sk_…). Never send it to a browser. */
  secretKey: string;
  fetch?: typeof fetch;
}

export type CustomerRef = { customerId: string; externalCustomerId?: never } | { externalCustomerId: string; customerId?: never };

export interface PortalSession {
  /** Single-use, valid for an hour. */
  token: string;
  expires_at: string;
  /** The hosted portal with the token: redirect the customer here. */
  portal_url: string;
  customer_id: string;
}

export class PortalApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function createPortalClient(options: PortalClientOptions) {
  const base = options.serverUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  return {
    /**
     * A pre-authenticated link for one customer. With `pageUrl`, the link opens the
     * merchant's own page that embeds the portal (the widget trades `cp_token` for a
     * session) instead of the hosted portal.
     */
    async createPortalSession(ref: CustomerRef & { returnUrl?: string; pageUrl?: string }): Promise<PortalSession> {
      const res = await doFetch(`${base}/v1/customer-sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          ...(ref.customerId ? { customer_id: ref.customerId } : { external_customer_id: ref.externalCustomerId }),
          ...(ref.returnUrl ? { return_url: ref.returnUrl } : {}),
        }),
      });
      const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } } & PortalSession;
      if (!res.ok) throw new PortalApiError(res.status, body.error?.code ?? 'error', body.error?.message ?? `customer-portal answered ${res.status}`);
      if (ref.pageUrl) {
        const page = new URL(ref.pageUrl);
        page.searchParams.set('cp_token', body.token);
        return { ...body, portal_url: page.toString() };
      }
      return body;
    },
  };
}
export type PortalClient = ReturnType<typeof createPortalClient>;

export interface PortalRedirectOptions<Req> {
  client: PortalClient;
  /** Who is signed in to the merchant's app; null when nobody is (the handler answers 401). */
  customer: (req: Req) => CustomerRef | null | Promise<CustomerRef | null>;
  /** Optional: open the merchant's own page embedding the portal instead of the hosted one. */
  pageUrl?: string;
  /** Optional: where the portal's "Back" link leads. */
  returnUrl?: string;
}

/** Express (4 or 5): `app.get('/billing', portalRedirect({ client, customer: (req) => ({ externalCustomerId: req.user.id }) }))`. */
export function portalRedirect<Req = { headers: Record<string, unknown> }>(options: PortalRedirectOptions<Req>) {
  return async (
    req: Req,
    res: { redirect(status: number, url: string): void; status(code: number): { json(body: unknown): void } },
    next?: (err?: unknown) => void,
  ) => {
    try {
      const ref = await options.customer(req);
      if (!ref) return res.status(401).json({ error: { code: 'unauthenticated', message: 'Sign in to open the billing portal.' } });
      const session = await options.client.createPortalSession({
        ...ref,
        ...(options.pageUrl ? { pageUrl: options.pageUrl } : {}),
        ...(options.returnUrl ? { returnUrl: options.returnUrl } : {}),
      });
      res.redirect(303, session.portal_url);
    } catch (error) {
      if (next) next(error);
      else res.status(502).json({ error: { code: 'portal_unavailable', message: 'The billing portal could not be opened. Try again in a moment.' } });
    }
  };
}

/** Next.js App Router: `export const GET = nextPortalRoute({ client, customer: async (request) => ({ externalCustomerId: (await auth())!.user.id }) })`. */
export function nextPortalRoute(options: PortalRedirectOptions<Request>) {
  return async (request: Request): Promise<Response> => {
    const ref = await options.customer(request);
    if (!ref) return Response.json({ error: { code: 'unauthenticated', message: 'Sign in to open the billing portal.' } }, { status: 401 });
    try {
      const session = await options.client.createPortalSession({
        ...ref,
        ...(options.pageUrl ? { pageUrl: options.pageUrl } : {}),
        ...(options.returnUrl ? { returnUrl: options.returnUrl } : {}),
      });
      return new Response(null, { status: 303, headers: { location: session.portal_url, 'cache-control': 'no-store' } });
    } catch {
      return Response.json(
        { error: { code: 'portal_unavailable', message: 'The billing portal could not be opened. Try again in a moment.' } },
        { status: 502 },
      );
    }
  };
}
