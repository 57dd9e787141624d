import { join } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { hostedSessionRequest } from '../../../src/schemas/payments.js';
import type { Config } from '../../config.js';
import { isSameOrigin, portalRouter, type AppEnv } from '../../http.js';
import { MINUTE } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { staticFile } from '../../lib/compression.js';
import { jsonBody } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { paymentMethodView } from '../payments/service.js';
import { retriedView } from '../subscriptions/views.js';
import { brandingOf } from '../organizations/service.js';
import { hostedPageFor } from './page.js';
import { distDir } from './routes.js';

const OPEN_TTL_MS = 15 * MINUTE;
const CONFIRM_TTL_MS = 30 * MINUTE;
const hostedDir = join(distDir, 'hosted');

/**
 * The hosted payment-method page: the one part of the portal that leaves the merchant's
 * page. The widget asks for an "open" token (single use, 15 minutes) and puts it in the
 * iframe's URL; the page trades it once for a SetupIntent and a "confirm" token bound to
 * that intent. The session token never reaches the iframe.
 */
export function hostedPaymentMethod(services: Services, config: Config) {
  const tokens = services.hostedTokens;

  const expired = () => new ApiError(400, 'hosted_token_invalid', 'This form has expired or was already used. Close it and try again.');

  /** POST /portal/v1/payment-methods/hosted-session {origin, make_default} */
  const portal = portalRouter(services, config.publicUrl).post('/', async (c) => {
    const body = await jsonBody(c, hostedSessionRequest);
    const { organization, customer } = c.get('auth');
    const origin = new URL(body.origin).origin;
    if (!isSameOrigin(c, origin, config.publicUrl) && !organization.allowed_origins.includes(origin)) {
      throw new ApiError(400, 'origin_not_allowed', `${origin} is not one of the organization's allowed origins.`);
    }
    const { token, expires_at } = await tokens.issue(
      'open',
      { organization_id: organization.id, customer_id: customer.id, parent_origin: origin, make_default: body.make_default },
      OPEN_TTL_MS,
    );
    return c.json(
      {
        url: `${config.publicUrl}/hosted/payment-method?token=${token}`,
        server_origin: new URL(config.publicUrl).origin,
        expires_at: expires_at.toISOString(),
      },
      201,
    );
  });

  const page = new Hono<AppEnv>()
    .get('/payment-method', async (c) => {
      const page = await hostedPageFor(services, config, c.req.query(), { title: 'Payment method', element: 'cp-hosted-payment-method' });
      return c.html(page.html, page.status, page.headers);
    })
    .get('/assets/:file{.+}', async (c) => {
      const res = await staticFile(hostedDir, c.req.param('file'), c.req.header('accept-encoding'), {
        'Content-Type': 'text/javascript; charset=utf-8',
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      });
      return res ?? c.notFound();
    })
    /** The page trades its open token (once) for a SetupIntent and a confirm token. */
    .post('/v1/payment-method/start', async (c) => {
      const body = await jsonBody(c, z.object({ token: z.string().min(10).max(200) }));
      const row = await tokens.spend('open', body.token);
      if (!row) throw expired();
      const org = await services.organizations.byId(row.organization_id);
      const customer = await services.customers.get(org.id, { id: row.customer_id });
      const setup = await services.payments.startSetup(customer);
      const confirm = await tokens.issue(
        'confirm',
        {
          organization_id: org.id,
          customer_id: customer.id,
          parent_origin: row.parent_origin,
          make_default: row.make_default,
          setup_intent_id: setup.setup_intent_id,
        },
        CONFIRM_TTL_MS,
      );
      return c.json({
        provider: setup.provider,
        publishable_key: config.stripe?.publishableKey ?? null,
        setup_intent_id: setup.setup_intent_id,
        client_secret: setup.client_secret,
        confirm_token: confirm.token,
        parent_origin: row.parent_origin,
        organization: { name: org.name, primary_color: brandingOf(org).primary_color },
      });
    })
    /** After the card was confirmed with the provider: save it, make it default, retry what is unpaid. */
    .post('/v1/payment-method/complete', async (c) => {
      const body = await jsonBody(c, z.object({ confirm_token: z.string().min(10).max(200) }));
      const row = await tokens.find('confirm', body.confirm_token);
      if (!row?.setup_intent_id) throw expired();
      const customer = await services.customers.get(row.organization_id, { id: row.customer_id });
      const method = await services.payments.completeSetup(customer, row.setup_intent_id, row.make_default);
      await tokens.markUsed(row);
      const retries = method.is_default ? await services.subscriptions.onPaymentMethodChanged(row.organization_id, row.customer_id) : [];
      return c.json({
        payment_method: paymentMethodView(method),
        retried: retriedView(retries),
      });
    });

  return { portal, page };
}
