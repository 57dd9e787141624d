// Stripe's events reconciled into ours: the real `stripe` SDK against the local fake, events
// as the fake emitted them (or changed to arrive out of order), signed with the SDK's own
// test helper and posted to /webhooks/stripe. Each event: what changed, what the merchant was
// told, a redelivery that changes nothing, and out-of-order arrival. On Postgres also the
// same event delivered twice at once, and a dashboard refund during our own refund.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MINUTE, SECOND } from '../../lib/clock.js';
import { createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import type { FakeStripe } from '../../testing/fake-stripe.js';
import type { TestContext } from '../../testing/harness.js';
import { addStripeCard, deliverStripeEvent, stripeTestContext } from '../../testing/stripe.js';

const WEBHOOK_SECRET = 'whsec_test_events_0123456789';

let fake: FakeStripe;
let t: TestContext;
let shop: Shop;

let close: () => Promise<void>;

before(async () => {
  ({ fake, t, shop, close } = await stripeTestContext(WEBHOOK_SECRET));
});
after(async () => {
  if (process.env.DEBUG_LOGS) for (const l of t.logs) if (l.includes('"level":50') || l.includes('error')) console.error(l.slice(0, 1500));
  await close();
});

type Obj = Record<string, unknown>;
const get = (path: string, token: string) => t.request('GET', path, { token });
const post = (path: string, token: string, body: object = {}) => t.request('POST', path, { token, body });
const merchant = (path: string) => t.request('GET', path, { token: shop.org.key });

/** Posts an event as Stripe does (signed, server/testing/stripe.ts). */
const deliver = (event: Obj) => deliverStripeEvent(t, WEBHOOK_SECRET, event);

async function delivered(event: Obj) {
  const res = await deliver(event);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body, { received: true });
  return res;
}

async function redelivered(event: Obj) {
  const res = await deliver(event);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body, { received: true, duplicate: true });
}

/** An event as Stripe would send it, with another id and `created` (a separate, later or earlier event). */
function variant(event: Obj, createdDelta: number, object: Obj = {}): Obj {
  const copy = structuredClone(event);
  copy.id = `${String(event.id)}_${createdDelta < 0 ? 'early' : 'late'}${Math.abs(createdDelta)}`;
  copy.created = Number(event.created) + createdDelta;
  (copy.data as Obj).object = { ...((event.data as Obj).object as Obj), ...object };
  return copy;
}

