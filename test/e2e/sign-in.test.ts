// The newcomer's path, for real: the server with its embedded database and demo data, the
// demo merchant page in Chromium, sign-in with the code from the dev outbox, the profile,
// sign-out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeFromOutbox, useDemo } from './support.js';

const demo = useDemo();

test('sign in on the demo page with the emailed code, see the profile, sign out', async () => {
  const page = await demo.browser.newPage();
  await page.goto(`${demo.server.url}/demo/`);
  await page.getByLabel('Email address').fill('alice@example.com');
  await page.getByRole('button', { name: 'Email me a code' }).click();
  await page.getByLabel('Sign-in code').waitFor();
  const code = await codeFromOutbox(demo.server.url, 'alice@example.com');
  await page.getByLabel('Sign-in code').fill(code);
  // Six digits submit the form by themselves; the profile is in the settings, loaded lazily.
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByText('alice@example.com').first().waitFor();
  const customer = await demo.server.runtime.app.services.customers.findByEmail(
    (await demo.server.runtime.app.services.organizations.bySlug('acme')).id,
    'alice@example.com',
  );
  await page.getByText(customer!.id).first().waitFor();
  await page.getByText('Alice Martin').first().waitFor();
  const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('customer-portal:session:')).length);
  assert.ok(stored >= 1, 'the session is kept for the next visit');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Email address').waitFor();
  // The token was revoked on the server, not just forgotten by the page.
  const sessions = await demo.server.runtime.database.db.selectFrom('sessions').select(['revoked_at']).where('customer_id', '=', customer!.id).execute();
  assert.ok(sessions.length >= 1 && sessions.every((s) => s.revoked_at !== null));
  await page.close();
});

test('a pre-authenticated link signs the customer in once and leaves the address bar clean', async () => {
  const res = await fetch(`${demo.server.url}/v1/customer-sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${demo.server.seeded.secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ external_customer_id: 'user_1002' }),
  });
  const link = (await res.json()) as { token: string; portal_url: string };
  const page = await demo.browser.newPage();
  await page.goto(`${demo.server.url}/demo/?cp_token=${link.token}`);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByText('bob@example.com').first().waitFor();
  assert.ok(!page.url().includes('cp_token'), `address bar still holds the token: ${page.url()}`);
  const again = await demo.browser.newPage();
  await again.goto(link.portal_url);
  await again.getByLabel('Email address').waitFor();
  await page.close();
  await again.close();
});
