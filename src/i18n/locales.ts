// The languages the portal speaks: the widget's UI and everything the server writes to a
// customer (emails, invoice and receipt PDFs). Pure data, no DOM and no Node imports, so
// both sides load it. Adding a language here means a server catalog (server/i18n/messages/)
// and the widget's translations; the server's tests fail until its catalog is complete.
// A language picker names each language in itself with
// `new Intl.DisplayNames([code], { type: 'language' }).of(code)`; no list of names is kept.

/** Every supported locale's code, English first. */
export const localeCodes = [
  'en',
  'fr',
  'de',
  'es',
  'it',
  'pt',
  'pt-BR',
  'nl',
  'sv',
  'da',
  'nb',
  'fi',
  'pl',
  'cs',
  'tr',
  'ru',
  'uk',
  'ja',
  'zh-CN',
  'ko',
  'ar',
  'he',
] as const;

export type Locale = (typeof localeCodes)[number];

/** Written right to left: layouts mirror (dir="rtl"). */
export const rtlLocales: readonly Locale[] = ['ar', 'he'];

/** The language of last resort, and the source language of every catalog. */
export const defaultLocale: Locale = 'en';
