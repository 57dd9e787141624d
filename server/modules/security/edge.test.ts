import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../../testing/harness.js';
import { spyOnQueries } from '../../testing/query-spy.js';

let t: TestContext;
let key: string;
let spy: ReturnType<typeof spyOnQueries>;

before(async () => {
  t = await createTestContext();
  ({ key } = await t.createOrg('acme', { origins: ['https://shop.example'] }));
  spy = spyOnQueries(t.database.db);
});
after(() => t.close());

const raw = (path: string, init: RequestInit) => t.app.request(path, init);

describe('edge: text that cannot be stored is refused before any query', () => {
  test('a NUL in an unauthenticated JSON body: 400 invalid_text naming the field, no query', async () => {
    const { result, sql } = await spy.during(() => t.request('POST', '/v1/license-keys/validate', { body: '{"organization":"acme\\u0000","key":"LK-1"}' }));
    assert.equal(result.status, 400);
    assert.equal(result.body.error.code, 'invalid_text');
    assert.match(result.body.error.message, /organization/);
    assert.deepEqual(result.body.error.details, [{ in: 'body', path: 'organization', message: 'contains a NUL character or an unpaired surrogate' }]);
    assert.deepEqual(sql, []);
  });

  test('a NUL in a path parameter or a query string: 400 naming it, no query', async () => {
    for (const [path, field] of [
      ['/v1/customers/x%00', 'id'],
      ['/v1/customers/external/a%00b', 'externalId'],
      ['/v1/customers?email=%00', 'email'],
      ['/v1/customers?limit=1&starting_after=cus_%00', 'starting_after'],
      ['/v1/customers?x%00=1', 'x\uFFFD'],
      ['/acme%00/portal', 'slug'],
    ] as const) {
      const { result, sql } = await spy.during(() => t.request('GET', path, { token: key }));
      assert.equal(result.status, 400, path);
      assert.equal(result.body.error.code, 'invalid_text', path);
      assert.equal(result.body.error.details[0].path, field, path);
      assert.ok(!result.body.error.message.includes('\u0000'), 'the message does not echo the NUL');
      assert.deepEqual(sql, [], path);
    }
    // An escaped percent sign is just text.
    assert.equal((await t.request('GET', '/v1/customers?email=%2500', { token: key })).status, 200);
  });

  test('unpaired surrogates anywhere in a body, in values and in keys; a real pair is fine', async () => {
    for (const [body, path] of [
      [{ email: 'a@example.com', metadata: { note: 'x\ud800' } }, 'metadata.note'],
      [{ email: 'a@example.com', metadata: { note: '\udc00x' } }, 'metadata.note'],
      [{ email: 'a@example.com', billing_details: { address: { line1: 'a\ud83d' } } }, 'billing_details.address.line1'],
      [{ email: 'a@example.com', metadata: { 'k\u0000': 'v' } }, 'metadata.k\uFFFD'],
      [{ email: 'a@example.com', metadata: { tags: ['ok', 'no\u0000'] } }, 'metadata.tags.1'],
    ] as const) {
      const { result, sql } = await spy.during(() => t.request('POST', '/v1/customers', { token: key, body }));
      assert.equal(result.status, 400, path);
      assert.equal(result.body.error.code, 'invalid_text');
      assert.equal(result.body.error.details[0].path, path);
      assert.equal(sql.length, 0, 'not even the key lookup');
    }
    const ok = await t.request('POST', '/v1/customers', {
      token: key,
      body: { email: 'emoji@example.com', name: 'Ada 🦄 Łódź', metadata: { note: '東京 👍🏽' } },
    });
    assert.equal(ok.status, 201);
    assert.equal(ok.body.name, 'Ada 🦄 Łódź');
  });

  test('the portal: refused with CORS headers, so the widget on an allowed origin can read why', async () => {
    await t.createCustomer(key, { email: 'nul@example.com', name: 'Nul' });
    const token = await t.signIn('acme', 'nul@example.com');
    const res = await t.request('PATCH', '/portal/v1/me', { token, body: { name: 'x\u0000' }, headers: { origin: 'https://shop.example' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_text');
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://shop.example');
    const elsewhere = await t.request('PATCH', '/portal/v1/me', { token, body: { name: 'x\u0000' }, headers: { origin: 'https://evil.example' } });
    assert.equal(elsewhere.status, 400);
    assert.equal(elsewhere.headers.get('access-control-allow-origin'), null);
  });

  test('JSON nested beyond 32 levels is refused (and never reaches JSON.stringify or zod)', async () => {
    const deep = `{"email":"d@example.com","metadata":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const res = await t.request('POST', '/v1/customers', { token: key, body: deep });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_json');
  });
});

describe('edge: path ids by shape', () => {
  test('a malformed id is 404 with the lookup’s own code, and the table is never asked', async () => {
    for (const [path, code] of [
      ['/v1/customers/cus_bad', 'customer_not_found'],
      ['/v1/customers/nope', 'customer_not_found'],
      ['/v1/customers/cus_01kf0rdqg07x3zvgpw2f6cgmg5', 'customer_not_found'],
      ['/v1/subscriptions/sub_1', 'subscription_not_found'],
      ['/v1/products/prod_x/benefits/ben_01KF0RDQG07X3ZVGPW2F6CGMG5', 'product_not_found'],
      ['/v1/webhook-endpoints/we_%F0%9F%A6%84', 'webhook_endpoint_not_found'],
      ['/v1/meters/cus_01KF0RDQG07X3ZVGPW2F6CGMG5', 'meter_not_found'],
    ] as const) {
      const { result, sql } = await spy.during(() => t.request(path.includes('/benefits/') ? 'POST' : 'GET', path, { token: key }));
      assert.equal(result.status, 404, path);
      assert.equal(result.body.error.code, code, path);
      assert.equal(sql.length, 1, `${path}: only the secret-key lookup`);
      assert.doesNotMatch(sql[0]!, /customers|subscriptions|products|webhook_endpoints|meters/);
    }
    // A well-formed unknown id is looked up, and answers the same.
    const unknown = await t.request('GET', '/v1/customers/cus_01KF0RDQG07X3ZVGPW2F6CGMG5', { token: key });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'customer_not_found');
  });

  test('authentication still answers first', async () => {
    assert.equal((await t.request('GET', '/v1/customers/cus_bad')).status, 401);
    assert.equal((await t.request('POST', '/portal/v1/subscriptions/sub_bad/cancel', { body: {} })).status, 401);
  });
});

describe('edge: bounded requests', () => {
  test('a JSON body over 1 MB is 413 before anything reads it, with or without Content-Length', async () => {
    const big = JSON.stringify({ organization: 'acme', key: 'x'.repeat(1024 * 1024) });
    const { result, sql } = await spy.during(() => t.request('POST', '/v1/license-keys/validate', { body: big }));
    assert.equal(result.status, 413);
    assert.equal(result.body.error.code, 'payload_too_large');
    assert.deepEqual(sql, []);
    const declared = await raw('/v1/license-keys/validate', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(32 * 1024 * 1024) },
      body: '{}',
    });
    assert.equal(declared.status, 413);
    assert.equal((await declared.json()).error.code, 'payload_too_large');
  });

  test('the limits are settings; uploads have their own', async () => {
    const small = await createTestContext({ maxJsonBodyBytes: 2048, maxUploadBytes: 4096 });
    try {
      const org = await small.createOrg('tiny');
      const over = await small.request('POST', '/v1/customers', { token: org.key, body: { email: 'x@example.com', name: 'x'.repeat(3000) } });
      assert.equal(over.status, 413);
      const benefit = await small.request('POST', '/v1/benefits', { token: org.key, body: { type: 'download', description: 'Files' } });
      assert.equal(benefit.status, 201);
      const upload = (length: number) =>
        small.app.request(`/v1/benefits/${benefit.body.id}/files?filename=a.zip`, {
          method: 'POST',
          headers: { authorization: `Bearer ${org.key}`, 'content-type': 'application/zip', 'content-length': String(length) },
          body: 'x'.repeat(length),
        });
      assert.equal((await upload(3000)).status, 201, 'a 3 KB file is fine: uploads are not JSON-bounded, nor JSON at all');
      const tooBig = await upload(5000);
      assert.equal(tooBig.status, 413);
      assert.equal((await tooBig.json()).error.code, 'file_too_large');
    } finally {
      await small.close();
    }
  });

  test('a body that is not declared as JSON is 415 on JSON endpoints; no body needs no type', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const res = await raw('/v1/customers', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, ...(type ? { 'content-type': type } : {}) },
        body: '{"email":"typed@example.com"}',
      });
      assert.equal(res.status, 415, String(type));
      const body = await res.json();
      assert.equal(body.error.code, 'unsupported_media_type');
    }
    for (const [i, type] of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/merge-patch+json'].entries()) {
      const res = await raw('/v1/customers', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': type },
        body: JSON.stringify({ email: `typed-${i}@example.com` }),
      });
      assert.equal(res.status, 201, type);
    }
    const endpoint = await t.request('POST', '/v1/webhook-endpoints', { token: key, body: { url: 'https://hooks.example.com/in', events: ['order.paid'] } });
    const rotated = await raw(`/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    assert.equal(rotated.status, 200, 'no body, no type needed');
    const plain = await raw(`/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    assert.equal(plain.status, 415, 'a body of another type is refused even where the body is not read');
  });
});

describe('edge: headers on every answer', () => {
  test('nosniff everywhere; HSTS only when PUBLIC_URL is https', async () => {
    const res = await t.request('GET', '/health');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('strict-transport-security'), null, 'http://portal.test');
    const secure = await createTestContext({ publicUrl: 'https://billing.example.com' });
    try {
      const health = await secure.request('GET', '/health');
      assert.match(health.headers.get('strict-transport-security') ?? '', /^max-age=\d{7,}/);
      const missing = await secure.request('GET', '/nothing/here/at-all');
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('x-content-type-options'), 'nosniff');
    } finally {
      await secure.close();
    }
  });
});
