// A payment that needs the customer (SCA / 3-D Secure), for real: the server in this process
// with its embedded database and the offline test provider, a clock the test moves, a real
// SMTP server on loopback, the hosted portal in Chromium. Ines's default card always asks
// for authentication (4000 0027 6000 3184): her renewal comes due, the renewal job charges,
// the bank asks for her; the "Confirm your payment" email arrives over SMTP; its link opens
// the portal, whose banner offers "Confirm payment"; she answers the test bank's challenge.
// Approved: the subscription is active and the order paid. Failed: she is told so, may try
// again, and the subscription stays past due.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../../server/config.js';
import { MINUTE, SECOND, TestClock } from '../../server/lib/clock.js';
import { silentLogger } from '../../server/lib/logger.js';
import type { TestProvider } from '../../server/modules/payments/test-provider.js';
import { createRuntime, listen, type Runtime } from '../../server/runtime.js';
import { startSmtp, type ReceivedMail, type TestSmtp } from '../../server/testing/smtp.js';
import { freePort, launchChromium } from './support.js';

const ALWAYS_AUTHENTICATE = '4000002760003184';
const SCREENSHOTS = process.env.SCREENSHOTS_DIR;

let dataDir: string;
let smtp: TestSmtp;
let runtime: Runtime;
let stopServer: () => Promise<void>;
let browser: Browser;
let url: string;
let org: { id: string; slug: string };
let price: string;
const clock = new TestClock('2026-03-02T09:00:00.000Z');

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cp-e2e-sca-'));
  smtp = await startSmtp();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    DATA_DIR: dataDir,
    SECRET: 'e2e-sca-secret-long-enough-0123456789abcdef',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    JOBS_INTERVAL_SECONDS: '0',
  });
  runtime = await createRuntime(config, { logger: silentLogger, clock, jobs: false });
  const { server } = await listen(runtime.app, config);
  stopServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const s = runtime.app.services;
  const created = await s.organizations.create({ slug: 'northwind', name: 'Northwind Cloud', allowed_origins: [] });
  org = { id: created.id, slug: created.slug };
  const { prices } = await s.catalog.createProduct(org.id, {
    name: 'Pro',
    visibility: 'public',
    prices: [{ type: 'recurring', model: 'flat', currency: 'USD', unit_amount: 2900, interval: 'month', interval_count: 1, included_units: 0 }],
  });
  price = prices[0]!.id;
  browser = await launchChromium();
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await stopServer?.();
  await runtime?.close();
  await smtp?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Waits for `check` to hold (no fixed sleeps: polls until it does, or says what never happened). */
async function until<T>(check: () => T | undefined | Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  for (const end = Date.now() + ms; ; ) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The decoded text of a message as it came over SMTP: each MIME part's body, base64 or quoted-printable, as UTF-8. */
function bodyOf(mail: ReceivedMail): string {
  const parts = [...mail.raw.matchAll(/Content-Transfer-Encoding: (base64|quoted-printable|7bit|8bit)\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)(?=\r?\n--|$)/gi)];
  const decode = (encoding: string, text: string) => {
    if (/base64/i.test(encoding)) return Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (/quoted-printable/i.test(encoding)) {
      const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    }
    return text;
  };
  return parts.length ? parts.map(([, encoding, text]) => decode(encoding!, text!)).join('\n') : mail.raw;
}

/** A sign-in email, whatever its language: it alone carries the code's sentence. */
const SIGN_IN = /Your sign-in code for .+? is: \d{6}|رمز تسجيل الدخول/;
const mailTo = (email: string, match: RegExp) => smtp.received.filter((m) => m.to.includes(email) && (match.test(m.raw) || match.test(bodyOf(m))));

/** A customer on Pro, paid with 4242, whose default card then becomes one that always asks for authentication. */
async function subscriberNeedingAuthentication(email: string, locale?: string) {
  const s = runtime.app.services;
  const customer = await s.customers.create(org.id, { email, name: 'Ines Duarte', ...(locale ? { locale } : {}) });
  const card = async (number: string) => {
    const setup = await s.payments.startSetup(customer);
    const confirmed = await (s.payments.provider as TestProvider).confirmSetupIntent(setup.setup_intent_id, setup.client_secret, {
      number,
      exp_month: 12,
      exp_year: 2034,
      cvc: '123',
    });
    assert.equal(confirmed.status, 'succeeded');
    await s.payments.completeSetup(customer, setup.setup_intent_id, true);
  };
  await card('4242424242424242');
  const organization = await s.organizations.byId(org.id);
  const sub = await s.subscriptions.create(organization, { customer_id: customer.id, price_id: price });
  assert.equal(sub.status, 'active');
  await card(ALWAYS_AUTHENTICATE);
  return { customer, sub };
}

