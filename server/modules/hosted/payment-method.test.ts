import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;

before(async () => {
  t = await createTestContext();
  shop = await createShop(t, { allowed_origins: ['https://shop.example.com'] });
});
after(() => t.close());

async function open(token: string, origin = 'https://shop.example.com') {
  return t.request('POST', '/portal/v1/payment-methods/hosted-session', { token, body: { origin } });
}

describe('the hosted payment-method page', () => {
  test('a past-due customer adds a card in the hosted page; the failed renewal is retried at once', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    await t.addCard(shop.org.id, c.id, '4000000000000341');
    t.clock.set('2026-02-15T12:00:01.000Z');
    await t.runJobs();
    const token = await t.signIn(shop.org.slug, c.email);
    const session = await open(token);
    assert.equal(session.status, 201, JSON.stringify(session.body));
    const url = new URL(session.body.url);
    assert.equal(url.pathname, '/hosted/payment-method');
    assert.ok(!session.body.url.includes(token), 'the session token never goes to the iframe');
    const page = await t.request('GET', `${url.pathname}${url.search}`);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors https:\/\/shop\.example\.com(;|$)/);
    assert.match(csp, /default-src 'none'/);
    const openToken = url.searchParams.get('token')!;
    const start = await t.request('POST', '/hosted/v1/payment-method/start', { body: { token: openToken } });
    assert.equal(start.status, 200, JSON.stringify(start.body));
    assert.equal(start.body.provider, 'test');
    assert.equal(start.body.parent_origin, 'https://shop.example.com');
    const reuse = await t.request('POST', '/hosted/v1/payment-method/start', { body: { token: openToken } });
    assert.equal(reuse.body.error.code, 'hosted_token_invalid', 'the open token works once');
    const declined = await t.request('POST', `/test-provider/setup-intents/${start.body.setup_intent_id}/confirm`, {
      body: { client_secret: start.body.client_secret, number: '4000 0000 0000 0002', exp_month: 12, exp_year: 2031, cvc: '123' },
    });
    assert.equal(declined.status, 402);
    assert.match(declined.body.error.message, /declined/);
    const ok = await t.request('POST', `/test-provider/setup-intents/${start.body.setup_intent_id}/confirm`, {
      body: { client_secret: start.body.client_secret, number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2031, cvc: '123' },
    });
    assert.equal(ok.status, 200);
    const done = await t.request('POST', '/hosted/v1/payment-method/complete', { body: { confirm_token: start.body.confirm_token } });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.payment_method.last4, '4242');
    assert.equal(done.body.payment_method.is_default, true);
    assert.deepEqual(done.body.retried, [{ subscription_id: sub.id, status: 'active', ok: true, message: null }]);
    const me = await t.request('GET', '/portal/v1/me', { token });
    assert.equal(me.headers.get('cp-billing-status'), 'ok', 'the past-due banner goes away');
  });

  test('an origin the organization does not allow gets no form; an unknown token gets a page nobody may frame', async () => {
    const c = await createSubscriber(t, shop);
    const refused = await open(c.token, 'https://evil.example.net');
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'origin_not_allowed');
    const page = await t.request('GET', '/hosted/payment-method?token=hpo_nope');
    assert.equal(page.status, 400);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.match(String(page.body), /html\{color-scheme:light\}/);
    // A dark dialog asks for a dark page: its canvas and native controls are dark from the first paint.
    const dark = await t.request('GET', '/hosted/payment-method?token=hpo_nope&theme=dark');
    assert.match(String(dark.body), /html\{color-scheme:dark\}/);
    const odd = await t.request('GET', '/hosted/payment-method?token=hpo_nope&theme=%3Cscript%3E');
    assert.match(String(odd.body), /html\{color-scheme:light\}/);
    const start = await t.request('POST', '/hosted/v1/payment-method/start', { body: { token: 'hpo_nope_nope_nope' } });
    assert.equal(start.body.error.code, 'hosted_token_invalid');
  });
});
