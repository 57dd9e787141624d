// Simultaneous requests against one subscription: each kind of billing operation fired 8 times
// at once — without an Idempotency-Key, with one shared key, and with 8 distinct keys — has
// exactly one effect, moves exactly the cents computed by hand here, emits one webhook per
// effect and never answers 5xx. On PGlite (one query at a time) this checks the rules; on the
// real Postgres run of `npm test` (TEST_DATABASE_URL) the requests really race.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DAY, systemClock } from '../../lib/clock.js';
import { testProvider } from '../payments/test-provider.js';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type JsonResponse, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;

before(async () => {
  t = await createTestContext();
  shop = await createShop(t);
});
after(() => t.close());

const N = 8;
type KeyMode = 'no key' | 'one shared key' | 'distinct keys';
const MODES: KeyMode[] = ['no key', 'one shared key', 'distinct keys'];
let keys = 0;

/** N identical requests, all started in the same tick (released together), with keys as `mode` says. */
async function simultaneously(mode: KeyMode, send: (headers: Record<string, string>) => Promise<JsonResponse>, n = N): Promise<JsonResponse[]> {
  const shared = `shared-${++keys}`;
  const requests = Array.from({ length: n }, () => {
    const headers: Record<string, string> = mode === 'no key' ? {} : { 'idempotency-key': mode === 'one shared key' ? shared : `distinct-${++keys}` };
    return send(headers);
  });
  return Promise.all(requests);
}

/** No 5xx; the winners' answers, and every other answer a 409 with a code of `losers`. */
function outcome(responses: JsonResponse[], mode: KeyMode, losers: string[]) {
  for (const r of responses) assert.ok(r.status < 500, `a ${r.status}: ${JSON.stringify(r.body)}`);
  const ok = responses.filter((r) => r.status < 300);
  const refused = responses.filter((r) => r.status >= 300);
  if (mode === 'one shared key') {
    assert.equal(ok.length, N, `all get the first answer: ${JSON.stringify(refused.map((r) => r.body))}`);
    assert.ok(
      ok.every((r) => JSON.stringify(r.body) === JSON.stringify(ok[0]!.body)),
      'the same answer',
    );
    assert.equal(ok.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, N - 1);
  } else {
    assert.equal(ok.length, 1, `one succeeds: ${JSON.stringify(responses.map((r) => [r.status, r.body?.error?.code]))}`);
    for (const r of refused) {
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.ok(losers.includes(r.body.error.code), r.body.error.code);
      assert.equal(typeof r.body.error.message, 'string');
    }
  }
  return ok[0]!.body;
}

/** The webhook events of `type` about `id` (a subscription or an order). */
async function events(type: string, match: (data: any) => boolean): Promise<any[]> {
  const rows = await t.database.db.selectFrom('webhook_events').select('payload').where('organization_id', '=', shop.org.id).where('type', '=', type).execute();
  return rows.map((r) => (r.payload as { data: unknown }).data).filter(match);
}

/** What the (test) processor charged and refunded for a customer's orders, in cents. */
async function money(customerId: string) {
  const orders = await t.database.db.selectFrom('orders').select('id').where('customer_id', '=', customerId).execute();
  const rows = await t.database.db
    .selectFrom('test_provider_charges')
    .select(['idempotency_key', 'amount', 'status', 'refunded_amount'])
    .where('status', '=', 'succeeded')
    .execute();
  const mine = rows.filter((r) => orders.some((o) => r.idempotency_key.startsWith(`${o.id}:`)));
  return { charged: mine.reduce((s, r) => s + Number(r.amount), 0), refunded: mine.reduce((s, r) => s + Number(r.refunded_amount), 0), charges: mine.length };
}

async function walletBalance(customerId: string) {
  const row = await t.database.db
    .selectFrom('wallet_transactions')
    .select(sql<number>`coalesce(sum(remaining), 0)::bigint`.as('balance'))
    .where('customer_id', '=', customerId)
    .executeTakeFirstOrThrow();
  return Number(row.balance);
}

