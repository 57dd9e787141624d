import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let org: { id: string; slug: string; key: string };

before(async () => {
  t = await createTestContext();
  org = await t.createOrg('acme', { name: 'Acme Cloud', origins: ['https://shop.example.com'] });
});
after(() => t.close());

describe('organizations', () => {
  test('the public view has name, branding and portal settings, and nothing secret', async () => {
    const res = await t.request('GET', '/portal/v1/organizations/acme');
    assert.equal(res.status, 200);
    assert.equal(res.body.name, 'Acme Cloud');
    assert.deepEqual(res.body.branding, { logo_url: null, primary_color: null });
    assert.equal(res.body.portal_settings.sections.account, true);
    assert.equal(res.body.portal_settings.actions.cancel, true);
    assert.equal(res.body.allowed_origins, undefined);
    assert.equal(res.body.id, undefined);
    assert.equal((await t.request('GET', '/portal/v1/organizations/nope')).body.error.code, 'organization_not_found');
  });

  test('the origin probe tells any page whether its origin may use the portal, readable from anywhere', async () => {
    const probe = async (origin: string | undefined, slug = 'acme') => {
      const res = await t.app.request(`/portal/v1/organizations/${slug}/origin`, { headers: origin ? { origin } : {} });
      return { status: res.status, cors: res.headers.get('access-control-allow-origin'), body: await res.json() };
    };
    // Not allowed: the ordinary answer hides itself from that page (no CORS header)…
    const hidden = await t.app.request('/portal/v1/organizations/acme', { headers: { origin: 'https://evil.example' } });
    assert.equal(hidden.headers.get('access-control-allow-origin'), null);
    // …and the probe says why, readable by it.
    assert.deepEqual(await probe('https://evil.example'), {
      status: 200,
      cors: '*',
      body: { origin: 'https://evil.example', organization_found: true, allowed: false },
    });
    assert.equal((await probe('https://shop.example.com')).body.allowed, true);
    assert.equal((await probe(undefined)).body.allowed, true, 'no Origin: not a cross-origin browser request');
    assert.deepEqual((await probe('https://shop.example.com', 'nope')).body, { origin: 'https://shop.example.com', organization_found: false, allowed: false });
  });

  test('the merchant changes branding, origins and settings; cancellation stays on', async () => {
    const res = await t.request('PATCH', '/v1/organization', {
      token: org.key,
      body: {
        branding: { primary_color: '#0f766e' },
        allowed_origins: ['https://shop.example.com', 'https://app.example.com'],
        portal_settings: { sections: { wallet: false }, actions: { cancel: false, pause: true } },
      },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.branding.primary_color, '#0f766e');
    assert.deepEqual(res.body.allowed_origins, ['https://shop.example.com', 'https://app.example.com']);
    assert.equal(res.body.portal_settings.sections.wallet, false);
    assert.equal(res.body.portal_settings.sections.orders, true);
    assert.equal(res.body.portal_settings.actions.pause, true);
    assert.equal(res.body.portal_settings.actions.cancel, true, 'automatic-renewal laws require self-service cancellation');
    const bad = await t.request('PATCH', '/v1/organization', { token: org.key, body: { allowed_origins: ['https://x.example/path'] } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /origin without a path/);
  });

  test('reserved and taken slugs are refused', async () => {
    await assert.rejects(t.app.services.organizations.create({ slug: 'portal', name: 'x', allowed_origins: [] }), /reserved/);
    await assert.rejects(t.app.services.organizations.create({ slug: 'acme', name: 'x', allowed_origins: [] }), /already exists/);
  });
});

describe('CORS', () => {
  test('a preflight from an allowed origin is answered; from another origin it is not', async () => {
    const ok = await t.request('OPTIONS', '/portal/v1/me', {
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://shop.example.com');
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const evil = await t.request('OPTIONS', '/portal/v1/me', { headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'GET' } });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });

  test('a request from an origin another organization allows is refused for this one', async () => {
    const other = await t.createOrg('globex', { origins: ['https://globex.example'] });
    void other;
    await t.createCustomer(org.key, { email: 'cors@example.com' });
    const refused = await t.request('POST', '/portal/v1/auth/request', {
      body: { organization: 'acme', email: 'cors@example.com' },
      headers: { origin: 'https://globex.example' },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'origin_not_allowed');
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    assert.equal(t.mail.to('cors@example.com').length, 0);
    const allowed = await t.request('POST', '/portal/v1/auth/request', {
      body: { organization: 'acme', email: 'cors@example.com' },
      headers: { origin: 'https://shop.example.com' },
    });
    assert.equal(allowed.status, 202);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://shop.example.com');
    const token = await t.signIn('acme', 'cors@example.com');
    const me = await t.request('GET', '/portal/v1/me', { token, headers: { origin: 'https://globex.example' } });
    assert.equal(me.status, 403);
    const same = await t.request('GET', '/portal/v1/me', { token, headers: { origin: 'http://portal.test' } });
    assert.equal(same.status, 200, 'the server’s own pages (hosted portal) are always allowed');
  });

  test('the merchant API sends no CORS headers: secret keys never belong in a browser', async () => {
    const res = await t.request('GET', '/v1/organization', { token: org.key, headers: { origin: 'https://shop.example.com' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });
});

describe('pages', () => {
  test('the hosted portal page embeds the widget for the organization, escaped', async () => {
    await t.createOrg('evil', { name: '<script>alert(1)</script>' });
    const res = await t.request('GET', '/evil/portal');
    assert.equal(res.status, 200);
    assert.match(res.body, /<customer-portal org="evil" theme="auto"><\/customer-portal>/);
    assert.match(res.body, /<script type="module" src="\/customer-portal.js"><\/script>/);
    assert.ok(!res.body.includes('<script>alert(1)</script>'));
    assert.match(res.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt; · Customer portal/);
    assert.equal((await t.request('GET', '/nope/portal')).status, 404);
  });

  test('unknown routes answer a JSON 404', async () => {
    const res = await t.request('GET', '/portal/v1/nothing-here');
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'not_found');
    const other = await t.request('GET', '/no/such/route');
    assert.equal(other.status, 404);
    assert.equal(other.body.error.code, 'not_found');
  });
});
