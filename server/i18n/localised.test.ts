// The customer's language end to end: stored through the merchant API and the portal,
// never pinned by signing in, and used for every email and for the invoice PDF (read back with
// poppler's pdftotext, as a customer's viewer would extract it).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SECOND } from '../lib/clock.js';
import { createShop, subscribe, type Shop } from '../testing/billing.js';
import { createTestContext, type TestContext } from '../testing/harness.js';

let t: TestContext;
let shop: Shop;
/** A monthly EUR price of 1 234,56 €, so money shows its group separator. */
let bigEur: string;
const dir = mkdtempSync(join(tmpdir(), 'cp-i18n-'));

before(async () => {
  t = await createTestContext();
  shop = await createShop(t, {
    billing_settings: {
      seller_country: 'DE',
      seller_details: { company: 'Acme GmbH', address_lines: ['Torstraße 1', '10119 Berlin'], tax_id: 'DE123456789', email: 'billing@acme.example' },
      tax_rates: { DE: 19, FR: 20 },
    },
  });
  const product = await t.request('POST', '/v1/products', {
    token: shop.org.key,
    body: { name: 'Studio', visibility: 'public', prices: [{ type: 'recurring', currency: 'eur', unit_amount: 123_456, interval: 'month' }] },
  });
  assert.equal(product.status, 201, JSON.stringify(product.body));
  bigEur = product.body.prices[0].id;
});
after(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

let emails = 0;
async function customer(body: Record<string, unknown> = {}, card: string | null = '4242424242424242') {
  emails += 1;
  const res = await t.request('POST', '/v1/customers', { token: shop.org.key, body: { email: `lang${emails}@example.com`, ...body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  if (card) await t.addCard(shop.org.id, res.body.id, card);
  return res.body as { id: string; email: string; locale: string | null };
}

const storedLocale = async (id: string) => (await t.request('GET', `/v1/customers/${id}`, { token: shop.org.key })).body.locale as string | null;
const lastMail = (email: string) => t.mail.to(email).at(-1)!;
const requestCode = (email: string, options: { locale?: string; acceptLanguage?: string } = {}) =>
  t.request('POST', '/portal/v1/auth/request', {
    body: { organization: shop.org.slug, email, ...(options.locale ? { locale: options.locale } : {}) },
    headers: options.acceptLanguage ? { 'accept-language': options.acceptLanguage } : {},
  });

/** The PDF's text as pdftotext -layout extracts it, and each word with its box (-bbox). */
async function pdf(path: string, token: string, headers: Record<string, string> = {}) {
  const res = await t.app.request(path, { headers: { authorization: `Bearer ${token}`, ...headers } });
  assert.equal(res.status, 200);
  const file = join(dir, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  const bbox = execFileSync('pdftotext', ['-bbox', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  const words = [...bbox.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)].map((m) => ({
    xMin: Number(m[1]),
    yMin: Number(m[2]),
    xMax: Number(m[3]),
    text: m[4]!,
  }));
  return { text, words };
}

/** "1 234,56 €" with any of the spaces Intl uses (narrow no-break, no-break). */
const frenchMoney = (amount: string) =>
  new RegExp(
    amount
      .split(' ')
      .map((part) => part.replace(/[.]/g, '\\.'))
      .join('[\\s\\u202f\\u00a0]'),
  );

describe('the customer’s locale', () => {
  test('the merchant API stores a supported locale, a regional variant as its language, and refuses others with a clear 400', async () => {
    const created = await customer({ locale: 'fr-CA' }, null);
    assert.equal(created.locale, 'fr');
    const bad = await t.request('POST', '/v1/customers', { token: shop.org.key, body: { email: 'bad-locale@example.com', locale: 'xx-YY' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'validation_error');
    assert.match(bad.body.error.message, /^locale: "xx-YY" is not a supported locale\. Use one of: en, fr, de, .*ar, he\.$/);
    assert.deepEqual(
      bad.body.error.details.map((d: { path: string }) => d.path),
      ['locale'],
    );
    assert.equal((await t.request('GET', '/v1/customers?email=bad-locale@example.com', { token: shop.org.key })).body.data.length, 0, 'nothing created');

    const patched = await t.request('PATCH', `/v1/customers/${created.id}`, { token: shop.org.key, body: { locale: 'pt-BR' } });
    assert.equal(patched.body.locale, 'pt-BR');
    const traditional = await t.request('PATCH', `/v1/customers/${created.id}`, { token: shop.org.key, body: { locale: 'zh-TW' } });
    assert.equal(traditional.status, 400, 'Traditional Chinese is not Simplified Chinese');
    assert.equal(await storedLocale(created.id), 'pt-BR', 'unchanged by the refused update');
    const cleared = await t.request('PATCH', `/v1/customers/${created.id}`, { token: shop.org.key, body: { locale: null } });
    assert.equal(cleared.body.locale, null);
  });

  test('the customer sets it in the portal (PATCH /portal/v1/me); an unknown one is a 400', async () => {
    const c = await customer({ locale: 'de' }, null);
    const token = await t.signIn(shop.org.slug, c.email);
    assert.equal((await t.request('GET', '/portal/v1/me', { token })).body.locale, 'de');
    const res = await t.request('PATCH', '/portal/v1/me', { token, body: { locale: 'uk' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.locale, 'uk');
    const bad = await t.request('PATCH', '/portal/v1/me', { token, body: { locale: 'elvish' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /"elvish" is not a supported locale/);
    assert.equal((await t.request('GET', '/portal/v1/me', { token })).body.locale, 'uk');
  });

  test('sign-in never stores it: the email follows the portal’s locale, else Accept-Language, and the customer’s own choice wins', async () => {
    // Anyone can ask for a code for any address: an unauthenticated request must not pin a
    // customer's language (it used to: one `Accept-Language: ja` fixed it for good).
    const viaHeader = await customer({}, null);
    assert.equal(viaHeader.locale, null);
    assert.equal((await requestCode(viaHeader.email, { acceptLanguage: 'de-CH,de;q=0.9,en;q=0.5' })).status, 202);
    assert.equal(lastMail(viaHeader.email).subject, `Ihr Anmeldecode für ${shop.org.slug.toUpperCase()}`, 'this email is German');
    assert.equal(await storedLocale(viaHeader.id), null, 'not stored');
    await requestCode(viaHeader.email, { acceptLanguage: 'ja' });
    assert.match(lastMail(viaHeader.email).subject, / のサインインコード$/, 'the next request’s language, since nothing was pinned');
    assert.equal(await storedLocale(viaHeader.id), null);

    const viaBody = await customer({}, null);
    await requestCode(viaBody.email, { locale: 'ja', acceptLanguage: 'fr' });
    assert.match(lastMail(viaBody.email).subject, / のサインインコード$/, 'the portal’s language wins over the browser’s');
    assert.equal(await storedLocale(viaBody.id), null);

    const unsupported = await customer({}, null);
    assert.equal(
      (await requestCode(unsupported.email, { locale: 'tlh', acceptLanguage: 'th-TH, sv;q=0.8' })).status,
      202,
      'an unsupported locale is ignored, not refused',
    );
    assert.match(lastMail(unsupported.email).subject, /^Din inloggningskod/);
    assert.equal(await storedLocale(unsupported.id), null);

    const none = await customer({}, null);
    await requestCode(none.email);
    assert.equal(await storedLocale(none.id), null);
    assert.match(lastMail(none.email).subject, /^Your sign-in code for/);

    const viaLink = await customer({}, null);
    const link = await t.request('POST', '/v1/customer-sessions', { token: shop.org.key, body: { customer_id: viaLink.id } });
    const exchanged = await t.request('POST', '/portal/v1/auth/exchange', {
      body: { token: link.body.token },
      headers: { 'accept-language': 'it-IT,it;q=0.9' },
    });
    assert.equal(exchanged.status, 200);
    assert.equal(await storedLocale(viaLink.id), null, 'a pre-authenticated link does not store it either');
    const session = exchanged.body.token as string;
    assert.equal((await t.app.request('/portal/v1/me', { headers: { authorization: `Bearer ${session}` } })).headers.get('content-language'), null);

    // The customer's own choice (PATCH /me) is stored and wins over every later request's.
    const chose = await t.request('PATCH', '/portal/v1/me', { token: session, body: { locale: 'pl' } });
    assert.equal(chose.status, 200);
    assert.equal(await storedLocale(viaLink.id), 'pl');
    assert.equal((await t.app.request('/portal/v1/me', { headers: { authorization: `Bearer ${session}` } })).headers.get('content-language'), 'pl');
    await requestCode(viaLink.email, { locale: 'ja', acceptLanguage: 'ja' });
    assert.match(lastMail(viaLink.email).subject, /^Twój kod logowania do /, 'the sign-in email is in the chosen language');
    assert.equal(await storedLocale(viaLink.id), 'pl', 'kept');
  });

  test('a PDF follows the customer’s stored choice, else the language the portal asks for (never stored)', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await customer();
    await subscribe(t, shop, c.id, bigEur);
    const token = await t.signIn(shop.org.slug, c.email);
    const order = (await t.request('GET', '/portal/v1/orders?limit=1', { token })).body.data[0];
    const path = `/portal/v1/orders/${order.id}/invoice.pdf`;
    assert.match((await pdf(path, token, { 'accept-language': 'de' })).text, /Rechnung/);
    assert.equal(await storedLocale(c.id), null, 'not stored');
    assert.match((await pdf(path, token)).text, /Invoice number/, 'no language asked for: English (no organization default)');
    await t.request('PATCH', '/portal/v1/me', { token, body: { locale: 'fr' } });
    assert.match((await pdf(path, token, { 'accept-language': 'de' })).text, /N° de facture/, 'her choice wins over the request’s');
  });

  test('without a locale of their own, customers are written to in the organization’s default language', async () => {
    const other = await createShop(t);
    const bad = await t.request('PATCH', '/v1/organization', { token: other.org.key, body: { billing_settings: { default_locale: 'qq' } } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /"qq" is not a supported locale/);
    const ok = await t.request('PATCH', '/v1/organization', { token: other.org.key, body: { billing_settings: { default_locale: 'nl-BE' } } });
    assert.equal(ok.body.billing_settings.default_locale, 'nl');
    const res = await t.request('POST', '/v1/customers', { token: other.org.key, body: { email: 'dutch@example.com' } });
    await t.request('POST', '/portal/v1/auth/request', { body: { organization: other.org.slug, email: 'dutch@example.com' } });
    assert.match(lastMail('dutch@example.com').subject, /^Uw inlogcode voor/);
    assert.equal(
      (await t.request('GET', `/v1/customers/${res.body.id}`, { token: other.org.key })).body.locale,
      null,
      'the default is not copied onto the customer',
    );
  });
});

describe('a French customer', () => {
  test('gets the sign-in, subscription, renewal and payment-failed emails in French and a French invoice', async () => {
    t.clock.set('2026-01-15T12:00:00.000Z');
    const c = await customer({
      locale: 'fr',
      name: 'Zoë Dupont',
      billing_details: { name: 'Zoë Dupont', address: { line1: '12 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' } },
    });
    await t.signIn(shop.org.slug, c.email);
    const signIn = lastMail(c.email);
    assert.match(signIn.subject, /^Votre code de connexion pour /);
    assert.match(signIn.text, /^Votre code de connexion pour .* est : \d{6}$/m);
    assert.match(signIn.text, /Le code et le lien ne fonctionnent qu’une fois et expirent dans 15 minutes\./);
    assert.match(signIn.html, /<html lang="fr" dir="ltr">/);
    assert.match(signIn.html, />Se connecter en un clic</);

    const sub = await subscribe(t, shop, c.id, bigEur);
    assert.equal(sub.status, 'active');
    const started = lastMail(c.email);
    assert.equal(started.subject, 'Votre abonnement Studio a commencé');
    assert.match(started.text, frenchMoney('1 481,47 €'), 'the total with 20 % VAT, French style');

    t.clock.set(new Date(new Date(sub.current_period_end).getTime() + SECOND).toISOString());
    await t.runJobs();
    const renewed = lastMail(c.email);
    assert.equal(renewed.subject, 'Votre abonnement Studio a été renouvelé');
    assert.match(renewed.text, /Nous avons débité votre carte pour la période du 15 février 2026 au 15 mars 2026\./);
    assert.match(renewed.text, /Prochain renouvellement: 15 mars 2026/);
    assert.match(renewed.html, />Voir la facture dans votre portail</);

    await t.addCard(shop.org.id, c.id, '4000000000000341'); // saves, then declines
    t.clock.set('2026-03-15T12:00:01.000Z');
    await t.runJobs();
    const failed = lastMail(c.email);
    assert.equal(failed.subject, 'Action requise : votre paiement pour Studio a échoué');
    assert.match(
      failed.text,
      /Nous n’avons pas pu débiter votre carte pour la facture [\w-]+ : Votre carte a été refusée\. Utilisez une autre carte ou contactez votre banque\./,
    );
    assert.match(failed.text, /Montant dû: 1[\s\u202f]481,47[\s\u00a0]€/);
    assert.match(failed.html, />Mettre à jour le moyen de paiement</);

    const later = await t.signIn(shop.org.slug, c.email); // two months on: the first session has expired
    const first = (await t.request('GET', '/portal/v1/orders?limit=10', { token: later })).body.data.at(-1);
    const { text } = await pdf(`/portal/v1/orders/${first.id}/invoice.pdf`, later);
    const squashed = text.replace(/[ \t]+/g, ' ');
    for (const expected of [
      'Facture',
      'N° de facture',
      'FACTURÉ À',
      'Zoë Dupont',
      'DESCRIPTION QTÉ PRIX UNITAIRE MONTANT',
      'Sous-total',
      'TVA (20 %)',
      'Montant payé',
      'Page 1 sur 1',
    ]) {
      assert.ok(squashed.includes(expected), `missing ${JSON.stringify(expected)} in:\n${text}`);
    }
    assert.match(squashed, /Total 1[\s\u202f]481,47[\s\u00a0]€/);
    assert.match(squashed, frenchMoney('1 234,56 €'));
    assert.match(squashed, /Date d’émission 15 janv\. 2026/);
    assert.match(squashed, /Période de service : 15 janv\. – 15 févr\. 2026/);
    assert.doesNotMatch(text, /Invoice|Subtotal|Amount paid/);
  });
});

describe('an Arabic customer', () => {
  test('gets right-to-left Arabic emails and an Arabic invoice laid out from the right', async () => {
    t.clock.set('2026-05-10T09:00:00.000Z');
    const name = 'محمد عبد الله';
    const c = await customer({
      locale: 'ar',
      name,
      billing_details: { name, company: 'شركة الأمل', address: { line1: 'شارع الملك فهد 12', city: 'الرياض', country: 'SA' } },
    });
    const token = await t.signIn(shop.org.slug, c.email);
    const signIn = lastMail(c.email);
    assert.equal(signIn.subject, `رمز تسجيل الدخول إلى ${shop.org.slug.toUpperCase()}`);
    assert.match(signIn.html, /<html lang="ar" dir="rtl">/);
    assert.match(signIn.html, /direction:rtl;text-align:right/);
    assert.match(signIn.html, /<p dir="ltr" [^>]*>\d{6}<\/p>/, 'the code reads left to right');
    assert.match(signIn.text, /تنتهي صلاحيتهما خلال 15 دقيقة\./);

    await subscribe(t, shop, c.id, bigEur);
    const started = lastMail(c.email);
    assert.equal(started.subject, 'بدأ اشتراكك في Studio');
    assert.match(started.html, /dir="rtl"/);
    assert.match(started.html, /text-align:left;border-bottom/, 'fact values sit on the left');

    const order = (await t.request('GET', '/portal/v1/orders', { token })).body.data[0];
    const { text, words } = await pdf(`/portal/v1/orders/${order.id}/invoice.pdf`, token);
    assert.ok(text.includes('فاتورة'), `the Arabic for "invoice", in logical order:\n${text}`);
    assert.ok(text.includes(name), 'the customer’s name intact');
    for (const label of ['رقم الفاتورة', 'الوصف', 'المبلغ', 'المجموع الفرعي', 'الإجمالي', 'المبلغ المدفوع']) {
      assert.ok(text.replace(/اإل/g, 'الإ').includes(label), `missing ${label} in:\n${text}`);
    }
    assert.ok(text.includes(order.invoice_number), 'the invoice number reads left to right');
    // As Intl writes it for Arabic, in a left-to-right isolate (the widget reads the same: '15.00 US$').
    assert.match(text, /1,234\.56 €/);
    // Mirrored: the title is at the top left, the seller at the top right, descriptions on the right, amounts on the left.
    // -bbox gives a right-to-left word's letters in visual order.
    const title = words.find((w) => [...w.text].reverse().join('') === 'فاتورة')!;
    const seller = words.find((w) => w.text === 'Acme')!;
    assert.ok(title.xMin < 120, `title at x=${title.xMin}`);
    assert.ok(seller.xMax > 470, `seller at x=${seller.xMax}`);
    const description = words.find((w) => w.text === 'Studio')!;
    const amount = words.filter((w) => w.text === '1,234.56').sort((a, b) => a.xMin - b.xMin)[0]!;
    assert.ok(description.xMax > 470 && amount.xMin < 120, `description at ${description.xMax}, amount at ${amount.xMin}`);
  });
});