/** A customer on `price`, 10 days into a 31-day period (Jan 15 12:00 → Feb 15 12:00). */
async function tenDaysIn(price: string, extra: object = {}) {
  t.clock.set('2026-01-15T12:00:00.000Z');
  const c = await createSubscriber(t, shop);
  const sub = await subscribe(t, shop, c.id, price, extra);
  t.clock.advance(10 * DAY);
  const version = (await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body.version as number;
  return { c, sub, version };
}

// 10 of 31 days used: 21/31 of a period is left.
const left = (amount: number) => Math.round((amount * 21) / 31);

describe(`${N} simultaneous requests of each kind, for one subscription`, () => {
  for (const mode of MODES) {
    test(`plan change Basic → Pro, ${mode}: one change, charged ${left(3000)} − ${left(1000)} = ${left(3000) - left(1000)} once`, async () => {
      const { c, sub, version } = await tenDaysIn(shop.prices.basic);
      const responses = await simultaneously(mode, (headers) =>
        t.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, {
          token: c.token,
          headers,
          body: { price_id: shop.prices.pro, expected_version: version },
        }),
      );
      const won = outcome(responses, mode, ['subscription_changed']);
      assert.equal(won.subscription.product.name, 'Pro');
      const upgrade = left(3000) - left(1000); // 2032 − 677 = 1355
      assert.equal(upgrade, 1355);
      assert.deepEqual(await money(c.id), { charged: 1000 + upgrade, refunded: 0, charges: 2 });
      assert.equal((await events('subscription.updated', (d) => d.id === sub.id && d.change)).length, 1, 'one subscription.updated for the change');
      const paid = await events('order.paid', (d) => d.subscription_id === sub.id && d.billing_reason === 'subscription_update');
      assert.deepEqual(
        paid.map((d) => d.total),
        [upgrade],
      );
      assert.equal(t.mail.to(c.email).filter((m) => /changed|updated/i.test(m.subject)).length, 1, 'one email');
    });

    test(`seat change 2 → 3 (500 a seat), ${mode}: charged ${left(1500)} − ${left(1000)} once`, async () => {
      const { c, sub, version } = await tenDaysIn(shop.prices.team, { seats: 2 });
      const responses = await simultaneously(mode, (headers) =>
        t.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: c.token, headers, body: { seats: 3, expected_version: version } }),
      );
      const won = outcome(responses, mode, ['subscription_changed']);
      assert.equal(won.subscription.seats, 3);
      const change = left(1500) - left(1000); // 1016 − 677 = 339
      assert.equal(change, 339);
      assert.deepEqual(await money(c.id), { charged: 1000 + change, refunded: 0, charges: 2 });
      assert.equal((await events('subscription.updated', (d) => d.id === sub.id && d.change)).length, 1);
    });

    test(`cancel immediately, ${mode}: one cancellation, ${left(1000)} refunded once`, async () => {
      const { c, sub, version } = await tenDaysIn(shop.prices.basic);
      const responses = await simultaneously(mode, (headers) =>
        t.request('POST', `/portal/v1/subscriptions/${sub.id}/cancel`, { token: c.token, headers, body: { mode: 'immediately', expected_version: version } }),
      );
      const won = outcome(responses, mode, ['subscription_changed', 'subscription_canceled']);
      assert.deepEqual(won.refund, { amount: 677, currency: 'USD', destination: 'payment_method' });
      assert.deepEqual(await money(c.id), { charged: 1000, refunded: 677, charges: 1 });
      const canceled = await events('subscription.canceled', (d) => d.id === sub.id);
      assert.equal(canceled.length, 1, 'one subscription.canceled');
      assert.deepEqual(canceled[0].refund, { amount: 677, currency: 'USD', destination: 'payment_method' });
      assert.equal((await events('order.refunded', (d) => d.subscription_id === sub.id)).length, 1, 'one order.refunded');
    });

    test(`cancel at period end, ${mode}: set once, one webhook`, async () => {
      const { c, sub, version } = await tenDaysIn(shop.prices.basic);
      const responses = await simultaneously(mode, (headers) =>
        t.request('POST', `/portal/v1/subscriptions/${sub.id}/cancel`, {
          token: c.token,
          headers,
          body: { mode: 'at_period_end', reason: 'unused', expected_version: version },
        }),
      );
      const won = outcome(responses, mode, ['subscription_changed', 'already_canceling']);
      assert.equal(won.subscription.cancel_at_period_end, true);
      assert.equal((await events('subscription.canceled', (d) => d.id === sub.id)).length, 1);
      assert.deepEqual(await money(c.id), { charged: 1000, refunded: 0, charges: 1 });
    });

    test(`merchant refund of a whole order, ${mode}: refunded once`, async () => {
      const { c, sub } = await tenDaysIn(shop.prices.basic);
      const order = (await t.request('GET', `/v1/orders?subscription_id=${sub.id}`, { token: shop.org.key })).body.data[0];
      const responses = await simultaneously(mode, (headers) =>
        t.request('POST', '/v1/refunds', { token: shop.org.key, headers, body: { order_id: order.id, reason: 'goodwill' } }),
      );
      const won = outcome(responses, mode, ['order_not_refundable']);
      assert.equal(won.amount, 1000);
      assert.equal(won.order.status, 'refunded');
      assert.deepEqual(await money(c.id), { charged: 1000, refunded: 1000, charges: 1 });
      assert.equal((await events('order.refunded', (d) => d.id === order.id)).length, 1);
    });

    test(`two upgrades paid partly from one $15 wallet, ${mode}: each once, the credit spent once`, async () => {
      t.clock.set('2026-01-15T12:00:00.000Z');
      const c = await createSubscriber(t, shop);
      const a = await subscribe(t, shop, c.id, shop.prices.basic);
      const b = await subscribe(t, shop, c.id, shop.prices.basic);
      const grant = await t.request('POST', '/v1/wallet-credits', {
        token: shop.org.key,
        body: { customer_id: c.id, amount: 1500, currency: 'usd', description: 'Welcome credit' },
      });
      assert.equal(grant.status, 201);
      t.clock.advance(10 * DAY);
      const version = async (id: string) => (await t.request('GET', `/portal/v1/subscriptions/${id}`, { token: c.token })).body.version as number;
      const [va, vb] = [await version(a.id), await version(b.id)];
      const sharedA = `wallet-a-${++keys}`;
      const sharedB = `wallet-b-${++keys}`;
      const responses = await Promise.all(
        Array.from({ length: N }, (_, i) => {
          const [sub, v, shared] = i % 2 === 0 ? [a, va, sharedA] : [b, vb, sharedB];
          const headers: Record<string, string> = mode === 'no key' ? {} : { 'idempotency-key': mode === 'one shared key' ? shared : `distinct-${++keys}` };
          return t.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, {
            token: c.token,
            headers,
            body: { price_id: shop.prices.pro, expected_version: v },
          });
        }),
      );
      for (const r of responses) assert.ok(r.status < 500, `a ${r.status}: ${JSON.stringify(r.body)}`);
      const ok = responses.filter((r) => r.status === 200);
      assert.equal(ok.length, mode === 'one shared key' ? N : 2, JSON.stringify(responses.map((r) => [r.status, r.body?.error?.code])));
      for (const r of responses.filter((x) => x.status !== 200)) assert.equal(r.body.error.code, 'subscription_changed');
      // Each upgrade is 1355; together 2710, of which the $15 credit pays 1500 once: the first
      // upgrade entirely (no charge), the second 145 of it (charged 1210).
      const orders = await t.database.db
        .selectFrom('orders')
        .select(['total', 'credit_amount'])
        .where('customer_id', '=', c.id)
        .where('billing_reason', '=', 'subscription_update')
        .execute();
      assert.equal(orders.length, 2);
      assert.equal(
        orders.reduce((s, o) => s + Number(o.credit_amount), 0),
        1500,
      );
      assert.equal(
        orders.reduce((s, o) => s + Number(o.total), 0),
        2710 - 1500,
      );
      assert.deepEqual(await money(c.id), { charged: 2000 + 1210, refunded: 0, charges: 3 });
      assert.equal(await walletBalance(c.id), 0);
    });
  }
});

