// What the Stripe tests share: the real `stripe` SDK against the local fake (no SDK retries of
// 5xx: their backoff sleeps; a dropped connection is still retried once), a test context on
// the `stripe` provider with a shop, the hosted card form's flow, and events posted as Stripe
// does (signed with the SDK's own test helper).
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { stripeProvider } from '../modules/payments/stripe-provider.js';
import { STRIPE_WEBHOOK_PATH } from '../modules/payments/stripe-webhook.js';
import { createShop } from './billing.js';
import { startFakeStripe, type FakeStripe } from './fake-stripe.js';
import { createTestContext, type TestContext } from './harness.js';

export const STRIPE_SECRET_KEY = 'sk_test_fake';
export const STRIPE_WEBHOOK_SECRET = 'whsec_test_0123456789';

/** The fake Stripe, a test context whose provider talks to it, and a shop. `close()` stops both. */
export async function stripeTestContext(webhookSecret = STRIPE_WEBHOOK_SECRET) {
  const fake = await startFakeStripe({ secretKey: STRIPE_SECRET_KEY });
  const t = await createTestContext(
    { paymentProvider: 'stripe', stripe: { secretKey: STRIPE_SECRET_KEY, publishableKey: 'pk_test_fake', webhookSecret, apiUrl: fake.url } },
    { paymentProvider: () => stripeProvider({ secretKey: STRIPE_SECRET_KEY, apiUrl: fake.url, maxNetworkRetries: 0 }) },
  );
  const shop = await createShop(t);
  return {
    fake,
    t,
    shop,
    async close() {
      await t.close();
      await fake.close();
    },
  };
}

/** The hosted page's flow: setup, Stripe.js confirms the card in the browser, then confirm. */
export async function addStripeCard(t: TestContext, fake: FakeStripe, token: string, number: string, makeDefault = true) {
  const setup = await t.request('POST', '/portal/v1/payment-methods/setup', { token, body: {} });
  assert.equal(setup.status, 201, JSON.stringify(setup.body));
  const browser = fake.confirmSetupIntent(setup.body.setup_intent_id, number);
  const done = await t.request('POST', '/portal/v1/payment-methods/confirm', {
    token,
    body: { setup_intent_id: setup.body.setup_intent_id, make_default: makeDefault },
  });
  return { setup, browser, done };
}

/** Posts an event as Stripe does: the JSON body, signed with the SDK's helper at the test clock's time. */
export function deliverStripeEvent(t: TestContext, webhookSecret: string, event: Record<string, unknown>) {
  const payload = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret, timestamp: Math.floor(t.clock.now().getTime() / 1000) });
  return t.request('POST', STRIPE_WEBHOOK_PATH, { body: payload, headers: { 'stripe-signature': signature } });
}
