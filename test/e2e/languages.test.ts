// Languages, for real: the demo server and the demo merchant page in Chromium. Done when a
// French and an Arabic customer see their language in the portal, the email and the PDF.
//   - Carol, new to the portal, on a French browser: the sign-in form, her sign-in email, the
//     portal (labels, money, dates) and her invoice PDF are in French; signing in does not
//     store French as her language (an unauthenticated request must not pin it).
//   - Dave, whose merchant set his language to Arabic: his email is Arabic and right to left,
//     and once he is signed in (on an English browser) the portal is Arabic and mirrored, and
//     so is his PDF.
//   - Later, on an English browser, Carol picks French in Settings: the portal turns French at
//     once, stays French after a reload, and her emails are French; the page's `locale`
//     attribute wins over both on the page, not in her emails.
// The expected words come from the translations (src/i18n/xliff for the widget, server/i18n
// for email and PDF), each checked to differ from the English, so rewording a translation
// does not break the test while a fallback to English does.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { translator, type MessageKey, type Translator } from '../../server/i18n/index.js';
import { ENGLISH_SIGN_IN, pdfText, signInWithCode, useDemo, type OutboxMail, type SignInLabels } from './support.js';

const demo = useDemo();
const ORGANIZATION = 'Acme Cloud';
const CAROL = 'carol@example.com';
const DAVE = 'dave@example.com';
const english = translator('en');

/** The widget's translation of an English message (one without placeholders), from its XLIFF file. */
function widgetWords(locale: string): (english: string) => string {
  const xlf = readFileSync(new URL(`../../src/i18n/xliff/${locale}.xlf`, import.meta.url), 'utf8');
  const unescapeXml = (text: string) =>
    text
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  const units = new Map([...xlf.matchAll(/<source>([^<]*)<\/source>\s*<target>([^<]*)<\/target>/g)].map((m) => [unescapeXml(m[1]!), unescapeXml(m[2]!)]));
  return (source) => {
    const target = units.get(source);
    assert.ok(target && target !== source, `no ${locale} translation of "${source}"`);
    return target;
  };
}

/** A server message (email, PDF) in a language, checked to be translated. */
function serverWords(tr: Translator): (key: MessageKey, params?: Record<string, string>) => string {
  return (key, params) => {
    const text = tr.t(key, params);
    assert.notEqual(text, english.t(key, params), `${key} is not translated to ${tr.locale}`);
    return text;
  };
}

const signInLabels = (words: (english: string) => string): SignInLabels => ({
  email: words(ENGLISH_SIGN_IN.email),
  send: words(ENGLISH_SIGN_IN.send),
  code: words(ENGLISH_SIGN_IN.code),
});

