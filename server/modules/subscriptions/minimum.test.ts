// Amounts under the processor's minimum charge (Stripe: 0.50 USD, 0.30 GBP, …) are not charged:
// the order is closed as carried_forward and its amount is a line of the subscription's next
// invoice ("Balance carried from INV-…"), as Stripe does. Amounts computed by hand.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { minimumCharge } from '../payments/minimums.js';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;
let tiny: string;

before(async () => {
  t = await createTestContext();
  shop = await createShop(t);
  const product = await t.request('POST', '/v1/products', {
    token: shop.org.key,
    body: { name: 'Tiny', visibility: 'public', prices: [{ type: 'recurring', currency: 'usd', unit_amount: 30, interval: 'month' }] },
  });
  assert.equal(product.status, 201, JSON.stringify(product.body));
  tiny = product.body.prices[0].id;
});
after(() => t.close());

const merchant = (path: string) => t.request('GET', path, { token: shop.org.key });
const orders = async (subId: string) => (await merchant(`/v1/orders?subscription_id=${subId}`)).body.data.toReversed();
const charges = () => t.database.db.selectFrom('payments').selectAll().execute();

describe('minimum charge', () => {
  test("Stripe's per-currency minimums", () => {
    assert.equal(minimumCharge('usd'), 50);
    assert.equal(minimumCharge('EUR'), 50);
    assert.equal(minimumCharge('GBP'), 30);
    assert.equal(minimumCharge('JPY'), 50);
    assert.equal(minimumCharge('HUF'), 17500);
    assert.equal(minimumCharge('XYZ'), 0);
  });

  test('a 0.30 first invoice is carried forward, the subscription is active, and the renewal bills 0.30 + 0.30 = 0.60', async () => {
    t.clock.set('2026-01-10T09:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const before = (await charges()).length;
    const sub = await subscribe(t, shop, c.id, tiny);
    assert.equal(sub.status, 'active');
    const [first] = await orders(sub.id);
    assert.equal(first.status, 'carried_forward');
    assert.equal(first.total, 30);
    assert.equal((await charges()).length, before, 'nothing was charged');
    const carried = await t.database.db
      .selectFrom('webhook_events')
      .select('type')
      .where('organization_id', '=', shop.org.id)
      .where('type', '=', 'order.carried_forward')
      .execute();
    assert.equal(carried.length, 1);

    // The portal's next-invoice preview already has the carried line: 0.30 + 0.30.
    const preview = (await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body.next_invoice;
    assert.equal(preview.total, 60);
    assert.ok(
      preview.lines.some((l: { description: string; amount: number }) => l.description === `Balance carried from ${first.invoice_number}` && l.amount === 30),
    );

    t.clock.set('2026-02-10T09:00:01.000Z');
    await t.runJobs();
    const [, renewal] = await orders(sub.id);
    assert.equal(renewal.status, 'paid');
    assert.equal(renewal.total, 60, '0.30 for February + 0.30 carried from January');
    const detail = (await merchant(`/v1/orders/${renewal.id}`)).body;
    assert.deepEqual(
      detail.lines.map((l: { kind: string; description: string; amount: number }) => [l.kind, l.amount]),
      [
        ['period', 30],
        ['carried_balance', 30],
      ],
    );
    assert.equal(detail.lines[1].description, `Balance carried from ${first.invoice_number}`);
    const [payment] = (await charges()).filter((p) => p.order_id === renewal.id);
    assert.equal(payment!.amount, 60);
    const row = await t.database.db.selectFrom('orders').select('carried_into_order_id').where('id', '=', first.id).executeTakeFirstOrThrow();
    assert.equal(row.carried_into_order_id, renewal.id);
    assert.equal((await merchant(`/v1/subscriptions/${sub.id}`)).body.status, 'active');

    // Billed once: the March invoice is back to 0.30, carried again (a balance of its own).
    t.clock.set('2026-03-10T09:00:01.000Z');
    await t.runJobs();
    const [, , march] = await orders(sub.id);
    assert.equal(march.total, 30);
    assert.equal(march.status, 'carried_forward');
  });

  test('a seat proration of 0.49 is carried to the renewal: 2 × 5.00 + 0.49 = 10.49', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.team, { seats: 1 });
    // Three days of a 31-day period left: 2 seats for the rest, 10.00 × 3/31 = 0.9677… → 0.97, less the
    // unused part of 1 seat, 5.00 × 3/31 = 0.4838… → 0.48: 0.49 due, under the 0.50 minimum.
    t.clock.set('2026-02-12T12:00:00.000Z');
    const preview = await t.request('POST', `/portal/v1/subscriptions/${sub.id}/change-preview`, { token: c.token, body: { seats: 2 } });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    const changed = await t.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: c.token, body: { seats: 2 } });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.subscription?.seats ?? changed.body.seats, 2);
    const [, proration] = await orders(sub.id);
    assert.equal(proration.billing_reason, 'subscription_update');
    assert.equal(proration.total, 49);
    assert.equal(proration.status, 'carried_forward');

    t.clock.set('2026-02-15T12:00:01.000Z');
    await t.runJobs();
    const [, , renewal] = await orders(sub.id);
    assert.equal(renewal.status, 'paid');
    assert.equal(renewal.total, 1049);
    const detail = (await merchant(`/v1/orders/${renewal.id}`)).body;
    assert.deepEqual(
      detail.lines.map((l: { kind: string; amount: number }) => [l.kind, l.amount]),
      [
        ['seats', 1000],
        ['carried_balance', 49],
      ],
    );
  });

  test('a one-time purchase under the minimum is refused with a clear 400, and no order is made', async () => {
    const product = await t.request('POST', '/v1/products', {
      token: shop.org.key,
      body: { name: 'Sticker', visibility: 'public', prices: [{ type: 'one_time', currency: 'usd', unit_amount: 25 }] },
    });
    const c = await createSubscriber(t, shop);
    const res = await t.request('POST', '/v1/orders', {
      token: shop.org.key,
      body: { customer_id: c.id, items: [{ price_id: product.body.prices[0].id, quantity: 1 }] },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'amount_below_minimum');
    assert.equal((await merchant(`/v1/orders?customer_id=${c.id}`)).body.data.length, 0);
  });

  // On PGlite one query at a time; on the Postgres run they race for the carried balance.
  test('a renewal and a seat change at the same moment bill a carried balance exactly once', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.team, { seats: 1 });
    t.clock.set('2026-02-12T12:00:00.000Z');
    await t.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: c.token, body: { seats: 2 } });
    const carried = (await orders(sub.id)).find((o: { status: string }) => o.status === 'carried_forward');
    assert.equal(carried.total, 49);
    t.clock.set('2026-02-15T12:00:01.000Z');
    await Promise.all([t.runJobs(), t.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: c.token, body: { seats: 3 } })]);
    const lines = await t.database.db
      .selectFrom('order_lines')
      .innerJoin('orders', 'orders.id', 'order_lines.order_id')
      .select(['order_lines.amount', 'orders.id'])
      .where('orders.subscription_id', '=', sub.id)
      .where('order_lines.kind', '=', 'carried_balance')
      .execute();
    assert.deepEqual(
      lines.map((l) => l.amount),
      [49],
      'one carried line, on one order',
    );
  });
});
