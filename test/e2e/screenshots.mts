// A screenshot walk through every view and dialog as the demo customers (Alice: everything;
// Zoë: a failed payment; a teammate who claimed one of Alice's seats), at 1280 px and 390 px,
// light, dark and Arabic. Not a test: it writes PNGs for a person to look at.
//
//   npx vite build --logLevel warn && node --import tsx test/e2e/screenshots.mts [/tmp/shots-seat]
//
// Also lists every 4xx/5xx answer and console error the pages met (a favicon 404 shows here).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startDemoServer, waitForMail } from './support.js';

const out = process.argv[2] ?? '/tmp/shots-seat';
mkdirSync(out, { recursive: true });

interface Run {
  name: string;
  width: number;
  scheme: 'light' | 'dark';
  locale: string;
  /** `demo`: the demo merchant page; `hosted`: the full-page portal (theme="auto"). */
  page: 'demo' | 'hosted';
}

const runs: Run[] = [
  { name: 'en-1280-light', width: 1280, scheme: 'light', locale: 'en-US', page: 'demo' },
  { name: 'en-390-light', width: 390, scheme: 'light', locale: 'en-US', page: 'demo' },
  { name: 'en-1280-dark', width: 1280, scheme: 'dark', locale: 'en-US', page: 'hosted' },
  { name: 'ar-1280-light', width: 1280, scheme: 'light', locale: 'ar', page: 'hosted' },
  { name: 'ar-390-dark', width: 390, scheme: 'dark', locale: 'ar', page: 'hosted' },
];
const only = process.env.SHOTS_RUNS?.split(',');

const server = await startDemoServer();
const { url, seeded } = server;
const problems: string[] = [];

async function api(method: string, path: string, body?: unknown, token = seeded.secretKey) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await res.json()) as any;
}
const customerId = async (email: string) => (await api('GET', `/v1/customers?email=${encodeURIComponent(email)}`)).data[0].id as string;
const linkToken = async (id: string) => new URL((await api('POST', '/v1/customer-sessions', { customer_id: id })).portal_url).searchParams.get('cp_token')!;

const alice = await customerId('alice@example.com');
const zoe = await customerId('zoe@example.com');
const aliceSubs = (await api('GET', `/v1/subscriptions?customer_id=${alice}`)).data as Array<{ id: string; product_id: string; seats: number }>;
const teamSub = aliceSubs.find((s) => s.seats > 1)!;
const aliceOrders = (await api('GET', `/v1/orders?customer_id=${alice}`)).data as Array<{ id: string }>;

// A teammate on Alice's Team plan: assigned with Alice's session, claimed from the email.
const aliceSession = (await api('POST', '/portal/v1/auth/exchange', { token: await linkToken(alice) })).token as string;
const teammate = 'sam@team.example';
await api('POST', '/portal/v1/seats', { subscription_id: teamSub.id, email: teammate }, aliceSession);
const claimLink = /https?:\/\/\S+cp_seat=[\w-]+/.exec((await waitForMail(url, teammate)).text)![0];
let teammateId: string | undefined;

const browser: Browser = await launchChromium();

async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  // No named functions inside (tsx would wrap them in a __name helper the page does not have),
  // and a function, not a string (the hosted page's CSP refuses eval).
  await page
    .waitForFunction(
      () => {
        const stack: Array<Document | ShadowRoot> = [document];
        while (stack.length) {
          const root = stack.pop()!;
          if (root.querySelector('[aria-busy="true"]')) return false;
          for (const el of root.querySelectorAll('*')) if (el.shadowRoot) stack.push(el.shadowRoot);
        }
        return true;
      },
      undefined,
      { timeout: 3000 },
    )
    .catch(() => undefined);
  await page.waitForTimeout(350);
}

async function shot(page: Page, run: Run, name: string, fullPage = true): Promise<void> {
  await settle(page);
  await page.screenshot({ path: join(out, `${run.name}--${name}.png`), fullPage });
}

async function open(browserRun: Run, start: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: browserRun.width, height: browserRun.width < 600 ? 844 : 900 },
    colorScheme: browserRun.scheme,
    locale: browserRun.locale,
    ...(browserRun.width < 600 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  page.setDefaultTimeout(8000);
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`${browserRun.name}: ${res.status()} ${res.request().method()} ${new URL(res.url()).pathname}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${browserRun.name}: console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${browserRun.name}: page error: ${e.message}`));
  await page.goto(start);
  return page;
}

const base = (run: Run) => (run.page === 'demo' ? `${url}/demo/` : `${url}/acme/portal`);
const go = async (page: Page, hash: string) => {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
};
const tabs = (page: Page) => page.locator('customer-portal [part="nav"] button');
/** Closes the open dialog (Escape), and waits for it to go. */
async function closeDialog(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.waitForTimeout(300);
}

