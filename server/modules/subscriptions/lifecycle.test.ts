import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY } from '../../lib/clock.js';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';
import { Receiver } from '../../testing/webhook-receiver.js';

let t: TestContext;
let shop: Shop;
let receiver: Receiver;

before(async () => {
  t = await createTestContext();
  receiver = new Receiver(t.clock);
  await receiver.start();
  shop = await createShop(t, { portal_settings: { actions: { pause: true } } });
});
after(async () => {
  await receiver.close();
  await t.close();
});

const post = (path: string, token: string, body: object = {}) => t.request('POST', path, { token, body });

describe('trials', () => {
  test('a trial charges nothing until it ends, then bills the first period', async () => {
    t.clock.set('2026-04-01T08:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic, { trial_days: 14 });
    assert.equal(sub.status, 'trialing');
    assert.equal(sub.current_period_end, '2026-04-15T08:00:00.000Z');
    const view = (await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body;
    assert.equal(view.trial_end, '2026-04-15T08:00:00.000Z');
    assert.equal(view.next_invoice.date, '2026-04-15T08:00:00.000Z');
    assert.equal(view.next_invoice.total, 1000);
    assert.equal((await t.request('GET', '/portal/v1/orders', { token: c.token })).body.data.length, 0);
    t.clock.set('2026-04-15T08:00:00.000Z');
    await t.runJobs();
    const after = (await t.request('GET', `/v1/subscriptions/${sub.id}`, { token: shop.org.key })).body;
    assert.equal(after.status, 'active');
    assert.equal(after.current_period_end, '2026-05-15T08:00:00.000Z');
    const orders = (await t.request('GET', '/portal/v1/orders', { token: c.token })).body.data;
    assert.equal(orders.length, 1);
    assert.equal(orders[0].billing_reason, 'subscription_create');
    assert.equal(orders[0].total, 1000);
  });
});

describe('pause and resume', () => {
  test('pausing takes effect at the period end; resuming starts a new paid period', async () => {
    t.clock.set('2026-04-01T08:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    const paused = await post(`/portal/v1/subscriptions/${sub.id}/pause`, c.token);
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.equal(paused.body.pause_at, '2026-05-01T08:00:00.000Z');
    assert.equal(paused.body.next_invoice, null);
    t.clock.set('2026-05-01T08:00:00.000Z');
    await t.runJobs();
    const token = await t.signIn(shop.org.slug, c.email);
    assert.equal((await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token })).body.status, 'paused');
    t.clock.set('2026-05-20T08:00:00.000Z');
    const resumed = await post(`/portal/v1/subscriptions/${sub.id}/resume`, token);
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.equal(resumed.body.status, 'active');
    assert.equal(resumed.body.current_period_end, '2026-06-20T08:00:00.000Z');
    const orders = (await t.request('GET', '/portal/v1/orders', { token })).body.data;
    assert.equal(orders.length, 2);
    assert.equal(orders[0].status, 'paid');
  });

  test('the API refuses pause when the organization has not turned it on', async () => {
    const plain = await createShop(t);
    const c = await createSubscriber(t, plain);
    const sub = await subscribe(t, plain, c.id, plain.prices.basic);
    const res = await post(`/portal/v1/subscriptions/${sub.id}/pause`, c.token);
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'action_disabled');
    const view = (await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body;
    assert.equal(view.actions.pause, false);
  });

  test('plan and seat changes the organization turned off are refused by the API', async () => {
    const locked = await createShop(t, { portal_settings: { actions: { plan_change: false, seat_change: false } } });
    const c = await createSubscriber(t, locked);
    const sub = await subscribe(t, locked, c.id, locked.prices.team, { seats: 2 });
    const plan = await post(`/portal/v1/subscriptions/${sub.id}/change-preview`, c.token, { price_id: locked.prices.pro });
    assert.equal(plan.body.error.code, 'action_disabled');
    const seats = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { seats: 4 });
    assert.equal(seats.body.error.code, 'action_disabled');
    const view = (await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body;
    assert.deepEqual([view.actions.change_plan, view.actions.change_seats, view.actions.cancel], [false, false, true]);
    assert.deepEqual(view.plans, []);
  });
});

describe('webhooks for every portal action', () => {
  test('a verifying receiver sees every event, each id once', async () => {
    const hooks = await createShop(t, { billing_settings: { retention_offer: null } });
    const path = '/hooks';
    const created = await t.request('POST', '/v1/webhook-endpoints', {
      token: hooks.org.key,
      body: {
        url: receiver.url(path),
        events: [
          'subscription.created',
          'subscription.updated',
          'subscription.canceled',
          'subscription.uncanceled',
          'subscription.past_due',
          'subscription.renewed',
          'order.created',
          'order.paid',
          'order.refunded',
          'customer.updated',
        ],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    receiver.trust(path, created.body.secret);

    t.clock.set('2026-06-01T00:00:00.000Z');
    const c = await createSubscriber(t, hooks);
    const sub = await subscribe(t, hooks, c.id, hooks.prices.basic);
    await post(`/portal/v1/subscriptions/${sub.id}/cancel`, c.token, { mode: 'at_period_end', reason: 'unused' });
    await post(`/portal/v1/subscriptions/${sub.id}/uncancel`, c.token);
    await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: hooks.prices.pro });
    await t.addCard(hooks.org.id, c.id, '4000000000000341');
    t.clock.set('2026-07-01T00:00:01.000Z');
    await t.runJobs();
    await t.addCard(hooks.org.id, c.id, '4242424242424242', false);
    const token = await t.signIn(hooks.org.slug, c.email);
    const methods = (await t.request('GET', '/portal/v1/payment-methods', { token })).body.data;
    const good = methods.find((m: { last4: string; is_default: boolean }) => m.last4 === '4242' && !m.is_default);
    await post(`/portal/v1/payment-methods/${good.id}/default`, token);
    t.clock.advance(DAY);
    await post(`/portal/v1/subscriptions/${sub.id}/cancel`, token, { mode: 'immediately', reason: 'other', comment: 'bye' });
    await t.request('PATCH', '/portal/v1/me', { token, body: { name: 'New Name' } });

    // Deliver everything, twice over (and concurrently): nothing is sent twice.
    await Promise.all([t.runJobs(), t.runJobs()]);
    await t.runJobs();
    const events = receiver.at(path).map((r) => JSON.parse(r.body) as { type: string });
    assert.ok(
      receiver.at(path).every((r) => r.verified),
      'every signature verifies',
    );
    const ids = receiver.ids(path);
    assert.equal(new Set(ids).size, ids.length, 'each webhook-id once');
    const types = new Set(events.map((e) => e.type));
    for (const type of [
      'customer.updated',
      'subscription.created',
      'subscription.updated',
      'subscription.canceled',
      'subscription.uncanceled',
      'subscription.past_due',
      'subscription.renewed',
      'order.created',
      'order.paid',
      'order.refunded',
    ]) {
      assert.ok(types.has(type), `received ${type}`);
    }
    const canceled = events.filter((e) => e.type === 'subscription.canceled').at(-1) as unknown as {
      data: { cancellation_reason: string; cancellation_comment: string };
    };
    assert.equal(canceled.data.cancellation_reason, 'other');
    assert.equal(canceled.data.cancellation_comment, 'bye');
  });
});
