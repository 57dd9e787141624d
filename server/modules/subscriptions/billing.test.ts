import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY, MINUTE, SECOND } from '../../lib/clock.js';
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

/** Jan 15 12:00 → Feb 15 12:00 is 31 days; the tests change plans 10 days in. */
const PERIOD = 31 * 86_400;
const REMAINING = 21 * 86_400;
const byHand = (amount: number) => Math.round((amount * REMAINING) / PERIOD);

describe('subscriptions through the year', () => {
  test('a year of monthly renewals: twelve charges, sequential invoices, periods that follow the calendar', async () => {
    t.clock.set('2026-01-31T09:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    assert.equal(sub.status, 'active');
    const ends: string[] = [];
    for (let month = 0; month < 12; month++) {
      const current = (await t.request('GET', `/v1/subscriptions/${sub.id}`, { token: shop.org.key })).body;
      t.clock.set(current.current_period_end);
      t.clock.advance(SECOND);
      const ran = await t.runJobs();
      assert.equal(ran.renewed, 1, `renewal ${month + 1}`);
      ends.push(current.current_period_end.slice(0, 10));
    }
    assert.deepEqual(ends, [
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
      '2026-05-31',
      '2026-06-30',
      '2026-07-31',
      '2026-08-31',
      '2026-09-30',
      '2026-10-31',
      '2026-11-30',
      '2026-12-31',
      '2027-01-31',
    ]);
    const token = await t.signIn(shop.org.slug, c.email);
    const orders = (await get('/portal/v1/orders?limit=50', token)).body.data as Array<{
      invoice_number: string;
      status: string;
      total: number;
      billing_reason: string;
    }>;
    assert.equal(orders.length, 13);
    assert.ok(orders.every((o) => o.status === 'paid' && o.total === 1000));
    assert.deepEqual(orders.map((o) => o.billing_reason).reverse(), ['subscription_create', ...Array(12).fill('subscription_cycle')]);
    const numbers = orders.map((o) => Number(o.invoice_number.split('-')[1])).reverse();
    assert.deepEqual(
      numbers,
      numbers.map((_, i) => numbers[0]! + i),
      'invoice numbers are sequential',
    );
    const final = (await get(`/portal/v1/subscriptions/${sub.id}`, token)).body;
    assert.equal(final.current_period_end.slice(0, 10), '2027-02-28');
    assert.equal(final.next_invoice.total, 1000);
    const mails = t.mail.to(c.email).filter((m) => /renewed/.test(m.subject));
    assert.equal(mails.length, 12, 'a renewal email each month');
  });

  test('a clock moved a whole year at once renews every missed period, each once', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    t.clock.advance(366 * DAY);
    await t.runJobs();
    await t.runJobs();
    const orders = (await t.request('GET', `/v1/orders?subscription_id=${sub.id}&limit=50`, { token: shop.org.key })).body.data;
    assert.equal(orders.length, 13);
    const charges = (await (t.app.services.payments.provider as any).charges()) as Array<{ idempotency_key: string }>;
    const keys = charges.map((ch) => ch.idempotency_key).filter((k) => orders.some((o: { id: string }) => k.startsWith(o.id)));
    assert.equal(keys.length, 13, 'one charge per order');
  });
});

describe('the portal list of subscriptions', () => {
  test('an empty cursor (?starting_after=) is no cursor: the same page as without it', async () => {
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    const token = await t.signIn(shop.org.slug, c.email);
    const ids = async (query: string) => ((await get(`/portal/v1/subscriptions${query}`, token)).body.data as Array<{ id: string }>).map((s) => s.id);
    assert.deepEqual(await ids(''), [sub.id]);
    assert.deepEqual(await ids('?starting_after='), [sub.id]);
    assert.deepEqual(await ids(`?starting_after=${sub.id}`), []);
  });
});

