import { z } from 'zod';
import { customerCreate, customerUpdate, emailChangeRequest, emailChangeVerifyRequest, meUpdate } from '../../../src/schemas/customer.js';
import { paginationQuery } from '../../../src/schemas/common.js';
import type { Config } from '../../config.js';
import { merchantRoutes, portalRouter } from '../../http.js';
import { DEFAULT_LIMIT, toPage } from '../../lib/pagination.js';
import { jsonBody, queryParams } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import type { PortalAuth } from '../auth/service.js';
import { customerView, merchantCustomerView } from './service.js';
import { validTaxId, withValidTaxId } from '../billing/tax-id.js';
import { resolvePortalSettings } from '../organizations/settings.js';
import { paymentMethodView } from '../payments/service.js';

const listQuery = z.object({
  ...paginationQuery.shape,
  email: z.string().trim().toLowerCase().optional(),
});

/** /v1/customers: the merchant's view of its customers, by id or by external id. */
export function merchantCustomerRoutes(services: Services) {
  return merchantRoutes()
    .post('/', async (c) => {
      const input = await jsonBody(c, customerCreate);
      const body = withValidTaxId(input);
      const row = await services.customers.create(c.get('organization').id, body);
      return c.json(merchantCustomerView(row), 201);
    })
    .get('/', async (c) => {
      const q = queryParams(c, listQuery);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const rows = await services.customers.list(c.get('organization').id, {
        limit,
        ...(q.starting_after ? { startingAfter: q.starting_after } : {}),
        ...(q.email ? { email: q.email } : {}),
      });
      return c.json(toPage(rows, limit, merchantCustomerView));
    })
    .get('/external/:externalId', async (c) => {
      const row = await services.customers.get(c.get('organization').id, { external_id: c.req.param('externalId') });
      return c.json(merchantCustomerView(row));
    })
    .patch('/external/:externalId', async (c) => {
      const input = await jsonBody(c, customerUpdate);
      const body = withValidTaxId(input);
      const row = await services.customers.update(c.get('organization').id, { external_id: c.req.param('externalId') }, body);
      return c.json(merchantCustomerView(row));
    })
    .get('/:id', async (c) => {
      const row = await services.customers.get(c.get('organization').id, { id: c.req.param('id') });
      return c.json(merchantCustomerView(row));
    })
    .patch('/:id', async (c) => {
      const input = await jsonBody(c, customerUpdate);
      const body = withValidTaxId(input);
      const row = await services.customers.update(c.get('organization').id, { id: c.req.param('id') }, body);
      return c.json(merchantCustomerView(row));
    });
}

/** GET /portal/v1/me's answer: the session's customer, as the session read it. */
function meBody({ customer, organization, customerSince }: PortalAuth) {
  return {
    ...customer,
    created_at: customer.created_at.toISOString(),
    customer_since: customerSince.toISOString(),
    email_change: resolvePortalSettings(organization.portal_settings).actions.email_change !== false,
  };
}
/** The serialized answer per session snapshot (PortalAuth objects are never changed once made). */
const meAnswers = new WeakMap<PortalAuth, string>();

/** /portal/v1/me: the signed-in customer, scoped by the session and nothing the client sends. */
export function meRoutes(services: Services, config: Config) {
  const org = (c: { get(key: 'auth'): { organization: { id: string } } }) => services.organizations.byId(c.get('auth').organization.id);
  return (
    portalRouter(services, config.publicUrl)
      .post('/email-change', async (c) => {
        const body = await jsonBody(c, emailChangeRequest);
        return c.json(await services.emailChange.request(await org(c), c.get('auth').customer.id, body.email), 202);
      })
      .post('/email-change/verify', async (c) => {
        const body = await jsonBody(c, emailChangeVerifyRequest);
        const row = await services.emailChange.verify(await org(c), c.get('auth').customer.id, body.code);
        return c.json({ ...customerView(row), customer_since: c.get('auth').customerSince.toISOString() });
      })
      .get('/export', async (c) => {
        const { organization, customer } = c.get('auth');
        const data = await services.dataExport.forCustomer(organization.id, customer.id);
        return new Response(JSON.stringify(data, null, 2), {
          headers: {
            'Content-Type': 'application/json; charset=utf-8',
            'Content-Disposition': `attachment; filename="my-data-${organization.slug}.json"`,
            'Cache-Control': 'private, no-store',
          },
        });
      })
      // The profile came with the session (remembered for at most a couple of seconds, and
      // forgotten at once when the customer changes): reading it needs no query of its own.
      // `?include=payment_methods` adds the cards, so the settings view needs one request.
      .get('/', async (c) => {
        const auth = c.get('auth');
        if (c.req.query('include') !== 'payment_methods') {
          // The answer depends on the session's snapshot only: written once per snapshot (a new
          // one comes with every look-up and every forget), not on every request (two dates
          // formatted and the profile serialized were ≈7 % of /me's CPU, issue 15).
          let json = meAnswers.get(auth);
          if (json === undefined) {
            json = JSON.stringify(meBody(auth));
            meAnswers.set(auth, json);
          }
          return c.body(json, undefined as never, { 'Content-Type': 'application/json' }); // what c.json sets
        }
        const methods = await services.payments.listMethods(auth.organization.id, auth.customer.id);
        return c.json({ ...meBody(auth), payment_methods: methods.map(paymentMethodView) });
      })
      .patch('/', async (c) => {
        const { customer, organization } = c.get('auth');
        const body = await jsonBody(c, meUpdate);
        const row = await services.customers.update(
          organization.id,
          { id: customer.id },
          {
            ...(body.name !== undefined ? { name: body.name === '' ? null : body.name } : {}),
            ...(body.billing_details !== undefined ? { billing_details: validTaxId(body.billing_details) } : {}),
            ...(body.locale !== undefined ? { locale: body.locale } : {}),
          },
        );
        // The language just chosen, not the one the session was read with.
        if (row.locale) c.header('Content-Language', row.locale);
        return c.json({ ...customerView(row), customer_since: c.get('auth').customerSince.toISOString() });
      })
  );
}