describe('a process that dies between the charge and its settlement', () => {
  test('the change is finished by the jobs a minute later, charged once; meanwhile other changes are refused', async () => {
    // A processor that charges, then the "process dies" before the answer is recorded: the
    // request fails, the charge happened. The jobs ask again with the same idempotency key.
    let dieAfterCharge = true;
    const crashing = await createTestContext(
      {},
      {
        paymentProvider: (database) => {
          const real = testProvider(database.db, systemClock);
          return {
            ...real,
            async charge(request) {
              const result = await real.charge(request);
              if (dieAfterCharge) throw new Error('process died after the processor charged');
              return result;
            },
          };
        },
      },
    );
    try {
      const s = await createShop(crashing);
      crashing.clock.set('2026-01-15T12:00:00.000Z');
      const c = await createSubscriber(crashing, s);
      dieAfterCharge = false;
      const sub = await subscribe(crashing, s, c.id, s.prices.basic);
      crashing.clock.advance(10 * DAY);
      dieAfterCharge = true;
      const died = await crashing.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: c.token, body: { price_id: s.prices.pro } });
      assert.equal(died.status, 503, 'the charge was not confirmed: not a 500, and nothing lost');
      assert.equal(died.body.error.code, 'payment_processor_unavailable');
      dieAfterCharge = false;
      const meanwhile = await crashing.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: c.token, body: { price_id: s.prices.pro } });
      assert.equal(meanwhile.status, 409);
      assert.equal(meanwhile.body.error.code, 'subscription_changed');
      const early = await crashing.runJobs();
      assert.equal(early.recovered, 0, 'not before its lease ends');
      crashing.clock.advance(61 * 1000);
      const ran = await crashing.runJobs();
      assert.equal(ran.recovered, 1);
      const view = (await crashing.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body;
      assert.equal(view.product.name, 'Pro');
      const charges = await crashing.database.db.selectFrom('test_provider_charges').select(['amount']).where('status', '=', 'succeeded').execute();
      assert.deepEqual(
        charges.map((ch) => Number(ch.amount)).sort((x, y) => x - y),
        [1000, 1355],
        'the upgrade charged once',
      );
      const order = (await crashing.request('GET', `/v1/orders?subscription_id=${sub.id}`, { token: s.org.key })).body.data[0];
      assert.deepEqual([order.billing_reason, order.status, order.total], ['subscription_update', 'paid', 1355]);
    } finally {
      await crashing.close();
    }
  });
});