/** The demo merchant page in a browser speaking `locale`; `attribute` sets <customer-portal locale>. */
async function openDemo(locale: string, attribute?: string): Promise<Page> {
  const context = await demo.browser.newContext({ locale, acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  if (attribute) {
    await page.route('**/demo/', async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace('<customer-portal org="acme">', `<customer-portal org="acme" locale="${attribute}">`);
      await route.fulfill({ response, body });
    });
  }
  await page.goto(`${demo.server.url}/demo/`);
  return page;
}

/** Waits until the portal's host carries this language and direction. */
async function portalLanguage(page: Page, lang: string, dir: 'ltr' | 'rtl'): Promise<void> {
  await page.locator(`customer-portal[lang="${lang}"][dir="${dir}"]`).waitFor();
}

const tabs = (page: Page) => page.locator('customer-portal').getByRole('navigation').getByRole('button');

async function assertTabs(page: Page, words: (english: string) => string): Promise<void> {
  const labels = (await tabs(page).allInnerTexts()).map((label) => label.trim());
  for (const label of ['Overview', 'Subscriptions', 'Orders', 'Settings'])
    assert.ok(labels.includes(words(label)), `"${words(label)}" in ${labels.join(', ')}`);
}

async function storedLocale(email: string): Promise<string | null> {
  const { services } = demo.server.runtime.app;
  const org = await services.organizations.bySlug('acme');
  return (await services.customers.findByEmail(org.id, email))!.locale;
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync('/tmp/shots', { recursive: true });
  await page.screenshot({ path: `/tmp/shots/e2e-${name}.png`, fullPage: true });
}

/** Opens the orders view: the newest order's row, and that order as stored. */
async function newestOrder(
  page: Page,
  ordersTab: string,
): Promise<{ row: Locator; order: { invoice_number: string; currency: string; total: number; created_at: Date } }> {
  await page.getByRole('button', { name: ordersTab, exact: true }).click();
  const row = page.locator('customer-portal-orders tbody tr').first();
  await row.waitFor();
  const number = (await row.locator('.invoice-link').innerText()).split(',')[0]!.trim();
  const order = await demo.server.runtime.database.db
    .selectFrom('orders')
    .select(['invoice_number', 'currency', 'total', 'created_at'])
    .where('invoice_number', '=', number)
    .executeTakeFirstOrThrow();
  return { row, order };
}

/** The row shows the order's money and date as Intl writes them in `locale`, not in English. */
async function assertFormatted(page: Page, row: Locator, order: { currency: string; total: number; created_at: Date }, locale: string): Promise<void> {
  const [local, inEnglish] = await page.evaluate(
    ({ locale, currency, amount, at }) =>
      [locale, 'en'].map((tag) => [
        new Intl.NumberFormat(tag, { style: 'currency', currency }).format(amount),
        new Intl.DateTimeFormat(tag, { dateStyle: 'medium' }).format(new Date(at)),
      ]),
    { locale, currency: order.currency, amount: order.total / 100, at: order.created_at.toISOString() },
  );
  const text = await row.innerText();
  for (const expected of local!) assert.ok(text.includes(expected), `"${expected}" in "${text}"`);
  for (const unexpected of inEnglish!) assert.ok(!text.includes(unexpected), `"${unexpected}" (English) in "${text}"`);
}

function assertSignInMail(mail: OutboxMail, tr: Translator, dir: 'ltr' | 'rtl'): void {
  const words = serverWords(tr);
  assert.equal(mail.subject, words('signIn.subject', { organization: ORGANIZATION }));
  assert.ok(mail.text.startsWith(words('signIn.textCode', { organization: ORGANIZATION, code: '' })), mail.text);
  assert.ok(mail.text.includes(words('signIn.ignore')), mail.text);
  assert.match(mail.html, new RegExp(`<html lang="${tr.locale}" dir="${dir}">`));
  assert.match(mail.html, new RegExp(`<body dir="${dir}"`));
  assert.ok(mail.html.includes(words('signIn.codeIntro')));
}

/**
 * Text drawn right to left, as pdftotext gives it back: without the bidi embedding marks it
 * adds, and with the presentation forms of shaped Arabic folded to plain letters.
 */
const readable = (text: string) =>
  text
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .normalize('NFKC')
    .replace(/\s+/g, ' ');

test('a French customer on a French browser: sign-in, email, portal and invoice PDF in French', async () => {
  const fr = widgetWords('fr');
  const tr = translator('fr');
  const pdfWords = serverWords(tr);
  assert.equal(await storedLocale(CAROL), null, 'Carol has no language yet');

  const page = await openDemo('fr-FR');
  await portalLanguage(page, 'fr', 'ltr');
  const mail = await signInWithCode(page, demo.server.url, CAROL, signInLabels(fr));
  assertSignInMail(mail, tr, 'ltr');
  await page.getByRole('heading', { name: fr('Overview') }).waitFor();
  await assertTabs(page, fr);
  assert.equal(await storedLocale(CAROL), null, 'signing in on a French browser does not pin French');
  await shoot(page, 'fr-overview');

  const { row, order } = await newestOrder(page, fr('Orders'));
  await assertFormatted(page, row, order, 'fr');
  await shoot(page, 'fr-orders');
  const invoice = await pdfText(page, () => row.getByTitle(fr('Download invoice')).click());
  assert.equal(invoice.name, `invoice-${order.invoice_number}.pdf`);
  const text = readable(invoice.text);
  for (const key of ['pdf.invoiceNumber', 'pdf.dateOfIssue', 'pdf.subtotal', 'pdf.amountPaid'] as const)
    assert.ok(text.includes(pdfWords(key)), `"${pdfWords(key)}" in the PDF:\n${invoice.text}`);
  const date = new Intl.DateTimeFormat('fr', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(order.created_at);
  for (const value of [tr.money(order.total, order.currency), date]) assert.ok(text.includes(readable(value)), `"${value}" in the PDF:\n${invoice.text}`);
  await page.context().close();
});

test('an Arabic customer: a right-to-left Arabic email, a mirrored Arabic portal and an Arabic invoice PDF', async () => {
  const { url, seeded } = demo.server;
  const ar = widgetWords('ar');
  const tr = translator('ar');
  const pdfWords = serverWords(tr);
  // His merchant knows his language and says so through the API.
  const res = await fetch(`${url}/v1/customers/external/user_1005`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${seeded.secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ locale: 'ar' }),
  });
  assert.equal(res.status, 200);

  // An English browser: the form is English until the server says who is signing in.
  const page = await openDemo('en-US');
  await portalLanguage(page, 'en', 'ltr');
  const mail = await signInWithCode(page, url, DAVE);
  assertSignInMail(mail, tr, 'rtl');
  await page.getByRole('heading', { name: ar('Overview') }).waitFor();
  await portalLanguage(page, 'ar', 'rtl');
  await assertTabs(page, ar);
  assert.equal(await storedLocale(DAVE), 'ar', 'the English browser did not replace his language');

  // Mirrored: the first tab is the right-most, and the heading's words hug the right edge.
  const boxes = await Promise.all([tabs(page).first().boundingBox(), tabs(page).last().boundingBox()]);
  assert.ok(boxes[0]!.x > boxes[1]!.x, `the first tab (x ${boxes[0]!.x}) is right of the last (x ${boxes[1]!.x})`);
  const heading = await page
    .locator('customer-portal')
    .getByRole('heading', { name: ar('Overview') })
    .evaluate((el) => {
      const words = document.createRange();
      words.selectNodeContents(el);
      const [text, box] = [words.getBoundingClientRect(), el.getBoundingClientRect()];
      return { left: text.left - box.left, right: box.right - text.right };
    });
  assert.ok(heading.right < 2 && heading.left > 100, `the heading's words stand right: ${JSON.stringify(heading)}`);
  await shoot(page, 'ar-overview');

  const { row, order } = await newestOrder(page, ar('Orders'));
  await assertFormatted(page, row, order, 'ar');
  const cells = row.getByRole('cell');
  const [date, amount] = await Promise.all([cells.first().boundingBox(), cells.nth(4).boundingBox()]);
  assert.ok(date!.x > amount!.x, 'the date column is right of the amount column');
  await shoot(page, 'ar-orders');

  const invoice = await pdfText(page, () => row.getByTitle(ar('Download invoice')).click());
  assert.equal(invoice.name, `invoice-${order.invoice_number}.pdf`);
  const text = readable(invoice.text);
  // Labels without a lam-alef: pdftotext gives a ligature's letters back in drawing order.
  for (const key of ['pdf.invoice', 'pdf.invoiceNumber', 'pdf.description', 'pdf.amountPaid', 'pdf.billTo'] as const) {
    const label = pdfWords(key);
    const reversed = label.split(' ').reverse().join(' ');
    assert.ok(text.includes(label) || text.includes(reversed), `"${label}" in the PDF:\n${invoice.text}`);
  }
  assert.ok(text.includes(order.invoice_number));
  await page.context().close();
});

