import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { localeCodes } from '../../src/i18n/locales.js';
import { isRtl, matchLocale, negotiateLocale } from '../../src/i18n/negotiate.js';
import { DECLINE_MESSAGES } from '../modules/payments/provider.js';
import { catalogs, resolveLocale, translator, type Message, type MessageKey, type Plural } from './index.js';
import en from './messages/en.js';

const keys = Object.keys(en) as MessageKey[];
const placeholders = (text: string) => new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!));
const forms = (message: Message): string[] => (typeof message === 'string' ? [message] : Object.values(message));

describe('message catalogs', () => {
  test('there is one catalog per supported locale, and at least 20 locales, two of them right to left', () => {
    assert.deepEqual(Object.keys(catalogs).sort(), [...localeCodes].sort());
    assert.ok(localeCodes.length >= 20);
    assert.deepEqual(localeCodes.filter(isRtl), ['ar', 'he']);
  });

  for (const code of localeCodes) {
    test(`${code}: every key, no stray key, the same placeholders and every plural form the language needs`, () => {
      const catalog = catalogs[code] as Record<string, Message | undefined>;
      const missing = keys.filter((k) => catalog[k] === undefined);
      assert.deepEqual(missing, [], `${code} lacks ${missing.join(', ')}`);
      const stray = Object.keys(catalog).filter((k) => !(k in en));
      assert.deepEqual(stray, [], `${code} has keys English does not`);
      const rules = new Intl.PluralRules(code);
      const needed = new Set(Array.from({ length: 201 }, (_, n) => rules.select(n)));
      for (const key of keys) {
        const source: Message = en[key];
        const message = catalog[key]!;
        assert.equal(typeof message, typeof source, `${code} ${key}: a plural where English has none, or the reverse`);
        const expected = new Set(forms(source).flatMap((f) => [...placeholders(f)]));
        for (const form of forms(message)) {
          assert.ok(form.trim(), `${code} ${key}: empty`);
          const got = placeholders(form);
          for (const name of got) assert.ok(expected.has(name), `${code} ${key}: unknown placeholder {${name}}`);
          // {count} may be spelled out ("one minute", "دقيقتين"); every other value must appear.
          for (const name of expected) if (name !== 'count') assert.ok(got.has(name), `${code} ${key}: {${name}} is missing`);
          if (typeof source === 'string') assert.deepEqual(got, expected, `${code} ${key}: placeholders differ`);
        }
        if (typeof message !== 'string') {
          assert.ok(message.other, `${code} ${key}: no "other" form`);
          for (const category of needed) assert.ok(message[category as keyof Plural], `${code} ${key}: no "${category}" form`);
        }
      }
    });
  }

  test('the sign-in and confirmation codes end the first line of the text email (tests and mail filters find them there)', () => {
    for (const code of localeCodes) {
      for (const key of ['signIn.textCode', 'emailChange.textCode'] as const) {
        assert.match(translator(code).t(key, { organization: 'Acme', code: '123456' }), /123456$/, `${code} ${key}`);
      }
    }
  });

  test('English decline messages are the ones the payment provider uses', () => {
    for (const [code, text] of Object.entries(DECLINE_MESSAGES)) assert.equal(en[`decline.${code}` as MessageKey], text, code);
  });

  test('a key a catalog lacks falls back to English', () => {
    const fr = catalogs.fr as Record<string, unknown>;
    const saved = fr['pdf.total'];
    delete fr['pdf.total'];
    try {
      assert.equal(translator('fr').t('pdf.total'), 'Total');
      assert.equal(translator('fr').t('pdf.subtotal'), 'Sous-total');
    } finally {
      fr['pdf.total'] = saved;
    }
  });
});

