import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HOUR } from '../../lib/clock.js';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;

before(async () => {
  t = await createTestContext();
  shop = await createShop(t);
});
after(() => t.close());

describe('Idempotency-Key', () => {
  test('a merchant request retried with the same key creates one subscription and one charge', async () => {
    const c = await createSubscriber(t, shop);
    const body = { customer_id: c.id, price_id: shop.prices.basic };
    const headers = { 'idempotency-key': 'create-sub-1' };
    const first = await t.request('POST', '/v1/subscriptions', { token: shop.org.key, body, headers });
    const second = await t.request('POST', '/v1/subscriptions', { token: shop.org.key, body, headers });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.deepEqual(second.body, first.body);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    const subs = (await t.request('GET', `/v1/subscriptions?customer_id=${c.id}`, { token: shop.org.key })).body.data;
    assert.equal(subs.length, 1);
    assert.equal((await t.request('GET', '/portal/v1/orders', { token: c.token })).body.data.length, 1);
  });

  test('a portal plan change retried with the same key charges once', async () => {
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    const headers = { 'idempotency-key': 'upgrade-1' };
    const a = await t.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: c.token, body: { price_id: shop.prices.pro }, headers });
    const b = await t.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: c.token, body: { price_id: shop.prices.pro }, headers });
    assert.equal(a.status, 200);
    assert.deepEqual(b.body, a.body);
    assert.equal((await t.request('GET', '/portal/v1/orders', { token: c.token })).body.data.length, 2, 'the first charge and one upgrade');
  });

  test('the same key with a different request is refused; keys are per caller and expire', async () => {
    const c = await createSubscriber(t, shop);
    const headers = { 'idempotency-key': 'k-1' };
    await t.request('PATCH', '/portal/v1/me', { token: c.token, body: { name: 'One' }, headers });
    const reused = await t.request('PATCH', '/portal/v1/me', { token: c.token, body: { name: 'Two' }, headers });
    assert.equal(reused.status, 422);
    assert.equal(reused.body.error.code, 'idempotency_key_reused');
    const other = await createSubscriber(t, shop);
    const theirs = await t.request('PATCH', '/portal/v1/me', { token: other.token, body: { name: 'Two' }, headers });
    assert.equal(theirs.status, 200, 'another customer may use the same key');
    t.clock.advance(25 * HOUR);
    const token = await t.signIn(shop.org.slug, c.email);
    const later = await t.request('PATCH', '/portal/v1/me', { token, body: { name: 'Two' }, headers });
    assert.equal(later.status, 200);
    assert.equal(later.body.name, 'Two');
  });

  test('a refused request is replayed as refused, not run again', async () => {
    const headers = { 'idempotency-key': 'bad-1' };
    const a = await t.request('POST', '/v1/subscriptions', { token: shop.org.key, body: { customer_id: 'cus_missing', price_id: shop.prices.basic }, headers });
    const b = await t.request('POST', '/v1/subscriptions', { token: shop.org.key, body: { customer_id: 'cus_missing', price_id: shop.prices.basic }, headers });
    assert.equal(a.status, 404);
    assert.equal(b.status, 404);
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
  });
});

describe('the merchant API router', () => {
  test('authenticates each /v1 request once and claims its Idempotency-Key once, whichever module answers', async () => {
    const c = await createSubscriber(t, shop);
    const orgs = t.app.services.organizations;
    const keys = t.app.services.idempotency;
    const original = { auth: orgs.authenticateSecretKey, claim: keys.claim };
    let auths = 0;
    let claims = 0;
    orgs.authenticateSecretKey = (...args) => {
      auths += 1;
      return original.auth(...args);
    };
    keys.claim = (...args) => {
      claims += 1;
      return original.claim(...args);
    };
    try {
      // /v1/seats is the last module mounted: with one router per module every earlier one's
      // middleware ran for it too.
      const seats = await t.request('GET', `/v1/seats?customer_id=${c.id}`, { token: shop.org.key });
      assert.equal(seats.status, 200);
      assert.equal(auths, 1);
      const credit = await t.request('POST', '/v1/wallet-credits', {
        token: shop.org.key,
        body: { customer_id: c.id, amount: 500, currency: 'usd', description: 'Goodwill' },
        headers: { 'idempotency-key': 'credit-once' },
      });
      assert.equal(credit.status, 201, JSON.stringify(credit.body));
      assert.equal(auths, 2);
      assert.equal(claims, 1);
    } finally {
      orgs.authenticateSecretKey = original.auth;
      keys.claim = original.claim;
    }
  });
});