test('the customer picks a language in Settings: stored, shown at once, kept after a reload and for emails; the locale attribute wins on the page', async () => {
  const fr = widgetWords('fr');
  const de = widgetWords('de');
  assert.equal(await storedLocale(CAROL), null, 'the first test stored nothing');

  // An English browser: English, and an English sign-in email, as she has no language yet.
  const page = await openDemo('en-US');
  await portalLanguage(page, 'en', 'ltr');
  const first = await signInWithCode(page, demo.server.url, CAROL);
  assert.equal(first.subject, english.t('signIn.subject', { organization: ORGANIZATION }));
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const picker = page.locator('customer-portal').getByLabel('Language', { exact: true });
  await picker.selectOption('fr');
  await portalLanguage(page, 'fr', 'ltr');
  await page
    .locator('customer-portal')
    .getByRole('heading', { name: fr('Settings') })
    .waitFor();
  assert.equal(await storedLocale(CAROL), 'fr', 'her choice is stored');
  await shoot(page, 'picker-fr');

  // Reload: the session comes back, and with it her language, over the English browser's,
  // on the section she was on (its address, #cp/settings).
  assert.ok(page.url().endsWith('#cp/settings'), page.url());
  await page.reload();
  await page
    .locator('customer-portal')
    .getByRole('heading', { name: fr('Settings') })
    .waitFor();
  await portalLanguage(page, 'fr', 'ltr');
  await assertTabs(page, fr);
  await page.context().close();

  // Signed out, on an English browser: her sign-in email is French, and stays so.
  const again = await openDemo('en-US');
  const mail = await signInWithCode(again, demo.server.url, CAROL);
  assertSignInMail(mail, translator('fr'), 'ltr');
  await again.getByRole('heading', { name: fr('Overview') }).waitFor();
  await again.context().close();

  // The merchant's page says German: German before and after sign-in, whatever the customer's
  // language. Her email stays in hers, which this sign-in does not change.
  const german = await openDemo('en-US', 'de');
  await portalLanguage(german, 'de', 'ltr');
  const germanMail = await signInWithCode(german, demo.server.url, CAROL, signInLabels(de));
  assertSignInMail(germanMail, translator('fr'), 'ltr');
  await german.getByRole('heading', { name: de('Overview') }).waitFor();
  await portalLanguage(german, 'de', 'ltr');
  await assertTabs(german, de);
  assert.equal(await storedLocale(CAROL), 'fr');
  await shoot(german, 'de-attribute');
  await german.context().close();
});
