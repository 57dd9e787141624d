import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;
let apiCalls: { id: string };
let seatsMeter: { id: string };
let metered: string;
let withOverage: string;

before(async () => {
  t = await createTestContext();
  shop = await createShop(t);
  apiCalls = (
    await t.request('POST', '/v1/meters', {
      token: shop.org.key,
      body: { name: 'API calls', event_name: 'api.request', aggregation: 'count', filter: { billable: true }, unit: 'calls' },
    })
  ).body;
  seatsMeter = (
    await t.request('POST', '/v1/meters', {
      token: shop.org.key,
      body: { name: 'Active users', event_name: 'user.active', aggregation: 'unique_count', property: 'user_id' },
    })
  ).body;
  const storage = (
    await t.request('POST', '/v1/meters', {
      token: shop.org.key,
      body: { name: 'Storage', event_name: 'storage.sample', aggregation: 'max', property: 'gb', unit: 'GB' },
    })
  ).body;
  const product = await t.request('POST', '/v1/products', {
    token: shop.org.key,
    body: {
      name: 'API',
      prices: [
        // 2¢ per call above 1,000 included calls, billed at the end of each month.
        { type: 'recurring', model: 'metered', currency: 'usd', unit_amount: 2, included_units: 1000, interval: 'month', meter_id: apiCalls.id },
        // $10 a month including 50 GB, then $0.50 per GB.
        {
          type: 'recurring',
          model: 'flat',
          currency: 'usd',
          unit_amount: 1000,
          included_units: 50,
          overage_unit_amount: 50,
          interval: 'month',
          meter_id: storage.id,
        },
      ],
    },
  });
  assert.equal(product.status, 201, JSON.stringify(product.body));
  metered = product.body.prices[0].id;
  withOverage = product.body.prices[1].id;
});
after(() => t.close());

const send = (events: object[]) => t.request('POST', '/v1/events', { token: shop.org.key, body: { events } });