describe('translator', () => {
  test('fills placeholders, picks plural forms and formats numbers, money and dates for the language', () => {
    const fr = translator('fr');
    assert.equal(fr.t('signIn.subject', { organization: 'Acme' }), 'Votre code de connexion pour Acme');
    assert.match(fr.t('signIn.expiry', { count: 15 }), /expirent dans 15 minutes\./);
    assert.match(fr.t('signIn.expiry', { count: 1 }), /expirent dans 1 minute\./);
    assert.match(fr.money(123_456, 'EUR'), /^1[\s\u202f]234,56[\s\u00a0]€$/);
    assert.equal(fr.date(new Date('2025-03-02T23:30:00Z')), '2 mars 2025', 'the UTC day');
    const ar = translator('ar');
    assert.ok(ar.rtl);
    assert.match(ar.t('signIn.expiry', { count: 2 }), /دقيقتين/);
    assert.match(ar.t('signIn.expiry', { count: 5 }), /5 دقائق/);
    assert.match(ar.t('signIn.expiry', { count: 15 }), /15 دقيقة/);
    assert.match(translator('ru').t('seatInvite.expiry', { count: 14 }), /14 дней/);
    assert.match(translator('ru').t('seatInvite.expiry', { count: 22 }), /22 дня/);
    assert.match(translator('pl').t('changed.bodySeats', { product: 'Team', count: 3 }), /z 3 miejscami/);
    assert.equal(translator('de').number(12500), '12.500');
  });

  test('an unsupported or missing locale means English; isolates wrap values only when asked', () => {
    assert.equal(translator('xx').locale, 'en');
    assert.equal(translator(null).t('pdf.invoice'), 'Invoice');
    assert.equal(translator('fr-CA').locale, 'fr');
    assert.equal(translator('he', { isolate: true }).t('pdf.taxId', { id: 'IL123' }), 'מספר עוסק: \u2068IL123\u2069');
    assert.equal(translator('he').t('pdf.taxId', { id: 'IL123' }), 'מספר עוסק: IL123');
  });

  test('the customer’s locale wins over the organization’s default, then English', () => {
    assert.equal(resolveLocale('de', 'fr'), 'de');
    assert.equal(resolveLocale(null, 'fr'), 'fr');
    assert.equal(resolveLocale(null, null), 'en');
    assert.equal(resolveLocale('tlh', null), 'en', 'a stored locale no longer supported counts as unset');
  });
});

describe('locale matching', () => {
  test('exact codes, regional variants and aliases; Traditional Chinese is not Simplified', () => {
    const cases: Array<[string, string | null]> = [
      ['en', 'en'],
      ['EN-us', 'en'],
      ['fr_CA', 'fr'],
      ['pt-BR', 'pt-BR'],
      ['pt-br', 'pt-BR'],
      ['pt-PT', 'pt'],
      ['zh', 'zh-CN'],
      ['zh-Hans-CN', 'zh-CN'],
      ['zh-SG', 'zh-CN'],
      ['zh-TW', null],
      ['zh-Hant', null],
      ['no', 'nb'],
      ['nb-NO', 'nb'],
      ['iw', 'he'],
      ['ar-EG', 'ar'],
      ['xx', null],
      ['', null],
      ['en;drop table', null],
      ['a'.repeat(40), null],
    ];
    for (const [tag, expected] of cases) assert.equal(matchLocale(tag), expected, tag);
    assert.ok(isRtl('ar') && isRtl('he') && !isRtl('en'));
  });

  test('Accept-Language: the highest weight that is supported', () => {
    assert.equal(negotiateLocale('fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5'), 'fr');
    assert.equal(negotiateLocale('th-TH,th;q=0.9,de;q=0.8,en;q=0.7'), 'de');
    assert.equal(negotiateLocale('en;q=0.5, ar;q=0.9'), 'ar');
    assert.equal(negotiateLocale('de;q=0, nl'), 'nl');
    assert.equal(negotiateLocale('*'), null);
    assert.equal(negotiateLocale(''), null);
    assert.equal(negotiateLocale(undefined), null);
  });
});
