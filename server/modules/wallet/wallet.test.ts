import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;

before(async () => {
  t = await createTestContext();
  shop = await createShop(t);
});
after(() => t.close());

const grant = (customer_id: string, amount: number, extra: object = {}) =>
  t.request('POST', '/v1/wallet-credits', { token: shop.org.key, body: { customer_id, amount, currency: 'usd', description: 'Welcome credit', ...extra } });

async function ledgerSum(customerId: string) {
  const rows = await t.database.db.selectFrom('wallet_transactions').select('amount').where('customer_id', '=', customerId).execute();
  return rows.reduce((s, r) => s + Number(r.amount), 0);
}

describe('wallet', () => {
  test('credits reduce the next invoice, appear as a line, and the ledger balances', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    const granted = await grant(c.id, 1500);
    assert.equal(granted.status, 201, JSON.stringify(granted.body));
    assert.equal(granted.body.balance, 1500);
    const preview = (await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body.next_invoice;
    assert.equal(preview.credit_amount, 1000);
    assert.equal(preview.total, 0);
    t.clock.set('2026-02-15T12:00:00.000Z');
    await t.runJobs();
    const token = await t.signIn(shop.org.slug, c.email);
    const order = (await t.request('GET', '/portal/v1/orders', { token })).body.data[0];
    assert.equal(order.credit_amount, 1000);
    assert.equal(order.total, 0);
    assert.equal(order.status, 'paid');
    assert.ok(order.lines.some((l: { kind: string; amount: number }) => l.kind === 'credit' && l.amount === -1000));
    const wallet = (await t.request('GET', '/portal/v1/wallet', { token })).body;
    assert.deepEqual(wallet.balances, [{ currency: 'USD', balance: 500 }]);
    assert.deepEqual(
      wallet.transactions.data.map((x: { kind: string; amount: number }) => `${x.kind} ${x.amount}`),
      ['applied -1000', 'promotional 1500'],
    );
    assert.equal(await ledgerSum(c.id), 500, 'the ledger sums to the balance');
    t.clock.set('2026-03-15T12:00:00.000Z');
    await t.runJobs();
    const third = (await t.request('GET', '/portal/v1/orders', { token: await t.signIn(shop.org.slug, c.email) })).body.data[0];
    assert.equal(third.credit_amount, 500);
    assert.equal(third.total, 500);
  });

  test('expired credit is written off and never applied; the soonest-expiring credit is used first', async () => {
    t.clock.set('2026-05-01T00:00:00.000Z');
    const c = await createSubscriber(t, shop);
    await grant(c.id, 300, { expires_at: '2026-05-10T00:00:00.000Z', description: 'Spring promo' });
    await grant(c.id, 400, { description: 'Goodwill' });
    t.clock.set('2026-05-05T00:00:00.000Z');
    await subscribe(t, shop, c.id, shop.prices.basic);
    const first = (await t.request('GET', '/portal/v1/orders', { token: c.token })).body.data[0];
    assert.equal(first.credit_amount, 700);
    await grant(c.id, 250, { expires_at: '2026-05-20T00:00:00.000Z', description: 'Short promo' });
    t.clock.set('2026-05-21T00:00:00.000Z');
    await t.runJobs();
    const wallet = (await t.request('GET', '/portal/v1/wallet', { token: await t.signIn(shop.org.slug, c.email) })).body;
    assert.deepEqual(wallet.balances, [{ currency: 'USD', balance: 0 }]);
    assert.equal(wallet.transactions.data[0].kind, 'expired');
    assert.equal(wallet.transactions.data[0].amount, -250);
    assert.equal(await ledgerSum(c.id), 0);
  });

  test('bad grants are refused; the section can be turned off; customers see only their own wallet', async () => {
    const c = await createSubscriber(t, shop);
    assert.equal((await grant(c.id, 0)).status, 400);
    assert.equal((await grant(c.id, 100, { currency: 'xyz' })).status, 400);
    assert.equal((await grant(c.id, 100, { expires_at: '2000-01-01T00:00:00.000Z' })).status, 400);
    assert.equal((await grant('cus_nope', 100)).status, 404);
    const other = await createSubscriber(t, shop);
    await grant(other.id, 999);
    assert.deepEqual((await t.request('GET', '/portal/v1/wallet', { token: c.token })).body.balances, []);
    const off = await createShop(t, { portal_settings: { sections: { wallet: false } } });
    const d = await createSubscriber(t, off);
    const res = await t.request('GET', '/portal/v1/wallet', { token: d.token });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'section_disabled');
  });
});