/** What the merchant's webhooks were given, by type, for one order or customer. */
async function merchantEvents(type: string, about: string) {
  const rows = await t.database.db.selectFrom('webhook_events').selectAll().where('organization_id', '=', shop.org.id).where('type', '=', type).execute();
  return rows
    .map((r) => ((typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { data: Obj }).data)
    .filter((data) => JSON.stringify(data).includes(about));
}

async function addCard(token: string, number: string, makeDefault = true) {
  const added = await addStripeCard(t, fake, token, number, makeDefault);
  assert.equal(added.done.status, 201, JSON.stringify(added.done.body));
  return added;
}

async function subscriberWithCard(number = '4242424242424242') {
  const c = await createSubscriber(t, shop, { card: null });
  await addCard(c.token, number);
  return c;
}

function stripeCustomer(customerId: string) {
  const found = [...fake.customers.values()].filter((c) => (c.metadata as Record<string, string>).customer_id === customerId);
  assert.equal(found.length, 1);
  return found[0]!.id as string;
}

/** A customer with a paid 10.00 subscription; its order and PaymentIntent. */
async function paidOrder() {
  const c = await subscriberWithCard();
  const sub = await subscribe(t, shop, c.id, shop.prices.basic);
  const order = (await merchant(`/v1/orders?subscription_id=${sub.id}`)).body.data[0];
  assert.equal(order.status, 'paid');
  const [charge] = fake.succeededCharges(stripeCustomer(c.id));
  return { c, sub, order, pi: charge!.payment_intent };
}

async function storedOutcome(eventId: string) {
  return (await t.database.db.selectFrom('stripe_events').selectAll().where('id', '=', eventId).executeTakeFirst())?.outcome;
}

describe('payment_intent.succeeded and payment_failed (asynchronous results)', () => {
  test('a renewal whose answer never arrived is paid by payment_intent.succeeded, once; the next run charges nothing more', async () => {
    t.clock.set('2026-03-01T12:00:00.000Z');
    const c = await subscriberWithCard();
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    t.clock.set(sub.current_period_end);
    t.clock.advance(SECOND);
    const customerRef = stripeCustomer(c.id);
    fake.interrupt('/v1/payment_intents', 2, (params) => params.customer === customerRef);
    await t.runJobs();
    const pending = (await merchant(`/v1/orders?subscription_id=${sub.id}`)).body.data[0];
    assert.equal(pending.status, 'pending');
    const intent = [...fake.paymentIntents.values()].find((pi) => (pi.metadata as Record<string, string>).order_id === pending.id)!;
    const event = fake.lastEvent('payment_intent.succeeded', intent.id as string);

    await delivered(event);
    const paid = (await merchant(`/v1/orders/${pending.id}`)).body;
    assert.equal(paid.status, 'paid');
    assert.equal((await merchantEvents('order.paid', pending.id)).length, 1);
    const payment = await t.database.db.selectFrom('payments').selectAll().where('order_id', '=', pending.id).executeTakeFirstOrThrow();
    assert.equal(payment.status, 'succeeded');
    assert.equal(payment.provider_ref, intent.id);

    await redelivered(event);
    // The renewal's lease (taken by the run that lost its answer) ends; it runs again.
    t.clock.advance(6 * MINUTE);
    await t.runJobs();
    assert.equal(fake.charges.filter((ch) => ch.idempotency_key === `${pending.id}:1`).length, 1, 'one charge at Stripe');
    assert.equal((await merchantEvents('order.paid', pending.id)).length, 1, 'order.paid once');
    const renewed = (await merchant(`/v1/subscriptions/${sub.id}`)).body;
    assert.equal(renewed.status, 'active');
    assert.equal(renewed.current_period_start, sub.current_period_end, 'the renewal moved on to the new period');
  });

  test('a payment whose answer never arrived fails by payment_intent.payment_failed; the merchant is told', async () => {
    t.clock.set('2026-03-01T12:00:00.000Z');
    const c = await subscriberWithCard();
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    t.clock.set(sub.current_period_end);
    t.clock.advance(SECOND);
    const customerRef = stripeCustomer(c.id);
    fake.interrupt('/v1/payment_intents', 2, (params) => params.customer === customerRef);
    await t.runJobs();
    const pending = (await merchant(`/v1/orders?subscription_id=${sub.id}`)).body.data[0];
    const intent = [...fake.paymentIntents.values()].find((pi) => (pi.metadata as Record<string, string>).order_id === pending.id)!;
    fake.finishPaymentIntent(intent.id as string, 'failed');
    const event = fake.lastEvent('payment_intent.payment_failed', intent.id as string);
    await delivered(event);
    const failed = (await merchant(`/v1/orders/${pending.id}`)).body;
    assert.equal(failed.status, 'failed');
    assert.match(failed.failure_message, /declined/);
    const told = await merchantEvents('order.payment_failed', pending.id);
    assert.equal(told.length, 1);
    assert.equal(told[0]!.status, 'failed');
    await redelivered(event);
    assert.equal((await merchantEvents('order.payment_failed', pending.id)).length, 1);
  });

  test('a declined renewal later succeeding at Stripe restores the subscription; the old failure arriving late changes nothing', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await subscriberWithCard('4000000000000341');
    const sub = await t.request('POST', '/v1/subscriptions', { token: shop.org.key, body: { customer_id: c.id, price_id: shop.prices.basic } });
    assert.equal(sub.body.status, 'incomplete', 'the first charge is declined');
    const order = (await merchant(`/v1/orders?subscription_id=${sub.body.id}`)).body.data[0];
    assert.equal(order.status, 'failed');
    const payment = await t.database.db.selectFrom('payments').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
    const failedEvent = fake.lastEvent('payment_intent.payment_failed', payment.provider_ref!);

    // The bank approves it after all (a payment that was still processing): Stripe says succeeded.
    fake.finishPaymentIntent(payment.provider_ref!, 'succeeded');
    const succeeded = fake.lastEvent('payment_intent.succeeded', payment.provider_ref!);
    await delivered(succeeded);
    assert.equal((await merchant(`/v1/orders/${order.id}`)).body.status, 'paid');
    assert.equal((await merchant(`/v1/subscriptions/${sub.body.id}`)).body.status, 'active');
    assert.equal((await merchantEvents('order.paid', order.id)).length, 1);
    const updated = (await merchantEvents('subscription.updated', sub.body.id)).filter((e) => e.previous_status === 'incomplete');
    assert.equal(updated.length, 1, 'subscription.updated once, from incomplete');

    // The failure, delivered late (Stripe retried it): the payment stays succeeded.
    await delivered(failedEvent);
    assert.equal(await storedOutcome(failedEvent.id), 'unchanged');
    assert.equal((await merchant(`/v1/orders/${order.id}`)).body.status, 'paid');
    assert.equal((await merchantEvents('order.payment_failed', order.id)).length, 0);
    const after = await t.database.db.selectFrom('payments').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
    assert.equal(after.status, 'succeeded');
  });

  test('an event for a PaymentIntent we never made is stored and acknowledged', async () => {
    const event = {
      id: 'evt_foreign_pi',
      object: 'event',
      type: 'payment_intent.succeeded',
      created: Math.floor(t.clock.now().getTime() / 1000),
      data: { object: { id: 'pi_not_ours', object: 'payment_intent', status: 'succeeded', metadata: {} } },
    };
    await delivered(event);
    assert.equal(await storedOutcome('evt_foreign_pi'), 'unknown_payment');
  });
});

