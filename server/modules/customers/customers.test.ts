import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../../testing/harness.js';

let t: TestContext;
let key: string;

before(async () => {
  t = await createTestContext();
  ({ key } = await t.createOrg('acme'));
});
after(() => t.close());

describe('merchant API: customers', () => {
  test('create, then read by id and by external id', async () => {
    const created = await t.request('POST', '/v1/customers', {
      token: key,
      body: { email: '  Grace@Example.COM ', name: 'Grace Hopper', external_id: 'u_1', metadata: { plan: 'pro' } },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.email, 'grace@example.com', 'trimmed and lower-cased');
    assert.match(created.body.id, /^cus_[0-9A-Z]{26}$/);
    assert.deepEqual(created.body.metadata, { plan: 'pro' });
    const byId = await t.request('GET', `/v1/customers/${created.body.id}`, { token: key });
    assert.deepEqual(byId.body, created.body);
    const byExternal = await t.request('GET', '/v1/customers/external/u_1', { token: key });
    assert.equal(byExternal.body.id, created.body.id);
  });

  test('an email is unique within the organization, whatever its case', async () => {
    await t.createCustomer(key, { email: 'dup@example.com' });
    const again = await t.request('POST', '/v1/customers', { token: key, body: { email: 'DUP@example.com' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'customer_email_taken');
    const other = await t.createOrg('globex');
    assert.equal((await t.request('POST', '/v1/customers', { token: other.key, body: { email: 'dup@example.com' } })).status, 201);
  });

  test('update by id or external id; conflicts are refused', async () => {
    const a = await t.createCustomer(key, { email: 'upd-a@example.com', external_id: 'ext-a' });
    await t.createCustomer(key, { email: 'upd-b@example.com', external_id: 'ext-b' });
    const renamed = await t.request('PATCH', `/v1/customers/${a.id}`, { token: key, body: { name: 'Renamed' } });
    assert.equal(renamed.body.name, 'Renamed');
    const moved = await t.request('PATCH', '/v1/customers/external/ext-a', { token: key, body: { email: 'new-a@example.com' } });
    assert.equal(moved.body.email, 'new-a@example.com');
    const clash = await t.request('PATCH', `/v1/customers/${a.id}`, { token: key, body: { external_id: 'ext-b' } });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.error.code, 'customer_external_id_taken');
    const bad = await t.request('PATCH', `/v1/customers/${a.id}`, { token: key, body: { email: 'nope' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0].path, 'email');
  });

  test('list pages through every customer once, newest first', async () => {
    const { key: k } = await t.createOrg('pager');
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push((await t.createCustomer(k, { email: `p${i}@example.com` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { data: Array<{ id: string }>; has_more: boolean; next_cursor: string | null } } = await t.request(
        'GET',
        `/v1/customers?limit=10${cursor ? `&starting_after=${cursor}` : ''}`,
        { token: k },
      );
      seen.push(...res.body.data.map((c) => c.id));
      cursor = res.body.next_cursor;
      pages += 1;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...ids].reverse());
    const byEmail = await t.request('GET', '/v1/customers?email=P3@example.com', { token: k });
    assert.deepEqual(
      byEmail.body.data.map((c: { email: string }) => c.email),
      ['p3@example.com'],
    );
    const tooMany = await t.request('GET', '/v1/customers?limit=1000', { token: k });
    assert.equal(tooMany.status, 400);
  });

  test('unknown customers are 404, a wrong key is 401', async () => {
    const missing = await t.request('GET', '/v1/customers/cus_missing', { token: key });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'customer_not_found');
    const wrong = await t.request('GET', '/v1/customers', { token: 'sk_wrong' });
    assert.equal(wrong.status, 401);
  });
});

describe('portal API: me', () => {
  test('the customer reads and renames themself; an empty name clears it', async () => {
    const c = await t.createCustomer(key, { email: 'me@example.com', name: 'Old', external_id: 'me-1' });
    const token = await t.signIn('acme', 'me@example.com');
    const me = await t.request('GET', '/portal/v1/me', { token });
    assert.deepEqual(
      { id: me.body.id, email: me.body.email, name: me.body.name, external_id: me.body.external_id },
      { id: c.id, email: 'me@example.com', name: 'Old', external_id: 'me-1' },
    );
    const renamed = await t.request('PATCH', '/portal/v1/me', { token, body: { name: '  Łódź 東京 <b>x</b> ' } });
    assert.equal(renamed.body.name, 'Łódź 東京 <b>x</b>', 'stored as typed; the widget renders it as text');
    const cleared = await t.request('PATCH', '/portal/v1/me', { token, body: { name: '' } });
    assert.equal(cleared.body.name, null);
    const tooLong = await t.request('PATCH', '/portal/v1/me', { token, body: { name: 'x'.repeat(201) } });
    assert.equal(tooLong.status, 400);
  });
});
