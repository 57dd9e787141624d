// What a self-hoster watches: liveness and readiness, Prometheus metrics behind a token,
// request ids on every answer, log line and error body, and leases that fit (a renewal claimed
// by a process that died is taken again within a minute).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SECOND } from '../../lib/clock.js';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';
import { subscriptionRepository } from '../subscriptions/repository.js';

const TOKEN = 'metrics-token-0123456789abcdef';
let t: TestContext;
let shop: Shop;

before(async () => {
  t = await createTestContext({ metricsToken: TOKEN });
  shop = await createShop(t);
});
after(() => t.close());

describe('health and readiness', () => {
  test('/healthz says the process is up; /readyz that the database answers with every migration applied', async () => {
    const live = await t.request('GET', '/healthz');
    assert.deepEqual([live.status, live.body], [200, { ok: true }]);
    const ready = await t.request('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.ok, true);
    assert.ok(ready.body.migrations >= 8);
  });

  test('while the instance drains (shutting down), /readyz is 503 so the load balancer moves away; /healthz stays 200', async () => {
    t.app.ops.draining = true;
    try {
      const ready = await t.request('GET', '/readyz');
      assert.equal(ready.status, 503);
      assert.equal(ready.body.error.code, 'shutting_down');
      assert.equal((await t.request('GET', '/healthz')).status, 200);
    } finally {
      t.app.ops.draining = false;
    }
  });
});

describe('metrics', () => {
  test('/metrics needs the token', async () => {
    assert.equal((await t.request('GET', '/metrics')).status, 401);
    assert.equal((await t.request('GET', '/metrics', { token: 'wrong-token-0123456789abcdef' })).status, 401);
  });

  test('requests by route pattern and status, a latency histogram, renewals and job runs', async () => {
    t.clock.set('2026-05-01T10:00:00.000Z');
    const c = await createSubscriber(t, shop);
    await subscribe(t, shop, c.id, shop.prices.basic);
    await t.request('GET', `/portal/v1/subscriptions/sub_01J00000000000000000000000`, { token: c.token });
    t.clock.set('2026-06-01T10:00:01.000Z');
    await t.runJobs();
    const res = await t.app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    // The pattern, not the id: one series for every subscription.
    assert.match(text, /http_requests_total\{method="GET",route="\/portal\/v1\/subscriptions\/:id",status="404"\} 1/);
    assert.match(text, /http_requests_total\{method="POST",route="\/v1\/subscriptions",status="201"\} \d+/);
    assert.match(text, /http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v1\/subscriptions"\} \d+/);
    assert.match(text, /renewals_total\{result="charged"\} 1/);
    assert.match(text, /job_runs_total\{job="renewals",result="ok"\} \d+/);
    assert.match(text, /job_duration_seconds_count\{job="webhook_deliveries"\} \d+/);
    assert.match(text, /emails_total\{result="sent"\} \d+/);
    assert.ok(!text.includes(c.email), 'no customer data in metrics');
  });
});

describe('what the edge refuses', () => {
  test('is counted with its own status, names its request, and reaches the widget through CORS on the portal', async () => {
    const metricsText = async () => (await t.app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const count = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
    const merchant = /http_requests_total\{method="POST",route="\/\*",status="400"\} (\d+)/;
    const before = count(await metricsText(), merchant);
    const refused = await t.request('POST', '/v1/customers', { token: shop.org.key, body: '{not json' });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'invalid_json');
    assert.equal(refused.body.error.request_id, refused.headers.get('x-request-id'));
    assert.equal(refused.headers.get('x-content-type-options'), 'nosniff');
    const text = await metricsText();
    assert.equal(count(text, merchant), before + 1, 'the refusal, not a 200');
    const portal = await t.request('POST', '/portal/v1/me/email-change', {
      headers: { origin: 'http://portal.test' },
      body: '{not json',
    });
    assert.equal(portal.status, 400);
    assert.equal(portal.headers.get('access-control-allow-origin'), 'http://portal.test');
    assert.equal(portal.body.error.request_id, portal.headers.get('x-request-id'));
    assert.equal(count(await metricsText(), /http_requests_total\{method="POST",route="\/\*",status="400"\} (\d+)/), before + 2);
  });
});

describe('request ids', () => {
  test('every answer carries X-Request-Id; an error body names it; its log lines carry it', async () => {
    const ok = await t.request('GET', '/healthz');
    assert.match(ok.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const missing = await t.request('GET', '/v1/customers/cus_01J00000000000000000000000', { token: shop.org.key });
    assert.equal(missing.status, 404);
    const id = missing.headers.get('x-request-id');
    assert.equal(missing.body.error.request_id, id, 'a customer can quote it to support');
    assert.ok(
      t.logs.some((line) => line.includes(`"request_id":"${id}"`)),
      'the request log line names it',
    );
  });

  test("a trusted proxy's id is kept; a malformed one is replaced", async () => {
    const kept = await t.request('GET', '/healthz', { headers: { 'x-request-id': 'lb-7f3a.42' } });
    assert.equal(kept.headers.get('x-request-id'), 'lb-7f3a.42');
    const replaced = await t.request('GET', '/healthz', { headers: { 'x-request-id': 'bad id\twith spaces' } });
    assert.notEqual(replaced.headers.get('x-request-id'), 'bad id\twith spaces');
  });
});

describe('leases that fit', () => {
  test('a renewal claimed by a process that died is renewed by another within 60 s, once', async () => {
    t.clock.set('2026-07-01T10:00:00.000Z');
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    t.clock.set('2026-08-01T10:00:01.000Z');
    // A worker claims it and dies before renewing.
    const claimed = await subscriptionRepository(t.database.db).claim('renewal', t.clock.now(), 100);
    assert.ok(claimed.some((s) => s.id === sub.id));
    assert.equal((await t.runJobs()).renewed, 0, 'still leased to the dead worker');
    t.clock.advance(61 * SECOND);
    assert.ok((await t.runJobs()).renewed >= 1);
    const orders = (await t.request('GET', `/v1/orders?subscription_id=${sub.id}`, { token: shop.org.key })).body.data;
    assert.deepEqual(
      orders.map((o: { billing_reason: string }) => o.billing_reason),
      ['subscription_cycle', 'subscription_create'],
    );
  });
});