describe('charge.refunded (refunds made in Stripe)', () => {
  test('dashboard refunds are recorded once each with exact amounts; our own refund is not counted twice', async () => {
    const { order, pi } = await paidOrder();
    // 10.00 paid. The merchant refunds 3.00 in Stripe's dashboard.
    fake.dashboardRefund(pi, 300);
    const first = fake.lastEvent('charge.refunded');
    await delivered(first);
    let now = (await merchant(`/v1/orders/${order.id}`)).body;
    assert.equal(now.status, 'partially_refunded');
    assert.equal(now.refunded_amount, 300);
    assert.deepEqual(
      now.refunds.map((r: { amount: number; destination: string; reason: string }) => [r.amount, r.destination, r.reason]),
      [[300, 'payment_method', 'Refunded in Stripe']],
    );
    const told = await merchantEvents('order.refunded', order.id);
    assert.equal(told.length, 1);
    assert.equal((told[0]!.refund as Obj).amount, 300);
    await redelivered(first);

    // Our own refund of 2.00 through the merchant API: its charge.refunded lists both refunds.
    const ours = await t.request('POST', '/v1/refunds', { token: shop.org.key, body: { order_id: order.id, amount: 200, destination: 'payment_method' } });
    assert.equal(ours.status, 201, JSON.stringify(ours.body));
    const second = fake.lastEvent('charge.refunded');
    await delivered(second);
    assert.equal(await storedOutcome(second.id), 'unchanged');
    now = (await merchant(`/v1/orders/${order.id}`)).body;
    assert.equal(now.refunded_amount, 500, '3.00 + 2.00, ours not counted again');
    assert.equal(now.refunds.length, 2);

    // The rest (5.00) in the dashboard: refunded. Its events arrive out of order and twice.
    fake.dashboardRefund(pi, 500);
    const third = fake.lastEvent('charge.refunded');
    await delivered(third);
    await delivered(variant(second, -1));
    await redelivered(third);
    now = (await merchant(`/v1/orders/${order.id}`)).body;
    assert.equal(now.status, 'refunded');
    assert.equal(now.refunded_amount, 1000);
    assert.deepEqual(now.refunds.map((r: { amount: number }) => r.amount).sort(), [200, 300, 500]);
    const charge = fake.charges.find((ch) => ch.payment_intent === pi)!;
    assert.equal(charge.amount_refunded, 1000, 'what Stripe refunded is what we recorded');
    assert.equal((await merchantEvents('order.refunded', order.id)).length, 3);
  });

  test('a refund of a payment that is not ours is stored and ignored', async () => {
    const event = {
      id: 'evt_foreign_refund',
      object: 'event',
      type: 'charge.refunded',
      created: Math.floor(t.clock.now().getTime() / 1000),
      data: { object: { id: 'ch_x', object: 'charge', payment_intent: 'pi_foreign', amount_refunded: 100 } },
    };
    await delivered(event);
    assert.equal(await storedOutcome('evt_foreign_refund'), 'unknown_payment');
  });
});

