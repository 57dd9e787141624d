import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let key: string;

before(async () => {
  t = await createTestContext({ publicUrl: 'https://billing.example.com' });
  ({ key } = await t.createOrg('acme', { origins: ['https://shop.example'] }));
});
after(() => t.close());

const directives = (policy: string | null) =>
  new Map(
    (policy ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );

describe('server-rendered pages', () => {
  test('the full-page portal: a strict CSP, nobody may frame it, no referrer, nosniff, HSTS, a favicon', async () => {
    const res = await t.request('GET', '/acme/portal');
    assert.equal(res.status, 200);
    const csp = directives(res.headers.get('content-security-policy'));
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.deepEqual(csp.get('script-src'), ["'self'", 'https://billing.example.com']);
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(csp.get('frame-src'), ["'self'", 'https://billing.example.com'], 'the hosted card form');
    assert.deepEqual(csp.get('object-src'), ["'none'"]);
    assert.deepEqual(csp.get('base-uri'), ["'none'"]);
    assert.ok(!csp.get('script-src')!.some((v) => /unsafe/.test(v)));
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=/);
    assert.match(res.body, /<link rel="icon" href="\/favicon.svg"/);
    // The page has no inline script for the CSP to refuse: only the widget's module script.
    assert.deepEqual(
      [...res.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]),
      [' type="module" src="/customer-portal.js"'],
    );
  });

  test('the hosted card page may be framed by the page that asked for it, and only by it', async () => {
    await t.createCustomer(key, { email: 'framed@example.com' });
    const token = await t.signIn('acme', 'framed@example.com');
    const session = await t.request('POST', '/portal/v1/payment-methods/hosted-session', {
      token,
      body: { origin: 'https://shop.example' },
      headers: { origin: 'https://shop.example' },
    });
    assert.equal(session.status, 201);
    const page = await t.request('GET', new URL(session.body.url).pathname + new URL(session.body.url).search);
    assert.equal(page.status, 200);
    const csp = directives(page.headers.get('content-security-policy'));
    assert.deepEqual(csp.get('frame-ancestors'), ['https://shop.example']);
    assert.deepEqual(csp.get('script-src'), ["'self'"]);
    assert.equal(page.headers.get('x-frame-options'), null, 'X-Frame-Options cannot name an origin; the CSP decides');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.match(page.body, /rel="icon"/);
    const expired = await t.request('GET', '/hosted/payment-method?token=hpo_nope');
    assert.deepEqual(directives(expired.headers.get('content-security-policy')).get('frame-ancestors'), ["'none'"]);
  });

  test('the dev outbox: no scripts at all, not framable', async () => {
    const res = await t.request('GET', '/dev/outbox');
    assert.equal(res.status, 200);
    const csp = directives(res.headers.get('content-security-policy'));
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.equal(csp.get('script-src'), undefined, 'falls back to none');
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  });

  test('a favicon', async () => {
    for (const path of ['/favicon.svg', '/favicon.ico']) {
      const res = await t.app.request(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), 'image/svg+xml');
      assert.match(await res.text(), /^<svg /);
    }
  });
});
