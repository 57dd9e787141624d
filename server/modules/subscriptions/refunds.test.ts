// Immediate cancellation after changes made this period, previews sharing one wallet, the
// retention offer on a scheduled plan, and undoing scheduled changes; every amount computed
// by hand here. Periods: Jan 15 12:00 → Feb 15 12:00 (31 days); changes 10 days in, the
// cancellation 20 days in (11 of 31 days left; 11 of the 21 days a change covered).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY, SECOND } from '../../lib/clock.js';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;

before(async () => {
  t = await createTestContext();
  shop = await createShop(t);
});
after(() => t.close());

const get = (path: string, token: string) => t.request('GET', path, { token });
const post = (path: string, token: string, body: object = {}) => t.request('POST', path, { token, body });
const left21 = (amount: number) => Math.round((amount * 21) / 31);

async function start(price: string, extra: object = {}) {
  t.clock.set('2026-01-15T12:00:00.000Z');
  const c = await createSubscriber(t, shop);
  const sub = await subscribe(t, shop, c.id, price, extra);
  t.clock.advance(10 * DAY);
  return { c, sub };
}

/** What the test processor refunded to the customer's cards. */
async function refundedToCard(customerId: string) {
  const orders = await t.database.db.selectFrom('orders').select('id').where('customer_id', '=', customerId).execute();
  const charges = await t.database.db.selectFrom('test_provider_charges').select(['idempotency_key', 'refunded_amount']).execute();
  return charges.filter((ch) => orders.some((o) => ch.idempotency_key.startsWith(`${o.id}:`))).reduce((s, ch) => s + Number(ch.refunded_amount), 0);
}

async function cancelNow(subId: string, token: string) {
  const view = (await get(`/portal/v1/subscriptions/${subId}`, token)).body;
  const res = await post(`/portal/v1/subscriptions/${subId}/cancel`, token, {
    mode: 'immediately',
    proration_date: view.cancellation.immediate_refund?.as_of,
    expected_version: view.version,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { shown: view.cancellation.immediate_refund, refund: res.body.refund };
}

describe('cancelling now after a change this period refunds the unused time of what the customer is on', () => {
  test('after an upgrade Basic → Pro: the unused Pro time, not only the first invoice', async () => {
    const { c, sub } = await start(shop.prices.basic);
    const up = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: shop.prices.pro });
    assert.equal(up.status, 200);
    assert.equal(up.body.change.due_now.total, left21(3000) - left21(1000)); // 2032 − 677 = 1355
    t.clock.advance(10 * DAY);
    // Basic period 1000 × 11/31, minus the unused-Basic line −677 × 11/21, plus the Pro line 2032 × 11/21.
    const expected = Math.round(1000 * (11 / 31) - 677 * (11 / 21) + 2032 * (11 / 21));
    assert.equal(expected, 1065); // ≈ 3000 × 11/31 = 1064.5: the Pro time left
    const { shown, refund } = await cancelNow(sub.id, c.token);
    assert.equal(shown.amount, expected, 'the dialog shows the amount before the customer confirms');
    assert.deepEqual(refund, { amount: expected, currency: 'USD', destination: 'payment_method' });
    assert.equal(await refundedToCard(c.id), expected);
  });

  test('after a downgrade now Pro → Basic (credit to the wallet): the unused Basic time, and the wallet keeps its credit', async () => {
    const { c, sub } = await start(shop.prices.pro);
    const down = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: shop.prices.basic, timing: 'now' });
    assert.equal(down.status, 200);
    const credit = left21(3000) - left21(1000); // 1355 into the wallet
    assert.equal(down.body.change.wallet_credit, credit);
    t.clock.advance(10 * DAY);
    // Pro period 3000 × 11/31, minus the wallet credit's unused share 1355 × 11/21.
    const expected = Math.round(3000 * (11 / 31) - credit * (11 / 21));
    assert.equal(expected, 355); // ≈ 1000 × 11/31: the Basic time left
    const { shown, refund } = await cancelNow(sub.id, c.token);
    assert.equal(shown.amount, expected);
    assert.equal(refund.amount, expected);
    assert.equal(await refundedToCard(c.id), expected);
    const wallet = (await get('/portal/v1/wallet', c.token)).body;
    assert.equal(wallet.balances.find((b: { currency: string }) => b.currency === 'USD').balance, credit);
    // Paid 3000; back 1355 + 355 = 1710; used 10 days of Pro and 10 of Basic ≈ 968 + 323.
    assert.equal(credit + expected, 1710);
  });

  test('after adding seats 2 → 4 (500 a seat): the unused time of four seats', async () => {
    const { c, sub } = await start(shop.prices.team, { seats: 2 });
    const more = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { seats: 4 });
    assert.equal(more.status, 200);
    assert.equal(more.body.change.due_now.total, left21(2000) - left21(1000)); // 1355 − 677 = 678
    t.clock.advance(10 * DAY);
    const expected = Math.round(1000 * (11 / 31) - 677 * (11 / 21) + 1355 * (11 / 21));
    assert.equal(expected, 710); // ≈ 2000 × 11/31
    const { refund } = await cancelNow(sub.id, c.token);
    assert.equal(refund.amount, expected);
    assert.equal(await refundedToCard(c.id), expected);
  });

  test('with tax: the refund carries the tax paid on the unused time', async () => {
    const taxed = await createShop(t, { billing_settings: { tax_rates: { FR: 20 } } });
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await createSubscriber(t, taxed, { billing_details: { address: { country: 'FR' } } });
    const sub = await subscribe(t, taxed, c.id, taxed.prices.basic);
    t.clock.advance(20 * DAY);
    const order = (await t.request('GET', `/v1/orders?subscription_id=${sub.id}`, { token: taxed.org.key })).body.data[0];
    assert.deepEqual([order.tax_amount, order.total], [200, 1200]);
    const { refund } = await cancelNow(sub.id, c.token);
    assert.equal(refund.amount, Math.round((1200 * 11) / 31)); // 426: 355 of price and 71 of tax
  });
});

