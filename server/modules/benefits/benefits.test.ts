import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { portalBenefitList } from '../../../src/schemas/benefits.js';
import { DAY, MINUTE, SECOND } from '../../lib/clock.js';
import { createShop, createSubscriber, subscribe, type Shop } from '../../testing/billing.js';
import { seedDemo } from '../demo/seed.js';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let shop: Shop;
let dataDir: string;
let ips = 0;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cp-benefits-'));
  t = await createTestContext({ dataDir });
  shop = await createShop(t);
});
after(async () => {
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const key = () => shop.org.key;
/** Each test calls the license key API from its own address, so the per-IP limit is its own. */
const newIp = () => ({ 'x-forwarded-for': `10.0.${Math.floor(++ips / 250)}.${ips % 250}` });

async function benefit(body: object, orgKey = key()) {
  const res = await t.request('POST', '/v1/benefits', { token: orgKey, body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; type: string; properties: Record<string, unknown> };
}

async function attach(productId: string, benefitId: string, orgKey = key()) {
  const res = await t.request('POST', `/v1/products/${productId}/benefits/${benefitId}`, { token: orgKey });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function product(name: string, prices: object[]) {
  const res = await t.request('POST', '/v1/products', { token: key(), body: { name, prices } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; prices: Array<{ id: string }> };
}

async function upload(benefitId: string, name: string, bytes: Buffer | string, headers: Record<string, string> = {}) {
  const res = await t.app.request(`/v1/benefits/${benefitId}/files?filename=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key()}`, 'content-type': 'application/zip', ...headers },
    body: new Uint8Array(typeof bytes === 'string' ? Buffer.from(bytes) : bytes),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function benefitsOf(token: string) {
  const res = await t.request('GET', '/portal/v1/benefits', { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  // The answer is the contract the widget parses.
  return portalBenefitList.parse(res.body).data;
}

const validate = (body: object, headers = newIp()) =>
  t.request('POST', '/v1/license-keys/validate', { body: { organization: shop.org.slug, ...body }, headers });
const path = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

describe('benefits of a subscription', () => {
  test('every type shows what the customer needs; the download is a signed attachment', async () => {
    const p = await product('Bundle', [{ type: 'recurring', currency: 'usd', unit_amount: 2000, interval: 'month' }]);
    const license = await benefit({ type: 'license_key', description: 'Desktop app license', properties: { prefix: 'acme', activation_limit: 2 } });
    const download = await benefit({ type: 'download', description: 'Installers' });
    const up = await upload(download.id, 'Setup ünïcode.zip', 'PK-bytes-of-the-installer');
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.size, 25);
    const discord = await benefit({ type: 'discord', description: 'Community', properties: { invite_url: 'https://discord.gg/acme' } });
    const api = await benefit({ type: 'api_key', description: 'API access', properties: { prefix: 'acme_' } });
    const custom = await benefit({
      type: 'custom',
      description: 'Onboarding call',
      properties: { text: 'Book a call with us.', links: [{ label: 'Calendar', url: 'https://cal.example/acme' }] },
    });
    for (const b of [license, download, discord, api, custom]) await attach(p.id, b.id);

    const c = await createSubscriber(t, shop);
    assert.deepEqual(await benefitsOf(c.token), [], 'nothing before subscribing');
    await subscribe(t, shop, c.id, p.prices[0]!.id);
    const list = await benefitsOf(c.token);
    assert.deepEqual(list.map((b) => b.type).sort(), ['api_key', 'custom', 'discord', 'download', 'license_key']);

    const lk = list.find((b) => b.type === 'license_key')!;
    assert.ok(lk.type === 'license_key');
    assert.match(lk.license_key.key!, /^ACME(-[0-9A-Z]{6}){4}$/);
    assert.equal(lk.license_key.status, 'active');
    assert.equal(lk.license_key.activation_limit, 2);
    assert.equal(lk.license_key.expires_at, null);
    assert.equal(lk.description, 'Desktop app license');

    const dl = list.find((b) => b.type === 'download')!;
    assert.ok(dl.type === 'download');
    assert.equal(dl.files.length, 1);
    assert.equal(dl.files[0]!.name, 'Setup ünïcode.zip');
    assert.equal(dl.files[0]!.size, 25);
    const file = await t.app.request(path(dl.files[0]!.url));
    assert.equal(file.status, 200);
    assert.equal(await file.text(), 'PK-bytes-of-the-installer');
    assert.match(file.headers.get('content-disposition')!, /^attachment; filename="Setup _n_code\.zip"; filename\*=UTF-8''Setup%20%C3%BCn%C3%AFcode\.zip$/);
    assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(readdirSync(join(dataDir, 'files', shop.org.id)).includes(up.body.id), 'stored under DATA_DIR/files/<org>/<file id>');

    const dc = list.find((b) => b.type === 'discord')!;
    assert.ok(dc.type === 'discord');
    assert.equal(dc.invite_url, 'https://discord.gg/acme');

    const ak = list.find((b) => b.type === 'api_key')!;
    assert.ok(ak.type === 'api_key');
    assert.equal(ak.api_key.key, null, 'the list masks API keys');
    assert.match(ak.api_key.hint, /^acme_….{4}$/);
    const revealed = await t.request('POST', `/portal/v1/benefits/${ak.id}/reveal`, { token: c.token });
    assert.equal(revealed.status, 200);
    assert.match(revealed.body.api_key.key, /^acme_[\w-]{43}$/);
    assert.ok(revealed.body.api_key.key.endsWith(ak.api_key.hint.slice(-4)));
    const check = await t.request('POST', '/v1/customer-api-keys/validate', { token: key(), body: { key: revealed.body.api_key.key } });
    assert.deepEqual(
      { valid: check.body.valid, customer_id: check.body.customer_id, benefit_id: check.body.benefit_id },
      { valid: true, customer_id: c.id, benefit_id: api.id },
    );

    const cu = list.find((b) => b.type === 'custom')!;
    assert.ok(cu.type === 'custom');
    assert.equal(cu.text, 'Book a call with us.');
    assert.deepEqual(cu.links, [{ label: 'Calendar', url: 'https://cal.example/acme' }]);

    // Keys are stored hashed and encrypted, never in clear.
    const stored = await t.database.db.selectFrom('benefit_grants').selectAll().where('customer_id', '=', c.id).execute();
    const plain = lk.license_key.key!;
    for (const row of stored) assert.ok(!JSON.stringify(row).includes(plain) && !JSON.stringify(row).includes(revealed.body.api_key.key));
    assert.ok(stored.some((r) => r.key_encrypted?.startsWith('v1.')));

    // The overview carries the same benefits, in the same request as the rest.
    const overview = await t.request('GET', '/portal/v1/overview', { token: c.token });
    assert.deepEqual(
      portalBenefitList
        .parse({ data: overview.body.benefits })
        .data.map((b) => b.id)
        .sort(),
      list.map((b) => b.id).sort(),
    );

    // The merchant sees grants, never keys.
    const grants = await t.request('GET', `/v1/benefit-grants?customer_id=${c.id}`, { token: key() });
    assert.equal(grants.body.data.length, 5);
    assert.ok(!JSON.stringify(grants.body).includes(plain));
  });

  test('a canceled subscription keeps its benefits while canceling and loses them when it ends', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const license = await benefit({ type: 'license_key', description: 'Pro license' });
    await attach(shop.products.pro, license.id);
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.pro);
    const [granted] = await benefitsOf(c.token);
    assert.ok(granted?.type === 'license_key');
    const licenseKey = granted.license_key.key!;

    const cancel = await t.request('POST', `/portal/v1/subscriptions/${sub.id}/cancel`, { token: c.token, body: { mode: 'at_period_end' } });
    assert.equal(cancel.status, 200);
    assert.equal((await benefitsOf(c.token)).length, 1, 'kept while canceling');
    assert.equal((await validate({ key: licenseKey })).body.valid, true);

    t.clock.set(sub.current_period_end);
    t.clock.advance(SECOND);
    await t.runJobs();
    const token = await t.signIn(shop.org.slug, c.email);
    assert.deepEqual(await benefitsOf(token), [], 'revoked at the end of the period');
    const res = await validate({ key: licenseKey });
    assert.equal(res.status, 200);
    assert.deepEqual({ valid: res.body.valid, status: res.body.status }, { valid: false, status: 'revoked' });
  });

  test('past due keeps the benefits; the cancellation after the last retry revokes them', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const discord = await benefit({ type: 'discord', description: 'Basic community', properties: { invite_url: 'https://discord.gg/basic' } });
    await attach(shop.products.basic, discord.id);
    const c = await createSubscriber(t, shop);
    await subscribe(t, shop, c.id, shop.prices.basic);
    await t.addCard(shop.org.id, c.id, '4000000000000341');
    t.clock.set('2026-02-15T12:00:01.000Z');
    await t.runJobs();
    let token = await t.signIn(shop.org.slug, c.email);
    const sub = (await t.request('GET', '/portal/v1/subscriptions', { token })).body.data[0];
    assert.equal(sub.status, 'past_due');
    assert.equal((await benefitsOf(token)).length, 1, 'kept while past due');
    for (let day = 0; day < 10; day++) {
      t.clock.advance(DAY);
      await t.runJobs();
    }
    token = await t.signIn(shop.org.slug, c.email);
    assert.equal((await t.request('GET', `/portal/v1/subscriptions/${sub.id}`, { token })).body.status, 'canceled');
    assert.deepEqual(await benefitsOf(token), []);
  });

  test('a plan change moves the benefits with the product', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const basicOnly = await benefit({ type: 'custom', description: 'Basic guide', properties: { text: 'basic' } });
    const proOnly = await benefit({ type: 'custom', description: 'Pro guide', properties: { text: 'pro' } });
    await attach(shop.products.basic, basicOnly.id);
    await attach(shop.products.pro, proOnly.id);
    const c = await createSubscriber(t, shop);
    const sub = await subscribe(t, shop, c.id, shop.prices.basic);
    assert.ok((await benefitsOf(c.token)).some((b) => b.benefit_id === basicOnly.id));
    const change = await t.request('POST', `/portal/v1/subscriptions/${sub.id}/change`, { token: c.token, body: { price_id: shop.prices.pro } });
    assert.equal(change.status, 200, JSON.stringify(change.body));
    const after = (await benefitsOf(c.token)).map((b) => b.benefit_id);
    assert.ok(after.includes(proOnly.id) && !after.includes(basicOnly.id));
  });
});

describe('one-time purchases', () => {
  test('a paid order grants its benefits; a partial refund keeps them; a full refund revokes them', async () => {
    const ebook = await product('E-book', [{ type: 'one_time', currency: 'usd', unit_amount: 1500 }]);
    const license = await benefit({ type: 'license_key', description: 'E-book reader key' });
    await attach(ebook.id, license.id);
    const c = await createSubscriber(t, shop);
    const order = await t.request('POST', '/v1/orders', { token: key(), body: { customer_id: c.id, items: [{ price_id: ebook.prices[0]!.id }] } });
    assert.equal(order.status, 201, JSON.stringify(order.body));
    const [granted] = await benefitsOf(c.token);
    assert.ok(granted?.type === 'license_key');
    const licenseKey = granted.license_key.key!;
    assert.equal((await validate({ key: licenseKey })).body.valid, true);

    const partial = await t.request('POST', '/v1/refunds', { token: key(), body: { order_id: order.body.id, amount: 500 } });
    assert.equal(partial.status, 201);
    assert.equal((await benefitsOf(c.token)).length, 1, 'a partial refund keeps the benefit');

    const rest = await t.request('POST', '/v1/refunds', { token: key(), body: { order_id: order.body.id } });
    assert.equal(rest.status, 201);
    assert.equal(rest.body.order.status, 'refunded');
    assert.deepEqual(await benefitsOf(c.token), []);
    assert.equal((await validate({ key: licenseKey })).body.status, 'revoked');
  });

  test('a declined purchase grants nothing', async () => {
    const ebook = await product('Guide', [{ type: 'one_time', currency: 'usd', unit_amount: 900 }]);
    const custom = await benefit({ type: 'custom', description: 'Guide bonus', properties: { text: 'bonus' } });
    await attach(ebook.id, custom.id);
    const c = await createSubscriber(t, shop, { card: '4000000000000341' });
    const order = await t.request('POST', '/v1/orders', { token: key(), body: { customer_id: c.id, items: [{ price_id: ebook.prices[0]!.id }] } });
    assert.equal(order.status, 402);
    assert.deepEqual(await benefitsOf(c.token), []);
  });
});

describe('license keys for the merchant’s software', () => {
  async function licensed(properties: object = {}) {
    const p = await product(`App ${++ips}`, [{ type: 'one_time', currency: 'usd', unit_amount: 4900 }]);
    const b = await benefit({ type: 'license_key', description: 'App license', properties });
    await attach(p.id, b.id);
    const c = await createSubscriber(t, shop);
    const order = await t.request('POST', '/v1/orders', { token: key(), body: { customer_id: c.id, items: [{ price_id: p.prices[0]!.id }] } });
    assert.equal(order.status, 201);
    const [g] = await benefitsOf(c.token);
    assert.ok(g?.type === 'license_key');
    return { c, grant: g, licenseKey: g.license_key.key!, benefitId: b.id };
  }

  test('activations up to the limit; one more is refused; deactivating frees a slot', async () => {
    const { c, licenseKey } = await licensed({ activation_limit: 2 });
    const ip = newIp();
    const first = await t.request('POST', '/v1/license-keys/activate', {
      body: { organization: shop.org.slug, key: licenseKey, label: 'Laptop' },
      headers: ip,
    });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const second = await t.request('POST', '/v1/license-keys/activate', {
      body: { organization: shop.org.slug, key: licenseKey, label: 'Desktop' },
      headers: ip,
    });
    assert.equal(second.status, 201);
    const third = await t.request('POST', '/v1/license-keys/activate', {
      body: { organization: shop.org.slug, key: licenseKey, label: 'Tablet' },
      headers: ip,
    });
    assert.equal(third.status, 409);
    assert.equal(third.body.error.code, 'activation_limit_reached');
    assert.match(third.body.error.message, /already activated 2 times, its limit/);

    const valid = await validate({ key: licenseKey, activation_id: first.body.id }, ip);
    assert.deepEqual(
      { valid: valid.body.valid, status: valid.body.status, used: valid.body.activations_used, label: valid.body.activation.label },
      { valid: true, status: 'active', used: 2, label: 'Laptop' },
    );
    const portal = (await benefitsOf(c.token))[0]!;
    assert.ok(portal.type === 'license_key');
    assert.deepEqual(
      portal.license_key.activations.map((a) => a.label),
      ['Laptop', 'Desktop'],
    );

    const off = await t.request('POST', '/v1/license-keys/deactivate', {
      body: { organization: shop.org.slug, key: licenseKey, activation_id: first.body.id },
      headers: ip,
    });
    assert.equal(off.status, 200);
    const gone = await validate({ key: licenseKey, activation_id: first.body.id }, ip);
    assert.equal(gone.body.valid, false);
    assert.match(gone.body.message, /activation does not exist/);
    const again = await t.request('POST', '/v1/license-keys/activate', {
      body: { organization: shop.org.slug, key: licenseKey, label: 'Tablet' },
      headers: ip,
    });
    assert.equal(again.status, 201);
  });

  test('a rotated license key or API key fails validation at once', async () => {
    const { c, grant, licenseKey } = await licensed();
    const activation = await t.request('POST', '/v1/license-keys/activate', {
      body: { organization: shop.org.slug, key: licenseKey, label: 'Laptop' },
      headers: newIp(),
    });
    assert.equal(activation.status, 201);
    const rotated = await t.request('POST', `/portal/v1/benefits/${grant.id}/rotate`, { token: c.token });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const newKey = rotated.body.license_key.key as string;
    assert.notEqual(newKey, licenseKey);
    assert.deepEqual(rotated.body.license_key.activations, [], 'activations go with the old key');
    const old = await validate({ key: licenseKey });
    assert.deepEqual({ valid: old.body.valid, status: old.body.status }, { valid: false, status: 'not_found' });
    assert.equal((await validate({ key: newKey })).body.valid, true);

    const api = await benefit({ type: 'api_key', description: 'Rotating API key' });
    const p = await product('API plan', [{ type: 'one_time', currency: 'usd', unit_amount: 100 }]);
    await attach(p.id, api.id);
    await t.request('POST', '/v1/orders', { token: key(), body: { customer_id: c.id, items: [{ price_id: p.prices[0]!.id }] } });
    const apiGrant = (await benefitsOf(c.token)).find((b) => b.type === 'api_key')!;
    const before = (await t.request('POST', `/portal/v1/benefits/${apiGrant.id}/reveal`, { token: c.token })).body.api_key.key;
    const after = (await t.request('POST', `/portal/v1/benefits/${apiGrant.id}/rotate`, { token: c.token })).body.api_key.key;
    assert.notEqual(after, before);
    assert.equal((await t.request('POST', '/v1/customer-api-keys/validate', { token: key(), body: { key: before } })).body.valid, false);
    assert.equal((await t.request('POST', '/v1/customer-api-keys/validate', { token: key(), body: { key: after } })).body.valid, true);

    const notKeyed = await benefit({ type: 'custom', description: 'Not a key', properties: { text: 'x' } });
    await attach(p.id, notKeyed.id);
    const customGrant = (await benefitsOf(c.token)).find((b) => b.benefit_id === notKeyed.id)!;
    const refused = await t.request('POST', `/portal/v1/benefits/${customGrant.id}/rotate`, { token: c.token });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'benefit_not_rotatable');
  });

  test('a key expires after expires_after_days', async () => {
    t.clock.set('2026-03-01T00:00:00.000Z');
    const { licenseKey } = await licensed({ expires_after_days: 30 });
    const fresh = await validate({ key: licenseKey });
    assert.equal(fresh.body.valid, true);
    assert.equal(fresh.body.expires_at, '2026-03-31T00:00:00.000Z');
    t.clock.set('2026-03-31T00:00:00.000Z');
    const expired = await validate({ key: licenseKey });
    assert.deepEqual({ valid: expired.body.valid, status: expired.body.status }, { valid: false, status: 'expired' });
    const activate = await t.request('POST', '/v1/license-keys/activate', {
      body: { organization: shop.org.slug, key: licenseKey, label: 'Late' },
      headers: newIp(),
    });
    assert.equal(activate.status, 403);
    assert.equal(activate.body.error.code, 'license_key_expired');
  });

  test('bad input is a clear 4xx; unknown keys and organizations are told apart; the API is rate-limited per IP', async () => {
    const ip = newIp();
    const missing = await t.request('POST', '/v1/license-keys/validate', { body: { organization: shop.org.slug }, headers: ip });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.code, 'validation_error');
    const notJson = await t.request('POST', '/v1/license-keys/activate', { body: '{oops', headers: ip });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.error.code, 'invalid_json');
    const unknownOrg = await t.request('POST', '/v1/license-keys/validate', { body: { organization: 'no-such-org', key: 'X' }, headers: ip });
    assert.equal(unknownOrg.status, 404);
    const unknownKey = await validate({ key: 'ACME-NOPE' }, ip);
    assert.deepEqual({ status: unknownKey.status, valid: unknownKey.body.valid, s: unknownKey.body.status }, { status: 200, valid: false, s: 'not_found' });
    const activateUnknown = await t.request('POST', '/v1/license-keys/activate', {
      body: { organization: shop.org.slug, key: 'ACME-NOPE', label: 'x' },
      headers: ip,
    });
    assert.equal(activateUnknown.status, 404);

    const limited = newIp();
    let last = 0;
    for (let i = 0; i < 121; i++) last = (await validate({ key: 'ACME-NOPE' }, limited)).status;
    assert.equal(last, 429);
    assert.equal((await validate({ key: 'ACME-NOPE' }, newIp())).status, 200, 'another address is not limited');
  });
});