describe('plan and seat changes', () => {
  async function tenDaysIn(priceId: string, extra: object = {}) {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, priceId, extra);
    t.clock.advance(10 * DAY);
    return { c, sub };
  }

  test('an upgrade charges the prorated difference now, exactly what the preview said', async () => {
    const { c, sub } = await tenDaysIn(shop.prices.basic);
    const preview = await post(`/portal/v1/subscriptions/${sub.id}/change-preview`, c.token, { price_id: shop.prices.pro });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.equal(preview.body.kind, 'upgrade');
    assert.equal(preview.body.timing, 'now');
    const expected = byHand(3000) - byHand(1000); // 2032 − 677
    assert.equal(expected, 1355);
    assert.equal(preview.body.due_now.total, expected);
    t.clock.advance(30 * SECOND);
    const change = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: shop.prices.pro, proration_date: preview.body.proration_date });
    await t.background.drain();
    const changedMail = t.mail.to(c.email).find((m) => m.subject.includes('subscription changed to'));
    assert.ok(changedMail?.text.includes(`/portal#cp/subscriptions/${sub.id}`), changedMail?.text ?? 'no plan-changed email');
    assert.equal(change.status, 200, JSON.stringify(change.body));
    const order = (await get(`/portal/v1/orders/${change.body.order_id}`, c.token)).body;
    assert.equal(order.total, preview.body.due_now.total);
    assert.equal(order.status, 'paid');
    assert.deepEqual(
      order.lines.map((l: { amount: number }) => l.amount),
      [-677, 2032],
    );
    assert.equal(change.body.subscription.product.name, 'Pro');
    assert.equal(change.body.subscription.amount, 3000);
    assert.equal(change.body.subscription.next_invoice.total, 3000);
  });

  test('a downgrade waits for the renewal, then bills the new price', async () => {
    const { c, sub } = await tenDaysIn(shop.prices.pro);
    const preview = await post(`/portal/v1/subscriptions/${sub.id}/change-preview`, c.token, { price_id: shop.prices.basic });
    assert.equal(preview.body.kind, 'downgrade');
    assert.equal(preview.body.timing, 'renewal');
    assert.equal(preview.body.due_now, null);
    const change = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: shop.prices.basic });
    assert.equal(change.body.order_id, null);
    assert.equal(change.body.subscription.product.name, 'Pro', 'still Pro until the renewal');
    assert.equal(change.body.subscription.scheduled_change.product.name, 'Basic');
    assert.equal(change.body.subscription.next_invoice.total, 1000);
    t.clock.set(change.body.subscription.current_period_end);
    await t.runJobs();
    const token = await t.signIn(shop.org.slug, c.email);
    const after = (await get(`/portal/v1/subscriptions/${sub.id}`, token)).body;
    assert.equal(after.product.name, 'Basic');
    assert.equal(after.scheduled_change, null);
    const orders = (await get('/portal/v1/orders', token)).body.data;
    assert.equal(orders[0].total, 1000);
  });

  test('adding seats prorates; removing seats credits the wallet, and the credit pays the next invoice', async () => {
    const { c, sub } = await tenDaysIn(shop.prices.team, { seats: 3 });
    const more = await post(`/portal/v1/subscriptions/${sub.id}/change-preview`, c.token, { seats: 5 });
    assert.equal(more.body.kind, 'seats');
    assert.equal(more.body.due_now.total, byHand(2500) - byHand(1500)); // 1694 − 1016 = 678
    assert.equal(more.body.due_now.total, 678);
    const added = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { seats: 5 });
    assert.equal(added.body.subscription.seats, 5);
    assert.equal((await get(`/portal/v1/orders/${added.body.order_id}`, c.token)).body.total, 678);

    const fewer = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { seats: 2 });
    const credit = byHand(2500) - byHand(1000); // 1694 − 677 = 1017
    assert.equal(fewer.body.change.wallet_credit, credit);
    assert.equal(fewer.body.order_id, null);
    assert.equal(fewer.body.subscription.next_invoice.credit_amount, 1000);
    assert.equal(fewer.body.subscription.next_invoice.total, 0);
    t.clock.set(fewer.body.subscription.current_period_end);
    await t.runJobs();
    const renewal = (await get('/portal/v1/orders', await t.signIn(shop.org.slug, c.email))).body.data[0];
    assert.equal(renewal.total, 0);
    assert.equal(renewal.credit_amount, 1000);
    assert.equal(renewal.status, 'paid');
  });

  test('a switch to a yearly plan starts a new yearly period now', async () => {
    const { c, sub } = await tenDaysIn(shop.prices.basic);
    const change = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: shop.prices.annual });
    assert.equal(change.status, 200, JSON.stringify(change.body));
    const order = (await get(`/portal/v1/orders/${change.body.order_id}`, c.token)).body;
    assert.equal(order.total, 30000 - byHand(1000));
    assert.equal(change.body.subscription.current_period_end.slice(0, 10), '2027-01-25');
  });

  test('bad changes are refused with a clear error and change nothing', async () => {
    const { c, sub } = await tenDaysIn(shop.prices.basic);
    const same = await post(`/portal/v1/subscriptions/${sub.id}/change-preview`, c.token, { price_id: shop.prices.basic });
    assert.equal(same.body.error.code, 'no_change');
    const currency = await post(`/portal/v1/subscriptions/${sub.id}/change-preview`, c.token, { price_id: shop.prices.basicEur });
    assert.equal(currency.body.error.code, 'currency_mismatch');
    const seats = await post(`/portal/v1/subscriptions/${sub.id}/change-preview`, c.token, { seats: 3 });
    assert.equal(seats.body.error.code, 'seats_not_supported');
    const empty = await post(`/portal/v1/subscriptions/${sub.id}/change-preview`, c.token, {});
    assert.equal(empty.body.error.code, 'validation_error');
    const stale = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: shop.prices.pro, proration_date: '2020-01-01T00:00:00.000Z' });
    assert.equal(stale.body.error.code, 'proration_date_invalid');
  });

  test('a declined upgrade leaves the plan as it was', async () => {
    const { c, sub } = await tenDaysIn(shop.prices.basic);
    await t.addCard(shop.org.id, c.id, '4000000000000341');
    const res = await post(`/portal/v1/subscriptions/${sub.id}/change`, c.token, { price_id: shop.prices.pro });
    assert.equal(res.status, 402);
    assert.equal(res.body.error.code, 'payment_failed');
    assert.match(res.body.error.message, /declined.*not changed/);
    const after = (await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body;
    assert.equal(after.product.name, 'Basic');
    assert.equal(after.status, 'active');
  });
});