/** The renewal comes due and the renewal job charges: the bank asks for the customer. */
async function renew(sub: { current_period_end: Date | string }) {
  clock.set(new Date(sub.current_period_end));
  clock.advance(SECOND);
  const ran = await runtime.app.services.jobs.runOnce();
  assert.ok(ran.renewed >= 1, 'the renewal job charged');
}

async function state(customerId: string, subscriptionId: string) {
  const db = runtime.database.db;
  const sub = await db.selectFrom('subscriptions').select(['status', 'past_due_reason']).where('id', '=', subscriptionId).executeTakeFirstOrThrow();
  const orders = await db
    .selectFrom('orders')
    .select(['id', 'status', 'total'])
    .where('customer_id', '=', customerId)
    .where('organization_id', '=', org.id)
    .orderBy('created_at', 'desc')
    .execute();
  const payments = await db.selectFrom('payments').select(['status', 'amount']).where('order_id', '=', orders[0]!.id).execute();
  return { sub, order: orders[0]!, payments };
}

/** Opens the email's portal link in Chromium and signs in with the code that arrives over SMTP. */
async function openFromEmail(email: string, link: string, options: { colorScheme?: 'light' | 'dark'; width?: number } = {}) {
  const context: BrowserContext = await browser.newContext({
    colorScheme: options.colorScheme ?? 'light',
    viewport: { width: options.width ?? 1100, height: 900 },
  });
  const page = await context.newPage();
  // A new code for the same address waits a minute after the last one (on the server's clock).
  clock.advance(2 * MINUTE);
  await page.goto(link);
  const codes = mailTo(email, SIGN_IN).length;
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a code' }).click();
  await page.getByLabel('Sign-in code').waitFor();
  const mail = await until(() => mailTo(email, SIGN_IN)[codes], 'the sign-in code over SMTP');
  // The sentence that gives it (not any six digits: the headers and boundaries have numbers too).
  const code = /(?:Your sign-in code for .+? is|رمز تسجيل الدخول إلى .+? هو): (\d{6})/.exec(bodyOf(mail))?.[1];
  assert.ok(code, 'a code in the email');
  await page.getByLabel('Sign-in code').fill(code);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  return page;
}

const confirmFrame = (page: Page) => page.frameLocator('iframe[title="Confirm your payment with your bank"]');
const confirmDialog = (page: Page) => page.getByRole('dialog', { name: 'Confirm payment' });

async function shoot(page: Page, name: string) {
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
}

/** The email came, it links to the portal; returns the link. */
async function confirmEmail(email: string, subject = /Subject: Confirm your payment/, sentence = /Your bank asks you to confirm the payment for invoice/) {
  const mail = await until(() => mailTo(email, subject)[0], 'the "Confirm your payment" email over SMTP');
  const body = bodyOf(mail);
  assert.match(body, sentence);
  const link = new RegExp(`${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${org.slug}/portal[^\\s"<>]*`).exec(body)?.[0];
  assert.ok(link, 'the email links to the portal');
  return link;
}

test('a renewal the bank wants confirmed: email → portal banner → test challenge approved → active and paid', { timeout: 120_000 }, async () => {
  const email = 'ines@example.com';
  const { customer, sub } = await subscriberNeedingAuthentication(email);
  await renew(sub);

  const waiting = await state(customer.id, sub.id);
  assert.deepEqual(waiting.sub, { status: 'past_due', past_due_reason: 'authentication_required' });
  assert.deepEqual([waiting.order.status, waiting.order.total], ['requires_action', 2900]);

  const link = await confirmEmail(email);
  const page = await openFromEmail(email, link);
  const banner = page.locator('[part="past-due"]');
  await banner.getByText('Your bank asks you to confirm a payment.').waitFor();
  await shoot(page, 'banner-light');

  await banner.getByRole('button', { name: 'Confirm payment' }).click();
  await confirmDialog(page).waitFor();
  const frame = confirmFrame(page);
  await frame.getByRole('heading', { name: 'Test bank · 3-D Secure' }).waitFor();
  await frame.getByText('$29.00').waitFor();
  await shoot(page, 'dialog-light');

  // Keyboard: Tab stays inside the modal dialog (its frame is its content); past its last
  // control Chromium passes through the browser's own UI (the document, no element) and back.
  const focused: string[] = [];
  for (let i = 0; i < 8; i += 1) {
    await page.keyboard.press('Tab');
    focused.push(
      await page.evaluate(() => {
        let el: Element | null = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        if (!el || el === document.body) return 'browser';
        // Up through the shadow roots: is it inside the open dialog?
        for (let at: Element | null = el; at; at = at.parentElement ?? ((at.getRootNode() as ShadowRoot).host || null)) {
          if (at.localName === 'customer-portal-dialog') return 'dialog';
        }
        return `outside: ${el.localName}`;
      }),
    );
  }
  assert.deepEqual(
    focused.filter((f) => f.startsWith('outside')),
    [],
    `focus left the dialog: ${focused.join(', ')}`,
  );
  assert.ok(focused.includes('dialog'));

  await frame.getByRole('button', { name: 'Approve payment' }).click();
  await frame.getByText('Payment of $29.00 confirmed. Thank you!').waitFor();
  // The dialog closes by itself; the banner is gone and the portal shows what changed.
  await confirmDialog(page).waitFor({ state: 'hidden' });
  await until(async () => (await banner.count()) === 0, 'the banner to go');
  await page.getByRole('button', { name: 'Subscriptions', exact: true }).click();
  await page.locator('customer-portal-subscriptions').getByText('Active', { exact: true }).first().waitFor();
  await page.getByRole('button', { name: 'Orders', exact: true }).click();
  await page.locator('customer-portal-orders').getByText('Paid', { exact: true }).first().waitFor();

  const settled = await state(customer.id, sub.id);
  assert.deepEqual(settled.sub, { status: 'active', past_due_reason: null });
  assert.deepEqual([settled.order.id, settled.order.status, settled.order.total], [waiting.order.id, 'paid', 2900]);
  assert.deepEqual(
    settled.payments.filter((p) => p.status === 'succeeded').map((p) => p.amount),
    [2900],
    'one payment of $29.00',
  );
  await until(() => mailTo(email, /Subject: Payment received/i)[0], 'the receipt');
  await page.context().close();
});