describe('download links', () => {
  async function downloadGrant() {
    const p = await product(`Files ${++ips}`, [{ type: 'one_time', currency: 'usd', unit_amount: 100 }]);
    const b = await benefit({ type: 'download', description: 'Files' });
    assert.equal((await upload(b.id, 'a.bin', Buffer.from([0, 1, 2, 255]))).status, 201);
    await attach(p.id, b.id);
    const c = await createSubscriber(t, shop);
    const order = await t.request('POST', '/v1/orders', { token: key(), body: { customer_id: c.id, items: [{ price_id: p.prices[0]!.id }] } });
    const g = (await benefitsOf(c.token))[0]!;
    assert.ok(g.type === 'download');
    return { c, b, g, order: order.body, url: path(g.files[0]!.url) };
  }

  test('a link works for 10 minutes, then is refused with a clear message', async () => {
    const { url } = await downloadGrant();
    t.clock.advance(10 * MINUTE - SECOND);
    const ok = await t.app.request(url);
    assert.equal(ok.status, 200);
    assert.deepEqual([...new Uint8Array(await ok.arrayBuffer())], [0, 1, 2, 255], 'bytes come back unchanged');
    t.clock.advance(SECOND);
    const expired = await t.request('GET', url);
    assert.equal(expired.status, 403);
    assert.equal(expired.body.error.code, 'download_link_expired');
    assert.match(expired.body.error.message, /expired.*portal/);
  });

  test('a tampered link is refused', async () => {
    const { url, c } = await downloadGrant();
    const u = new URL(url, 'http://x');
    const later = new URL(u);
    later.searchParams.set('expires', String(Number(u.searchParams.get('expires')) + 3600));
    const other = await createSubscriber(t, shop);
    const foreignGrant = new URL(u);
    foreignGrant.searchParams.set('grant', other.id);
    const badSig = new URL(u);
    badSig.searchParams.set('sig', 'a'.repeat(64));
    for (const bad of [later, foreignGrant, badSig]) {
      const res = await t.request('GET', bad.pathname + bad.search);
      assert.equal(res.status, 403, bad.search);
      assert.equal(res.body.error.code, 'download_link_invalid');
    }
    const noSig = await t.request('GET', u.pathname);
    assert.equal(noSig.status, 403);
    void c;
  });

  test('a revoked grant’s link stops working before it expires', async () => {
    const { url, order } = await downloadGrant();
    await t.request('POST', '/v1/refunds', { token: key(), body: { order_id: order.id } });
    const res = await t.request('GET', url);
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'access_revoked');
  });

  test('uploads: a download benefit only, a file name, a size limit', async () => {
    const custom = await benefit({ type: 'custom', description: 'No files here', properties: {} });
    assert.equal((await upload(custom.id, 'x.zip', 'x')).status, 400);
    const d = await benefit({ type: 'download', description: 'Uploads' });
    const noName = await t.app.request(`/v1/benefits/${d.id}/files`, { method: 'POST', headers: { authorization: `Bearer ${key()}` }, body: 'x' });
    assert.equal(noName.status, 400);
    assert.equal((await upload(d.id, '../etc/passwd', 'x')).status, 400);
    assert.equal((await upload(d.id, 'empty.zip', '')).status, 400);
    const big = await upload(d.id, 'big.iso', 'x', { 'content-length': String(101 * 1024 * 1024) });
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'file_too_large');
    const unauthenticated = await t.app.request(`/v1/benefits/${d.id}/files?filename=a.zip`, { method: 'POST', body: 'x' });
    assert.equal(unauthenticated.status, 401);
    const removed = await t.request('DELETE', `/v1/benefits/${d.id}/files/file_nope`, { token: key() });
    assert.equal(removed.status, 404);
  });
});