describe('cancellation', () => {
  test('at period end: keeps access, can be undone, then ends at the period end', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    const cancel = await post(`/portal/v1/subscriptions/${sub.id}/cancel`, c.token, { mode: 'at_period_end', reason: 'too_expensive', comment: 'Über budget' });
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    assert.equal(cancel.body.subscription.cancel_at_period_end, true);
    assert.equal(cancel.body.subscription.status, 'active');
    assert.equal(cancel.body.subscription.next_invoice, null);
    await t.background.drain();
    const ending = t.mail.to(c.email).find((m) => m.subject.includes('will end on'));
    assert.ok(ending, 'a cancellation email was sent');
    // Its button opens this subscription in the portal (its hash route), not the list.
    assert.ok(ending.text.includes(`/portal#cp/subscriptions/${sub.id}`), ending.text);
    const merchant = (await t.request('GET', `/v1/subscriptions/${sub.id}`, { token: shop.org.key })).body;
    assert.equal(merchant.cancellation_reason, 'too_expensive');
    assert.equal(merchant.cancellation_comment, 'Über budget');
    const undo = await post(`/portal/v1/subscriptions/${sub.id}/uncancel`, c.token);
    assert.equal(undo.body.cancel_at_period_end, false);
    await post(`/portal/v1/subscriptions/${sub.id}/cancel`, c.token, { mode: 'at_period_end', reason: 'unused' });
    t.clock.set('2026-02-15T12:00:01.000Z');
    await t.runJobs();
    const token = await t.signIn(shop.org.slug, c.email);
    const ended = (await get(`/portal/v1/subscriptions/${sub.id}`, token)).body;
    assert.equal(ended.status, 'canceled');
    assert.equal(ended.ended_at, '2026-02-15T12:00:00.000Z');
    assert.equal((await get('/portal/v1/orders', token)).body.data.length, 1, 'no renewal charge');
  });

  test('immediately: refunds the unused time to the card, to the cent', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.pro);
    t.clock.advance(10 * DAY);
    const res = await post(`/portal/v1/subscriptions/${sub.id}/cancel`, c.token, { mode: 'immediately', reason: 'switched_service' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.refund, { amount: byHand(3000), currency: 'USD', destination: 'payment_method' });
    assert.equal(res.body.refund.amount, 2032);
    assert.equal(res.body.subscription.status, 'canceled');
    const order = (await get('/portal/v1/orders', c.token)).body.data[0];
    assert.equal(order.status, 'partially_refunded');
    assert.equal(order.refunded_amount, 2032);
  });

  test('immediately with the wallet setting: the refund becomes wallet credit', async () => {
    const walletShop = await createShop(t, { billing_settings: { cancel_refund_to: 'wallet' } });
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await createSubscriber(t, walletShop);
    const sub = await subscribe(t, walletShop, c.id, walletShop.prices.basic);
    t.clock.advance(10 * DAY);
    const res = await post(`/portal/v1/subscriptions/${sub.id}/cancel`, c.token, { mode: 'immediately' });
    assert.deepEqual(res.body.refund, { amount: 677, currency: 'USD', destination: 'wallet' });
    const next = await subscribe(t, walletShop, c.id, walletShop.prices.basic);
    const order = (await get('/portal/v1/orders', c.token)).body.data[0];
    assert.equal(next.status, 'active');
    assert.equal(order.credit_amount, 677);
    assert.equal(order.total, 323);
  });

  test('reasons the organization hid are refused; "other" is always there; renamed labels show', async () => {
    const custom = await createShop(t, {
      billing_settings: {
        cancellation_reasons: { too_expensive: { hidden: true }, other: { hidden: true, label: 'Something else' } },
        retention_offer: { percent_off: 50, periods: 2 },
      },
    });
    const c = await createSubscriber(t, custom);
    const sub = await subscribe(t, custom, c.id, custom.prices.basic);
    const view = (await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body;
    const ids = view.cancellation.reasons.map((r: { id: string }) => r.id);
    assert.ok(!ids.includes('too_expensive'));
    assert.equal(view.cancellation.reasons.at(-1).label, 'Something else');
    assert.equal(view.cancellation.retention_offer.percent_off, 50);
    assert.equal(view.cancellation.retention_offer.periods, 2);
    assert.equal(view.cancellation.retention_offer.amount, 1000, 'on the Basic price it applies to');
    assert.equal(view.cancellation.retention_offer.discounted_amount, 500);
    const hidden = await post(`/portal/v1/subscriptions/${sub.id}/cancel`, c.token, { mode: 'at_period_end', reason: 'too_expensive' });
    assert.equal(hidden.body.error.code, 'reason_invalid');
    const offer = await post(`/portal/v1/subscriptions/${sub.id}/accept-offer`, c.token);
    assert.deepEqual(offer.body.discount, { percent_off: 50, periods_left: 2 });
    assert.equal(offer.body.next_invoice.total, 500);
    assert.equal(offer.body.cancellation.retention_offer, null, 'one offer per subscription');
    t.clock.set(offer.body.current_period_end);
    await t.runJobs();
    assert.equal((await get('/portal/v1/orders', await t.signIn(custom.org.slug, c.email))).body.data[0].total, 500);
  });
});

