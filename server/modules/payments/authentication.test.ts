// Payments that need the customer (SCA / 3-D Secure) with the offline test provider: a renewal,
// a dunning retry, a plan change, a resume and a purchase whose card's bank asks for
// authentication, confirmed (or not) through the hosted confirm page as the portal drives it.
// Runs on PGlite and, with TEST_DATABASE_URL, on Postgres (the simultaneous confirms).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY, SECOND } from '../../lib/clock.js';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';
import type { TestProvider } from './test-provider.js';

const ALWAYS_AUTHENTICATE = '4000002760003184';
const AUTHENTICATE_UNLESS_SET_UP = '4000002500003155';
const DECLINE_AFTER_SAVE = '4000000000000341';
const ORIGIN = 'http://localhost';

let t: TestContext;
let shop: Shop;

before(async () => {
  t = await createTestContext();
  shop = await createShop(t);
});
after(() => t.close());

const get = (path: string, token: string) => t.request('GET', path, { token });
const post = (path: string, token: string, body: object = {}) => t.request('POST', path, { token, body });
const provider = () => t.app.services.payments.provider as TestProvider;

async function events(type: string) {
  const rows = await t.database.db.selectFrom('webhook_events').select('payload').where('organization_id', '=', shop.org.id).where('type', '=', type).execute();
  return rows.map((r) => (r.payload as { data: Record<string, unknown> }).data);
}

/** The hosted confirm page's flow up to the challenge: open it, trade the token, get the challenge. */
async function openChallenge(token: string, orderId?: string) {
  const session = await post('/portal/v1/payments/confirm-session', token, { origin: ORIGIN, ...(orderId ? { order_id: orderId } : {}) });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  const openToken = new URL(session.body.url).searchParams.get('token')!;
  const page = await t.request('GET', `/hosted/confirm-payment?token=${openToken}`);
  assert.equal(page.status, 200);
  const start = await t.request('POST', '/hosted/v1/confirm-payment/start', { body: { token: openToken } });
  assert.equal(start.status, 200, JSON.stringify(start.body));
  assert.equal(start.body.status, 'requires_action');
  return { session: session.body, start: start.body };
}

/** What the test bank's challenge does when answered, then the page's completion. */
async function answer(start: { payment_intent_id: string; client_secret: string; confirm_token: string }, outcome: 'approve' | 'fail') {
  const challenge = await t.request('POST', `/test-provider/payment-intents/${start.payment_intent_id}/authenticate`, {
    body: { client_secret: start.client_secret, outcome },
  });
  assert.equal(challenge.status, 200, JSON.stringify(challenge.body));
  return t.request('POST', '/hosted/v1/confirm-payment/complete', { body: { confirm_token: start.confirm_token } });
}

/** A subscriber on Basic paid with 4242, whose default card is then one that always asks for authentication. */
async function subscriberNeedingAuthentication(price = shop.prices.basic) {
  const c = await createSubscriber(t, shop);
  const sub = await subscribe(t, shop, c.id, price);
  assert.equal(sub.status, 'active');
  await t.addCard(shop.org.id, c.id, ALWAYS_AUTHENTICATE);
  return { c, sub };
}

/** Past the period end (a session lasts 30 days: the customer signs in again). */
async function renewNow(periodEnd: string, c?: { email: string; token: string }) {
  t.clock.set(periodEnd);
  t.clock.advance(SECOND);
  const ran = await t.runJobs();
  if (c) c.token = await t.signIn(shop.org.slug, c.email);
  return ran;
}