describe('charge.dispute.created and closed', () => {
  test('a dispute opens on the order (order.disputed), shows in the portal, and closes lost (order.dispute_closed)', async () => {
    const { c, order, pi } = await paidOrder();
    const dispute = fake.openDispute(pi, { reason: 'fraudulent' });
    const created = fake.lastEvent('charge.dispute.created', dispute.id);
    await delivered(created);
    const shown = (await get(`/portal/v1/orders/${order.id}`, c.token)).body;
    assert.equal(shown.dispute.status, 'open');
    assert.equal(shown.dispute.reason, 'fraudulent');
    assert.equal(shown.dispute.amount, 1000);
    assert.equal(shown.status, 'paid');
    const listed = (await get('/portal/v1/orders', c.token)).body.data.find((o: { id: string }) => o.id === order.id);
    assert.equal(listed.dispute.status, 'open', 'the list carries it too (the badge)');
    const disputed = await merchantEvents('order.disputed', order.id);
    assert.equal(disputed.length, 1);
    assert.equal((disputed[0]!.dispute as Obj).status, 'open');
    await redelivered(created);

    fake.closeDispute(dispute.id, 'lost');
    const closed = variant(fake.lastEvent('charge.dispute.closed', dispute.id), 1);
    await delivered(closed);
    const lost = (await merchant(`/v1/orders/${order.id}`)).body;
    assert.equal(lost.dispute.status, 'lost');
    assert.ok(lost.dispute.closed_at);
    assert.equal((await merchantEvents('order.dispute_closed', order.id)).length, 1);
    assert.equal((await merchantEvents('order.disputed', order.id)).length, 1);
  });

  test('closed arriving before created: the order says won, and the late created changes nothing', async () => {
    const { order, pi } = await paidOrder();
    const dispute = fake.openDispute(pi, { reason: 'product_not_received' });
    const created = fake.lastEvent('charge.dispute.created', dispute.id);
    fake.closeDispute(dispute.id, 'won');
    const closed = variant(fake.lastEvent('charge.dispute.closed', dispute.id), 60);
    await delivered(closed);
    let now = (await merchant(`/v1/orders/${order.id}`)).body;
    assert.equal(now.dispute.status, 'won');
    await delivered(created);
    assert.equal(await storedOutcome(created.id), 'stale');
    now = (await merchant(`/v1/orders/${order.id}`)).body;
    assert.equal(now.dispute.status, 'won', 'a decided dispute never reopens');
    assert.equal((await merchantEvents('order.dispute_closed', order.id)).length, 1);
  });
});