describe('usage', () => {
  test('events sent twice count once', async () => {
    t.clock.set('2026-03-01T00:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const batch = [1, 2, 3].map((i) => ({
      id: `dup-${i}`,
      customer_id: c.id,
      name: 'api.request',
      properties: { billable: true },
      timestamp: '2026-03-01T00:00:00.000Z',
    }));
    assert.deepEqual((await send(batch)).body, { received: 3, inserted: 3, duplicates: 0 });
    assert.deepEqual((await send(batch)).body, { received: 3, inserted: 0, duplicates: 3 });
    const q = `customer_id=${c.id}&start=2026-02-01T00:00:00.000Z&end=2026-04-01T00:00:00.000Z`;
    assert.equal((await t.request('GET', `/v1/meters/${apiCalls.id}/usage?${q}`, { token: shop.org.key })).body.value, 3);
  });

  test('usage and overage on the renewal invoice match a hand computation', async () => {
    t.clock.set('2026-03-01T00:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, metered);
    assert.equal(sub.status, 'active');
    // 1,375 billable calls spread over the month (some in partial hours), plus 40 that do not match the filter.
    const events = [];
    for (let i = 0; i < 1375; i++) {
      const at = new Date(Date.parse('2026-03-01T00:00:00.000Z') + i * 29 * 60 * 1000 + 17_000);
      events.push({
        id: `call-${i}`,
        external_customer_id: undefined,
        customer_id: c.id,
        name: 'api.request',
        timestamp: at.toISOString(),
        properties: { billable: true, path: '/v1/x' },
      });
    }
    for (let i = 0; i < 40; i++)
      events.push({ id: `free-${i}`, customer_id: c.id, name: 'api.request', timestamp: '2026-03-10T10:10:10.000Z', properties: { billable: false } });
    t.clock.set('2026-03-31T12:00:00.000Z');
    for (let i = 0; i < events.length; i += 1000) assert.equal((await send(events.slice(i, i + 1000))).status, 202);
    c.token = await t.signIn(shop.org.slug, c.email);
    const usage = (await t.request('GET', '/portal/v1/usage', { token: c.token })).body;
    assert.equal(usage.meters.length, 1);
    const m = usage.meters[0];
    assert.equal(m.usage, 1375);
    assert.equal(m.included, 1000);
    assert.equal(m.percentage, 137.5);
    assert.deepEqual(m.overage, { units: 375, unit_amount: 2, amount: 750, currency: 'USD' });
    assert.equal(m.history.daily.length, 31);
    assert.equal(
      m.history.daily.reduce((s: number, d: { value: number }) => s + d.value, 0),
      1375,
    );
    const preview = (await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body.next_invoice;
    assert.equal(preview.total, 750);
    t.clock.set('2026-04-01T00:00:00.000Z');
    await t.runJobs();
    c.token = await t.signIn(shop.org.slug, c.email);
    const order = (await t.request('GET', '/portal/v1/orders', { token: c.token })).body.data[0];
    assert.equal(order.total, 750, '375 calls over 1,000 at 2¢');
    assert.equal(order.lines[0].kind, 'usage');
    assert.equal(order.lines[0].quantity, 375);
    assert.match(order.lines[0].description, /API calls: 1375 calls used, 1000 included/);
    const next = (await t.request('GET', '/portal/v1/usage', { token: c.token })).body.meters[0];
    assert.equal(next.usage, 0, 'a new period starts from zero');
    assert.deepEqual(
      next.history.periods.map((p: { value: number }) => p.value),
      [1375],
    );
  });

  test('a flat price with included units bills the overage of a max meter', async () => {
    t.clock.set('2026-03-01T00:00:00.000Z');
    const c = await createSubscriber(t, shop);
    await subscribe(t, shop, c.id, withOverage);
    t.clock.set('2026-03-30T00:00:00.000Z');
    await send([
      { id: 'gb-1', customer_id: c.id, name: 'storage.sample', timestamp: '2026-03-03T05:00:00.000Z', properties: { gb: 42 } },
      { id: 'gb-2', customer_id: c.id, name: 'storage.sample', timestamp: '2026-03-20T05:30:00.000Z', properties: { gb: 63.5 } },
      { id: 'gb-3', customer_id: c.id, name: 'storage.sample', timestamp: '2026-03-25T05:00:00.000Z', properties: { gb: 12 } },
    ]);
    t.clock.set('2026-04-01T00:00:00.000Z');
    await t.runJobs();
    const order = (await t.request('GET', '/portal/v1/orders', { token: await t.signIn(shop.org.slug, c.email) })).body.data[0];
    // $10 for April in advance + (63.5 − 50) GB × 50¢ for March = 1000 + 675.
    assert.equal(order.total, 1675);
  });

  test('unique counts count each value once across the period', async () => {
    t.clock.set('2026-03-01T00:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const events = ['u1', 'u2', 'u1', 'u3', 'u2', 'u1'].map((user, i) => ({
      id: `ua-${i}`,
      customer_id: c.id,
      name: 'user.active',
      timestamp: new Date(Date.parse('2026-03-01T00:30:00.000Z') + i * 7 * 3600_000).toISOString(),
      properties: { user_id: user },
    }));
    t.clock.set('2026-03-05T00:00:00.000Z');
    await send(events);
    const value = (
      await t.request('GET', `/v1/meters/${seatsMeter.id}/usage?customer_id=${c.id}&start=2026-03-01T00:00:00.000Z&end=2026-03-05T00:00:00.000Z`, {
        token: shop.org.key,
      })
    ).body.value;
    assert.equal(value, 3);
  });

  test('bad events are refused as a whole with a clear error', async () => {
    const c = await createSubscriber(t, shop);
    const unknown = await send([{ id: 'x1', customer_id: 'cus_nope', name: 'api.request' }]);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'invalid_events');
    const future = await send([{ id: 'x2', customer_id: c.id, name: 'api.request', timestamp: '2099-01-01T00:00:00.000Z' }]);
    assert.match(future.body.error.message, /future/);
    const both = await send([{ id: 'x3', customer_id: c.id, external_customer_id: 'e', name: 'api.request' }]);
    assert.equal(both.body.error.code, 'validation_error');
    const other = await createShop(t);
    const foreign = await t.request('POST', '/v1/events', { token: other.org.key, body: { events: [{ id: 'x4', customer_id: c.id, name: 'api.request' }] } });
    assert.equal(foreign.status, 400, 'another organization cannot send events for this customer');
  });
});

test('the usage section turned off is refused by the API', async () => {
  const off = await createShop(t, { portal_settings: { sections: { usage: false } } });
  const c = await createSubscriber(t, off);
  const res = await t.request('GET', '/portal/v1/usage', { token: c.token });
  assert.equal(res.status, 403);
  assert.equal(res.body.error.code, 'section_disabled');
});