describe('failed payments', () => {
  test('a declined renewal goes past due; a new card retries at once and the subscription is active again', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    // The card on file starts failing (Stripe's 4000 0000 0000 0341: saves, then declines).
    await t.addCard(shop.org.id, c.id, '4000000000000341');
    t.clock.set('2026-02-15T12:00:01.000Z');
    await t.runJobs();
    c.token = await t.signIn(shop.org.slug, c.email);
    const pastDue = (await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body;
    assert.equal(pastDue.status, 'past_due');
    const failed = (await get('/portal/v1/orders', c.token)).body.data[0];
    assert.equal(failed.status, 'failed');
    assert.match(failed.failure_message, /declined/);
    const mail = t.mail.to(c.email).find((m) => /payment .* failed/.test(m.subject));
    assert.ok(mail, 'a payment-failed email was sent');
    // Straight to the card form (the portal's hash route), not the overview.
    assert.ok(mail.text.includes(`http://portal.test/${shop.org.slug}/portal#cp/settings/payment-method`), mail.text);
    const paidMail = t.mail.to(c.email).find((m) => m.subject.includes('started'));
    const firstOrder = (await get('/portal/v1/orders?limit=100', c.token)).body.data.at(-1);
    assert.ok(paidMail, 'a subscription-started email was sent');
    assert.ok(paidMail.text.includes(`/portal#cp/orders/${firstOrder.id}`), paidMail.text);

    const setup = await post('/portal/v1/payment-methods/setup', c.token);
    assert.equal(setup.status, 201);
    const confirm = await t.request('POST', `/test-provider/setup-intents/${setup.body.setup_intent_id}/confirm`, {
      body: { client_secret: setup.body.client_secret, number: '4242 4242 4242 4242', exp_month: 12, exp_year: 34, cvc: '123' },
    });
    assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
    const done = await post('/portal/v1/payment-methods/confirm', c.token, { setup_intent_id: setup.body.setup_intent_id, make_default: true });
    assert.equal(done.status, 201, JSON.stringify(done.body));
    assert.deepEqual(done.body.retried, [{ subscription_id: sub.id, status: 'active', ok: true, message: null }]);
    const paid = (await get(`/portal/v1/orders/${failed.id}`, c.token)).body;
    assert.equal(paid.status, 'paid');
    assert.equal((await get(`/portal/v1/subscriptions/${sub.id}`, c.token)).body.status, 'active');
  });

  test('without a new card, retries run 1, 3 and 5 days later, then the subscription is canceled', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    await t.addCard(shop.org.id, c.id, '4000000000000341');
    t.clock.set('2026-02-15T12:00:00.000Z');
    await t.runJobs();
    const state = async () => {
      const s = (await t.request('GET', `/v1/subscriptions/${sub.id}`, { token: shop.org.key })).body;
      return `${s.status} after ${s.dunning_attempts} retries, next ${s.next_retry_at?.slice(0, 10) ?? 'none'}`;
    };
    const seen = [await state()];
    for (const day of [1, 2, 3, 4, 5]) {
      t.clock.set(new Date(Date.parse('2026-02-15T12:00:00.000Z') + day * DAY).toISOString());
      await t.runJobs();
      seen.push(await state());
    }
    assert.deepEqual(seen, [
      'past_due after 0 retries, next 2026-02-16',
      'past_due after 1 retries, next 2026-02-18',
      'past_due after 1 retries, next 2026-02-18',
      'past_due after 2 retries, next 2026-02-20',
      'past_due after 2 retries, next 2026-02-20',
      'canceled after 3 retries, next none',
    ]);
    const orders = (await t.request('GET', `/v1/orders?subscription_id=${sub.id}`, { token: shop.org.key })).body.data;
    assert.equal(orders[0].status, 'failed');
  });

  test('a card declined when saving shows the decline and saves nothing', async () => {
    const c = await createSubscriber(t, shop, { card: null });
    const setup = await post('/portal/v1/payment-methods/setup', c.token);
    const res = await t.request('POST', `/test-provider/setup-intents/${setup.body.setup_intent_id}/confirm`, {
      body: { client_secret: setup.body.client_secret, number: '4000000000000002', exp_month: 12, exp_year: 2034, cvc: '123' },
    });
    assert.equal(res.status, 402);
    assert.equal(res.body.error.code, 'card_declined');
    const confirm = await post('/portal/v1/payment-methods/confirm', c.token, { setup_intent_id: setup.body.setup_intent_id });
    assert.equal(confirm.status, 402);
    assert.deepEqual((await get('/portal/v1/payment-methods', c.token)).body.data, []);
  });

  test('a renewal job killed half-way and run again charges once', async () => {
    let crash = true;
    const crashing = await createTestContext(
      {},
      {
        paymentProvider: (db) => {
          // The real test provider, but the process "dies" right after the first charge went through.
          const { testProvider } = requireProvider();
          const inner = testProvider(db.db, crashingClock);
          return {
            ...inner,
            async charge(request) {
              const result = await inner.charge(request);
              if (crash && request.description.includes('INV-0002')) {
                crash = false;
                throw new Error('process killed after the charge');
              }
              return result;
            },
          };
        },
      },
    );
    crashingClock = crashing.clock;
    try {
      const s = await createShop(crashing);
      const c = await createSubscriber(crashing, s);
      const sub = await subscribe(crashing, s, c.id, s.prices.basic);
      crashing.clock.set('2026-02-15T12:00:01.000Z');
      await crashing.runJobs();
      const mid = (await crashing.request('GET', `/v1/orders?subscription_id=${sub.id}`, { token: s.org.key })).body.data;
      assert.equal(mid[0].status, 'pending', 'charged, but not recorded');
      crashing.clock.advance(6 * MINUTE);
      await crashing.runJobs();
      await crashing.runJobs();
      const orders = (await crashing.request('GET', `/v1/orders?subscription_id=${sub.id}`, { token: s.org.key })).body.data;
      assert.equal(orders.length, 2);
      assert.equal(orders[0].status, 'paid');
      const charges = await (crashing.app.services.payments.provider as any).charges.call(undefined);
      void charges;
      const rows = await crashing.database.db.selectFrom('test_provider_charges').selectAll().where('idempotency_key', 'like', `${orders[0].id}%`).execute();
      assert.equal(rows.length, 1, 'one charge at the provider');
      assert.equal((await crashing.request('GET', `/v1/subscriptions/${sub.id}`, { token: s.org.key })).body.status, 'active');
    } finally {
      await crashing.close();
    }
  });
});

import * as providerModule from '../payments/test-provider.js';
import type { Clock } from '../../lib/clock.js';
let crashingClock: Clock = { now: () => new Date() };
const requireProvider = () => ({
  testProvider: (db: Parameters<typeof providerModule.testProvider>[0], clock: Clock) => providerModule.testProvider(db, { now: () => clock.now() }),
});