describe('a renewal that needs authentication', () => {
  test('waits for the customer: order requires_action, past due with the reason, an email, the banner; confirmed → paid and active', async () => {
    t.clock.set('2026-03-01T10:00:00.000Z');
    const { c, sub } = await subscriberNeedingAuthentication();
    t.mail.sent.length = 0;
    const ran = await renewNow(sub.current_period_end, c);
    assert.equal(ran.renewed, 1);

    const view = await get(`/portal/v1/subscriptions/${sub.id}`, c.token);
    assert.equal(view.body.status, 'past_due');
    assert.equal(view.body.past_due_reason, 'authentication_required');
    assert.equal(view.headers.get('cp-billing-status'), 'requires_action', 'the banner offers Confirm payment');
    const orders = (await get('/portal/v1/orders', c.token)).body.data;
    assert.equal(orders[0].status, 'requires_action');
    assert.equal(orders[0].total, 1000);
    const [pastDue] = (await events('subscription.past_due')).filter((e) => e.id === sub.id);
    assert.equal(pastDue?.reason, 'authentication_required');

    const mails = t.mail.to(c.email).filter((m) => !/sign-in code/i.test(m.subject));
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.subject, 'Confirm your payment for Basic');
    assert.match(mails[0]!.text, /Your bank asks you to confirm the payment for invoice/);
    assert.ok(mails[0]!.text.includes(`/${shop.org.slug}/portal`), 'links to the portal');

    const { session, start } = await openChallenge(c.token);
    assert.equal(session.order.id, orders[0].id);
    assert.equal(start.provider, 'test');
    assert.equal(start.order.total, 1000);
    const done = await answer(start, 'approve');
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.status, 'succeeded');
    assert.deepEqual(done.body.subscription, { id: sub.id, status: 'active' });

    const after = await get(`/portal/v1/subscriptions/${sub.id}`, c.token);
    assert.equal(after.body.status, 'active');
    assert.equal(after.body.past_due_reason, null);
    assert.equal(after.headers.get('cp-billing-status'), 'ok');
    assert.equal((await get(`/portal/v1/orders/${orders[0].id}`, c.token)).body.status, 'paid');
    const charged = (await provider().charges()).filter((ch) => ch.status === 'succeeded' && ch.payment_method_ref.endsWith('.authenticate'));
    assert.equal(charged.length, 1);
    assert.equal(charged[0]!.amount, 1000);
    assert.equal((await events('order.paid')).filter((e) => e.id === orders[0].id).length, 1);
    await t.runJobs();
    assert.ok(t.mail.to(c.email).some((m) => /Payment received/i.test(m.subject)));

    // The confirm token is spent and the payment is settled: nothing to confirm any more.
    const again = await post('/portal/v1/payments/confirm-session', c.token, { origin: ORIGIN });
    assert.equal(again.status, 404);
    assert.equal(again.body.error.code, 'nothing_to_confirm');
  });

  test('a failed challenge says what happens next, keeps the payment confirmable and the dunning schedule; trying again works', async () => {
    t.clock.set('2026-04-01T10:00:00.000Z');
    const { c, sub } = await subscriberNeedingAuthentication();
    await renewNow(sub.current_period_end, c);
    const { start } = await openChallenge(c.token);
    const failed = await answer(start, 'fail');
    assert.equal(failed.status, 402);
    assert.equal(failed.body.error.code, 'authentication_failed');
    assert.match(failed.body.error.message, /^Your bank could not confirm the payment\. Try again, or use another card\. We will try again on 2026-05-0\d\.$/);
    assert.equal(failed.body.error.details.can_retry, true);
    const view = (await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body;
    assert.equal(view.status, 'past_due');
    const order = (await get('/portal/v1/orders', c.token)).body.data[0];
    assert.equal(order.status, 'requires_action');
    assert.match(order.failure_message, /could not confirm/);

    // "Try again" in the same page: the confirm token asks for the challenge again.
    const retry = await t.request('POST', '/hosted/v1/confirm-payment/start', { body: { confirm_token: start.confirm_token } });
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    const done = await answer(retry.body, 'approve');
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal((await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body.status, 'active');
  });

  test('4000 0025 0000 3155 was authenticated when saved: its renewals succeed off-session', async () => {
    t.clock.set('2026-04-01T10:00:00.000Z');
    const c = await createSubscriber(t, shop, { card: AUTHENTICATE_UNLESS_SET_UP });
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    assert.equal(sub.status, 'active');
    await renewNow(sub.current_period_end, c);
    assert.equal((await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body.status, 'active');
  });
});

describe('a dunning retry that needs authentication', () => {
  test('the retry waits for the customer; later retries do not charge again but remind; confirming restores it', async () => {
    t.clock.set('2026-05-01T10:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    await t.addCard(shop.org.id, c.id, DECLINE_AFTER_SAVE);
    await renewNow(sub.current_period_end, c);
    let view = (await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body;
    assert.equal(view.status, 'past_due');
    assert.equal(view.past_due_reason, 'payment_failed');

    // The default card is now one that asks for authentication; the scheduled retry uses it.
    await t.addCard(shop.org.id, c.id, ALWAYS_AUTHENTICATE);
    t.mail.sent.length = 0;
    t.clock.advance(3 * DAY + SECOND);
    await t.runJobs();
    c.token = await t.signIn(shop.org.slug, c.email);
    view = (await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body;
    assert.equal(view.status, 'past_due');
    assert.equal(view.past_due_reason, 'authentication_required');
    assert.ok(t.mail.to(c.email).some((m) => m.subject === 'Confirm your payment for Basic'));
    const before = (await provider().charges()).length;

    t.mail.sent.length = 0;
    t.clock.advance(4 * DAY);
    await t.runJobs();
    assert.equal((await provider().charges()).length, before, 'not charged again off-session');
    assert.ok(
      t.mail.to(c.email).some((m) => m.subject === 'Confirm your payment for Basic'),
      'a reminder',
    );

    const { start } = await openChallenge(c.token);
    const done = await answer(start, 'approve');
    assert.equal(done.status, 200, JSON.stringify(done.body));
    view = (await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body;
    assert.equal(view.status, 'active');
    const row = await t.database.db.selectFrom('subscriptions').selectAll().where('id', '=', sub.id).executeTakeFirstOrThrow();
    assert.equal(row.dunning_attempts, 0);
    assert.equal(row.next_retry_at, null);
  });

  test('a new card supersedes the waiting payment: the old PaymentIntent is canceled, the new card charged once', async () => {
    t.clock.set('2026-05-01T10:00:00.000Z');
    const { c, sub } = await subscriberNeedingAuthentication();
    await renewNow(sub.current_period_end, c);
    const waiting = (await get('/portal/v1/orders', c.token)).body.data[0];
    assert.equal(waiting.status, 'requires_action');
    const { start } = await openChallenge(c.token);

    // The customer adds 4242 in the portal instead: the unpaid renewal is retried with it at once.
    const setup = await post('/portal/v1/payment-methods/setup', c.token);
    await provider().confirmSetupIntent(setup.body.setup_intent_id, setup.body.client_secret, {
      number: '4242424242424242',
      exp_month: 12,
      exp_year: 2034,
      cvc: '123',
    });
    const confirmed = await post('/portal/v1/payment-methods/confirm', c.token, { setup_intent_id: setup.body.setup_intent_id });
    assert.equal(confirmed.status, 201, JSON.stringify(confirmed.body));
    assert.deepEqual(
      confirmed.body.retried.map((r: { ok: boolean; status: string }) => [r.ok, r.status]),
      [[true, 'active']],
    );
    assert.equal((await get(`/portal/v1/orders/${waiting.id}`, c.token)).body.status, 'paid');
    // The old challenge can no longer charge: its PaymentIntent was canceled.
    const late = await t.request('POST', `/test-provider/payment-intents/${start.payment_intent_id}/authenticate`, {
      body: { client_secret: start.client_secret, outcome: 'approve' },
    });
    assert.equal(late.body.status, 'canceled');
    const forOrder = (await provider().charges()).filter((ch) => ch.idempotency_key.startsWith(`${waiting.id}:`));
    assert.deepEqual(forOrder.map((ch) => `${ch.idempotency_key.slice(-2)} ${ch.status} ${ch.amount}`).sort(), [':1 canceled 1000', ':2 succeeded 1000']);
  });
});

describe('a plan change that needs authentication', () => {
  test('stays in flight until confirmed in the dialog, then takes effect at the amount previewed', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const { c, sub } = await subscriberNeedingAuthentication();
    t.clock.advance(10 * DAY);
    const preview = await post(`/portal/v1/subscriptions/${sub.id}/change-preview`, c.token, { price_id: shop.prices.pro });
    // 21 of 31 days left: Pro's remaining time less Basic's unused time, each rounded once.
    const due = Math.round((3000 * 21) / 31) - Math.round((1000 * 21) / 31);
    assert.equal(preview.body.due_now.total, due);
    const change = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: shop.prices.pro, proration_date: preview.body.proration_date });
    assert.equal(change.status, 402, JSON.stringify(change.body));
    assert.equal(change.body.error.code, 'authentication_required');
    assert.equal(change.body.error.details.amount, due);
    const orderId = change.body.error.details.order_id;

    // In flight: another change waits for it.
    const other = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: shop.prices.annual });
    assert.equal(other.status, 409);
    assert.equal(other.body.error.code, 'subscription_changed');
    assert.equal((await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body.price.id, shop.prices.basic);

    const { start } = await openChallenge(c.token, orderId);
    assert.equal(start.order.total, due);
    const done = await answer(start, 'approve');
    assert.equal(done.status, 200, JSON.stringify(done.body));
    const view = (await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body;
    assert.equal(view.price.id, shop.prices.pro);
    assert.equal(view.status, 'active');
    assert.equal((await get(`/portal/v1/orders/${orderId}`, c.token)).body.status, 'paid');
    const row = await t.database.db.selectFrom('subscriptions').select('operation').where('id', '=', sub.id).executeTakeFirstOrThrow();
    assert.equal(row.operation, null);
  });

  test('a failed challenge undoes the change: the order is void, the plan stays, another change is possible', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const { c, sub } = await subscriberNeedingAuthentication();
    t.clock.advance(10 * DAY);
    const change = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: shop.prices.pro });
    assert.equal(change.status, 402);
    const { start } = await openChallenge(c.token, change.body.error.details.order_id);
    const failed = await answer(start, 'fail');
    assert.equal(failed.status, 402);
    assert.match(failed.body.error.message, /Your plan was not changed\.$/);
    assert.equal((await get(`/portal/v1/orders/${change.body.error.details.order_id}`, c.token)).body.status, 'void');
    const view = (await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body;
    assert.equal(view.price.id, shop.prices.basic);
    assert.equal(view.status, 'active');
    const again = await post(`/portal/v1/subscriptions/${sub.id}/change-preview`, c.token, { price_id: shop.prices.pro });
    assert.equal(again.status, 200);
  });

  test('left unconfirmed, the jobs undo it after the window (the PaymentIntent canceled first)', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const { c, sub } = await subscriberNeedingAuthentication();
    t.clock.advance(10 * DAY);
    const change = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: shop.prices.pro });
    assert.equal(change.status, 402);
    t.clock.advance(2 * 60 * SECOND);
    await t.runJobs();
    let row = await t.database.db.selectFrom('subscriptions').select('operation').where('id', '=', sub.id).executeTakeFirstOrThrow();
    assert.ok(row.operation, 'still waiting for the customer after two minutes');
    t.clock.advance(15 * 60 * SECOND);
    await t.runJobs();
    row = await t.database.db.selectFrom('subscriptions').select('operation').where('id', '=', sub.id).executeTakeFirstOrThrow();
    assert.equal(row.operation, null);
    assert.equal((await get(`/portal/v1/orders/${change.body.error.details.order_id}`, c.token)).body.status, 'void');
    const charges = (await provider().charges()).filter((ch) => ch.idempotency_key.startsWith(`${change.body.error.details.order_id}:`));
    assert.deepEqual(
      charges.map((ch) => ch.status),
      ['canceled'],
    );
  });
});

