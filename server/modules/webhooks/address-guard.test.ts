import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { silentLogger } from '../../lib/logger.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';
import { guardedFetch, isPublicAddress, refusedUrl, type Lookup } from './address-guard.js';
import { webhookService } from './service.js';

let t: TestContext;
let key: string;
let receiver: Server;
let hits = 0;
let port = 0;

before(async () => {
  // As in production: private addresses refused.
  t = await createTestContext({ webhookAllowPrivateUrls: false });
  ({ key } = await t.createOrg('acme'));
  receiver = createServer((req, res) => {
    hits += 1;
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});
after(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await t.close();
});

const resolvesTo =
  (...addresses: string[]): Lookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('webhook URLs may not reach this server’s network', () => {
  test('addresses: loopback, private, link-local, metadata, CGNAT, reserved and their IPv6 forms are refused', () => {
    for (const address of [
      '127.0.0.1',
      '127.1.2.3',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.100.100.200',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '198.18.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::7f00:1',
      '64:ff9b::10.0.0.1',
      '2002:7f00:1::1',
      'not an address',
    ]) {
      assert.equal(isPublicAddress(address), false, address);
    }
    for (const address of [
      '93.184.216.34',
      '1.1.1.1',
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700:4700::1111',
      '2a00:1450:4001:80b::200e',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
    ]) {
      assert.equal(isPublicAddress(address), true, address);
    }
  });

  test('at registration and on change: 400 webhook_url_not_allowed naming the url', async () => {
    for (const url of [
      `http://127.0.0.1:${port}/in`,
      'http://localhost:3000/webhooks',
      'https://app.localhost/in',
      'https://169.254.169.254/latest/meta-data/',
      'https://metadata.google.internal/computeMetadata/v1/',
      'https://10.1.2.3/in',
      'https://192.168.0.10/in',
      'https://[::1]/in',
      'https://[::ffff:10.0.0.1]/in',
      'https://[fd00:ec2::254]/in',
      'https://2130706433/in', // 127.0.0.1, once the URL parser has read it
      'https://0x7f.1/in',
    ]) {
      const res = await t.request('POST', '/v1/webhook-endpoints', { token: key, body: { url, events: ['order.paid'] } });
      assert.equal(res.status, 400, url);
      assert.equal(res.body.error.code, 'webhook_url_not_allowed', url);
      assert.equal(res.body.error.details[0].path, 'url');
    }
    const ok = await t.request('POST', '/v1/webhook-endpoints', { token: key, body: { url: 'https://hooks.example.com/in', events: ['order.paid'] } });
    assert.equal(ok.status, 201, 'a public name (not resolvable here: checked again at delivery)');
    const moved = await t.request('PATCH', `/v1/webhook-endpoints/${ok.body.id}`, { token: key, body: { url: 'https://169.254.169.254/' } });
    assert.equal(moved.status, 400);
    assert.equal(moved.body.error.code, 'webhook_url_not_allowed');
  });

  test('a name is judged by every address it resolves to', async () => {
    assert.equal(await refusedUrl('https://hooks.example.com/in', resolvesTo('93.184.216.34')), undefined);
    assert.match((await refusedUrl('https://hooks.example.com/in', resolvesTo('93.184.216.34', '10.0.0.5')))!, /resolves to 10\.0\.0\.5/);
    assert.match((await refusedUrl('https://rebind.example/in', resolvesTo('::ffff:169.254.169.254')))!, /private|link-local/);
    assert.equal(await refusedUrl('https://nowhere.invalid/in', async () => Promise.reject(new Error('ENOTFOUND'))), undefined, 'checked again at delivery');
  });

  test('at delivery: an endpoint whose address became private is not sent to', async () => {
    const org = await t.createOrg('moved');
    const ep = await t.request('POST', '/v1/webhook-endpoints', {
      token: org.key,
      body: { url: 'https://hooks.example.com/moved', events: ['customer.updated'] },
    });
    assert.equal(ep.status, 201);
    await sql`UPDATE webhook_endpoints SET url = ${`http://127.0.0.1:${port}/moved`} WHERE id = ${ep.body.id}`.execute(t.database.db);
    await t.app.services.webhooks.emit(t.database.db, org.id, 'customer.updated', { customer_id: 'cus_1' });
    const before = hits;
    const result = await t.app.services.webhooks.deliverDue();
    assert.deepEqual(result, { attempted: 1, succeeded: 0, failed: 1 });
    assert.equal(hits, before, 'nothing reached the receiver');
    const deliveries = await t.request('GET', `/v1/webhook-endpoints/${ep.body.id}/deliveries`, { token: org.key });
    assert.match(deliveries.body.data[0].last_error, /^Not sent: 127\.0\.0\.1 is a loopback, private/);
  });

  test('DNS rebinding: the address checked is the address connected to', async () => {
    // The name resolves to a public address when registered and checked, then to loopback when
    // the delivery connects: the connection is refused, the receiver on loopback sees nothing.
    let calls = 0;
    const flipping: Lookup = async () => [{ address: ++calls <= 2 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    const webhooks = webhookService({ db: t.database.db, clock: t.clock, logger: silentLogger, lookup: flipping });
    const org = await t.createOrg('rebind');
    const ep = await webhooks.create(org.id, { url: `http://rebind.example:${port}/in`, events: ['customer.updated'] });
    await webhooks.emit(t.database.db, org.id, 'customer.updated', { customer_id: 'cus_1' });
    const before = hits;
    assert.deepEqual(await webhooks.deliverDue(), { attempted: 1, succeeded: 0, failed: 1 });
    assert.equal(calls, 3, 'registration, the check before sending, the connection');
    assert.equal(hits, before);
    const [delivery] = await webhooks.deliveries(org.id, ep.id, { limit: 1 });
    assert.match(delivery!.last_error!, /rebind\.example resolves to 127\.0\.0\.1/);
  });

  test('the guarded fetch connects where its lookup says, and sends the request as fetch would', async () => {
    const allowAll = guardedFetch({ lookup: resolvesTo('127.0.0.1'), isAllowed: () => true });
    const res = await allowAll(`http://receiver.example:${port}/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok');
    await assert.rejects(guardedFetch({ lookup: resolvesTo('127.0.0.1') })(`http://receiver.example:${port}/x`, { method: 'POST', body: '{}' }), {
      name: 'AddressRefused',
    });
    await assert.rejects(guardedFetch()(`http://127.0.0.1:${port}/x`), { name: 'AddressRefused' }, 'an address literal is checked without a lookup');
  });
});