describe('the merchant’s benefits', () => {
  test('create, list, get, update, delete; bad input is a 400', async () => {
    const created = await benefit({ type: 'license_key', description: 'CRUD license', properties: { prefix: 'crud' } });
    assert.deepEqual(created.properties, { prefix: 'crud', activation_limit: null, expires_after_days: null });
    const got = await t.request('GET', `/v1/benefits/${created.id}`, { token: key() });
    assert.equal(got.body.description, 'CRUD license');
    const updated = await t.request('PATCH', `/v1/benefits/${created.id}`, {
      token: key(),
      body: { description: 'Renamed', properties: { activation_limit: 3 } },
    });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body.properties, { prefix: 'crud', activation_limit: 3, expires_after_days: null });
    const badUpdate = await t.request('PATCH', `/v1/benefits/${created.id}`, { token: key(), body: { properties: { activation_limit: -1 } } });
    assert.equal(badUpdate.status, 400);
    assert.match(badUpdate.body.error.message, /^properties\.activation_limit/);
    const list = await t.request('GET', '/v1/benefits?type=license_key&limit=100', { token: key() });
    assert.ok(list.body.data.some((b: { id: string }) => b.id === created.id));
    assert.ok(list.body.data.every((b: { type: string }) => b.type === 'license_key'));

    for (const body of [
      { type: 'nope', description: 'x' },
      { type: 'discord', description: 'x' },
      { type: 'discord', description: 'x', properties: { invite_url: 'not a url' } },
      { type: 'custom', description: '' },
    ]) {
      const res = await t.request('POST', '/v1/benefits', { token: key(), body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'validation_error');
    }
    assert.equal((await t.request('POST', `/v1/products/prod_nope/benefits/${created.id}`, { token: key() })).status, 404);
    assert.equal((await t.request('DELETE', `/v1/products/${shop.products.basic}/benefits/${created.id}`, { token: key() })).status, 404);

    const deleted = await t.request('DELETE', `/v1/benefits/${created.id}`, { token: key() });
    assert.deepEqual(deleted.body, { id: created.id, deleted: true });
    assert.equal((await t.request('GET', `/v1/benefits/${created.id}`, { token: key() })).status, 404);
  });

  test('deleting or detaching a benefit revokes it at once; attaching grants it to existing customers', async () => {
    const p = await product('Lifetime', [{ type: 'one_time', currency: 'usd', unit_amount: 9900 }]);
    const c = await createSubscriber(t, shop);
    await t.request('POST', '/v1/orders', { token: key(), body: { customer_id: c.id, items: [{ price_id: p.prices[0]!.id }] } });
    const license = await benefit({ type: 'license_key', description: 'Lifetime key' });
    const guide = await benefit({ type: 'custom', description: 'Lifetime guide', properties: { text: 'hi' } });
    await attach(p.id, license.id);
    const attached = await attach(p.id, guide.id);
    assert.deepEqual(
      attached.data.map((b: { id: string }) => b.id),
      [license.id, guide.id],
    );
    const granted = await benefitsOf(c.token);
    assert.equal(granted.length, 2, 'attached after the purchase: granted to the buyer');
    const lk = granted.find((b) => b.type === 'license_key')!;
    assert.ok(lk.type === 'license_key');

    const detached = await t.request('DELETE', `/v1/products/${p.id}/benefits/${guide.id}`, { token: key() });
    assert.equal(detached.status, 200);
    assert.deepEqual(
      (await benefitsOf(c.token)).map((b) => b.benefit_id),
      [license.id],
    );

    await t.request('DELETE', `/v1/benefits/${license.id}`, { token: key() });
    assert.deepEqual(await benefitsOf(c.token), []);
    assert.equal((await validate({ key: lk.license_key.key! })).body.status, 'revoked');
  });
});

