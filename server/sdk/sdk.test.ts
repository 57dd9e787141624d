import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import express from 'express';
import { createTestContext, type TestContext } from '../testing/harness.js';
import { createPortalClient, nextPortalRoute, portalRedirect } from './index.js';

let t: TestContext;
let portalServer: ServerType;
let portalUrl: string;
let merchantApp: Server;
let merchantUrl: string;
let key: string;

before(async () => {
  t = await createTestContext();
  portalServer = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => portalServer.once('listening', r));
  portalUrl = `http://127.0.0.1:${(portalServer.address() as AddressInfo).port}`;
  const org = await t.createOrg('acme');
  key = org.key;
  await t.createCustomer(key, { email: 'ada@example.com', external_id: 'user_42' });

  // The merchant's own app: its users are "signed in" by a header, standing in for its session.
  const client = createPortalClient({ serverUrl: portalUrl, secretKey: key });
  const app = express();
  app.get(
    '/billing',
    portalRedirect<express.Request>({ client, customer: (req) => (req.header('x-user') ? { externalCustomerId: req.header('x-user')! } : null) }),
  );
  app.get(
    '/billing/embedded',
    portalRedirect({ client, customer: () => ({ externalCustomerId: 'user_42' }), pageUrl: 'https://app.example.com/account/billing' }),
  );
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: { code: 'merchant_error', message: err.message } });
  });
  merchantApp = app.listen(0, '127.0.0.1');
  await new Promise((r) => merchantApp.once('listening', r));
  merchantUrl = `http://127.0.0.1:${(merchantApp.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => merchantApp.close(r));
  await new Promise((r) => portalServer.close(r));
  await t.close();
});

describe('the merchant integration kit', () => {
  test('the Express handler sends a signed-in user into the portal with one click', async () => {
    const res = await fetch(`${merchantUrl}/billing`, { headers: { 'x-user': 'user_42' }, redirect: 'manual' });
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.pathname, '/acme/portal');
    const token = location.searchParams.get('cp_token')!;
    // What the widget on that page does with it:
    const session = await t.request('POST', '/portal/v1/auth/exchange', { body: { token } });
    assert.equal(session.status, 200);
    const me = await t.request('GET', '/portal/v1/me', { token: session.body.token });
    assert.equal(me.body.email, 'ada@example.com');
  });

  test('nobody signed in gets a 401; an unknown customer reaches the app’s error handler', async () => {
    assert.equal((await fetch(`${merchantUrl}/billing`, { redirect: 'manual' })).status, 401);
    const unknown = await fetch(`${merchantUrl}/billing`, { headers: { 'x-user': 'nobody' }, redirect: 'manual' });
    assert.equal(unknown.status, 500);
    assert.match((await unknown.json()).error.message, /No customer with external id "nobody"/);
  });

  test('with pageUrl the link opens the merchant’s own page embedding the portal', async () => {
    const res = await fetch(`${merchantUrl}/billing/embedded`, { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, 'https://app.example.com/account/billing');
    assert.match(location.searchParams.get('cp_token')!, /^cpl_/);
  });

  test('the Next.js route handler redirects the same way', async () => {
    const GET = nextPortalRoute({ client: createPortalClient({ serverUrl: portalUrl, secretKey: key }), customer: () => ({ externalCustomerId: 'user_42' }) });
    const res = await GET(new Request('https://app.example.com/api/billing'));
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location')!, /\/acme\/portal\?cp_token=cpl_/);
    const anonymous = await nextPortalRoute({ client: createPortalClient({ serverUrl: portalUrl, secretKey: key }), customer: () => null })(
      new Request('https://app.example.com/api/billing'),
    );
    assert.equal(anonymous.status, 401);
  });
});