describe('a purchase that needs authentication', () => {
  test('the merchant is told requires_action, the customer confirms it from the portal, the order is paid', async () => {
    const product = await t.request('POST', '/v1/products', {
      token: shop.org.key,
      body: { name: 'Ebook', visibility: 'public', prices: [{ type: 'one_time', currency: 'usd', unit_amount: 2500 }] },
    });
    const c = await createSubscriber(t, shop, { card: ALWAYS_AUTHENTICATE });
    const bought = await t.request('POST', '/v1/orders', {
      token: shop.org.key,
      body: { customer_id: c.id, items: [{ price_id: product.body.prices[0].id, quantity: 2 }] },
    });
    assert.equal(bought.status, 202, JSON.stringify(bought.body));
    assert.equal(bought.body.payment.status, 'requires_action');
    assert.equal(bought.body.payment.code, 'authentication_required');
    assert.equal(bought.body.status, 'requires_action');
    assert.equal(bought.body.total, 5000);
    await t.runJobs();
    assert.ok(t.mail.to(c.email).some((m) => /^Confirm your payment for /.test(m.subject)));
    const { start } = await openChallenge(c.token);
    assert.equal(start.order.total, 5000);
    const done = await answer(start, 'approve');
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.subscription, null);
    assert.equal((await t.request('GET', `/v1/orders/${bought.body.id}`, { token: shop.org.key })).body.status, 'paid');
  });
});

