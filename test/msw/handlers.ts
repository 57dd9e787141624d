// A small fake of the portal API for the browser tests, shaped like the real server's
// answers (server/modules/auth, customers, organizations). Tests read `fake.requests` to
// check what the widget sent, and override single routes with `worker.use(...)`.
import { http, HttpResponse, type JsonBodyType } from 'msw';
import type { SessionResponse } from '../../src/schemas/auth.js';
import type { Me } from '../../src/schemas/customer.js';
import type { PublicOrganization, SectionId } from '../../src/schemas/organization.js';
import { sectionIds } from '../../src/schemas/organization.js';

/** What `GET /portal/v1/me?include=payment_methods` adds; the payment-method fixtures fill it in. */
export const meIncludes: { paymentMethods: () => unknown[] } = { paymentMethods: () => [] };

export const VALID_CODE = '123456';
export const SESSION_TOKEN = 'cps_test_session_token_0123456789';
export const LINK_TOKEN = 'cpl_test_link_token_0123456789';

const allSections = Object.fromEntries(sectionIds.map((id) => [id, true])) as Record<SectionId, boolean>;

export function organization(slug: string, overrides: Partial<PublicOrganization> = {}): PublicOrganization {
  return {
    slug,
    name: 'Acme Cloud',
    branding: { logo_url: null, primary_color: '#4f46e5' },
    portal_settings: { sections: { ...allSections }, actions: {} },
    ...overrides,
  };
}

/** Organizations the fake knows; other slugs answer 404. */
export const organizations: Record<string, PublicOrganization> = {
  acme: organization('acme'),
  globex: organization('globex', {
    name: 'Globex',
    branding: { logo_url: null, primary_color: '#fde047' },
    // Every section that exists is turned off.
    portal_settings: { sections: Object.fromEntries(sectionIds.map((id) => [id, false])) as Record<SectionId, boolean>, actions: {} },
  }),
  initech: organization('initech', { name: 'Initech' }),
};

export const alice: Me = {
  id: 'cus_01JD5Z8W4N3X',
  email: 'alice@example.com',
  name: 'Alice Martin',
  external_id: 'user_1001',
  billing_details: {
    name: 'Alice Martin',
    company: 'Martin & Co',
    email: 'billing@martin.example',
    address: { line1: '12 Rue de la Paix', line2: null, city: 'Paris', postal_code: '75002', state: null, country: 'FR' },
    tax_id: null,
  },
  created_at: '2025-03-14T10:00:00.000Z',
};

export const session: SessionResponse = { token: SESSION_TOKEN, expires_at: '2030-01-01T00:00:00.000Z', return_url: null };

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  authorization: string | null;
  idempotencyKey: string | null;
}

/** What the fake has seen and remembers; reset before each test. */
export const fake = {
  requests: [] as RecordedRequest[],
  customer: { ...alice },
  wrongTries: 0,
  reset(): void {
    this.requests = [];
    this.customer = { ...alice };
    this.wrongTries = 0;
  },
  /** The requests to one path (e.g. `/portal/v1/auth/request`). */
  to(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  },
};

export function apiError(status: number, code: string, message: string, details?: unknown, headers?: HeadersInit) {
  const error: Record<string, JsonBodyType> = { code, message };
  if (details !== undefined) error.details = details as JsonBodyType;
  return HttpResponse.json({ error }, { status, headers });
}

export async function record(request: Request): Promise<RecordedRequest> {
  const text = await request.clone().text();
  const entry = {
    method: request.method,
    path: new URL(request.url).pathname,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    authorization: request.headers.get('authorization'),
    idempotencyKey: request.headers.get('idempotency-key'),
  };
  fake.requests.push(entry);
  return entry;
}

export const signedIn = (r: RecordedRequest) => r.authorization === `Bearer ${SESSION_TOKEN}`;
export const unauthenticated = (r: RecordedRequest) =>
  r.authorization
    ? apiError(401, 'session_expired', 'Your session has expired or was signed out. Sign in again.')
    : apiError(401, 'unauthenticated', 'Sign in to continue.');

export const handlers = [
  http.get('*/portal/v1/organizations/:slug', async ({ request, params }) => {
    await record(request);
    const org = organizations[String(params.slug)];
    return org ? HttpResponse.json(org) : apiError(404, 'not_found', 'Organization was not found.');
  }),

  http.post('*/portal/v1/auth/request', async ({ request }) => {
    await record(request);
    return HttpResponse.json({ accepted: true }, { status: 202 });
  }),

  http.post('*/portal/v1/auth/verify', async ({ request }) => {
    const { body } = await record(request);
    const { code } = body as { code: string };
    if (code === VALID_CODE) return HttpResponse.json(session);
    fake.wrongTries += 1;
    const left = 5 - fake.wrongTries;
    if (left <= 0) return apiError(400, 'code_exhausted', 'Too many wrong tries. Request a new code.');
    return apiError(400, 'code_incorrect', `That code is incorrect. ${left} ${left === 1 ? 'try' : 'tries'} left.`, { attempts_left: left });
  }),

  http.post('*/portal/v1/auth/exchange', async ({ request }) => {
    const { body } = await record(request);
    if ((body as { token: string }).token === LINK_TOKEN) {
      return HttpResponse.json({ ...session, return_url: 'https://acme.example/app/settings' });
    }
    return apiError(400, 'link_invalid', 'This sign-in link is not valid or was already used. Sign in with your email.');
  }),

  http.post('*/portal/v1/auth/sign-out', async ({ request }) => {
    const r = await record(request);
    return signedIn(r) ? new HttpResponse(null, { status: 204 }) : unauthenticated(r);
  }),

  http.get('*/portal/v1/me', async ({ request }) => {
    const r = await record(request);
    if (!signedIn(r)) return unauthenticated(r);
    const withCards = new URL(request.url).searchParams.get('include') === 'payment_methods';
    // Like the server: the customer's stored language on every authenticated answer.
    const language = fake.customer.locale;
    return HttpResponse.json(withCards ? { ...fake.customer, payment_methods: meIncludes.paymentMethods() } : fake.customer, {
      headers: language ? { 'Content-Language': language } : {},
    });
  }),

  http.patch('*/portal/v1/me', async ({ request }) => {
    const r = await record(request);
    if (!signedIn(r)) return unauthenticated(r);
    const { name, billing_details, locale } = r.body as Partial<Me>;
    if (billing_details?.tax_id === 'DE123') {
      return apiError(400, 'validation_error', 'tax_id: DE123 is not a valid DE VAT number format (e.g. DE123456789).', [
        { path: 'billing_details.tax_id', message: 'DE123 is not a valid DE VAT number format (e.g. DE123456789).' },
      ]);
    }
    if (name !== undefined) fake.customer = { ...fake.customer, name: name === '' ? null : name };
    if (billing_details) fake.customer = { ...fake.customer, billing_details };
    if (locale !== undefined) fake.customer = { ...fake.customer, locale };
    const language = fake.customer.locale;
    return HttpResponse.json(fake.customer, language ? { headers: { 'Content-Language': language } } : {});
  }),
];
