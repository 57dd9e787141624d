import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MINUTE } from '../../lib/clock.js';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;

before(async () => {
  t = await createTestContext();
  shop = await createShop(t);
});
after(() => t.close());

const codeIn = (email: string) => /code is: (\d{6})/.exec(t.mail.to(email).at(-1)?.text ?? '')?.[1] ?? '';

describe('email change', () => {
  test('a code goes to the new address; the email changes only when it comes back; the old address is told', async () => {
    const c = await createSubscriber(t, shop);
    const req = await t.request('POST', '/portal/v1/me/email-change', { token: c.token, body: { email: 'New.Address@Example.com' } });
    assert.equal(req.status, 202, JSON.stringify(req.body));
    assert.equal((await t.request('GET', '/portal/v1/me', { token: c.token })).body.email, c.email, 'unchanged until confirmed');
    const code = codeIn('new.address@example.com');
    assert.match(code, /^\d{6}$/);
    const wrong = await t.request('POST', '/portal/v1/me/email-change/verify', { token: c.token, body: { code: code === '000000' ? '111111' : '000000' } });
    assert.equal(wrong.body.error.code, 'code_incorrect');
    const ok = await t.request('POST', '/portal/v1/me/email-change/verify', { token: c.token, body: { code } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.email, 'new.address@example.com');
    assert.equal((await t.request('GET', '/portal/v1/me', { token: c.token })).body.email, 'new.address@example.com');
    assert.match(t.mail.to(c.email).at(-1)!.subject, /email address .* was changed/);
    const again = await t.request('POST', '/portal/v1/me/email-change/verify', { token: c.token, body: { code } });
    assert.equal(again.status, 400);
  });

  test('an address another customer uses is refused; codes expire; the action can be turned off', async () => {
    const a = await createSubscriber(t, shop);
    const b = await createSubscriber(t, shop);
    const taken = await t.request('POST', '/portal/v1/me/email-change', { token: a.token, body: { email: b.email } });
    assert.equal(taken.status, 409);
    await t.request('POST', '/portal/v1/me/email-change', { token: a.token, body: { email: 'later@example.com' } });
    t.clock.advance(16 * MINUTE);
    const expired = await t.request('POST', '/portal/v1/me/email-change/verify', { token: a.token, body: { code: codeIn('later@example.com') } });
    assert.equal(expired.body.error.code, 'code_expired');
    const off = await createShop(t, { portal_settings: { actions: { email_change: false } } });
    const d = await createSubscriber(t, off);
    const refused = await t.request('POST', '/portal/v1/me/email-change', { token: d.token, body: { email: 'x@example.com' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'action_disabled');
  });
});

describe('download my data', () => {
  test('the export holds the customer’s data and nobody else’s', async () => {
    const c = await createSubscriber(t, shop, { billing_details: { company: 'Ærø ApS', address: { country: 'DK' } } });
    await subscribe(t, shop, c.id, shop.prices.basic);
    const other = await createSubscriber(t, shop);
    await subscribe(t, shop, other.id, shop.prices.pro);
    const res = await t.request('GET', '/portal/v1/me/export', { token: c.token });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="my-data-/);
    assert.equal(res.body.customer.email, c.email);
    assert.equal(res.body.customer.billing_details.company, 'Ærø ApS');
    assert.equal(res.body.subscriptions.length, 1);
    assert.equal(res.body.orders.length, 1);
    assert.equal(res.body.orders[0].lines.length, 1);
    assert.deepEqual(Object.keys(res.body.payment_methods[0]).sort(), [
      'brand',
      'created_at',
      'detached_at',
      'exp_month',
      'exp_year',
      'id',
      'is_default',
      'last4',
    ]);
    assert.ok(!JSON.stringify(res.body).includes(other.email));
  });
});

describe('the settings view in one request', () => {
  test('GET /me?include=payment_methods adds the cards; email_change says whether the action is on', async () => {
    const c = await createSubscriber(t, shop);
    const plain = await t.request('GET', '/portal/v1/me', { token: c.token });
    assert.equal(plain.body.payment_methods, undefined);
    assert.equal(plain.body.email_change, true);
    const withCards = await t.request('GET', '/portal/v1/me?include=payment_methods', { token: c.token });
    assert.deepEqual(
      withCards.body.payment_methods.map((m: { last4: string; is_default: boolean }) => [m.last4, m.is_default]),
      [['4242', true]],
    );
    const off = await createShop(t, { portal_settings: { actions: { email_change: false } } });
    const d = await createSubscriber(t, off);
    assert.equal((await t.request('GET', '/portal/v1/me', { token: d.token })).body.email_change, false);
  });
});