test('a failed challenge: a clear message, Try again, and the subscription stays past due', { timeout: 120_000 }, async () => {
  const email = 'joao@example.com';
  const { customer, sub } = await subscriberNeedingAuthentication(email);
  await renew(sub);
  const link = await confirmEmail(email);

  for (const [scheme, width] of [
    ['dark', 1100],
    ['light', 390],
  ] as const) {
    const page = await openFromEmail(email, link, { colorScheme: scheme, width });
    const banner = page.locator('[part="past-due"]');
    await banner.getByText('Your bank asks you to confirm a payment.').waitFor();
    await shoot(page, `banner-${scheme}-${width}`);
    await banner.getByRole('button', { name: 'Confirm payment' }).click();
    const frame = confirmFrame(page);
    await frame.getByRole('button', { name: 'Fail authentication' }).waitFor();
    await shoot(page, `dialog-${scheme}-${width}`);
    await frame.getByRole('button', { name: 'Fail authentication' }).click();
    const alert = frame.getByRole('alert');
    await alert.getByText(/Your bank could not confirm the payment\. Try again, or use another card\. We will try again on \d{4}-\d{2}-\d{2}\./).waitFor();
    await frame.getByRole('button', { name: 'Try again' }).waitFor();
    await shoot(page, `failed-${scheme}-${width}`);
    // Try again brings the challenge back for the same payment.
    await frame.getByRole('button', { name: 'Try again' }).click();
    await frame.getByRole('button', { name: 'Approve payment' }).waitFor();
    // Escape closes the dialog; the banner stays, the payment still waits.
    await frame.getByRole('button', { name: 'Approve payment' }).focus();
    await page.keyboard.press('Escape');
    await confirmDialog(page).waitFor({ state: 'hidden' });
    await banner.getByRole('button', { name: 'Confirm payment' }).waitFor();
    await page.context().close();
  }

  const after = await state(customer.id, sub.id);
  assert.deepEqual(after.sub, { status: 'past_due', past_due_reason: 'authentication_required' });
  assert.equal(after.order.status, 'requires_action');
  assert.equal(after.payments.filter((p) => p.status === 'succeeded').length, 0);
});

test('right to left: an Arabic customer gets the banner and the confirm page in Arabic, mirrored', { timeout: 120_000 }, async () => {
  const email = 'dalia@example.com';
  const { sub } = await subscriberNeedingAuthentication(email, 'ar');
  await renew(sub);
  // In her language (the subject is an encoded word in the headers: its body is matched).
  const link = await confirmEmail(email, /يطلب منك مصرفك تأكيد دفع الفاتورة/, /افتح بوابتك واختر «تأكيد الدفع»/);
  const page = await openFromEmail(email, link);
  const banner = page.locator('[part="past-due"]');
  await banner.getByText('يطلب منك مصرفك تأكيد دفعة. أكّدها ليستمر اشتراكك.').waitFor();
  await banner.getByRole('button', { name: 'تأكيد الدفع' }).click();
  // Its title is Arabic too: found as the confirm dialog's frame.
  const frame = page.frameLocator('customer-portal-confirm-payment-dialog iframe[title="أكّد دفعتك لدى مصرفك"]');
  await frame.getByRole('button', { name: 'الموافقة على الدفع' }).waitFor();
  const inFrame = page.frames().find((f) => f.url().includes('/hosted/confirm-payment'))!;
  assert.equal(await inFrame.evaluate(() => document.documentElement.dir), 'rtl');
  await shoot(page, 'dialog-rtl');
  await page.context().close();
});
