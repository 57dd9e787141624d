// The `stripe` provider end to end: the real `stripe` SDK against a local fake of Stripe's API,
// driven through the portal and merchant APIs as a customer and a merchant would.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import Stripe from 'stripe';
import { DAY, MINUTE, SECOND } from '../../lib/clock.js';
import { createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import type { FakeStripe } from '../../testing/fake-stripe.js';
import type { TestContext } from '../../testing/harness.js';
import { addStripeCard, stripeTestContext } from '../../testing/stripe.js';
import type { PaymentProvider } from './provider.js';
import { stripeProvider } from './stripe-provider.js';
import { STRIPE_WEBHOOK_PATH, stripeWebhookRoutes } from './stripe-webhook.js';

const WEBHOOK_SECRET = 'whsec_test_0123456789';

let fake: FakeStripe;
let t: TestContext;
let shop: Shop;

let close: () => Promise<void>;

before(async () => {
  ({ fake, t, shop, close } = await stripeTestContext(WEBHOOK_SECRET));
});
after(async () => {
  await close();
});

const get = (path: string, token: string) => t.request('GET', path, { token });
const post = (path: string, token: string, body: object = {}) => t.request('POST', path, { token, body });
const merchant = (path: string) => t.request('GET', path, { token: shop.org.key });
const provider = () => t.app.services.payments.provider as PaymentProvider;

/** The hosted page's flow (server/testing/stripe.ts). */
const addCard = (token: string, number: string, makeDefault = true) => addStripeCard(t, fake, token, number, makeDefault);

/** The Stripe customer the portal made for ours. */
function stripeCustomer(customerId: string) {
  const found = [...fake.customers.values()].filter((c) => (c.metadata as Record<string, string>).customer_id === customerId);
  assert.equal(found.length, 1, 'exactly one Stripe customer per customer');
  return found[0]!.id as string;
}

async function subscriberWithCard(number = '4242424242424242') {
  const c = await createSubscriber(t, shop, { card: null });
  const { done } = await addCard(c.token, number);
  assert.equal(done.status, 201, JSON.stringify(done.body));
  return c;
}

function signed(payload: string, secret = WEBHOOK_SECRET, timestamp = Math.floor(t.clock.now().getTime() / 1000)) {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

const postEvent = (payload: string, signature?: string) =>
  t.request('POST', STRIPE_WEBHOOK_PATH, { body: payload, headers: signature === undefined ? {} : { 'stripe-signature': signature } });

describe('cards', () => {
  test('a card added through the portal is saved at Stripe and listed with its brand and last 4', async () => {
    const c = await createSubscriber(t, shop, { card: null });
    const { setup, browser, done } = await addCard(c.token, '4242 4242 4242 4242');
    assert.equal(setup.body.provider, 'stripe');
    assert.equal(setup.body.publishable_key, 'pk_test_fake');
    assert.match(setup.body.setup_intent_id, /^seti_/);
    assert.ok(setup.body.client_secret.startsWith(`${setup.body.setup_intent_id}_secret_`));
    assert.ok(browser.setupIntent, JSON.stringify(browser.error));

    const customerRef = stripeCustomer(c.id);
    const atStripe = fake.customers.get(customerRef)!;
    assert.equal(atStripe.email, c.email);
    assert.deepEqual(atStripe.metadata, { customer_id: c.id, organization_id: shop.org.id });
    const intent = fake.setupIntents.get(setup.body.setup_intent_id)!;
    assert.equal(intent.customer, customerRef);
    assert.equal(intent.usage, 'off_session');

    assert.equal(done.status, 201, JSON.stringify(done.body));
    assert.equal(done.body.payment_method.brand, 'visa');
    assert.equal(done.body.payment_method.last4, '4242');
    assert.equal(done.body.payment_method.exp_year, 2034);
    assert.equal(done.body.payment_method.is_default, true);
    const listed = (await get('/portal/v1/payment-methods', c.token)).body.data;
    assert.deepEqual(
      listed.map((m: { brand: string; last4: string }) => `${m.brand} ${m.last4}`),
      ['visa 4242'],
    );

    // A second card reuses the same Stripe customer.
    const second = await addCard(c.token, '5555555555554444', false);
    assert.equal(second.done.body.payment_method.brand, 'mastercard');
    assert.equal(stripeCustomer(c.id), customerRef);
  });

  test('a card declined when saving is refused with the decline message and nothing is saved', async () => {
    const c = await createSubscriber(t, shop, { card: null });
    const declined = await addCard(c.token, '4000000000000002');
    assert.equal(declined.browser.error?.code, 'card_declined');
    assert.equal(declined.done.status, 402);
    assert.equal(declined.done.body.error.code, 'card_declined');
    assert.match(declined.done.body.error.message, /declined/);

    const broke = await addCard(c.token, '4000000000009995');
    assert.equal(broke.done.status, 402);
    assert.equal(broke.done.body.error.code, 'insufficient_funds');
    assert.match(broke.done.body.error.message, /insufficient funds/);
    assert.deepEqual((await get('/portal/v1/payment-methods', c.token)).body.data, []);
  });

  test("a setup intent of another customer's cannot be claimed", async () => {
    const owner = await createSubscriber(t, shop, { card: null });
    const thief = await createSubscriber(t, shop, { card: null });
    const setup = await post('/portal/v1/payment-methods/setup', owner.token);
    fake.confirmSetupIntent(setup.body.setup_intent_id, '4242424242424242');
    const res = await post('/portal/v1/payment-methods/confirm', thief.token, { setup_intent_id: setup.body.setup_intent_id });
    assert.equal(res.status, 404);
    assert.deepEqual((await get('/portal/v1/payment-methods', thief.token)).body.data, []);
  });

  test('removing a card detaches it at Stripe', async () => {
    const c = await subscriberWithCard();
    await addCard(c.token, '5555555555554444', false);
    const methods = (await get('/portal/v1/payment-methods', c.token)).body.data as Array<{ id: string; last4: string }>;
    const visa = methods.find((m) => m.last4 === '4242')!;
    const row = await t.app.services.payments.findMethodById(visa.id);
    assert.equal(fake.paymentMethods.get(row!.provider_ref)!.customer, stripeCustomer(c.id));
    const res = await t.request('DELETE', `/portal/v1/payment-methods/${visa.id}`, { token: c.token });
    assert.equal(res.status, 204, JSON.stringify(res.body));
    assert.equal(fake.paymentMethods.get(row!.provider_ref)!.customer, null);
    assert.ok(fake.requests.some((r) => r.path === `/v1/payment_methods/${row!.provider_ref}/detach`));
  });

  test('a wrong secret key is refused by Stripe and surfaces as an error, not a result', async () => {
    const wrong = stripeProvider({ secretKey: 'sk_test_wrong', apiUrl: fake.url, maxNetworkRetries: 0 });
    await assert.rejects(
      wrong.createCustomer({ email: 'x@example.com', name: null, customerId: 'cus_x', organizationId: 'org_x' }),
      Stripe.errors.StripeAuthenticationError,
    );
  });
});

describe('charges', () => {
  test('a new subscription is active after one off-session charge at Stripe', async () => {
    const c = await subscriberWithCard();
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    assert.equal(sub.status, 'active');
    const order = (await merchant(`/v1/orders?subscription_id=${sub.id}`)).body.data[0];
    assert.equal(order.status, 'paid');

    const charges = fake.charges.filter((ch) => ch.customer === stripeCustomer(c.id));
    assert.equal(charges.length, 1);
    const [charge] = charges;
    assert.equal(charge!.status, 'succeeded');
    assert.equal(charge!.amount, 1000);
    assert.equal(charge!.currency, 'usd');
    assert.equal(charge!.idempotency_key, `${order.id}:1`);
    assert.equal(charge!.metadata.order_id, order.id);
    const method = (await get('/portal/v1/payment-methods', c.token)).body.data[0];
    assert.equal(charge!.payment_method, (await t.app.services.payments.findMethodById(method.id))!.provider_ref);
    const payment = await t.database.db.selectFrom('payments').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
    assert.equal(payment.provider_ref, charge!.payment_intent, 'charge refs are PaymentIntent ids');
  });

  test('a renewal on a card that declines goes past due with the message; a new card retries and succeeds', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await subscriberWithCard();
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    // Stripe's 4000 0000 0000 0341: saves, then every charge is declined.
    const failing = await addCard(c.token, '4000000000000341');
    assert.equal(failing.done.status, 201, JSON.stringify(failing.done.body));

    t.clock.set('2026-02-15T12:00:01.000Z');
    await t.runJobs();
    const token = await t.signIn(shop.org.slug, c.email);
    assert.equal((await get(`/portal/v1/subscriptions/${sub.id}`, token)).body.status, 'past_due');
    const failed = (await get('/portal/v1/orders', token)).body.data[0];
    assert.equal(failed.status, 'failed');
    assert.match(failed.failure_message, /declined/);
    const declined = fake.charges.filter((ch) => ch.idempotency_key === `${failed.id}:1`);
    assert.deepEqual(
      declined.map((ch) => [ch.status, ch.failure_code]),
      [['failed', 'card_declined']],
    );
    const payment = await t.database.db.selectFrom('payments').selectAll().where('order_id', '=', failed.id).executeTakeFirstOrThrow();
    assert.equal(payment.provider_ref, declined[0]!.payment_intent, 'the declined PaymentIntent is recorded');

    const fixed = await addCard(token, '4242424242424242');
    assert.equal(fixed.done.status, 201, JSON.stringify(fixed.done.body));
    assert.deepEqual(fixed.done.body.retried, [{ subscription_id: sub.id, status: 'active', ok: true, message: null }]);
    assert.equal((await get(`/portal/v1/orders/${failed.id}`, token)).body.status, 'paid');
    assert.equal((await get(`/portal/v1/subscriptions/${sub.id}`, token)).body.status, 'active');
    const [renewal, first] = (await merchant(`/v1/orders?subscription_id=${sub.id}`)).body.data;
    assert.equal(renewal.id, failed.id);
    const paid = fake.succeededCharges(stripeCustomer(c.id));
    assert.deepEqual(
      paid.map((ch) => ch.idempotency_key),
      [`${first.id}:1`, `${failed.id}:2`],
      'the first period and the retried renewal',
    );
  });

  test('a charge retried with the same idempotency key charges once', async () => {
    const c = await subscriberWithCard();
    const customerRef = stripeCustomer(c.id);
    const method = (await get('/portal/v1/payment-methods', c.token)).body.data[0];
    const methodRef = (await t.app.services.payments.findMethodById(method.id))!.provider_ref;
    const request = { customerRef, methodRef, amount: 1234, currency: 'USD', description: 'retry test', idempotencyKey: 'retry-test:1' };

    const first = await provider().charge(request);
    const again = await provider().charge(request);
    assert.equal(first.status, 'succeeded');
    assert.deepEqual(again, first);
    assert.equal(fake.charges.filter((ch) => ch.idempotency_key === 'retry-test:1').length, 1);
    assert.deepEqual(
      fake.requests.filter((r) => r.idempotencyKey === 'retry-test:1').map((r) => r.replayed),
      [false, true],
    );

    // The answer is lost on the way back: the SDK retries with the same key and gets the first answer.
    fake.interrupt('/v1/payment_intents', 1, (params) => params.customer === customerRef);
    const lost = await provider().charge({ ...request, idempotencyKey: 'retry-test:2' });
    assert.equal(lost.status, 'succeeded');
    assert.equal(fake.charges.filter((ch) => ch.idempotency_key === 'retry-test:2').length, 1);

    // The same key with other parameters is a bug, and Stripe says so.
    await assert.rejects(provider().charge({ ...request, amount: 999 }), Stripe.errors.StripeIdempotencyError);
  });

  test('a renewal whose answer never arrives throws, stays pending, and the next run charges nothing more', async () => {
    t.clock.set('2026-03-01T12:00:00.000Z');
    const c = await subscriberWithCard();
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    const current = (await merchant(`/v1/subscriptions/${sub.id}`)).body;
    t.clock.set(current.current_period_end);
    t.clock.advance(SECOND);
    // Both the first try and the SDK's own retry lose their answer: a network error.
    // (Other customers' subscriptions renew in the same run and are left alone.)
    const customerRef = stripeCustomer(c.id);
    fake.interrupt('/v1/payment_intents', 2, (params) => params.customer === customerRef);
    await t.runJobs();
    const pending = (await merchant(`/v1/orders?subscription_id=${sub.id}`)).body.data[0];
    assert.equal(pending.status, 'pending', 'charged at Stripe, but not recorded');
    assert.ok(
      t.logs.some((line) => line.includes(sub.id) && line.includes('renewal failed') && line.includes('StripeConnectionError')),
      'the network error was thrown',
    );
    const key = `${pending.id}:1`;
    assert.equal(fake.charges.filter((ch) => ch.idempotency_key === key).length, 1);

    t.clock.advance(6 * MINUTE);
    await t.runJobs();
    await t.runJobs();
    const paid = (await merchant(`/v1/orders/${pending.id}`)).body;
    assert.equal(paid.status, 'paid');
    assert.equal(fake.charges.filter((ch) => ch.idempotency_key === key).length, 1, 'one charge at Stripe');
    assert.equal((await merchant(`/v1/subscriptions/${sub.id}`)).body.status, 'active');
  });

  test('an immediate cancellation refunds the prorated amount at Stripe', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await subscriberWithCard();
    const sub = await subscribe(t, shop, c.id, shop.prices.pro);
    t.clock.advance(10 * DAY);
    const res = await post(`/portal/v1/subscriptions/${sub.id}/cancel`, c.token, { mode: 'immediately', reason: 'switched_service' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // 21 of 31 days unused of 30.00: 20.32.
    assert.deepEqual(res.body.refund, { amount: 2032, currency: 'USD', destination: 'payment_method' });

    const [charge] = fake.succeededCharges(stripeCustomer(c.id));
    const refunds = fake.refunds.filter((r) => r.payment_intent === charge!.payment_intent);
    assert.equal(refunds.length, 1);
    assert.equal(refunds[0]!.amount, 2032);
    assert.match(refunds[0]!.idempotency_key ?? '', /^refund:/);
    assert.equal(charge!.amount_refunded, 2032);
    const refund = await t.database.db.selectFrom('refunds').selectAll().where('provider_ref', '=', refunds[0]!.id).executeTakeFirst();
    assert.ok(refund, 'the Stripe refund id is recorded');
  });
});

describe('webhooks from Stripe', () => {
  test('a correctly signed event is accepted', async () => {
    const c = await createSubscriber(t, shop, { card: null });
    await addCard(c.token, '4242424242424242');
    const event = fake.events.findLast((e) => e.type === 'setup_intent.succeeded')!;
    const payload = JSON.stringify(event);
    const res = await postEvent(payload, signed(payload));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { received: true });
    const row = await t.database.db
      .selectFrom('stripe_events')
      .selectAll()
      .where('id', '=', event.id as string)
      .executeTakeFirst();
    assert.equal(row?.type, 'setup_intent.succeeded');
  });

  test('a bad, missing or stale signature is refused with 400 and nothing is recorded', async () => {
    const payload = JSON.stringify({ id: 'evt_forged', object: 'event', type: 'charge.refunded', data: { object: { id: 'ch_x' } } });
    const wrongSecret = await postEvent(payload, signed(payload, 'whsec_someone_else'));
    assert.equal(wrongSecret.status, 400);
    assert.equal(wrongSecret.body.error.code, 'invalid_signature');
    const tampered = await postEvent(payload.replace('ch_x', 'ch_y'), signed(payload));
    assert.equal(tampered.body.error.code, 'invalid_signature');
    const none = await postEvent(payload);
    assert.equal(none.status, 400);
    assert.equal(none.body.error.code, 'invalid_signature');
    const stale = await postEvent(payload, signed(payload, WEBHOOK_SECRET, Math.floor((t.clock.now().getTime() - 10 * MINUTE) / 1000)));
    assert.equal(stale.status, 400, 'older than the tolerance by our clock');
    const rows = await t.database.db.selectFrom('stripe_events').selectAll().where('id', '=', 'evt_forged').execute();
    assert.deepEqual(rows, []);
  });

  test('the same event delivered twice is handled once', async () => {
    const c = await subscriberWithCard('4000000000000341');
    const sub = await t.request('POST', '/v1/subscriptions', { token: shop.org.key, body: { customer_id: c.id, price_id: shop.prices.basic } });
    assert.notEqual(sub.body.status, 'active', 'the first charge is declined');
    const event = fake.events.findLast((e) => e.type === 'payment_intent.payment_failed')!;
    const payload = JSON.stringify(event);
    const first = await postEvent(payload, signed(payload));
    const second = await postEvent(payload, signed(payload));
    assert.deepEqual(first.body, { received: true });
    assert.deepEqual(second.body, { received: true, duplicate: true });
    assert.equal(second.status, 200, 'acknowledged, so Stripe stops redelivering');
    const handled = t.logs.filter((line) => line.includes(event.id as string) && line.includes('stripe: event handled'));
    assert.equal(handled.length, 1);
    // The decline was recorded when the charge was made: the event changes nothing.
    assert.match(handled[0]!, /"outcome":"unchanged"/);
    const rows = await t.database.db
      .selectFrom('stripe_events')
      .selectAll()
      .where('id', '=', event.id as string)
      .execute();
    assert.equal(rows.length, 1);
  });

  test('without a webhook secret every event is refused', async () => {
    const routes = stripeWebhookRoutes({ events: t.app.services.stripeEvents, clock: t.clock, logger: pino({ level: 'silent' }), webhookSecret: undefined });
    const payload = JSON.stringify({ id: 'evt_unconfigured', object: 'event', type: 'charge.refunded', data: { object: {} } });
    const res = await routes.request(STRIPE_WEBHOOK_PATH, { method: 'POST', body: payload, headers: { 'stripe-signature': signed(payload) } });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'webhook_not_configured');
  });
});