for (const run of runs.filter((r) => !only || only.includes(r.name))) {
  // Alice: every section, then the dialogs.
  const page = await open(run, `${base(run)}?cp_token=${await linkToken(alice)}`);
  await tabs(page).first().waitFor();
  await settle(page);
  const count = await tabs(page).count();
  for (let i = 0; i < count; i++) {
    const tab = tabs(page).nth(i);
    const label = (await tab.innerText()).trim();
    await tab.click();
    await shot(page, run, `alice-${String(i).padStart(2, '0')}-tab-${label.replace(/\W+/g, '_') || i}`);
  }
  // Subscription details and each of its dialogs.
  for (const sub of aliceSubs) {
    await go(page, `#cp/subscriptions/${sub.id}`);
    await shot(page, run, `alice-sub-${sub.seats > 1 ? 'team' : 'pro'}`);
    const actions = page.locator('customer-portal-subscriptions .actions button');
    const n = await actions.count();
    for (let i = 0; i < n; i++) {
      await actions.nth(i).click();
      await page
        .locator('customer-portal-dialog[open]')
        .first()
        .waitFor({ timeout: 3000 })
        .catch(() => undefined);
      await shot(page, run, `alice-sub-${sub.seats > 1 ? 'team' : 'pro'}-dialog-${i}`, false);
      await closeDialog(page);
    }
  }
  // An order and its invoice details.
  await go(page, `#cp/orders/${aliceOrders[0]!.id}`);
  await shot(page, run, 'alice-order-detail');
  const edit = page.locator('customer-portal-orders .card__header button.button--secondary').first();
  if (await edit.count()) {
    await edit.click();
    await shot(page, run, 'alice-order-invoice-details-dialog', false);
    await closeDialog(page);
  }
  // The card form (its address), the email change, a seat revocation and a key rotation.
  await go(page, '#cp/settings/payment-method');
  await page
    .frameLocator('iframe')
    .first()
    .locator('input')
    .first()
    .waitFor({ timeout: 8000 })
    .catch(() => undefined);
  await shot(page, run, 'alice-settings-card-form', false);
  await closeDialog(page);
  await page.waitForTimeout(300);
  problems.push(`${run.name}: after closing the card form the address is ${new URL(page.url()).hash}`);
  await go(page, '#cp/settings');
  await settle(page);
  const changeEmail = page.locator('customer-portal-settings .row button.button--secondary:not(.edit-name)').first();
  if (await changeEmail.count()) {
    await changeEmail.click();
    await shot(page, run, 'alice-email-change-dialog', false);
    await closeDialog(page);
  }
  await go(page, '#cp/benefits');
  await settle(page);
  const rotate = page.locator('customer-portal-benefits button.button--ghost').first();
  if (await rotate.count()) {
    await rotate.click();
    await shot(page, run, 'alice-benefits-rotate-dialog', false);
    await closeDialog(page);
  }
  await go(page, '#cp/seats');
  await settle(page);
  const revoke = page.locator('customer-portal-seats button.button--ghost').first();
  if (await revoke.count()) {
    await revoke.click();
    await shot(page, run, 'alice-seats-revoke-dialog', false);
    await closeDialog(page);
  }
  await page.context().close();

  // Zoë: the failed payment.
  const zp = await open(run, `${base(run)}?cp_token=${await linkToken(zoe)}`);
  await tabs(zp).first().waitFor();
  await shot(zp, run, 'zoe-overview');
  await zp.context().close();

  // The teammate: the claim link once, then pre-authenticated links.
  const tp = await open(
    run,
    teammateId ? `${base(run)}?cp_token=${await linkToken(teammateId)}` : run.page === 'demo' ? claimLink.replace(/\/acme\/portal/, '/demo/') : claimLink,
  );
  await tabs(tp).first().waitFor();
  await settle(tp);
  teammateId ??= await customerId(teammate);
  const tcount = await tabs(tp).count();
  for (let i = 0; i < tcount; i++) {
    const tab = tabs(tp).nth(i);
    const label = (await tab.innerText()).trim();
    await tab.click();
    await shot(tp, run, `teammate-${i}-tab-${label.replace(/\W+/g, '_') || i}`);
  }
  await tp.context().close();
}

writeFileSync(join(out, 'problems.txt'), `${[...new Set(problems)].join('\n')}\n`);
console.log(`screenshots in ${out}; problems:\n${[...new Set(problems)].join('\n')}`);
await browser.close();
await server.stop();
