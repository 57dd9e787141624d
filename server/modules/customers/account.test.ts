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

  test('an address another customer uses gets the same answer and no code (nothing is revealed); codes expire; the action can be turned off', async () => {
    const a = await createSubscriber(t, shop);
    const b = await createSubscriber(t, shop);
    const free = await t.request('POST', '/portal/v1/me/email-change', { token: a.token, body: { email: 'free@example.com' } });
    const mailsBefore = t.mail.to(b.email).length; // b's own sign-in code
    const taken = await t.request('POST', '/portal/v1/me/email-change', { token: a.token, body: { email: b.email } });
    assert.equal(taken.status, 202, JSON.stringify(taken.body));
    assert.deepEqual(Object.keys(taken.body).sort(), Object.keys(free.body).sort());
    assert.equal(taken.body.email, b.email);
    assert.equal(t.mail.to(b.email).length, mailsBefore, 'the address’s owner gets no code, nor any email');
    // Verifying says what it says for any wrong code, and the email does not move.
    const guess = await t.request('POST', '/portal/v1/me/email-change/verify', { token: a.token, body: { code: '123456' } });
    assert.equal(guess.body.error.code, 'code_incorrect');
    assert.equal((await t.request('GET', '/portal/v1/me', { token: a.token })).body.email, a.email);
    assert.equal((await t.request('GET', '/portal/v1/me', { token: b.token })).body.email, b.email);

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

  test('the hourly limit counts codes asked for (five), not refused requests', async () => {
    const c = await createSubscriber(t, shop);
    const ask = (email: string) => t.request('POST', '/portal/v1/me/email-change', { token: c.token, body: { email } });
    // Refusals first: not an email, the address it already has. None of them counts.
    for (let i = 0; i < 6; i += 1) {
      assert.equal((await ask('not an email')).status, 400);
      assert.equal((await ask(c.email)).body.error.code, 'email_unchanged');
    }
    for (let i = 1; i <= 5; i += 1) assert.equal((await ask(`try${i}@example.com`)).status, 202, `code ${i}`);
    const sixth = await ask('try6@example.com');
    assert.equal(sixth.status, 429);
    assert.equal(sixth.body.error.code, 'rate_limited');
    assert.ok(Number(sixth.headers.get('retry-after')) > 0);
    t.clock.advance(61 * MINUTE);
    assert.equal((await ask('try7@example.com')).status, 202, 'a new hour, new codes');
  });
});

describe('billing details: a VAT number and its country', () => {
  test('a VAT number whose prefix names another country than the address is refused, without the field path in the message', async () => {
    const c = await createSubscriber(t, shop);
    const patch = (billing_details: Record<string, unknown>) => t.request('PATCH', '/portal/v1/me', { token: c.token, body: { billing_details } });
    const wrong = await patch({ tax_id: 'DE123456789', address: { country: 'FR', city: 'Paris' } });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, 'validation_error');
    assert.equal(
      wrong.body.error.message,
      'This VAT number is from Germany, but the country is France. Choose the country the VAT number is registered in, or correct the number.',
    );
    assert.equal(wrong.body.error.details[0].path, 'tax_id');
    assert.deepEqual((await t.request('GET', '/portal/v1/me', { token: c.token })).body.billing_details.tax_id ?? null, null, 'nothing saved');
    assert.equal((await patch({ tax_id: 'DE123456789', address: { country: 'DE' } })).status, 200);
    // The country alone changed later is checked against the stored number too.
    const moved = await patch({ address: { country: 'GE' } });
    assert.equal(moved.status, 400);
    assert.match(moved.body.error.message, /from Germany, but the country is Georgia/);
    // Greece's prefix is EL; tax ids that are not EU VAT numbers are not tied to a country.
    assert.equal((await patch({ tax_id: 'EL123456789', address: { country: 'GR' } })).status, 200);
    assert.equal((await patch({ tax_id: '12-3456789', address: { country: 'US' } })).status, 200);
    // The merchant API and the invoice details of an order follow the same rule.
    const api = await t.request('PATCH', `/v1/customers/${c.id}`, { token: shop.org.key, body: { billing_details: { tax_id: 'FR12345678901' } } });
    assert.equal(api.status, 400, JSON.stringify(api.body));
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

describe('customer since', () => {
  test('is the earliest of the customer’s creation, first order and first subscription (an imported customer is not new)', async () => {
    t.clock.set('2026-08-01T09:00:00.000Z');
    const c = await createSubscriber(t, shop);
    await subscribe(t, shop, c.id, shop.prices.basic);
    // The customer row written later than their history, as an import or a restore does.
    await t.database.db
      .updateTable('customers')
      .set({ created_at: new Date('2026-12-01T00:00:00.000Z') })
      .where('id', '=', c.id)
      .execute();
    t.clock.set('2026-12-02T09:00:00.000Z');
    const token = await t.signIn(shop.org.slug, c.email);
    const me = await t.request('GET', '/portal/v1/me', { token });
    assert.equal(me.status, 200);
    assert.equal(me.body.created_at, '2026-12-01T00:00:00.000Z');
    assert.equal(me.body.customer_since, '2026-08-01T09:00:00.000Z');
    const patched = await t.request('PATCH', '/portal/v1/me', { token, body: { name: 'New Name' } });
    assert.equal(patched.body.customer_since, '2026-08-01T09:00:00.000Z', 'the answer to a change says it too');
    // Without any history it is the creation date.
    const fresh = await createSubscriber(t, shop, { card: null });
    const mine = await t.request('GET', '/portal/v1/me', { token: fresh.token });
    assert.equal(mine.body.customer_since, mine.body.created_at);
  });
});
