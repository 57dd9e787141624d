// Billing in the portal, for real: the server with its embedded database and demo data, the
// demo merchant page in Chromium. Alice cancels and resumes Pro, schedules it to yearly,
// drops a Team seat, upgrades Team to Pro, downloads an invoice and corrects its details;
// Zoë, whose card fails, sees the past-due banner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { pdfText, signInWithCode, useDemo } from './support.js';

const demo = useDemo();

async function signIn(email: string): Promise<Page> {
  const context = await demo.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${demo.server.url}/demo/`);
  await signInWithCode(page, demo.server.url, email);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  return page;
}

test('alice manages her subscriptions and invoices', async () => {
  const page = await signIn('alice@example.com');
  // Each dialog's content is slotted from its flow element, so look inside that.
  const flow = (name: string) => page.locator(`customer-portal-${name}-flow`);

  // Overview: both subscriptions and recent orders from one request.
  await page.getByText('Active subscriptions').waitFor();
  await page
    .getByText(/Team\s*× 3/)
    .first()
    .waitFor();

  // Cancel Pro at the end of the period, then take it back.
  await page.getByRole('button', { name: 'Subscriptions', exact: true }).click();
  await page.getByRole('button', { name: /^Pro\b.*\$29\.00 \/ month/ }).click();
  await page.getByRole('heading', { name: /^Pro/ }).waitFor();
  await page.getByRole('button', { name: 'Cancel subscription' }).click();
  await flow('cancel')
    .getByRole('radio', { name: /At the end of the billing period/ })
    .waitFor();
  await flow('cancel').getByRole('button', { name: 'Continue' }).click();
  await flow('cancel').getByRole('radio', { name: 'I don’t use it enough' }).check();
  await flow('cancel').getByRole('button', { name: 'Continue' }).click();
  await flow('cancel').getByText('30% off').waitFor();
  await flow('cancel').getByRole('button', { name: 'No thanks, cancel' }).click();
  await flow('cancel').getByRole('button', { name: 'Cancel subscription' }).click();
  await flow('cancel').getByText('Your subscription is canceled').waitFor();
  await flow('cancel').getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'Don’t cancel' }).click();
  await page.getByRole('button', { name: 'Cancel subscription' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Don’t cancel' }).count(), 0);

  // Pro monthly to yearly costs less per year: the server schedules it for the renewal.
  await page.getByRole('button', { name: 'Change plan' }).click();
  await flow('change-plan')
    .getByRole('radio', { name: /\$290\.00 \/ year/ })
    .check();
  await flow('change-plan').getByRole('button', { name: 'Review change' }).click();
  await flow('change-plan').getByText('Switch to Pro at $290.00 / year').waitFor();
  await flow('change-plan')
    .getByText(/Nothing is charged now/)
    .waitFor();
  await flow('change-plan').getByRole('button', { name: 'Schedule change' }).click();
  await flow('change-plan')
    .getByText(/Your plan changes to Pro on/)
    .waitFor();
  await flow('change-plan').getByRole('button', { name: 'Done' }).click();
  await page.getByText(/Scheduled: changes to Pro at \$290\.00 \/ year on/).waitFor();
  // The retention offer is priced on that yearly price, the one its discount applies to.
  await page.getByRole('button', { name: 'Cancel subscription' }).click();
  await flow('cancel').getByRole('button', { name: 'Continue' }).click();
  await flow('cancel').getByRole('button', { name: 'Continue' }).click();
  await flow('cancel').getByText('Stay on Pro and pay $203.00 / year instead of $290.00 for your next 3 payments.').waitFor();
  await flow('cancel').getByRole('button', { name: 'Close' }).click();
  // "Keep current plan" drops it, after a confirmation; then schedule it again.
  await page.getByRole('button', { name: 'Keep current plan' }).click();
  await page.locator('customer-portal-dialog[open]').getByRole('button', { name: 'Keep current plan' }).click();
  // Said where she acted and in a toast she can see (and, not checked here, to screen readers).
  await page.locator('customer-portal-toast').getByText('The scheduled change is canceled. You stay on Pro at $29.00 / month.').waitFor();
  await page.getByRole('button', { name: 'Change plan' }).click();
  await flow('change-plan')
    .getByRole('radio', { name: /\$290\.00 \/ year/ })
    .check();
  await flow('change-plan').getByRole('button', { name: 'Review change' }).click();
  await flow('change-plan').getByRole('button', { name: 'Schedule change' }).click();
  await flow('change-plan').getByRole('button', { name: 'Done' }).click();
  await page.getByText(/Scheduled: changes to Pro at \$290\.00 \/ year on/).waitFor();

  // Team: from 3 seats to 2; the unused time goes to the wallet.
  await page.getByRole('button', { name: 'All subscriptions' }).click();
  await page.getByRole('button', { name: /^Team\b/ }).click();
  await page.getByRole('button', { name: 'Change seats' }).click();
  await flow('seats').getByRole('button', { name: 'Remove a seat' }).click();
  await flow('seats')
    .getByText(/goes to your wallet/)
    .waitFor();
  await flow('seats').getByRole('button', { name: 'Update seats' }).click();
  await flow('seats').getByText('You now have 2 seats').waitFor();
  await flow('seats').getByRole('button', { name: 'Done' }).click();
  await page.locator('.hero__amount', { hasText: '$16.00 / month' }).waitFor();

  // Team ($16 a month) to Pro ($29): an upgrade, charged now, prorated, then the new price.
  await page.getByRole('button', { name: 'Change plan' }).click();
  await flow('change-plan')
    .getByRole('radio', { name: /^Pro \$29\.00 \/ month/ })
    .check();
  await flow('change-plan').getByRole('button', { name: 'Review change' }).click();
  await flow('change-plan').getByText('Upgrade to Pro').waitFor();
  // Her wallet credit may cover what is due now: then there is nothing to pay.
  await flow('change-plan')
    .getByRole('button', { name: /^(Pay \$[\d,.]+ and confirm|Confirm change)$/ })
    .click();
  await flow('change-plan').getByText('You’re now on Pro').waitFor();
  await flow('change-plan').getByRole('button', { name: 'Done' }).click();
  await page.locator('.hero', { hasText: 'Pro' }).locator('.hero__amount', { hasText: '$29.00 / month' }).waitFor();

  // Orders: the newest invoice as a PDF, with its number inside.
  await page.getByRole('button', { name: 'Orders', exact: true }).click();
  const first = page.locator('customer-portal-orders tbody tr').first();
  await first.waitFor();
  const number = (await first.locator('.invoice-link').innerText()).split(',')[0]!.trim();
  const invoice = await pdfText(page, () => first.getByRole('button', { name: `Download invoice ${number}` }).click());
  assert.equal(invoice.name, `invoice-${number}.pdf`);
  assert.match(invoice.text, new RegExp(number));

  // Edit the invoice's details and find them in the regenerated PDF.
  await first.getByRole('button', { name: new RegExp(`^${number}`) }).click();
  await page.getByRole('button', { name: 'Edit invoice details' }).click();
  await flow('invoice-details').getByLabel('Company').fill('Martin & Fils');
  await flow('invoice-details').getByLabel('Tax ID').fill('FR 12 345678901');
  await flow('invoice-details').getByText('Valid format: FR12345678901').waitFor();
  await flow('invoice-details').getByRole('button', { name: 'Save' }).click();
  await flow('invoice-details').getByText(`Invoice ${number} updated`).waitFor();
  const updated = await pdfText(page, () => flow('invoice-details').getByRole('button', { name: 'Download the updated invoice' }).click());
  assert.match(updated.text, /Martin & Fils/);
  assert.match(updated.text, /FR12345678901/);
  await page.context().close();
});

test('zoë, whose card was declined, sees the past-due banner on every view', async () => {
  const page = await signIn('zoe@example.com');
  await page.getByText('Your last payment failed.').waitFor();
  // The banner leads to the payment methods with the card form open; the subscriptions say
  // which payment failed.
  await page.getByRole('button', { name: 'Update payment method' }).first().click();
  await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
  await page.getByRole('dialog', { name: 'Update payment method' }).waitFor();
  await page.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Subscriptions', exact: true }).click();
  await page.getByText(/The last payment for Pro failed/).waitFor();
  await page.getByRole('button', { name: 'Orders', exact: true }).click();
  await page.locator('customer-portal-orders').getByText('Your last payment failed.').waitFor();
  await page.context().close();
});
