// What the server writes to a customer (emails, invoice and receipt PDFs), in the customer's
// language. One catalog per locale in ./messages; English is the source and the fallback
// for a key a catalog lacks (i18n.test.ts checks that none lacks any). Money, numbers and
// dates go through Intl with the same locale.
import { defaultLocale, localeCodes, type Locale } from '../../src/i18n/locales.js';
import { isRtl, matchLocale, negotiateLocale } from '../../src/i18n/negotiate.js';
import { ApiError } from '../lib/errors.js';
import { formatMoney } from '../modules/billing/money.js';
import { resolveBillingSettings } from '../modules/billing/settings.js';
import ar from './messages/ar.js';
import cs from './messages/cs.js';
import da from './messages/da.js';
import de from './messages/de.js';
import en from './messages/en.js';
import es from './messages/es.js';
import fi from './messages/fi.js';
import fr from './messages/fr.js';
import he from './messages/he.js';
import it from './messages/it.js';
import ja from './messages/ja.js';
import ko from './messages/ko.js';
import nb from './messages/nb.js';
import nl from './messages/nl.js';
import pl from './messages/pl.js';
import pt from './messages/pt.js';
import ptBR from './messages/pt-BR.js';
import ru from './messages/ru.js';
import sv from './messages/sv.js';
import tr from './messages/tr.js';
import uk from './messages/uk.js';
import zhCN from './messages/zh-CN.js';

/** Plural forms by Intl.PluralRules category; `other` is always there. */
export interface Plural {
  zero?: string;
  one?: string;
  two?: string;
  few?: string;
  many?: string;
  other: string;
}
export type Message = string | Plural;
export type MessageKey = keyof typeof en;
/** A translation: any subset of the English keys (a missing key falls back to English). */
export type Catalog = { readonly [K in MessageKey]?: Message };
export type Params = Record<string, string | number>;

export const catalogs: Record<Locale, Catalog> = {
  en,
  fr,
  de,
  es,
  it,
  pt,
  'pt-BR': ptBR,
  nl,
  sv,
  da,
  nb,
  fi,
  pl,
  cs,
  tr,
  ru,
  uk,
  ja,
  'zh-CN': zhCN,
  ko,
  ar,
  he,
};

export const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(en, key);

/** Unicode isolates: an interpolated value keeps its own direction inside the sentence. */
const FSI = '\u2068';
const PDI = '\u2069';

export interface Translator {
  readonly locale: Locale;
  readonly rtl: boolean;
  /** The message for `key` with `{placeholders}` filled in; `count` picks the plural form. */
  t(key: MessageKey, params?: Params): string;
  /** An amount in minor units: "€1,234.56", "1 234,56 €". */
  money(amount: number, currency: string): string;
  /** A day (UTC): "March 2, 2025", "2 mars 2025". */
  date(date: Date): string;
  number(value: number): string;
}

/**
 * A translator for a locale (anything matchLocale understands; unsupported → English).
 * `isolate` wraps each interpolated value in FSI…PDI, for text whose bidi we resolve
 * ourselves (the PDFs); emails leave them out, as some mail clients draw them as boxes.
 */
export function translator(locale: string | null | undefined, options: { isolate?: boolean } = {}): Translator {
  const code = matchLocale(locale) ?? defaultLocale;
  const catalog = catalogs[code];
  const plurals = new Intl.PluralRules(code);
  const numbers = new Intl.NumberFormat(code);
  const dates = new Intl.DateTimeFormat(code, { dateStyle: 'long', timeZone: 'UTC' });
  const fill = (value: string | number) => {
    const text = typeof value === 'number' ? numbers.format(value) : value;
    return options.isolate ? `${FSI}${text}${PDI}` : text;
  };
  return {
    locale: code,
    rtl: isRtl(code),
    t(key, params = {}) {
      const message: Message = catalog[key] ?? en[key];
      const template = typeof message === 'string' ? message : pluralForm(message, plurals, params.count);
      return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? fill(params[name]!) : whole));
    },
    money: (amount, currency) => formatMoney(amount, currency, code),
    date: (date) => dates.format(date),
    number: (value) => numbers.format(value),
  };
}

function pluralForm(message: Plural, rules: Intl.PluralRules, count: string | number | undefined): string {
  const n = typeof count === 'number' ? count : Number(count);
  if (!Number.isFinite(n)) return message.other;
  return message[rules.select(n) as keyof Plural] ?? message.other;
}

/**
 * The language to write to a customer in: theirs, else the organization's default, else
 * English. Anything stored that is no longer supported counts as unset.
 */
export function resolveLocale(customerLocale: string | null | undefined, organizationDefault: string | null | undefined): Locale {
  return matchLocale(customerLocale) ?? matchLocale(organizationDefault) ?? defaultLocale;
}

/** The language to write to this customer of this organization in. */
export function customerLocale(org: { billing_settings: unknown }, customer: { locale: string | null } | null | undefined): Locale {
  return resolveLocale(customer?.locale, resolveBillingSettings(org.billing_settings).default_locale);
}

/**
 * The language of something a signed-in customer asked for (a PDF): theirs when they chose one
 * (or the merchant set it); else the one the request asks for (the widget sends the language
 * it shows as Accept-Language), used but never stored; else the organization's default.
 */
export function requestLocale(org: { billing_settings: unknown }, customer: { locale: string | null }, acceptLanguage: string | null | undefined): Locale {
  return matchLocale(customer.locale) ?? negotiateLocale(acceptLanguage) ?? customerLocale(org, null);
}

/**
 * A locale someone sends us to store (merchant API, PATCH /me, billing settings): a supported
 * code, or a regional variant of one ("fr-CA" → "fr"); null clears it. Anything else is a 400
 * that lists what is supported.
 */
export function parseLocale<T extends string | null | undefined>(value: T, field = 'locale'): T extends string ? Locale : T {
  if (value === undefined || value === null) return value as never;
  const match = matchLocale(value);
  if (match) return match as never;
  const message = `${JSON.stringify(value)} is not a supported locale. Use one of: ${localeCodes.join(', ')}.`;
  throw new ApiError(400, 'validation_error', `${field}: ${message}`, [{ path: field, message }]);
}
