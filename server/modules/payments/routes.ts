import { Hono } from 'hono';
import { setupIntentConfirmRequest, testAuthenticateRequest, testCardRequest } from '../../../src/schemas/payments.js';
import type { Config } from '../../config.js';
import { portalRouter, type AppEnv } from '../../http.js';
import { ApiError } from '../../lib/errors.js';
import { jsonBody } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { paymentMethodView } from './service.js';
import { retriedView } from '../subscriptions/views.js';
import type { TestProvider } from './test-provider.js';

/** /portal/v1/payment-methods: list, add (setup + confirm), make default, remove. */
export function portalPaymentMethodRoutes(services: Services, config: Config) {
  return portalRouter(services, config.publicUrl)
    .get('/', async (c) => {
      const { organization, customer } = c.get('auth');
      const methods = await services.payments.listMethods(organization.id, customer.id);
      return c.json({ data: methods.map(paymentMethodView) });
    })
    .post('/setup', async (c) => {
      const { organization, customer } = c.get('auth');
      const row = await services.customers.get(organization.id, { id: customer.id });
      const setup = await services.payments.startSetup(row);
      return c.json({ ...setup, publishable_key: config.stripe?.publishableKey ?? null }, 201);
    })
    .post('/confirm', async (c) => {
      const { organization, customer } = c.get('auth');
      const body = await jsonBody(c, setupIntentConfirmRequest);
      const row = await services.customers.get(organization.id, { id: customer.id });
      const method = await services.payments.completeSetup(row, body.setup_intent_id, body.make_default);
      // A new default card settles what is unpaid at once, so the past-due banner can go away now.
      const retries = method.is_default ? await services.subscriptions.onPaymentMethodChanged(organization.id, customer.id) : [];
      return c.json({ payment_method: paymentMethodView(method), retried: retriedView(retries) }, 201);
    })
    .post('/:id/default', async (c) => {
      const { organization, customer } = c.get('auth');
      await services.payments.setDefault(organization.id, customer.id, c.req.param('id'));
      const retries = await services.subscriptions.onPaymentMethodChanged(organization.id, customer.id);
      const methods = await services.payments.listMethods(organization.id, customer.id);
      return c.json({
        data: methods.map(paymentMethodView),
        retried: retries.filter(Boolean).map((r) => ({ subscription_id: r!.subscription.id, status: r!.subscription.status, ok: r!.ok })),
      });
    })
    .delete('/:id', async (c) => {
      const { organization, customer } = c.get('auth');
      await services.payments.remove(organization.id, customer.id, c.req.param('id'));
      return c.body(null, 204);
    });
}

/**
 * The offline provider's stand-in for Stripe.js: the hosted card form posts here, as
 * Stripe.js would post to Stripe. Only mounted when PAYMENT_PROVIDER=test. Card numbers
 * here are test numbers; real cards only ever go to Stripe.
 */
export function testProviderRoutes(provider: TestProvider) {
  return new Hono<AppEnv>()
    .post('/payment-intents/:id/authenticate', async (c) => {
      // The test bank's 3-D Secure challenge answered in the hosted confirm page (Stripe.js's handleNextAction).
      const body = await jsonBody(c, testAuthenticateRequest);
      const state = await provider.authenticate(c.req.param('id'), body.client_secret, body.outcome);
      if (state.status === 'canceled' && state.code === 'resource_missing')
        throw new ApiError(404, 'payment_intent_not_found', 'This payment was not found. Close the page and try again.');
      return c.json(state);
    })
    .post('/setup-intents/:id/confirm', async (c) => {
      const body = await jsonBody(c, testCardRequest);
      const result = await provider.confirmSetupIntent(c.req.param('id'), body.client_secret, {
        number: body.number,
        exp_month: body.exp_month,
        exp_year: body.exp_year < 100 ? 2000 + body.exp_year : body.exp_year,
        cvc: body.cvc,
      });
      if (result.status === 'failed') throw new ApiError(402, result.code, result.message);
      return c.json(result);
    });
}
