import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;

before(async () => {
  t = await createTestContext();
  shop = await createShop(t);
});
after(() => t.close());

test('the overview has subscriptions, recent orders and the wallet in one request', async () => {
  const c = await createSubscriber(t, shop);
  const sub = await subscribe(t, shop, c.id, shop.prices.team, { seats: 2 });
  await t.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: c.token, body: { seats: 1 } });
  const res = await t.request('GET', '/portal/v1/overview', { token: c.token });
  assert.equal(res.status, 200);
  assert.equal(res.body.customer.email, c.email);
  assert.equal(res.body.subscriptions.length, 1);
  assert.equal(res.body.subscriptions[0].seats, 1);
  assert.equal(res.body.recent_orders.length, 1);
  assert.equal(res.body.wallet.balances[0].currency, 'USD');
  assert.ok(res.body.wallet.balances[0].balance > 0, 'the seat reduction credited the wallet');
  assert.equal(res.body.past_due, false);
  assert.equal(res.headers.get('cp-billing-status'), 'ok');
});

test('every portal answer tells whether a payment failed, for the past-due banner', async () => {
  t.clock.set('2026-01-15T12:00:00.000Z');
  const c = await createSubscriber(t, shop);
  await subscribe(t, shop, c.id, shop.prices.basic);
  await t.addCard(shop.org.id, c.id, '4000000000000341');
  t.clock.set('2026-02-15T12:00:01.000Z');
  await t.runJobs();
  const token = await t.signIn(shop.org.slug, c.email);
  for (const path of ['/portal/v1/me', '/portal/v1/orders', '/portal/v1/overview']) {
    const res = await t.request('GET', path, { token, headers: { origin: 'http://portal.test' } });
    assert.equal(res.headers.get('cp-billing-status'), 'past_due', path);
  }
  const overview = await t.request('GET', '/portal/v1/overview', { token });
  assert.equal(overview.body.past_due, true);
  assert.equal(overview.body.subscriptions[0].status, 'past_due');
});

test("every portal answer carries the customer's language once known, and follows a change at once", async () => {
  const c = await createSubscriber(t, shop);
  const before = await t.request('GET', '/portal/v1/overview', { token: c.token });
  const known = (await t.request('GET', '/portal/v1/me', { token: c.token })).body.locale as string | null;
  assert.equal(before.headers.get('content-language'), known, 'the header says the stored language, or nothing');
  const patched = await t.request('PATCH', '/portal/v1/me', { token: c.token, body: { locale: 'ar' } });
  assert.equal(patched.status, 200);
  const after = await t.request('GET', '/portal/v1/overview', { token: c.token });
  assert.equal(after.headers.get('content-language'), 'ar');
});
