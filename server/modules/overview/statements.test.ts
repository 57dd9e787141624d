// Every portal view's read in at most 4 SQL statements, whatever the number of subscriptions,
// orders, seats, meters or benefits (issue 15; docs/architecture.md, Budgets). Counted with the
// test database's statement hook (testing/query-spy.ts): every connection, transactions too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';
import { spyOnQueries } from '../../testing/query-spy.js';

const VIEWS = ['me', 'overview', 'subscriptions', 'seats', 'usage', 'orders', 'wallet', 'benefits'] as const;
const BUDGET = 4;

let t: TestContext;
let shop: Shop;
let metered: { flat: string; perCall: string };
let owner: Awaited<ReturnType<typeof createSubscriber>>;
let rounds = 0;

before(async () => {
  t = await createTestContext();
  t.clock.set('2026-03-10T12:00:00.000Z');
  // Retention offer on, tax on: the subscriptions' cancellation and next-invoice parts are all there.
  shop = await createShop(t, {
    billing_settings: { retention_offer: { percent_off: 20, periods: 3 }, seller_country: 'DE', tax_rates: { DE: 19 } },
  });
  const meter = async (body: object) => (await t.request('POST', '/v1/meters', { token: shop.org.key, body })).body as { id: string };
  const calls = await meter({ name: 'API calls', event_name: 'api.request', aggregation: 'count', unit: 'calls' });
  const users = await meter({ name: 'Active users', event_name: 'user.active', aggregation: 'unique_count', property: 'user_id' });
  const product = await t.request('POST', '/v1/products', {
    token: shop.org.key,
    body: {
      name: 'API',
      prices: [
        { type: 'recurring', model: 'metered', currency: 'usd', unit_amount: 2, included_units: 1, interval: 'month', meter_id: calls.id },
        { type: 'recurring', currency: 'usd', unit_amount: 1000, included_units: 1, overage_unit_amount: 50, interval: 'month', meter_id: users.id },
      ],
    },
  });
  assert.equal(product.status, 201, JSON.stringify(product.body));
  metered = { perCall: product.body.prices[0].id, flat: product.body.prices[1].id };
  // Benefits of every kind that reads more than the grant: a license key (activations), a download (files).
  for (const [productId, body] of [
    [shop.products.team, { type: 'license_key', description: 'Team license', properties: { activation_limit: 3 } }],
    [shop.products.basic, { type: 'download', description: 'Installers' }],
    [shop.products.pro, { type: 'custom', description: 'Onboarding', properties: { text: 'Book a call.' } }],
  ] as const) {
    const b = await t.request('POST', '/v1/benefits', { token: shop.org.key, body });
    assert.equal(b.status, 201, JSON.stringify(b.body));
    if (body.type === 'download') {
      const up = await t.app.request(`/v1/benefits/${b.body.id}/files?filename=setup.zip`, {
        method: 'POST',
        headers: { authorization: `Bearer ${shop.org.key}`, 'content-type': 'application/zip' },
        body: new Uint8Array(Buffer.from('PK-installer')),
      });
      assert.equal(up.status, 201);
    }
    assert.equal((await t.request('POST', `/v1/products/${productId}/benefits/${b.body.id}`, { token: shop.org.key })).status, 200);
  }
  owner = await createSubscriber(t, shop, { billing_details: { address: { country: 'DE' } } });
});
after(() => t.close());

