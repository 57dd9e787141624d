// The React integration, for real: the demo server, the React demo app (demo/react.html, a
// bundle of React and `customer-portal/react`) in Chromium. Alice signs in through
// <CustomerPortal>, the app's onSignedIn handler tells her so, and the views the app renders
// on its own pages (lazily loaded elements behind React components) show her subscription and
// report an invoice download to the app.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeFromOutbox, useDemo } from './support.js';

const demo = useDemo();

test('the React demo: sign in, the React handlers run, single views render as React components', async () => {
  const context = await demo.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${demo.server.url}/demo/react.html`);
  await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();

  // <CustomerPortal> signs her in; the app hears it through its onSignedIn prop.
  await page.getByLabel('Email address').fill('alice@example.com');
  await page.getByRole('button', { name: 'Email me a code' }).click();
  await page.getByLabel('Sign-in code').fill(await codeFromOutbox(demo.server.url, 'alice@example.com'));
  await page.getByRole('alert').filter({ hasText: 'Signed in to billing' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Billing: signed in' }).waitFor();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page
    .getByText(/Team\s*× 3/)
    .first()
    .waitFor();

  // The app's own page with <CustomerPortalSubscriptions>: its chunk loads when React renders
  // it, takes the props React set before it was defined, and shares the session.
  await page.getByRole('link', { name: 'Subscriptions' }).click();
  await page.getByRole('heading', { name: 'Your plan' }).waitFor();
  await page.getByRole('button', { name: /^Pro\b.*\$29\.00 \/ month/ }).waitFor();
  const props = await page.locator('customer-portal-subscriptions').evaluate((el: HTMLElement & { serverUrl?: string; org?: string }) => ({
    defined: Boolean(customElements.get(el.localName)),
    serverUrl: el.serverUrl,
    org: el.org,
  }));
  assert.deepEqual(props, { defined: true, serverUrl: demo.server.url, org: 'acme' });

  // <CustomerPortalOrders>: downloading an invoice reaches the app's onInvoiceDownloaded.
  await page.getByRole('link', { name: 'Invoices' }).click();
  const first = page.locator('customer-portal-orders tbody tr').first();
  await first.waitFor();
  const number = (await first.locator('.invoice-link').innerText()).split(',')[0]!.trim();
  const [download] = await Promise.all([page.waitForEvent('download'), first.getByRole('button', { name: `Download invoice ${number}` }).click()]);
  assert.equal(download.suggestedFilename(), `invoice-${number}.pdf`);
  await page.getByRole('region', { name: 'Portal events' }).getByText(`Downloaded invoice ${number}`).waitFor();

  assert.deepEqual(errors, []);
  await context.close();
});
