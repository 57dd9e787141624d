// Settings, payment methods, benefits, seats, usage and wallet for real: the server with its
// embedded database and demo data, the demo merchant page in Chromium. Zoë, whose renewal
// failed, replaces her card in the hosted form (a decline first), and the retried charge
// clears the past-due banner; Alice copies and rotates her license key, invites and removes a
// teammate, and reads her usage and wallet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { signInWithCode, useDemo } from './support.js';

const demo = useDemo();

async function signIn(email: string): Promise<Page> {
  const context = await demo.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await page.goto(`${demo.server.url}/demo/`);
  await signInWithCode(page, demo.server.url, email);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  return page;
}

const tab = (page: Page, name: string) => page.getByRole('button', { name, exact: true }).click();
/** The open dialog's content and buttons (slotted into it, so not inside its shadow root). */
const openDialog = (page: Page) => page.locator('customer-portal-dialog[open]');
/** A saved card's row title. */
const card = (page: Page, label: string | RegExp) => page.locator('customer-portal-payment-methods .entry__title', { hasText: label });

test('zoë replaces her failing card in the hosted form and the renewal is paid', async () => {
  const page = await signIn('zoe@example.com');
  const banner = page.getByText('Your last payment failed.');
  await banner.waitFor();

  // The banner leads to the payment methods, with the card form open.
  const updated = page.evaluate(
    () => new Promise((resolve) => document.addEventListener('cp-payment-method-updated', (e) => resolve((e as CustomEvent).detail), { once: true })),
  );
  await page.getByRole('button', { name: 'Update payment method' }).first().click();
  await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
  const methods = page.locator('customer-portal-payment-methods');
  await card(page, 'Visa •••• 0341').waitFor();
  await page.getByRole('dialog', { name: 'Update payment method' }).waitFor();

  const form = page.frameLocator('iframe[title="Secure card form"]');
  await form.getByLabel('Card number').fill('4000 0000 0000 0002');
  await form.getByLabel('Expiry (MM / YY)').fill('12 / 34');
  await form.getByLabel('Security code').fill('123');
  await form.getByRole('button', { name: 'Save card' }).click();
  // The decline is shown in the modal, which stays open.
  await form.getByText('Your card was declined.').waitFor();
  assert.equal(await page.getByRole('dialog', { name: 'Update payment method' }).isVisible(), true);

  await form.getByLabel('Card number').fill('4242 4242 4242 4242');
  await form.getByRole('button', { name: 'Save card' }).click();
  const detail = (await updated) as { change: string; retried: Array<{ ok: boolean; status: string }> };
  assert.equal(detail.change, 'added');
  assert.deepEqual(
    detail.retried.map((r) => [r.ok, r.status]),
    [[true, 'active']],
  );
  await page.getByRole('dialog', { name: 'Update payment method' }).waitFor({ state: 'hidden' });
  await card(page, /Visa •••• 4242\s*Default/).waitFor();
  await banner.waitFor({ state: 'detached' });

  await tab(page, 'Subscriptions');
  await page.getByRole('heading', { name: 'Subscriptions', exact: true }).waitFor();
  await page.locator('customer-portal-subscriptions').getByText('Active', { exact: true }).first().waitFor();
  assert.equal(await page.getByText('Past due').count(), 0);
  assert.equal(await page.getByText('Your last payment failed.').count(), 0);

  // Another card as the default, then the failing one removed after a confirmation.
  await tab(page, 'Settings');
  await methods.getByRole('button', { name: 'Make default: Mastercard •••• 4444' }).click();
  await card(page, /Mastercard •••• 4444\s*Default/).waitFor();
  await methods.getByRole('button', { name: 'Remove Visa •••• 0341' }).click();
  await page.getByRole('dialog', { name: 'Remove Visa •••• 0341?' }).waitFor();
  await openDialog(page).getByRole('button', { name: 'Remove card' }).click();
  await card(page, 'Visa •••• 0341').waitFor({ state: 'detached' });
  assert.equal(await methods.locator('li').count(), 2);
});

test('alice copies and rotates her license key, shares a seat, and reads her usage and wallet', async () => {
  const page = await signIn('alice@example.com');

  await tab(page, 'Benefits');
  const license = page.locator('customer-portal-benefits article').filter({ hasText: 'License key' });
  await license.getByRole('button', { name: 'Copy license key' }).click();
  // Shown in a toast (and said to screen readers, which is not checked here).
  await page.locator('customer-portal-benefits customer-portal-toast').getByText('Copied to the clipboard.').waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  await license.getByRole('button', { name: 'Show license key' }).click();
  const shown = (await license.locator('code').textContent())!.trim();
  assert.equal(copied, shown);
  assert.match(shown, /^[A-Z0-9-]{12,}$/);

  await license.getByRole('button', { name: 'Rotate' }).click();
  await page.getByRole('dialog', { name: 'Rotate this license key?' }).waitFor();
  await openDialog(page).getByRole('button', { name: 'Rotate key' }).click();
  await page.getByRole('dialog', { name: 'Rotate this license key?' }).waitFor({ state: 'hidden' });
  const rotated = (await license.locator('code').textContent())!.trim();
  assert.notEqual(rotated, shown);
  assert.match(rotated, /^[A-Z0-9-]{12,}$/);

  await tab(page, 'Seats');
  const seats = page.locator('customer-portal-seats');
  await seats.getByLabel('Email address to invite').fill('bob@example.com');
  await seats.getByRole('button', { name: 'Assign seat' }).click();
  await seats.getByText(/bob@example.com\s*Invited/).waitFor();
  await seats.getByText('1 of 3 seats used').waitFor();
  await seats.getByRole('button', { name: 'Revoke bob@example.com’s seat' }).click();
  await page.getByRole('dialog', { name: 'Revoke bob@example.com’s seat?' }).waitFor();
  await openDialog(page).getByRole('button', { name: 'Revoke seat' }).click();
  await seats.getByText(/bob@example.com\s*Revoked/).waitFor();
  await seats.getByText('0 of 3 seats used').waitFor();

  await tab(page, 'Usage');
  const chart = page.locator('customer-portal-usage svg[role="img"]');
  await chart.waitFor();
  assert.match((await chart.getAttribute('aria-label'))!, /^API requests each day this period: [\d,]+ requests in all/);
  assert.ok((await chart.locator('rect').count()) >= 14);

  await tab(page, 'Wallet');
  await page.locator('customer-portal-wallet').getByText('$15.00').first().waitFor();
  await page.locator('customer-portal-wallet').getByText('Welcome credit').waitFor();
});
