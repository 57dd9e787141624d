import { Hono } from 'hono';
import { z } from 'zod';
import { signInRequest, signInVerify, tokenExchange } from '../../../src/schemas/auth.js';
import type { Config } from '../../config.js';
import { assertOrigin, clientIp, merchantRoutes, portalRouter, type AppEnv } from '../../http.js';
import { jsonBody } from '../../lib/validate.js';
import type { Services } from '../../services.js';

/** Public sign-in endpoints under /portal/v1/auth. */
export function authRoutes(services: Services, config: Config) {
  const signOut = portalRouter(services, config.publicUrl).post('/', async (c) => {
    await services.auth.signOut(c.get('auth').sessionId);
    return c.body(null, 204);
  });

  return new Hono<AppEnv>()
    .post('/request', async (c) => {
      const body = await jsonBody(c, signInRequest);
      const org = await services.organizations.bySlug(body.organization);
      assertOrigin(c, org.allowed_origins, config.publicUrl);
      await services.auth.requestCode(org, {
        email: body.email,
        return_url: body.return_url,
        ip: clientIp(c, config.trustProxy),
        locale: body.locale,
        acceptLanguage: c.req.header('accept-language'),
      });
      return c.json({ accepted: true }, 202);
    })
    .post('/verify', async (c) => {
      const body = await jsonBody(c, signInVerify);
      const org = await services.organizations.bySlug(body.organization);
      assertOrigin(c, org.allowed_origins, config.publicUrl);
      const session = await services.auth.verifyCode(org, { email: body.email, code: body.code, ip: clientIp(c, config.trustProxy) });
      return c.json(session);
    })
    .post('/exchange', async (c) => {
      const body = await jsonBody(c, tokenExchange);
      const session = await services.auth.exchange({
        token: body.token,
        ip: clientIp(c, config.trustProxy),
        checkOrigin: (allowed) => assertOrigin(c, allowed, config.publicUrl),
      });
      return c.json(session);
    })
    .route('/sign-out', signOut);
}

const customerSessionCreate = z
  .object({
    customer_id: z.string().min(1).optional(),
    external_customer_id: z.string().min(1).optional(),
    return_url: z.url({ protocol: /^https?$/ }).optional(),
  })
  .refine((v) => (v.customer_id === undefined) !== (v.external_customer_id === undefined), {
    message: 'Send exactly one of customer_id or external_customer_id.',
  });

/** Merchant endpoints: pre-authenticated links, and revoking a customer's sessions. */
export function merchantSessionRoutes(services: Services) {
  return merchantRoutes()
    .post('/customer-sessions', async (c) => {
      const org = c.get('organization');
      const body = await jsonBody(c, customerSessionCreate);
      const customer = await services.customers.get(
        org.id,
        body.customer_id !== undefined ? { id: body.customer_id } : { external_id: body.external_customer_id! },
      );
      const link = await services.auth.createPreAuthLink(org, customer.id, body.return_url);
      return c.json({ ...link, customer_id: customer.id }, 201);
    })
    .delete('/customers/:id/sessions', async (c) => {
      const org = c.get('organization');
      const customer = await services.customers.get(org.id, { id: c.req.param('id') });
      const revoked = await services.auth.revokeCustomerSessions(org.id, customer.id);
      return c.json({ revoked });
    });
}
