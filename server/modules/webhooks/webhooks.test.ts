import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { HOUR, MINUTE, SECOND } from '../../lib/clock.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';
import type { WebhookEventType } from './events.js';
import { DELIVERY_LEASE_MS, MAX_ATTEMPTS, RETRY_DELAYS_MS } from './service.js';
import { webhookRepository } from './repository.js';
import { Receiver, verifyAt } from '../../testing/webhook-receiver.js';

let t: TestContext;
let receiver: Receiver;
const secretsSeen = new Set<string>();
let pathCount = 0;

before(async () => {
  t = await createTestContext();
  receiver = new Receiver(t.clock);
  await receiver.start();
});
after(async () => {
  await receiver.close();
  await t.close();
});

/** An endpoint on a fresh receiver path, trusted with its secret. */
async function endpoint(key: string, events: WebhookEventType[], extra: { enabled?: boolean } = {}) {
  pathCount += 1;
  const path = `/hooks/${pathCount}`;
  const res = await t.request('POST', '/v1/webhook-endpoints', { token: key, body: { url: receiver.url(path), events, ...extra } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  receiver.trust(path, res.body.secret);
  secretsSeen.add(res.body.secret);
  return { id: res.body.id as string, secret: res.body.secret as string, path };
}

function emit(orgId: string, type: WebhookEventType, data: Record<string, unknown> = {}) {
  return t.app.services.webhooks.emit(t.database.db, orgId, type, data);
}

/** Runs the delivery job until a run finds nothing due (at the current test time). */
async function deliverAll() {
  let total = 0;
  for (;;) {
    const run = await t.app.services.webhooks.deliverDue();
    if (run.attempted === 0) return total;
    total += run.attempted;
  }
}

async function deliveries(key: string, endpointId: string) {
  const res = await t.request('GET', `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`, { token: key });
  assert.equal(res.status, 200);
  return res.body.data as Array<{
    id: string;
    event_id: string;
    type: string;
    status: string;
    attempts: number;
    last_status_code: number | null;
    last_error: string | null;
    next_attempt_at: string | null;
    created_at: string;
  }>;
}

describe('merchant API: webhook endpoints', () => {
  test('create returns the endpoint and a Standard Webhooks secret; read, list, update, delete', async () => {
    const { key } = await t.createOrg('crud');
    const created = await t.request('POST', '/v1/webhook-endpoints', {
      token: key,
      body: { url: 'https://hooks.example.com/in', events: ['order.paid', 'subscription.created', 'order.paid'] },
    });
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^we_[0-9A-Z]{26}$/);
    assert.match(created.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, '32 random bytes, base64');
    assert.equal(Buffer.from(created.body.secret.slice(6), 'base64').length, 32);
    assert.deepEqual(created.body.events, ['order.paid', 'subscription.created'], 'duplicates dropped');
    assert.equal(created.body.enabled, true);
    assert.equal(created.body.created_at, t.clock.now().toISOString());
    secretsSeen.add(created.body.secret);

    const read = await t.request('GET', `/v1/webhook-endpoints/${created.body.id}`, { token: key });
    assert.deepEqual(read.body, created.body, 'the secret stays readable');

    const local = await t.request('POST', '/v1/webhook-endpoints', {
      token: key,
      body: { url: 'http://localhost:3000/webhooks', events: ['order.created'], enabled: false },
    });
    assert.equal(local.status, 201, 'plain http is fine for localhost');
    assert.equal(local.body.enabled, false);
    secretsSeen.add(local.body.secret);

    const updated = await t.request('PATCH', `/v1/webhook-endpoints/${created.body.id}`, {
      token: key,
      body: { url: 'https://hooks.example.com/v2', events: ['customer.updated'], enabled: false },
    });
    assert.equal(updated.status, 200);
    assert.deepEqual(
      { url: updated.body.url, events: updated.body.events, enabled: updated.body.enabled, secret: updated.body.secret },
      { url: 'https://hooks.example.com/v2', events: ['customer.updated'], enabled: false, secret: created.body.secret },
    );
    const untouched = await t.request('PATCH', `/v1/webhook-endpoints/${created.body.id}`, { token: key, body: {} });
    assert.deepEqual(untouched.body, updated.body);

    const list = await t.request('GET', '/v1/webhook-endpoints?limit=1', { token: key });
    assert.deepEqual(
      list.body.data.map((e: { id: string }) => e.id),
      [local.body.id],
      'newest first',
    );
    assert.equal(list.body.has_more, true);
    const rest = await t.request('GET', `/v1/webhook-endpoints?limit=1&starting_after=${list.body.next_cursor}`, { token: key });
    assert.deepEqual(
      rest.body.data.map((e: { id: string }) => e.id),
      [created.body.id],
    );
    assert.equal(rest.body.has_more, false);

    const removed = await t.request('DELETE', `/v1/webhook-endpoints/${created.body.id}`, { token: key });
    assert.equal(removed.status, 204);
    assert.equal((await t.request('GET', `/v1/webhook-endpoints/${created.body.id}`, { token: key })).status, 404);
    const again = await t.request('DELETE', `/v1/webhook-endpoints/${created.body.id}`, { token: key });
    assert.equal(again.status, 404);
    assert.equal(again.body.error.code, 'webhook_endpoint_not_found');
  });

  test('invalid URLs and event lists are refused with 400', async () => {
    const { key } = await t.createOrg('invalid');
    const cases: Array<[unknown, string]> = [
      [{ url: 'http://hooks.example.com/in', events: ['order.paid'] }, 'url'],
      [{ url: 'ftp://hooks.example.com/in', events: ['order.paid'] }, 'url'],
      [{ url: 'not a url', events: ['order.paid'] }, 'url'],
      [{ events: ['order.paid'] }, 'url'],
      [{ url: 'https://hooks.example.com/in', events: [] }, 'events'],
      [{ url: 'https://hooks.example.com/in', events: ['order.exploded'] }, 'events.0'],
      [{ url: 'https://hooks.example.com/in' }, 'events'],
      [{ url: 'https://hooks.example.com/in', events: ['order.paid'], enabled: 'yes' }, 'enabled'],
    ];
    for (const [body, path] of cases) {
      const res = await t.request('POST', '/v1/webhook-endpoints', { token: key, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'validation_error');
      assert.equal(res.body.error.details[0].path, path, JSON.stringify(body));
    }
    const broken = await t.request('POST', '/v1/webhook-endpoints', { token: key, body: '{"url":' });
    assert.equal(broken.body.error.code, 'invalid_json');

    const ok = await t.request('POST', '/v1/webhook-endpoints', { token: key, body: { url: 'http://127.0.0.1:9/in', events: ['order.paid'] } });
    assert.equal(ok.status, 201);
    secretsSeen.add(ok.body.secret);
    const badPatch = await t.request('PATCH', `/v1/webhook-endpoints/${ok.body.id}`, { token: key, body: { url: 'http://example.com/in' } });
    assert.equal(badPatch.status, 400);
    const noEvents = await t.request('PATCH', `/v1/webhook-endpoints/${ok.body.id}`, { token: key, body: { events: [] } });
    assert.equal(noEvents.status, 400);
    assert.equal((await t.request('GET', '/v1/webhook-endpoints', { token: 'sk_wrong' })).status, 401);
  });

  test('an organization never sees, changes or receives from another organization’s endpoints', async () => {
    const a = await t.createOrg('iso-a');
    const b = await t.createOrg('iso-b');
    const ep = await endpoint(a.key, ['order.paid']);

    const listB = await t.request('GET', '/v1/webhook-endpoints', { token: b.key });
    assert.deepEqual(listB.body.data, []);
    const attempts = [
      t.request('GET', `/v1/webhook-endpoints/${ep.id}`, { token: b.key }),
      t.request('PATCH', `/v1/webhook-endpoints/${ep.id}`, { token: b.key, body: { enabled: false } }),
      t.request('POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`, { token: b.key }),
      t.request('GET', `/v1/webhook-endpoints/${ep.id}/deliveries`, { token: b.key }),
      t.request('DELETE', `/v1/webhook-endpoints/${ep.id}`, { token: b.key }),
    ];
    for (const res of await Promise.all(attempts)) {
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'webhook_endpoint_not_found');
    }
    const still = await t.request('GET', `/v1/webhook-endpoints/${ep.id}`, { token: a.key });
    assert.equal(still.body.enabled, true);
    assert.equal(still.body.secret, ep.secret);

    await emit(b.id, 'order.paid', { order_id: 'ord_b' });
    await deliverAll();
    assert.deepEqual(receiver.at(ep.path), [], "B's event does not reach A's endpoint");
  });
});

describe('delivery', () => {
  test('every subscribed event arrives once, signed, even with two delivery runs at the same time', async () => {
    const org = await t.createOrg('deliver');
    const orders = await endpoint(org.key, ['order.created', 'order.paid']);
    const everything = await endpoint(org.key, ['order.created', 'order.paid', 'subscription.created', 'customer.updated']);

    const emitted: Array<{ id: string; type: WebhookEventType; n: number }> = [];
    const types: WebhookEventType[] = ['order.created', 'order.paid', 'subscription.created', 'customer.updated'];
    for (let n = 0; n < 24; n++) {
      const type = types[n % types.length]!;
      emitted.push({ id: await emit(org.id, type, { n, at: t.clock.now() }), type, n });
    }
    assert.equal(new Set(emitted.map((e) => e.id)).size, 24);
    assert.ok(emitted.every((e) => /^evt_[0-9A-Z]{26}$/.test(e.id)));

    const [first, second] = await Promise.all([t.app.services.webhooks.deliverDue({ limit: 20 }), t.app.services.webhooks.deliverDue({ limit: 20 })]);
    const rest = await deliverAll();
    assert.equal(first.attempted + second.attempted + rest, 12 + 24, 'each delivery claimed by exactly one run');
    assert.equal(first.failed + second.failed, 0);
    assert.equal(await deliverAll(), 0, 'nothing left to send');

    const subscribed = (types: WebhookEventType[]) =>
      emitted
        .filter((e) => types.includes(e.type))
        .map((e) => e.id)
        .sort();
    assert.deepEqual([...receiver.ids(orders.path)].sort(), subscribed(['order.created', 'order.paid']), 'each id exactly once');
    assert.deepEqual([...receiver.ids(everything.path)].sort(), subscribed(types));
    assert.ok(
      [...receiver.at(orders.path), ...receiver.at(everything.path)].every((r) => r.verified),
      'every signature verifies',
    );

    const one = receiver.at(orders.path).find((r) => r.headers['webhook-id'] === emitted[1]!.id)!;
    assert.equal(one.headers['content-type'], 'application/json');
    assert.equal(one.headers['webhook-timestamp'], String(Math.floor(t.clock.now().getTime() / 1000)));
    assert.match(String(one.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(JSON.parse(one.body), {
      type: 'order.paid',
      timestamp: t.clock.now().toISOString(),
      data: { n: 1, at: t.clock.now().toISOString() },
    });

    const log = await deliveries(org.key, orders.id);
    assert.equal(log.length, 12);
    assert.deepEqual(
      log.map((d) => d.event_id),
      emitted
        .filter((e) => e.type.startsWith('order.'))
        .map((e) => e.id)
        .reverse(),
      'newest first',
    );
    assert.ok(log.every((d) => d.status === 'succeeded' && d.attempts === 1 && d.last_status_code === 200 && d.next_attempt_at === null));
    const page = await t.request('GET', `/v1/webhook-endpoints/${orders.id}/deliveries?limit=5`, { token: org.key });
    assert.equal(page.body.data.length, 5);
    const next = await t.request('GET', `/v1/webhook-endpoints/${orders.id}/deliveries?limit=5&starting_after=${page.body.next_cursor}`, { token: org.key });
    assert.deepEqual(
      next.body.data.map((d: { id: string }) => d.id),
      log.slice(5, 10).map((d) => d.id),
    );
  });

  test('an event emitted in a transaction is sent only if the transaction commits', async () => {
    const org = await t.createOrg('tx');
    const ep = await endpoint(org.key, ['subscription.created']);
    const committed = await t.database.db
      .transaction()
      .execute((trx) => t.app.services.webhooks.emit(trx, org.id, 'subscription.created', { subscription_id: 'sub_1' }));
    await assert.rejects(
      t.database.db.transaction().execute(async (trx) => {
        await t.app.services.webhooks.emit(trx, org.id, 'subscription.created', { subscription_id: 'sub_2' });
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    await deliverAll();
    assert.deepEqual(receiver.ids(ep.path), [committed]);
  });

  test('events the endpoint did not subscribe to are not sent; a disabled endpoint gets nothing', async () => {
    const org = await t.createOrg('filter');
    const ep = await endpoint(org.key, ['order.refunded']);
    const off = await endpoint(org.key, ['order.refunded', 'order.paid'], { enabled: false });
    await emit(org.id, 'order.paid', { order_id: 'ord_1' });
    assert.equal(await deliverAll(), 0);
    assert.deepEqual(receiver.at(ep.path), []);
    assert.deepEqual(await deliveries(org.key, ep.id), [], 'no delivery is even recorded');

    const refunded = await emit(org.id, 'order.refunded', { order_id: 'ord_1' });
    await deliverAll();
    assert.deepEqual(receiver.ids(ep.path), [refunded]);
    assert.deepEqual(receiver.at(off.path), []);
    assert.deepEqual(await deliveries(org.key, off.id), []);

    // Disabled after the event was recorded, before it was sent: closed, not sent.
    const late = await emit(org.id, 'order.refunded', { order_id: 'ord_2' });
    await t.request('PATCH', `/v1/webhook-endpoints/${ep.id}`, { token: org.key, body: { enabled: false } });
    assert.equal(await deliverAll(), 0);
    assert.deepEqual(receiver.ids(ep.path), [refunded]);
    const [closed] = await deliveries(org.key, ep.id);
    assert.deepEqual(
      { event_id: closed!.event_id, status: closed!.status, attempts: closed!.attempts, next: closed!.next_attempt_at },
      { event_id: late, status: 'failed', attempts: 0, next: null },
    );
    assert.match(closed!.last_error!, /disabled/);

    // Re-enabled: new events flow again.
    await t.request('PATCH', `/v1/webhook-endpoints/${ep.id}`, { token: org.key, body: { enabled: true } });
    const after = await emit(org.id, 'order.refunded', { order_id: 'ord_3' });
    await deliverAll();
    assert.deepEqual(receiver.ids(ep.path), [refunded, after]);
  });

  test("a deleted endpoint's pending deliveries are not sent", async () => {
    const org = await t.createOrg('deleted');
    const ep = await endpoint(org.key, ['customer_seat.assigned']);
    await emit(org.id, 'customer_seat.assigned', { seat_id: 'seat_1' });
    assert.equal((await t.request('DELETE', `/v1/webhook-endpoints/${ep.id}`, { token: org.key })).status, 204);
    assert.equal(await deliverAll(), 0);
    assert.deepEqual(receiver.at(ep.path), []);
  });

  test('a failing receiver is retried on the Standard Webhooks schedule with the same webhook-id', async () => {
    const org = await t.createOrg('retry');
    const ep = await endpoint(org.key, ['subscription.past_due']);
    receiver.reply(ep.path, 500, 503);
    const id = await emit(org.id, 'subscription.past_due', { subscription_id: 'sub_9' });

    const firstRun = await t.app.services.webhooks.deliverDue();
    assert.deepEqual(firstRun, { attempted: 1, succeeded: 0, failed: 1 });
    let [d] = await deliveries(org.key, ep.id);
    assert.deepEqual(
      { status: d!.status, attempts: d!.attempts, code: d!.last_status_code, error: d!.last_error, next: d!.next_attempt_at },
      { status: 'pending', attempts: 1, code: 500, error: 'HTTP 500: nope 500', next: new Date(t.clock.now().getTime() + 5 * SECOND).toISOString() },
    );

    t.clock.advance(4 * SECOND);
    assert.equal(await deliverAll(), 0, 'not before 5 s');
    t.clock.advance(1 * SECOND);
    assert.equal(await deliverAll(), 1);
    [d] = await deliveries(org.key, ep.id);
    assert.deepEqual({ status: d!.status, attempts: d!.attempts, code: d!.last_status_code }, { status: 'pending', attempts: 2, code: 503 });
    assert.equal(d!.next_attempt_at, new Date(t.clock.now().getTime() + 5 * MINUTE).toISOString());

    t.clock.advance(5 * MINUTE);
    assert.equal(await deliverAll(), 1);
    [d] = await deliveries(org.key, ep.id);
    assert.deepEqual(
      { status: d!.status, attempts: d!.attempts, code: d!.last_status_code, error: d!.last_error, next: d!.next_attempt_at },
      { status: 'succeeded', attempts: 3, code: 200, error: null, next: null },
    );
    assert.deepEqual(receiver.ids(ep.path), [id, id, id], 'the same webhook-id on every attempt');
    const stamps = receiver.at(ep.path).map((r) => Number(r.headers['webhook-timestamp']));
    assert.deepEqual(
      stamps.map((s) => s - stamps[0]!),
      [0, 5, 305],
      'each attempt signed at its own time',
    );
    assert.ok(receiver.at(ep.path).every((r) => r.verified));
  });

  test('after the last retry the delivery is failed', async () => {
    const org = await t.createOrg('giveup');
    const ep = await endpoint(org.key, ['order.created']);
    receiver.reply(ep.path, ...Array<number>(MAX_ATTEMPTS).fill(500));
    const id = await emit(org.id, 'order.created', { order_id: 'ord_x' });
    assert.equal(MAX_ATTEMPTS, 8);
    assert.deepEqual([...RETRY_DELAYS_MS], [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR]);

    assert.equal(await deliverAll(), 1);
    for (const delay of RETRY_DELAYS_MS) {
      t.clock.advance(delay - 1);
      assert.equal(await deliverAll(), 0);
      t.clock.advance(1);
      assert.equal(await deliverAll(), 1);
    }
    const [d] = await deliveries(org.key, ep.id);
    assert.deepEqual(
      { status: d!.status, attempts: d!.attempts, code: d!.last_status_code, next: d!.next_attempt_at },
      { status: 'failed', attempts: 8, code: 500, next: null },
    );
    t.clock.advance(24 * HOUR);
    assert.equal(await deliverAll(), 0, 'a failed delivery is never sent again');
    assert.equal(receiver.ids(ep.path).length, 8);
    assert.ok(receiver.ids(ep.path).every((x) => x === id));
  });

  test('an unreachable receiver is retried and the error is logged in the delivery', async () => {
    const org = await t.createOrg('unreachable');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const res = await t.request('POST', '/v1/webhook-endpoints', {
      token: org.key,
      body: { url: `http://127.0.0.1:${port}/gone`, events: ['customer.updated'] },
    });
    secretsSeen.add(res.body.secret);
    await emit(org.id, 'customer.updated', { customer_id: 'cus_1' });
    assert.deepEqual(await t.app.services.webhooks.deliverDue(), { attempted: 1, succeeded: 0, failed: 1 });
    const [d] = await deliveries(org.key, res.body.id);
    assert.equal(d!.status, 'pending');
    assert.equal(d!.last_status_code, null);
    assert.match(d!.last_error!, /ECONNREFUSED/);
    await t.request('DELETE', `/v1/webhook-endpoints/${res.body.id}`, { token: org.key });
  });

  test('a redirect is a failed attempt, not followed', async () => {
    const org = await t.createOrg('redirect');
    const ep = await endpoint(org.key, ['order.paid']);
    receiver.reply(ep.path, 302);
    await emit(org.id, 'order.paid', {});
    await deliverAll();
    const [d] = await deliveries(org.key, ep.id);
    assert.deepEqual({ status: d!.status, code: d!.last_status_code }, { status: 'pending', code: 302 });
    assert.equal(receiver.at(ep.path).length, 1);
  });

  test('rotating the secret: the old one keeps signing beside the new one for 24 h, then stops', async () => {
    const org = await t.createOrg('rotate');
    const ep = await endpoint(org.key, ['subscription.updated']);
    const before = await emit(org.id, 'subscription.updated', { v: 1 });
    await deliverAll();

    const rotated = await t.request('POST', `/v1/webhook-endpoints/${ep.id}/rotate-secret`, { token: org.key });
    assert.equal(rotated.status, 200);
    assert.match(rotated.body.secret, /^whsec_/);
    assert.notEqual(rotated.body.secret, ep.secret);
    assert.equal(rotated.body.previous_secret_expires_at, new Date(t.clock.now().getTime() + 24 * HOUR).toISOString());
    secretsSeen.add(rotated.body.secret);
    assert.equal((await t.request('GET', `/v1/webhook-endpoints/${ep.id}`, { token: org.key })).body.secret, rotated.body.secret);

    // Within the 24 h: signed with both, so a receiver still holding the old secret accepts it.
    const during = await emit(org.id, 'subscription.updated', { v: 2 });
    await deliverAll();
    const [old, fresh] = receiver.at(ep.path);
    assert.deepEqual([old!.headers['webhook-id'], fresh!.headers['webhook-id']], [before, during]);
    assert.equal(old!.verified, true);
    assert.equal(fresh!.verified, true, 'the receiver still holding the old secret accepts it');
    assert.doesNotThrow(() => verifyAt(t.clock, rotated.body.secret, fresh!.body, fresh!.headers));
    assert.doesNotThrow(() => verifyAt(t.clock, ep.secret, fresh!.body, fresh!.headers));
    assert.equal(String(fresh!.headers['webhook-signature']).split(' ').length, 2);

    // After it: the new secret alone.
    t.clock.advance(24 * HOUR + SECOND);
    const after = await emit(org.id, 'subscription.updated', { v: 3 });
    await deliverAll();
    const late = receiver.at(ep.path)[2]!;
    assert.equal(late.headers['webhook-id'], after);
    assert.equal(late.verified, false, 'the old secret no longer signs');
    assert.doesNotThrow(() => verifyAt(t.clock, rotated.body.secret, late.body, late.headers));
    assert.throws(() => verifyAt(t.clock, ep.secret, late.body, late.headers), /No matching signature/);
    const [latest] = await deliveries(org.key, ep.id);
    assert.deepEqual({ status: latest!.status, code: latest!.last_status_code }, { status: 'pending', code: 401 });

    receiver.trust(ep.path, rotated.body.secret);
    t.clock.advance(5 * SECOND);
    await deliverAll();
    assert.deepEqual(receiver.ids(ep.path), [before, during, after, after]);
    assert.equal(receiver.at(ep.path)[3]!.verified, true);
  });

  test('the background job runner sends without being asked', async () => {
    const org = await t.createOrg('loop');
    const ep = await endpoint(org.key, ['customer_seat.claimed']);
    const id = await emit(org.id, 'customer_seat.claimed', { seat_id: 'seat_1' });
    const arrived = receiver.nextRequest(ep.path);
    t.app.services.jobs.start(0.01);
    await arrived;
    await t.app.services.jobs.stop();
    assert.deepEqual(receiver.ids(ep.path), [id]);
  });

  test('logs never contain a signing secret or a signature', () => {
    const text = t.logs.join('');
    assert.ok(text.includes('webhook delivered'), 'deliveries are logged');
    assert.ok(secretsSeen.size > 5);
    for (const secret of secretsSeen) {
      assert.ok(!text.includes(secret), 'secret in logs');
      assert.ok(!text.includes(secret.slice(6)), 'secret body in logs');
    }
    for (const r of receiver.received) {
      const signature = String(r.headers['webhook-signature']).slice(3);
      assert.ok(!text.includes(signature), 'signature in logs');
    }
  });
});

describe('leases that fit', () => {
  test('a delivery claimed by a process that died is sent by another within 60 s, once', async () => {
    const org = await t.createOrg(`lease-${Date.now()}`);
    const hook = await endpoint(org.key, ['order.paid']);
    const id = await emit(org.id, 'order.paid', { n: 1 });
    // A worker claims it (lease written) and dies before sending.
    const now = t.clock.now();
    const claimed = await webhookRepository(t.database.db).claimDue(now, new Date(now.getTime() + DELIVERY_LEASE_MS), 100);
    assert.ok(claimed.length >= 1);
    assert.equal(await deliverAll(), 0, 'still leased to the dead worker');
    t.clock.advance(61 * SECOND);
    assert.ok((await deliverAll()) >= 1);
    assert.deepEqual(receiver.ids(hook.path), [id], 'sent once');
  });
});
