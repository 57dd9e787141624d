// Simultaneous requests against one subscription: each kind of billing operation fired 8 times
// at once — without an Idempotency-Key, with one shared key, and with 8 distinct keys — has
// exactly one effect, moves exactly the cents computed by hand here, emits one webhook per
// effect and never answers 5xx. On PGlite (one query at a time) this checks the rules; on the
// real Postgres run of `npm test` (TEST_DATABASE_URL) the requests really race.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DAY, systemClock } from '../../lib/clock.js';
import type { PaymentProvider } from '../payments/provider.js';
import { type TestProvider, testProvider } from '../payments/test-provider.js';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type JsonResponse, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;
/** A shop that lets customers pause and offers 50 % off the next 2 periods to stay. */
let keeping: Shop;

before(async () => {
  t = await createTestContext();
  shop = await createShop(t);
  keeping = await createShop(t, { portal_settings: { actions: { pause: true } }, billing_settings: { retention_offer: { percent_off: 50, periods: 2 } } });
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
async function events(type: string, match: (data: any) => boolean, at: Shop = shop): Promise<any[]> {
  const rows = await t.database.db.selectFrom('webhook_events').select('payload').where('organization_id', '=', at.org.id).where('type', '=', type).execute();
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

/** A test context whose processor is the offline one with `change` laid over it (a crash, a gate, Stripe's 409). */
function contextWithProcessor(change: (real: TestProvider) => Partial<PaymentProvider>) {
  return createTestContext(
    {},
    {
      paymentProvider: (database) => {
        const real = testProvider(database.db, systemClock);
        return { ...real, ...change(real) };
      },
    },
  );
}

/** A customer on `price`, 10 days into a 31-day period (Jan 15 12:00 → Feb 15 12:00). */
async function tenDaysIn(price: string, extra: object = {}, at: Shop = shop) {
  t.clock.set('2026-01-15T12:00:00.000Z');
  const c = await createSubscriber(t, at);
  const sub = await subscribe(t, at, c.id, price, extra);
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

    test(`resume a paused Basic subscription, ${mode}: one new period, charged 1000 once`, async () => {
      // Jan 10 → Feb 10: paused at the period's end, resumed five days later (a new period from then).
      t.clock.set('2026-01-10T12:00:00.000Z');
      const c = await createSubscriber(t, keeping);
      const sub = await subscribe(t, keeping, c.id, keeping.prices.basic);
      assert.equal((await t.request('POST', `/portal/v1/subscriptions/${sub.id}/pause`, { token: c.token })).status, 200);
      t.clock.set('2026-02-10T12:00:00.000Z');
      await t.runJobs();
      t.clock.advance(5 * DAY);
      c.token = await t.signIn(keeping.org.slug, c.email); // a month on: the session has lapsed
      const paused = (await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body;
      assert.equal(paused.status, 'paused', JSON.stringify(paused));
      const responses = await simultaneously(mode, (headers) =>
        t.request('POST', `/portal/v1/subscriptions/${sub.id}/resume`, { token: c.token, headers, body: { expected_version: paused.version } }),
      );
      const won = outcome(responses, mode, ['subscription_changed']);
      assert.equal(won.status, 'active');
      assert.deepEqual([won.current_period_start, won.current_period_end], ['2026-02-15T12:00:00.000Z', '2026-03-15T12:00:00.000Z']);
      assert.deepEqual(await money(c.id), { charged: 1000 + 1000, refunded: 0, charges: 2 });
      assert.equal((await events('subscription.updated', (d) => d.id === sub.id && d.previous_status === 'paused', keeping)).length, 1, 'one resume webhook');
      const paid = await events('order.paid', (d) => d.subscription_id === sub.id && d.billing_reason === 'subscription_cycle', keeping);
      assert.deepEqual(
        paid.map((d) => d.total),
        [1000],
      );
    });

    test(`retention offer (50 % off 2 periods) accepted, ${mode}: used once, the next invoice 500`, async () => {
      const { c, sub, version } = await tenDaysIn(keeping.prices.basic, {}, keeping);
      const responses = await simultaneously(mode, (headers) =>
        t.request('POST', `/portal/v1/subscriptions/${sub.id}/accept-offer`, { token: c.token, headers, body: { expected_version: version } }),
      );
      const won = outcome(responses, mode, ['subscription_changed', 'offer_used']);
      assert.deepEqual(won.discount, { percent_off: 50, periods_left: 2 });
      assert.equal(won.next_invoice.total, 500);
      assert.equal((await events('subscription.updated', (d) => d.id === sub.id && d.retention_offer, keeping)).length, 1, 'one webhook');
      assert.deepEqual(await money(c.id), { charged: 1000, refunded: 0, charges: 1 });
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
    const crashing = await contextWithProcessor((real) => ({
      async charge(request) {
        const result = await real.charge(request);
        if (dieAfterCharge) throw new Error('process died after the processor charged');
        return result;
      },
    }));
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

/** Two different requests for one subscription, started in the same tick. */
function together(...requests: Array<Promise<JsonResponse>>) {
  return Promise.all(requests);
}

const post = (c: { token: string }, sub: { id: string }, action: string, body: object = {}) =>
  t.request('POST', `/portal/v1/subscriptions/${sub.id}/${action}`, { token: c.token, body });

/** Exactly one of two requests decided on the same version succeeds; the other is 409 subscription_changed. Returns the winner's index. */
function oneOfTwo(responses: JsonResponse[]) {
  for (const r of responses) assert.ok(r.status < 500, `a ${r.status}: ${JSON.stringify(r.body)}`);
  const ok = responses.map((r, i) => [r, i] as const).filter(([r]) => r.status === 200);
  assert.equal(ok.length, 1, JSON.stringify(responses.map((r) => [r.status, r.body?.error?.code])));
  const loser = responses[1 - ok[0]![1]]!;
  assert.deepEqual([loser.status, loser.body.error.code], [409, 'subscription_changed']);
  return ok[0]![1];
}

/**
 * An immediate cancel (10 of 31 days used) landed: 677 refunded once; the `other` request went
 * before it (200) or was refused after it with `code`.
 */
async function canceledOnce(cancel: JsonResponse, other: JsonResponse, code: string, c: { id: string; token: string }, sub: { id: string }, at: Shop) {
  assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
  assert.deepEqual(cancel.body.refund, { amount: 677, currency: 'USD', destination: 'payment_method' });
  if (other.status !== 200) assert.equal(other.body.error.code, code);
  assert.equal((await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body.status, 'canceled');
  assert.deepEqual(await money(c.id), { charged: 1000, refunded: 677, charges: 1 });
  assert.equal((await events('subscription.canceled', (d) => d.id === sub.id && d.status === 'canceled', at)).length, 1);
  assert.equal((await events('order.refunded', (d) => d.subscription_id === sub.id, at)).length, 1);
}

describe('two different operations on one subscription at once', () => {
  for (const versioned of [false, true]) {
    const how = versioned ? 'both decided on the same version' : 'without a version';

    test(`retention offer while an immediate cancel lands, ${how}: canceled with ${left(1000)} refunded once, or kept with the offer`, async () => {
      const { c, sub, version } = await tenDaysIn(keeping.prices.basic, {}, keeping);
      const v = versioned ? { expected_version: version } : {};
      const [offer, cancel] = await together(post(c, sub, 'accept-offer', v), post(c, sub, 'cancel', { mode: 'immediately', ...v }));
      const after = (await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body;
      const kept = versioned && oneOfTwo([offer!, cancel!]) === 0;
      if (kept) {
        // The offer won: the cancel was decided on what the customer saw before it.
        assert.equal(after.status, 'active');
        assert.deepEqual(after.discount, { percent_off: 50, periods_left: 2 });
        assert.equal(after.next_invoice.total, 500);
        assert.deepEqual(await money(c.id), { charged: 1000, refunded: 0, charges: 1 });
        assert.equal((await events('subscription.canceled', (d) => d.id === sub.id, keeping)).length, 0);
        return;
      }
      // The cancel lands either way; the offer before it (200) or refused after it.
      await canceledOnce(cancel!, offer!, versioned ? 'subscription_changed' : 'subscription_not_active', c, sub, keeping);
    });

    test(`"Don't cancel" while an immediate cancel lands, ${how}: canceled with ${left(1000)} refunded once, or kept`, async () => {
      const { c, sub } = await tenDaysIn(shop.prices.basic);
      const canceling = await post(c, sub, 'cancel', { mode: 'at_period_end', reason: 'unused' });
      assert.equal(canceling.status, 200);
      const v = versioned ? { expected_version: canceling.body.subscription.version } : {};
      const [uncancel, cancel] = await together(post(c, sub, 'uncancel', v), post(c, sub, 'cancel', { mode: 'immediately', ...v }));
      const after = (await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body;
      if (versioned && oneOfTwo([uncancel!, cancel!]) === 0) {
        assert.deepEqual([after.status, after.cancel_at_period_end], ['active', false]);
        assert.deepEqual(await money(c.id), { charged: 1000, refunded: 0, charges: 1 });
        return;
      }
      await canceledOnce(cancel!, uncancel!, versioned ? 'subscription_changed' : 'not_canceling', c, sub, shop);
    });

    test(`dropping a scheduled 3 → 2 seats while a change to 4 seats now lands, ${how}: ${left(2000)} − ${left(1500)} charged once, or nothing`, async () => {
      const { c, sub } = await tenDaysIn(shop.prices.team, { seats: 3 });
      const scheduled = await post(c, sub, 'change', { seats: 2, timing: 'renewal' });
      assert.equal(scheduled.status, 200);
      assert.equal(scheduled.body.subscription.next_invoice.total, 1000);
      const v = versioned ? { expected_version: scheduled.body.subscription.version } : {};
      const [drop, change] = await together(post(c, sub, 'cancel-scheduled-change', v), post(c, sub, 'change', { seats: 4, ...v }));
      const after = (await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body;
      const upgrade = left(2000) - left(1500); // 1355 − 1016 = 339
      assert.equal(upgrade, 339);
      assert.equal(after.scheduled_change, null, 'the scheduled change is gone either way');
      if (versioned && oneOfTwo([drop!, change!]) === 0) {
        assert.equal(after.seats, 3);
        assert.equal(after.next_invoice.total, 1500);
        assert.deepEqual(await money(c.id), { charged: 1500, refunded: 0, charges: 1 });
        return;
      }
      // The seat change lands either way (it replaces what was scheduled); dropping it came first (200) or found nothing.
      assert.equal(change!.status, 200, JSON.stringify(change!.body));
      if (drop!.status !== 200) assert.ok(['no_scheduled_change', 'subscription_changed'].includes(drop!.body.error.code), drop!.body.error.code);
      assert.equal(after.seats, 4);
      assert.equal(after.next_invoice.total, 2000);
      assert.deepEqual(await money(c.id), { charged: 1500 + upgrade, refunded: 0, charges: 2 });
      assert.equal((await events('subscription.updated', (d) => d.id === sub.id && d.change)).length, 1);
    });
  }
});

describe("a renewal at the period's end racing a portal plan change", () => {
  // Basic from Jan 1 12:00 to Feb 1 12:00 (31 days), then Feb 1 → Mar 1 (28 days). At the
  // period's end no time is left to prorate: an upgrade that lands before the renewal is free
  // and the renewal charges Pro (3000); one after it is charged over the whole new period
  // (3000 − 1000 = 2000); one while the renewal runs is 409 and the renewal charges Basic (1000).
  let r: TestContext;
  let s: Shop;
  /** When set, the next charge waits here: `reached` resolves, and it goes on once `release` is called. */
  let gate: { reached: () => void; released: Promise<void> } | null = null;

  before(async () => {
    r = await contextWithProcessor((real) => ({
      async charge(request) {
        const g = gate;
        gate = null;
        if (g) {
          g.reached();
          await g.released;
        }
        return real.charge(request);
      },
    }));
    s = await createShop(r);
  });
  after(() => r.close());

  async function basicToPeriodEnd(day: number) {
    r.clock.set(`2026-01-0${day}T12:00:00.000Z`);
    const c = await createSubscriber(r, s);
    const sub = await subscribe(r, s, c.id, s.prices.basic);
    r.clock.set(sub.current_period_end);
    c.token = await r.signIn(s.org.slug, c.email); // a month on: the session has lapsed
    return { c, sub };
  }

  const charged = async (subscriptionId: string) =>
    (
      await r.database.db
        .selectFrom('orders')
        .select('total')
        .where('subscription_id', '=', subscriptionId)
        .where('status', '=', 'paid')
        .orderBy('invoice_number')
        .execute()
    ).map((o) => Number(o.total));

  test('a change while the renewal is charging is 409 (not lost when the renewal writes the next period); after it, it is charged 2000', async () => {
    const { c, sub } = await basicToPeriodEnd(1);
    let reached!: () => void;
    let release!: () => void;
    const charging = new Promise<void>((resolve) => {
      reached = resolve;
    });
    gate = { reached, released: new Promise<void>((resolve) => (release = resolve)) };
    const jobs = r.runJobs();
    await charging; // the renewal's order is recorded and its charge is under way
    const during = await r.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: c.token, body: { price_id: s.prices.pro } });
    release();
    assert.equal((await jobs).renewed, 1);
    assert.deepEqual([during.status, during.body.error?.code], [409, 'subscription_changed'], JSON.stringify(during.body));
    assert.equal(during.headers.get('retry-after'), '2');
    const renewed = (await r.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body;
    assert.deepEqual(
      [renewed.product.name, renewed.current_period_start, renewed.current_period_end],
      ['Basic', '2026-02-01T12:00:00.000Z', '2026-03-01T12:00:00.000Z'],
    );
    const again = await r.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: c.token, body: { price_id: s.prices.pro } });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.subscription.product.name, 'Pro');
    assert.deepEqual(await charged(sub.id), [1000, 1000, 2000]);
  });

  for (const day of [2, 3, 4, 5]) {
    test(`renewal job and an upgrade fired together at the period's end (round ${day - 1}): one consistent outcome, exact money`, async () => {
      const { c, sub } = await basicToPeriodEnd(day);
      const [, change] = await Promise.all([
        r.runJobs(),
        r.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: c.token, body: { price_id: s.prices.pro } }),
      ]);
      assert.ok(change.status < 500, JSON.stringify(change.body));
      await r.runJobs(); // a renewal skipped while the change held the subscription runs now
      const view = (await r.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token: c.token })).body;
      const start = new Date(sub.current_period_end);
      const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate(), 12));
      assert.deepEqual([view.status, view.current_period_start, view.current_period_end], ['active', start.toISOString(), end.toISOString()]);
      const money = await charged(sub.id);
      if (change.status === 409) {
        assert.equal(change.body.error.code, 'subscription_changed');
        assert.equal(view.product.name, 'Basic');
        assert.deepEqual(money, [1000, 1000], 'renewed on Basic');
      } else {
        assert.equal(change.status, 200);
        assert.equal(view.product.name, 'Pro', 'the change the customer was told about holds');
        // Before the renewal: free, and the renewal charged Pro; after it: 2000 for the whole new period.
        assert.deepEqual(money, change.body.order_id ? [1000, 1000, 2000] : [1000, 3000], JSON.stringify(change.body.change));
      }
      const renewals = await r.database.db
        .selectFrom('webhook_events')
        .select('payload')
        .where('organization_id', '=', s.org.id)
        .where('type', '=', 'subscription.renewed')
        .execute();
      assert.equal(renewals.filter((e) => (e.payload as { data: { id: string } }).data.id === sub.id).length, 1, 'renewed once');
    });
  }
});

describe('the card-refunds job racing a second run of it', () => {
  test('an answer lost, then two retries at once: refunded once at the processor, settled once, nothing to the wallet', async () => {
    // The processor, as Stripe behaves: the first refund goes through but its answer is lost;
    // a request whose idempotency key is still running elsewhere is 409 (it is not a refusal).
    let loseAnswer = true;
    const running = new Set<string>();
    /** The first retry waits inside the processor until the second has asked (or is done). */
    let firstRetry: { reached: () => void; released: Promise<void>; release: () => void } | null = null;
    const lost = await contextWithProcessor((real) => ({
      async refund(request) {
        if (running.has(request.idempotencyKey)) {
          throw Object.assign(new Error('There is currently another in-progress request using this idempotency key.'), { statusCode: 409 });
        }
        running.add(request.idempotencyKey);
        try {
          const result = await real.refund(request);
          if (loseAnswer) {
            loseAnswer = false;
            throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
          }
          const gate = firstRetry;
          firstRetry = null;
          if (gate) {
            gate.reached();
            await gate.released;
          }
          return result;
        } finally {
          running.delete(request.idempotencyKey);
        }
      },
    }));
    try {
      const s = await createShop(lost);
      lost.clock.set('2026-01-15T12:00:00.000Z');
      const c = await createSubscriber(lost, s);
      const sub = await subscribe(lost, s, c.id, s.prices.basic);
      lost.clock.advance(10 * DAY);
      const canceled = await lost.request('POST', `/portal/v1/subscriptions/${sub.id}/cancel`, { token: c.token, body: { mode: 'immediately' } });
      assert.equal(canceled.status, 200);
      assert.deepEqual(canceled.body.refund, { amount: 677, currency: 'USD', destination: 'payment_method' });
      const refunds = () => lost.database.db.selectFrom('refunds').select(['amount', 'destination', 'status']).execute();
      assert.deepEqual(await refunds(), [{ amount: 677, destination: 'payment_method', status: 'pending' }], 'not confirmed: left for the job');
      lost.clock.advance(61 * 1000);
      let reached!: () => void;
      let release!: () => void;
      const inside = new Promise<void>((resolve) => {
        reached = resolve;
      });
      firstRetry = { reached, release: () => release(), released: new Promise<void>((resolve) => (release = resolve)) };
      const first = lost.runJobs();
      await Promise.race([inside, first]); // the first retry is at the processor (or, refused, already done)
      const second = lost.runJobs().finally(() => release());
      await Promise.all([first, second]);
      assert.deepEqual(await refunds(), [{ amount: 677, destination: 'payment_method', status: 'succeeded' }]);
      const charges = await lost.database.db.selectFrom('test_provider_charges').select(['amount', 'refunded_amount']).execute();
      assert.deepEqual(
        charges.map((ch) => [Number(ch.amount), Number(ch.refunded_amount)]),
        [[1000, 677]],
        'the processor refunded 677 once',
      );
      const wallet = await lost.database.db.selectFrom('wallet_transactions').select('amount').where('customer_id', '=', c.id).execute();
      assert.deepEqual(wallet, [], 'nothing credited to the wallet as well');
      const refunded = await lost.database.db.selectFrom('webhook_events').select('payload').where('type', '=', 'order.refunded').execute();
      assert.equal(refunded.length, 1, 'one order.refunded');
    } finally {
      await lost.close();
    }
  });
});