describe('portal settings and isolation', () => {
  test('a disabled benefits section is refused by the API', async () => {
    const other = await createShop(t);
    const c = await createSubscriber(t, other);
    assert.equal((await t.request('GET', '/portal/v1/benefits', { token: c.token })).status, 200);
    const off = await t.request('PATCH', '/v1/organization', { token: other.org.key, body: { portal_settings: { sections: { benefits: false } } } });
    assert.equal(off.status, 200);
    const token = await t.signIn(other.org.slug, c.email);
    assert.deepEqual((await t.request('GET', '/portal/v1/overview', { token })).body.benefits, [], 'nor shown in the overview');
    for (const [method, url] of [
      ['GET', '/portal/v1/benefits'],
      ['POST', '/portal/v1/benefits/bgr_x/rotate'],
      ['POST', '/portal/v1/benefits/bgr_x/reveal'],
    ] as const) {
      const res = await t.request(method, url, { token });
      assert.equal(res.status, 403, url);
      assert.equal(res.body.error.code, 'section_disabled');
    }
  });

  test('one customer cannot use another’s grants; one organization cannot touch another’s benefits or keys', async () => {
    const p = await product('Isolated', [{ type: 'one_time', currency: 'usd', unit_amount: 100 }]);
    const api = await benefit({ type: 'api_key', description: 'Isolated key' });
    const license = await benefit({ type: 'license_key', description: 'Isolated license' });
    await attach(p.id, api.id);
    await attach(p.id, license.id);
    const alice = await createSubscriber(t, shop);
    const mallory = await createSubscriber(t, shop);
    await t.request('POST', '/v1/orders', { token: key(), body: { customer_id: alice.id, items: [{ price_id: p.prices[0]!.id }] } });
    const aliceGrants = await benefitsOf(alice.token);
    assert.deepEqual(await benefitsOf(mallory.token), []);
    for (const g of aliceGrants) {
      for (const action of ['rotate', 'reveal']) {
        const res = await t.request('POST', `/portal/v1/benefits/${g.id}/${action}`, { token: mallory.token });
        assert.equal(res.status, 404);
      }
    }

    const otherShop = await createShop(t);
    const otherKey = otherShop.org.key;
    assert.equal((await t.request('GET', `/v1/benefits/${api.id}`, { token: otherKey })).status, 404);
    assert.equal((await t.request('PATCH', `/v1/benefits/${api.id}`, { token: otherKey, body: { description: 'mine' } })).status, 404);
    assert.equal((await t.request('DELETE', `/v1/benefits/${api.id}`, { token: otherKey })).status, 404);
    assert.equal((await t.request('POST', `/v1/products/${otherShop.products.pro}/benefits/${api.id}`, { token: otherKey })).status, 404);
    assert.equal((await t.request('POST', `/v1/products/${p.id}/benefits/${api.id}`, { token: otherKey })).status, 404);
    assert.equal((await t.request('GET', `/v1/benefit-grants?customer_id=${alice.id}`, { token: otherKey })).body.data.length, 0);

    const lk = aliceGrants.find((g) => g.type === 'license_key')!;
    assert.ok(lk.type === 'license_key');
    const elsewhere = await t.request('POST', '/v1/license-keys/validate', {
      body: { organization: otherShop.org.slug, key: lk.license_key.key },
      headers: newIp(),
    });
    assert.equal(elsewhere.body.status, 'not_found', 'a key belongs to its organization');
    const apiKey = (await t.request('POST', `/portal/v1/benefits/${aliceGrants.find((g) => g.type === 'api_key')!.id}/reveal`, { token: alice.token })).body
      .api_key.key;
    assert.equal((await t.request('POST', '/v1/customer-api-keys/validate', { token: otherKey, body: { key: apiKey } })).body.valid, false);
  });
});

test('the demo seed gives its customers benefits to look at', async () => {
  const seeded = await seedDemo(t.app.services, t.config, t.database.db);
  const alice = await benefitsOf(await t.signIn(seeded.slug, 'alice@example.com'));
  assert.deepEqual(alice.map((b) => b.type).sort(), ['discord', 'download', 'license_key'], 'Pro and Team');
  const carol = await benefitsOf(await t.signIn(seeded.slug, 'carol@example.com'));
  assert.deepEqual(carol, [], 'Starter comes with none');
});