/** One more of everything the views show: subscriptions of each kind, their orders, seats, usage, credit, benefits. */
async function addRound() {
  rounds += 1;
  const started = t.clock.now().getTime();
  const ok = (res: { status: number; body: unknown }, status = 200) => assert.equal(res.status, status, JSON.stringify(res.body));
  const basic = await subscribe(t, shop, owner.id, shop.prices.basic);
  const pro = await subscribe(t, shop, owner.id, shop.prices.pro);
  const team = await subscribe(t, shop, owner.id, shop.prices.team, { seats: 3 });
  await subscribe(t, shop, owner.id, metered.perCall);
  await subscribe(t, shop, owner.id, metered.flat);
  await subscribe(t, shop, owner.id, shop.prices.annual, { trial_days: 14 });
  // A scheduled downgrade (another product's price), one set to end, a seat taken.
  ok(await t.request('POST', `/portal/v1/subscriptions/${pro.id}/change`, { token: owner.token, body: { price_id: shop.prices.basic, timing: 'renewal' } }));
  ok(await t.request('POST', `/portal/v1/subscriptions/${basic.id}/cancel`, { token: owner.token, body: { mode: 'at_period_end', reason: 'too_expensive' } }));
  ok(await t.request('POST', '/portal/v1/seats', { token: owner.token, body: { subscription_id: team.id, email: `mate${rounds}@example.com` } }), 201);
  // Usage over whole hours and partial ones, a few hours into the new periods.
  t.clock.set(new Date(started + 6.5 * 3_600_000).toISOString());
  ok(
    await t.request('POST', '/v1/events', {
      token: shop.org.key,
      body: {
        events: [1, 2, 3, 4, 5].map((i) => ({
          id: `r${rounds}-e${i}`,
          customer_id: owner.id,
          name: i % 2 ? 'api.request' : 'user.active',
          timestamp: new Date(started + (i - 1) * 3_600_000 + 17 * 60_000).toISOString(),
          properties: { user_id: `u${i}` },
        })),
      },
    }),
    202,
  );
  ok(
    await t.request('POST', '/v1/wallet-credits', {
      token: shop.org.key,
      body: { customer_id: owner.id, amount: 700, currency: 'usd', description: 'Credit' },
    }),
    201,
  );
}

/**
 * Statements per view, with the session already looked up in this process (as every request
 * after the first), or `cold`: looked up with the view (another instance, or 2 s later).
 */
async function measure(cold = false): Promise<Record<(typeof VIEWS)[number], number>> {
  const spy = spyOnQueries(t.database.db);
  try {
    // Signed in and used just now: the session's expiry does not slide (a write at most every 5 minutes).
    assert.equal((await t.request('GET', '/portal/v1/me', { token: owner.token })).status, 200);
    const counts = {} as Record<(typeof VIEWS)[number], number>;
    for (const view of VIEWS) {
      if (cold) t.clock.advance(3_000);
      const { result, sql } = await spy.during(() => t.request('GET', `/portal/v1/${view}`, { token: owner.token }));
      assert.equal(result.status, 200, `${view}: ${JSON.stringify(result.body)}`);
      counts[view] = sql.length;
    }
    return counts;
  } finally {
    spy.restore();
  }
}

test('every portal view reads in at most 4 statements, and in as many with three times the rows', async (run) => {
  await addRound();
  const few = await measure();
  await addRound();
  await addRound();
  const many = await measure();
  const cold = await measure(true);
  run.diagnostic(`statements per view (${rounds / 3}× rows → ${rounds}×): ${VIEWS.map((v) => `${v} ${few[v]}→${many[v]}`).join(', ')}`);
  run.diagnostic(`with the session looked up too: ${VIEWS.map((v) => `${v} ${cold[v]}`).join(', ')}`);
  // The views show what was made: a cheap check that the read was not emptied to pass.
  const overview = (await t.request('GET', '/portal/v1/overview', { token: owner.token })).body;
  assert.equal(overview.subscriptions.length, 6 * rounds);
  for (const view of VIEWS) {
    assert.ok(many[view] <= BUDGET, `${view}: ${many[view]} statements (budget ${BUDGET})`);
    assert.equal(many[view], few[view], `${view}: ${few[view]} statements with ${rounds / 3}× the rows, ${many[view]} with ${rounds}×`);
    assert.ok(cold[view] <= BUDGET, `${view}: ${cold[view]} statements with the session's look-up (budget ${BUDGET})`);
  }
});

test('the count sees statements inside transactions and on every connection of the pool', async () => {
  const spy = spyOnQueries(t.database.db);
  try {
    const { sql: seen } = await spy.during(async () => {
      await t.database.db.transaction().execute((trx) => sql`SELECT 1`.execute(trx));
      await Promise.all([sql`SELECT 2`.execute(t.database.db), sql`SELECT 3`.execute(t.database.db)]);
    });
    const lower = seen.map((q) => q.toLowerCase());
    assert.deepEqual(lower.slice(0, 3), ['begin', 'select 1', 'commit']);
    assert.deepEqual(lower.slice(3).sort(), ['select 2', 'select 3'], 'two connections at once (one after the other on PGlite)');
  } finally {
    spy.restore();
  }
});
