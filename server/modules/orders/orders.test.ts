import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DAY } from '../../lib/clock.js';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;
const dir = mkdtempSync(join(tmpdir(), 'cp-pdf-'));

before(async () => {
  t = await createTestContext();
  shop = await createShop(t, {
    name: 'Acme GmbH',
    billing_settings: {
      seller_country: 'DE',
      seller_details: { company: 'Acme GmbH', address_lines: ['Torstraße 1', '10119 Berlin'], tax_id: 'DE123456789', email: 'billing@acme.example' },
      tax_rates: { DE: 19, FR: 20, US: 0 },
    },
  });
});
after(() => t.close());

async function pdfText(path: string, token: string): Promise<string> {
  const res = await t.app.request(path, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const file = join(dir, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

describe('taxes', () => {
  test('the rate of the buyer’s country is added on top', async () => {
    const c = await createSubscriber(t, shop, { billing_details: { address: { country: 'FR' } } });
    await subscribe(t, shop, c.id, shop.prices.pro);
    const order = (await t.request('GET', '/portal/v1/orders', { token: c.token })).body.data[0];
    assert.equal(order.subtotal, 3000);
    assert.equal(order.tax_amount, 600);
    assert.equal(order.total, 3600);
    assert.deepEqual(
      order.lines.map((l: { kind: string; description: string }) => `${l.kind}: ${l.description}`),
      ['period: Pro', 'tax: VAT (20%)'],
    );
  });

  test('a valid EU VAT id from another EU country means reverse charge; from the seller’s country it does not', async () => {
    const fr = await createSubscriber(t, shop, { billing_details: { company: 'Société Test', tax_id: 'fr 12 345678901', address: { country: 'FR' } } });
    await subscribe(t, shop, fr.id, shop.prices.pro);
    const order = (await t.request('GET', '/portal/v1/orders', { token: fr.token })).body.data[0];
    assert.equal(order.tax_amount, 0);
    assert.match(order.tax_note, /Reverse charge/);
    assert.equal(order.billing_details.tax_id, 'FR12345678901', 'normalised');
    const de = await createSubscriber(t, shop, { billing_details: { tax_id: 'DE987654321', address: { country: 'DE' } } });
    await subscribe(t, shop, de.id, shop.prices.pro);
    const deOrder = (await t.request('GET', '/portal/v1/orders', { token: de.token })).body.data[0];
    assert.equal(deOrder.tax_amount, 570);
    assert.equal(deOrder.tax_note, null);
  });

  test('a malformed EU VAT id is refused with a message that says what to fix', async () => {
    const c = await createSubscriber(t, shop);
    const res = await t.request('PATCH', '/portal/v1/me', { token: c.token, body: { billing_details: { tax_id: 'DE12' } } });
    assert.equal(res.status, 400);
    // Said to the customer without the field's path; the path is in the details.
    assert.match(res.body.error.message, /^DE12 is not a valid DE VAT number format/);
    assert.equal(res.body.error.details[0].path, 'tax_id');
    const ok = await t.request('PATCH', '/portal/v1/me', { token: c.token, body: { billing_details: { tax_id: 'GB123456789' } } });
    assert.equal(ok.status, 200, 'non-EU tax ids are kept as typed');
  });
});

describe('invoices and receipts', () => {
  test('the invoice PDF holds the number, lines, totals, tax id and a non-Latin name intact', async () => {
    const c = await createSubscriber(t, shop, {
      name: 'Zoë Łódź',
      billing_details: {
        name: '山田 太郎',
        company: '東京 株式会社',
        tax_id: 'DE111222333',
        address: { line1: 'Hauptstraße 5', city: 'München', postal_code: '80331', country: 'DE' },
      },
    });
    await subscribe(t, shop, c.id, shop.prices.team, { seats: 3 });
    const order = (await t.request('GET', '/portal/v1/orders', { token: c.token })).body.data[0];
    const text = await pdfText(`/portal/v1/orders/${order.id}/invoice.pdf`, c.token);
    assert.match(text, new RegExp(order.invoice_number));
    assert.match(text, /Team × 3 seats/);
    assert.match(text, /\$15\.00/);
    assert.match(text, /VAT \(19%\)/);
    assert.match(text, /\$2\.85/);
    assert.match(text, /\$17\.85/);
    assert.match(text, /DE111222333/);
    assert.match(text, /DE123456789/, 'the seller’s VAT id');
    assert.match(text, /山田 太郎/);
    assert.match(text, /東京 株式会社/);
    assert.match(text, /München/);
  });

  test('edited invoice details appear in the regenerated invoice; amounts stay as charged', async () => {
    const c = await createSubscriber(t, shop, { name: 'Old Name' });
    await subscribe(t, shop, c.id, shop.prices.basic);
    const order = (await t.request('GET', '/portal/v1/orders', { token: c.token })).body.data[0];
    const res = await t.request('PATCH', `/portal/v1/orders/${order.id}/invoice-details`, {
      token: c.token,
      body: { name: 'Ελένη Παπαδοπούλου', company: 'Ωμέγα Α.Ε.', address: { line1: 'Οδός 1', city: 'Αθήνα', country: 'GR' }, tax_id: 'EL123456789' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.total, order.total);
    const text = await pdfText(`/portal/v1/orders/${order.id}/invoice.pdf`, c.token);
    assert.match(text, /Ελένη Παπαδοπούλου/);
    assert.match(text, /Ωμέγα Α\.Ε\./);
    assert.match(text, /EL123456789/);
    assert.ok(!text.includes('Old Name'));
    const bad = await t.request('PATCH', `/portal/v1/orders/${order.id}/invoice-details`, { token: c.token, body: { tax_id: 'FR1' } });
    assert.equal(bad.status, 400);
  });

  test('the receipt shows the payment method and the refunds', async () => {
    t.clock.set('2026-03-01T10:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.pro);
    t.clock.advance(10 * DAY);
    await t.request('POST', `/portal/v1/subscriptions/${sub.id}/cancel`, { token: c.token, body: { mode: 'immediately' } });
    const order = (await t.request('GET', '/portal/v1/orders', { token: c.token })).body.data[0];
    assert.equal(order.status, 'partially_refunded');
    const detail = (await t.request('GET', `/portal/v1/orders/${order.id}`, { token: c.token })).body;
    assert.deepEqual(detail.payment_method, { brand: 'visa', last4: '4242' });
    assert.equal(detail.refunds.length, 1);
    const text = await pdfText(`/portal/v1/orders/${order.id}/receipt.pdf`, c.token);
    assert.match(text, /Receipt/);
    assert.match(text, /4242/);
    assert.match(text, /Visa/);
    assert.match(text, /Refund/);
    const refunded = (detail.refunds[0].amount / 100).toFixed(2);
    assert.ok(text.includes(`$${refunded}`), `refund $${refunded} on the receipt`);
  });

  test('no receipt for an unpaid order', async () => {
    const c = await createSubscriber(t, shop, { card: null });
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    assert.equal(sub.status, 'incomplete');
    const order = (await t.request('GET', '/portal/v1/orders', { token: c.token })).body.data[0];
    assert.equal(order.status, 'failed');
    const res = await t.request('GET', `/portal/v1/orders/${order.id}/receipt.pdf`, { token: c.token });
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'order_not_paid');
  });
});

describe('refunds by the merchant', () => {
  test('partial then full; more than was paid is refused', async () => {
    const c = await createSubscriber(t, shop);
    await subscribe(t, shop, c.id, shop.prices.basic);
    const order = (await t.request('GET', '/portal/v1/orders', { token: c.token })).body.data[0];
    const part = await t.request('POST', '/v1/refunds', { token: shop.org.key, body: { order_id: order.id, amount: 400 } });
    assert.equal(part.status, 201);
    assert.equal(part.body.order.status, 'partially_refunded');
    const tooMuch = await t.request('POST', '/v1/refunds', { token: shop.org.key, body: { order_id: order.id, amount: 10_000 } });
    assert.equal(tooMuch.status, 400);
    assert.equal(tooMuch.body.error.code, 'refund_amount_invalid');
    const rest = await t.request('POST', '/v1/refunds', { token: shop.org.key, body: { order_id: order.id } });
    assert.equal(rest.body.amount, order.total - 400);
    assert.equal(rest.body.order.status, 'refunded');
  });
});

describe('isolation', () => {
  test("a customer cannot see or act on another customer's subscriptions and orders", async () => {
    const a = await createSubscriber(t, shop);
    const b = await createSubscriber(t, shop);
    const subB = await subscribe(t, shop, b.id, shop.prices.basic);
    const orderB = (await t.request('GET', '/portal/v1/orders', { token: b.token })).body.data[0];
    for (const [method, path] of [
      ['GET', `/portal/v1/subscriptions/${subB.id}`],
      ['POST', `/portal/v1/subscriptions/${subB.id}/cancel`],
      ['POST', `/portal/v1/subscriptions/${subB.id}/change-preview`],
      ['GET', `/portal/v1/orders/${orderB.id}`],
      ['GET', `/portal/v1/orders/${orderB.id}/invoice.pdf`],
      ['PATCH', `/portal/v1/orders/${orderB.id}/invoice-details`],
    ] as const) {
      const res = await t.request(method, path, { token: a.token, body: method === 'GET' ? undefined : { mode: 'immediately', seats: 2, name: 'x' } });
      assert.equal(res.status, 404, `${method} ${path}`);
    }
    assert.equal((await t.request('GET', '/portal/v1/subscriptions', { token: a.token })).body.data.length, 0);
    const other = await createShop(t);
    assert.equal((await t.request('GET', `/v1/subscriptions/${subB.id}`, { token: other.org.key })).status, 404);
    assert.equal((await t.request('GET', `/v1/orders/${orderB.id}`, { token: other.org.key })).status, 404);
    assert.equal((await t.request('POST', '/v1/refunds', { token: other.org.key, body: { order_id: orderB.id } })).status, 404);
  });
});

describe('one-time purchases', () => {
  test('an order for one-time prices is charged, confirmed by email, and shows in the portal', async () => {
    const product = await t.request('POST', '/v1/products', {
      token: shop.org.key,
      body: { name: 'Setup service', prices: [{ type: 'one_time', currency: 'usd', unit_amount: 4900 }] },
    });
    const c = await createSubscriber(t, shop);
    const res = await t.request('POST', '/v1/orders', {
      token: shop.org.key,
      body: { customer_id: c.id, items: [{ price_id: product.body.prices[0].id, quantity: 2 }] },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'paid');
    assert.equal(res.body.total, 9800);
    assert.equal(res.body.billing_reason, 'purchase');
    const mail = t.mail.to(c.email).find((m) => m.subject.includes(res.body.invoice_number));
    assert.ok(mail, 'order confirmation email');
    const mine = (await t.request('GET', '/portal/v1/orders', { token: c.token })).body.data;
    assert.equal(mine[0].id, res.body.id);
    const recurring = await t.request('POST', '/v1/orders', { token: shop.org.key, body: { customer_id: c.id, items: [{ price_id: shop.prices.basic }] } });
    assert.equal(recurring.body.error.code, 'price_not_one_time');
  });

  test('a declined purchase answers 402 and keeps the failed order', async () => {
    const product = await t.request('POST', '/v1/products', {
      token: shop.org.key,
      body: { name: 'Ebook', prices: [{ type: 'one_time', currency: 'usd', unit_amount: 1500 }] },
    });
    const c = await createSubscriber(t, shop, { card: '4000000000000341' });
    const res = await t.request('POST', '/v1/orders', { token: shop.org.key, body: { customer_id: c.id, items: [{ price_id: product.body.prices[0].id }] } });
    assert.equal(res.status, 402);
    assert.equal(res.body.status, 'failed');
    assert.equal(res.body.payment.code, 'card_declined');
  });
});