describe('payment methods', () => {
  test('payment_method.automatically_updated brings the new expiry and last 4; an older update arriving late is ignored', async () => {
    const c = await subscriberWithCard();
    const [method] = (await get('/portal/v1/payment-methods', c.token)).body.data;
    const row = (await t.app.services.payments.findMethodById(method.id))!;
    const older = fake.updateCard(row.provider_ref, { exp_month: 3, exp_year: 2030 }, false);
    assert.ok(older);
    const olderEvent = fake.lastEvent('payment_method.updated', row.provider_ref);
    fake.updateCard(row.provider_ref, { exp_month: 8, exp_year: 2031, last4: '1881' });
    const newer = variant(fake.lastEvent('payment_method.automatically_updated', row.provider_ref), 10);
    await delivered(newer);
    let [shown] = (await get('/portal/v1/payment-methods', c.token)).body.data;
    assert.deepEqual([shown.last4, shown.exp_month, shown.exp_year, shown.is_default], ['1881', 8, 2031, true]);
    assert.equal((await merchantEvents('payment_method.updated', c.id)).length, 1);
    await redelivered(newer);

    await delivered(olderEvent);
    assert.equal(await storedOutcome(olderEvent.id), 'stale');
    [shown] = (await get('/portal/v1/payment-methods', c.token)).body.data;
    assert.deepEqual([shown.last4, shown.exp_month, shown.exp_year], ['1881', 8, 2031], 'the newer state stays');
  });

  test('payment_method.detached of the default card removes it and leaves no default', async () => {
    const c = await subscriberWithCard();
    await addCard(c.token, '5555555555554444', false);
    const methods = (await get('/portal/v1/payment-methods', c.token)).body.data as Array<{ id: string; last4: string; is_default: boolean }>;
    const visa = methods.find((m) => m.last4 === '4242')!;
    assert.equal(visa.is_default, true);
    const ref = (await t.app.services.payments.findMethodById(visa.id))!.provider_ref;
    fake.detachInDashboard(ref);
    const event = fake.lastEvent('payment_method.detached', ref);
    await delivered(event);
    const left = (await get('/portal/v1/payment-methods', c.token)).body.data as Array<{ last4: string; is_default: boolean }>;
    assert.deepEqual(
      left.map((m) => [m.last4, m.is_default]),
      [['4444', false]],
    );
    assert.equal((await merchantEvents('payment_method.detached', c.id)).length, 1);
    await redelivered(event);
    // An update of the card arriving after it was detached does not bring it back.
    await delivered(variant(event, -5, { card: { brand: 'visa', last4: '4242', exp_month: 1, exp_year: 2040 } }));
    assert.equal((await get('/portal/v1/payment-methods', c.token)).body.data.length, 1);
  });

  test('setup_intent.succeeded saves a card confirmed after the hosted page was closed; the late confirm finds it', async () => {
    const c = await createSubscriber(t, shop, { card: null });
    const setup = await post('/portal/v1/payment-methods/setup', c.token);
    const browser = fake.confirmSetupIntent(setup.body.setup_intent_id, '4242424242424242');
    assert.ok(browser.setupIntent);
    // The customer closed the page before it called confirm: only Stripe's event says so.
    const event = fake.lastEvent('setup_intent.succeeded', setup.body.setup_intent_id);
    await delivered(event);
    const listed = (await get('/portal/v1/payment-methods', c.token)).body.data;
    assert.deepEqual(
      listed.map((m: { brand: string; last4: string; is_default: boolean }) => [m.brand, m.last4, m.is_default]),
      [['visa', '4242', true]],
    );
    await redelivered(event);
    const late = await post('/portal/v1/payment-methods/confirm', c.token, { setup_intent_id: setup.body.setup_intent_id });
    assert.equal(late.status, 201, JSON.stringify(late.body));
    assert.equal(late.body.payment_method.id, listed[0].id, 'the same card, not a second one');
    assert.equal((await get('/portal/v1/payment-methods', c.token)).body.data.length, 1);
  });

  test('setup_intent.succeeded arriving after the card was detached does not bring it back', async () => {
    const c = await createSubscriber(t, shop, { card: null });
    const setup = await post('/portal/v1/payment-methods/setup', c.token);
    fake.confirmSetupIntent(setup.body.setup_intent_id, '4242424242424242');
    const event = fake.lastEvent('setup_intent.succeeded', setup.body.setup_intent_id);
    fake.detachInDashboard(fake.setupIntents.get(setup.body.setup_intent_id)!.payment_method as string);
    await delivered(event);
    assert.equal(await storedOutcome(event.id), 'stale');
    assert.deepEqual((await get('/portal/v1/payment-methods', c.token)).body.data, []);
  });

  test('customer.deleted drops our link and the cards; the next card makes a new Stripe customer', async () => {
    const c = await subscriberWithCard();
    const ref = stripeCustomer(c.id);
    t.clock.advance(SECOND);
    fake.deleteCustomer(ref);
    const event = fake.lastEvent('customer.deleted', ref);
    await delivered(event);
    assert.deepEqual((await get('/portal/v1/payment-methods', c.token)).body.data, []);
    const row = await t.app.services.customers.get(shop.org.id, { id: c.id });
    assert.equal(row.provider_customer_ref, null);
    assert.equal((await merchantEvents('customer.updated', c.id)).length >= 1, true);
    await redelivered(event);
    await addCard(c.token, '4242424242424242');
    const fresh = [...fake.customers.values()].filter((x) => (x.metadata as Record<string, string>).customer_id === c.id);
    assert.equal(fresh.length, 1);
    assert.notEqual(fresh[0]!.id, ref);
  });
});