describe('one wallet, previewed once', () => {
  test('two subscriptions renewing a second apart share $15 of credit in the order they renew, and the previews are what is charged', async () => {
    t.clock.set('2026-03-01T08:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const first = await subscribe(t, shop, c.id, shop.prices.basic); // renews first: 1000
    t.clock.advance(SECOND);
    const second = await subscribe(t, shop, c.id, shop.prices.pro); // a second later: 3000
    await t.request('POST', '/v1/wallet-credits', { token: shop.org.key, body: { customer_id: c.id, amount: 1500, currency: 'usd', description: 'Goodwill' } });
    const subs = (await get('/portal/v1/subscriptions', c.token)).body.data as Array<{ id: string; next_invoice: { credit_amount: number; total: number } }>;
    const next = (id: string) => subs.find((s) => s.id === id)!.next_invoice;
    assert.deepEqual([next(first.id).credit_amount, next(first.id).total], [1000, 0], 'the first renewal takes 1000 of the 1500');
    assert.deepEqual([next(second.id).credit_amount, next(second.id).total], [500, 2500], 'the second gets the 500 left');
    const overview = (await get('/portal/v1/overview', c.token)).body;
    assert.equal(
      overview.subscriptions.reduce((s: number, x: { next_invoice: { total: number } }) => s + x.next_invoice.total, 0),
      2500,
    );
    t.clock.set('2026-04-01T08:00:02.000Z');
    await t.runJobs();
    const orders = (await t.request('GET', `/v1/orders?customer_id=${c.id}`, { token: shop.org.key })).body.data as Array<{
      subscription_id: string;
      billing_reason: string;
      total: number;
      credit_amount: number;
    }>;
    const renewal = (id: string) => orders.find((o) => o.subscription_id === id && o.billing_reason === 'subscription_cycle')!;
    assert.deepEqual([renewal(first.id).total, renewal(first.id).credit_amount], [0, 1000]);
    assert.deepEqual([renewal(second.id).total, renewal(second.id).credit_amount], [2500, 500]);
  });
});

describe('the retention offer and scheduled changes', () => {
  test('with a yearly plan scheduled, the offer is priced on the yearly price it will discount', async () => {
    const offering = await createShop(t, { billing_settings: { retention_offer: { percent_off: 30, periods: 3 } } });
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await createSubscriber(t, offering);
    const sub = await subscribe(t, offering, c.id, offering.prices.pro);
    const scheduled = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: offering.prices.annual, timing: 'renewal' });
    assert.equal(scheduled.status, 200);
    const view = (await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body;
    const offer = view.cancellation.retention_offer;
    assert.equal(offer.applies_to.interval, 'year');
    assert.equal(offer.amount, 30000);
    assert.equal(offer.discounted_amount, 21000, '30 % off $300.00 a year');
    const accepted = await post(`/portal/v1/subscriptions/${sub.id}/accept-offer`, c.token);
    assert.equal(accepted.body.next_invoice.total, 21000, 'what the offer said is what the renewal charges');
  });

  test('cancelling and then not cancelling keeps a scheduled plan change; it can be dropped on its own', async () => {
    const { c, sub } = await start(shop.prices.pro);
    await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: shop.prices.basic, timing: 'renewal' });
    const canceling = await post(`/portal/v1/subscriptions/${sub.id}/cancel`, c.token, { mode: 'at_period_end' });
    assert.equal(canceling.body.subscription.scheduled_change, null, 'while it ends, no change is shown');
    const kept = await post(`/portal/v1/subscriptions/${sub.id}/uncancel`, c.token);
    assert.equal(kept.body.scheduled_change.product.name, 'Basic', '"Don\'t cancel" brings the scheduled change back');
    assert.equal(kept.body.next_invoice.total, 1000);
    assert.equal(kept.body.actions.cancel_scheduled_change, true);
    const dropped = await post(`/portal/v1/subscriptions/${sub.id}/cancel-scheduled-change`, c.token, { expected_version: kept.body.version });
    assert.equal(dropped.status, 200);
    assert.equal(dropped.body.scheduled_change, null);
    assert.equal(dropped.body.next_invoice.total, 3000);
    const again = await post(`/portal/v1/subscriptions/${sub.id}/cancel-scheduled-change`, c.token);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'no_scheduled_change');
    const stale = await post(`/portal/v1/subscriptions/${sub.id}/cancel`, c.token, { mode: 'at_period_end', expected_version: kept.body.version });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, 'subscription_changed');
    assert.equal(stale.body.error.details.version, dropped.body.version);
  });
});
