// Payments that need the customer (SCA) with the `stripe` provider: the real `stripe` SDK against
// the local fake, whose card 4000 0027 6000 3184 declines off-session charges with
// authentication_required. The hosted confirm page's server side confirms the PaymentIntent
// again on-session (so it has a next action), Stripe.js's handleNextAction is the fake's helper,
// and the payment is settled from the PaymentIntent as Stripe has it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY, SECOND } from '../../lib/clock.js';
import { createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import type { FakeStripe } from '../../testing/fake-stripe.js';
import type { TestContext } from '../../testing/harness.js';
import { addStripeCard, deliverStripeEvent, STRIPE_WEBHOOK_SECRET, stripeTestContext } from '../../testing/stripe.js';

let fake: FakeStripe;
let t: TestContext;
let shop: Shop;

let close: () => Promise<void>;

before(async () => {
  ({ fake, t, shop, close } = await stripeTestContext());
});
after(async () => {
  await close();
});

const get = (path: string, token: string) => t.request('GET', path, { token });
const post = (path: string, token: string, body: object = {}) => t.request('POST', path, { token, body });

async function addCard(token: string, number: string) {
  const { done } = await addStripeCard(t, fake, token, number);
  assert.equal(done.status, 201, JSON.stringify(done.body));
}

async function renewalNeedingAuthentication() {
  t.clock.set('2026-02-01T10:00:00.000Z');
  const c = await createSubscriber(t, shop, { card: null });
  await addCard(c.token, '4242424242424242');
  const sub = await subscribe(t, shop, c.id, shop.prices.basic);
  assert.equal(sub.status, 'active');
  await addCard(c.token, '4000002760003184');
  t.clock.set(sub.current_period_end);
  t.clock.advance(SECOND);
  await t.runJobs();
  c.token = await t.signIn(shop.org.slug, c.email);
  const order = (await get('/portal/v1/orders', c.token)).body.data[0];
  return { c, sub, order };
}

async function start(token: string) {
  const session = await post('/portal/v1/payments/confirm-session', token, { origin: 'http://localhost' });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  const res = await t.request('POST', '/hosted/v1/confirm-payment/start', { body: { token: new URL(session.body.url).searchParams.get('token') } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

const complete = (confirmToken: string) => t.request('POST', '/hosted/v1/confirm-payment/complete', { body: { confirm_token: confirmToken } });

describe('stripe: a renewal declined with authentication_required', () => {
  test('waits for the customer; the hosted page gets a PaymentIntent with a next action; handleNextAction → paid once, active', async () => {
    const { c, sub, order } = await renewalNeedingAuthentication();
    assert.equal(order.status, 'requires_action');
    const view = await get(`/portal/v1/subscriptions/${sub.id}`, c.token);
    assert.equal(view.body.past_due_reason, 'authentication_required');
    assert.equal(view.headers.get('cp-billing-status'), 'requires_action');
    const pi = [...fake.paymentIntents.values()].find((p) => (p.metadata as Record<string, string>).order_id === order.id)!;
    assert.equal(pi.status, 'requires_payment_method');
    assert.equal((pi.last_payment_error as { code: string }).code, 'authentication_required');

    const page = await start(c.token);
    assert.equal(page.provider, 'stripe');
    assert.equal(page.publishable_key, 'pk_test_fake');
    assert.equal(page.payment_intent_id, pi.id);
    assert.equal(page.client_secret, pi.client_secret);
    assert.equal(fake.paymentIntents.get(pi.id as string)!.status, 'requires_action', 'confirmed again on-session');
    assert.ok(fake.requests.some((r) => r.method === 'POST' && r.path === `/v1/payment_intents/${pi.id}/confirm`));

    // Not yet authenticated: nothing is settled.
    const early = await complete(page.confirm_token);
    assert.equal(early.status, 402);
    assert.equal(early.body.error.code, 'authentication_incomplete');

    const browser = fake.handleNextAction(pi.id as string, 'approve');
    assert.equal(browser.error, undefined);
    const [one, two] = await Promise.all([complete(page.confirm_token), complete(page.confirm_token)]);
    assert.ok([one.status, two.status].includes(200), JSON.stringify([one.body, two.body]));
    assert.equal((await get(`/portal/v1/orders/${order.id}`, c.token)).body.status, 'paid');
    assert.equal((await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body.status, 'active');
    const charged = fake.succeededCharges().filter((ch) => ch.payment_intent === pi.id);
    assert.deepEqual(
      charged.map((ch) => ch.amount),
      [1000],
    );
    const paid = await t.database.db
      .selectFrom('webhook_events')
      .select('payload')
      .where('organization_id', '=', shop.org.id)
      .where('type', '=', 'order.paid')
      .execute();
    assert.equal(paid.filter((e) => (e.payload as { data: { id: string } }).data.id === order.id).length, 1);
  });

  test('a failed challenge: 402 with the next retry date; the PaymentIntent is confirmed again on "Try again"', async () => {
    const { c, sub, order } = await renewalNeedingAuthentication();
    const page = await start(c.token);
    fake.handleNextAction(page.payment_intent_id, 'fail');
    const failed = await complete(page.confirm_token);
    assert.equal(failed.status, 402);
    assert.equal(failed.body.error.code, 'authentication_failed');
    assert.match(failed.body.error.message, /^Your bank could not confirm the payment\. Try again, or use another card\. We will try again on /);
    assert.equal((await get(`/portal/v1/orders/${order.id}`, c.token)).body.status, 'requires_action');
    assert.equal((await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body.status, 'past_due');

    const again = await t.request('POST', '/hosted/v1/confirm-payment/start', { body: { confirm_token: page.confirm_token } });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(fake.paymentIntents.get(page.payment_intent_id)!.status, 'requires_action');
    fake.handleNextAction(page.payment_intent_id, 'approve');
    assert.equal((await complete(page.confirm_token)).status, 200);
    assert.equal((await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body.status, 'active');
  });

  test('settleAuthentication by PaymentIntent id (what payment_intent.succeeded calls) settles it without the page', async () => {
    const { c, sub, order } = await renewalNeedingAuthentication();
    const page = await start(c.token);
    fake.handleNextAction(page.payment_intent_id, 'approve');
    const first = await t.app.services.orders.settleAuthentication(page.payment_intent_id);
    assert.equal(first.status, 'succeeded');
    const second = await t.app.services.orders.settleAuthentication(page.payment_intent_id);
    assert.equal(second.status, 'succeeded');
    assert.equal((await get(`/portal/v1/orders/${order.id}`, c.token)).body.status, 'paid');
    assert.equal((await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body.status, 'active');
    assert.equal((await complete(page.confirm_token)).status, 200, 'the page finds it settled');
    t.clock.advance(DAY);
  });
});

describe('stripe: the confirmation and payment_intent.succeeded at the same moment', () => {
  test('the order is paid once, one payment recorded, the subscription active (on Postgres: truly simultaneous)', async () => {
    const { c, sub, order } = await renewalNeedingAuthentication();
    // Basic is $10.00 a month, no tax in this shop: the renewal is 1000.
    assert.equal(order.total, 1000);
    const page = await start(c.token);
    fake.handleNextAction(page.payment_intent_id, 'approve');
    const event = fake.lastEvent('payment_intent.succeeded', page.payment_intent_id);
    // The page's completion (twice: a double click) and Stripe's event, all at once.
    const [one, two, delivered] = await Promise.all([
      complete(page.confirm_token),
      complete(page.confirm_token),
      deliverStripeEvent(t, STRIPE_WEBHOOK_SECRET, event),
    ]);
    assert.equal(delivered.status, 200, JSON.stringify(delivered.body));
    assert.ok([one.status, two.status].includes(200), JSON.stringify([one.body, two.body]));
    for (const r of [one, two]) assert.ok(r.status === 200 || r.status === 400, JSON.stringify(r.body));

    const db = t.database.db;
    const payments = await db.selectFrom('payments').select(['status', 'amount']).where('order_id', '=', order.id).execute();
    assert.deepEqual(payments, [{ status: 'succeeded', amount: 1000 }], 'one payment, of 1000');
    const stored = await db.selectFrom('orders').select(['status', 'total', 'paid_at']).where('id', '=', order.id).executeTakeFirstOrThrow();
    assert.deepEqual([stored.status, stored.total], ['paid', 1000]);
    assert.ok(stored.paid_at);
    const charged = fake.succeededCharges().filter((ch) => ch.payment_intent === page.payment_intent_id);
    assert.deepEqual(
      charged.map((ch) => ch.amount),
      [1000],
      'charged once at Stripe',
    );
    const paid = await db.selectFrom('webhook_events').select('payload').where('organization_id', '=', shop.org.id).where('type', '=', 'order.paid').execute();
    assert.equal(paid.filter((e) => (e.payload as { data: { id: string } }).data.id === order.id).length, 1, 'one order.paid');
    const view = await get(`/portal/v1/subscriptions/${sub.id}`, c.token);
    assert.deepEqual([view.body.status, view.body.past_due_reason], ['active', null]);
    assert.equal(view.headers.get('cp-billing-status'), 'ok');
    await t.runJobs();
    assert.equal(t.mail.to(c.email).filter((m) => /Payment received/i.test(m.subject)).length, 1, 'one receipt');
  });
});