describe('confirming twice at once', () => {
  test('two completes of one authenticated payment settle it once: one charge, one order.paid, one email', async () => {
    t.clock.set('2026-06-01T10:00:00.000Z');
    const { c, sub } = await subscriberNeedingAuthentication(shop.prices.team);
    await renewNow(sub.current_period_end, c);
    const { start } = await openChallenge(c.token);
    const challenge = await t.request('POST', `/test-provider/payment-intents/${start.payment_intent_id}/authenticate`, {
      body: { client_secret: start.client_secret, outcome: 'approve' },
    });
    assert.equal(challenge.body.status, 'succeeded');
    t.mail.sent.length = 0;
    const answers = await Promise.all([
      t.request('POST', '/hosted/v1/confirm-payment/complete', { body: { confirm_token: start.confirm_token } }),
      t.request('POST', '/hosted/v1/confirm-payment/complete', { body: { confirm_token: start.confirm_token } }),
      t.app.services.orders.settleAuthentication(start.payment_intent_id),
    ]);
    for (const a of answers.slice(0, 2) as Array<{ status: number; body: { status: string } }>) {
      assert.ok(a.status === 200 || a.status === 400, JSON.stringify(a.body));
    }
    assert.ok(answers.slice(0, 2).some((a) => (a as { status: number }).status === 200));
    const orderId = start.order.id;
    const payments = await t.database.db.selectFrom('payments').select(['status', 'amount']).where('order_id', '=', orderId).execute();
    // Team is $5.00 a seat, one seat.
    assert.deepEqual(payments, [{ status: 'succeeded', amount: 500 }]);
    assert.equal((await events('order.paid')).filter((e) => e.id === orderId).length, 1);
    assert.equal((await events('subscription.updated')).filter((e) => e.id === sub.id && e.previous_status === 'past_due').length, 1);
    await t.runJobs();
    assert.equal(t.mail.to(c.email).filter((m) => /Payment received/i.test(m.subject)).length, 1);
    assert.equal((await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body.status, 'active');
  });
});