describe('other events', () => {
  test('an unknown event type is stored, acknowledged and ignored', async () => {
    const event = {
      id: 'evt_unknown_type',
      object: 'event',
      type: 'radar.early_fraud_warning.created',
      created: Math.floor(t.clock.now().getTime() / 1000),
      data: { object: { id: 'issfr_1', object: 'radar.early_fraud_warning' } },
    };
    await delivered(event);
    const row = await t.database.db.selectFrom('stripe_events').selectAll().where('id', '=', 'evt_unknown_type').executeTakeFirstOrThrow();
    assert.equal(row.type, 'radar.early_fraud_warning.created');
    assert.equal(row.outcome, 'ignored');
    assert.equal(row.object_id, 'issfr_1');
    assert.equal((row.payload as Obj).id, 'evt_unknown_type');
    await redelivered(event);
  });
});

// On PGlite these run one query at a time; on the Postgres run of `npm test` they really race.
describe('simultaneous deliveries', () => {
  test('the same event delivered twice at once is handled once', async () => {
    const { order, pi } = await paidOrder();
    fake.dashboardRefund(pi, 400);
    const event = fake.lastEvent('charge.refunded');
    const answers = await Promise.all([deliver(event), deliver(event), deliver(event)]);
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200],
    );
    assert.equal(answers.filter((a) => !a.body.duplicate).length, 1, 'one handled, the others duplicates');
    const now = (await merchant(`/v1/orders/${order.id}`)).body;
    assert.equal(now.refunded_amount, 400);
    assert.equal(now.refunds.length, 1);
    assert.equal((await merchantEvents('order.refunded', order.id)).length, 1);
  });

  test('a dashboard refund arriving while our own refund settles: the refunded amount is exact', async () => {
    const { order, pi } = await paidOrder();
    // 10.00 paid: 3.00 refunded in the dashboard while we refund 4.00 ourselves.
    fake.dashboardRefund(pi, 300);
    const dashboardEvent = fake.lastEvent('charge.refunded');
    const [ours, delivery] = await Promise.all([
      t.request('POST', '/v1/refunds', { token: shop.org.key, body: { order_id: order.id, amount: 400, destination: 'payment_method' } }),
      deliver(dashboardEvent),
    ]);
    assert.equal(ours.status, 201, JSON.stringify(ours.body));
    assert.equal(delivery.status, 200);
    // Our refund's own event, and the dashboard one again as a separate event, change nothing more.
    await delivered(fake.lastEvent('charge.refunded'));
    await delivered(variant(dashboardEvent, 1));
    const now = (await merchant(`/v1/orders/${order.id}`)).body;
    assert.equal(now.refunded_amount, 700, '3.00 + 4.00');
    assert.equal(now.status, 'partially_refunded');
    assert.deepEqual(now.refunds.map((r: { amount: number }) => r.amount).sort(), [300, 400]);
    assert.equal(fake.charges.find((ch) => ch.payment_intent === pi)!.amount_refunded, 700);
  });
});
