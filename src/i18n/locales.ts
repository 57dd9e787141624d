// The languages the portal speaks: the widget's UI and everything the server writes to a
// customer (emails, invoice and receipt PDFs). Pure data, no DOM and no Node imports, so
// both sides load it. Adding a language here means a server catalog (server/i18n/messages/)
// and the widget's translations; the server's tests fail until its catalog is complete.

export interface LocaleInfo {
  /** BCP 47 tag as we store and send it: a language, plus a region only where it matters. */
  readonly code: Locale;
  /** The language's name in itself, for a language picker. */
  readonly name: string;
  /** Written right to left: layouts mirror (dir="rtl"). */
  readonly rtl: boolean;
}

/** Every supported locale's code, English first. */
export const localeCodes = ['en', 'fr', 'de', 'es', 'it', 'pt', 'pt-BR', 'nl', 'sv', 'da', 'nb', 'fi', 'pl', 'cs', 'tr', 'ru', 'uk', 'ja', 'zh-CN', 'ko', 'ar', 'he'] as const;

export type Locale = (typeof localeCodes)[number];

/** Written right to left: layouts mirror (dir="rtl"). */
export const rtlLocales: readonly Locale[] = ['ar', 'he'];

/** Each language's name in itself, for a language picker. */
export const localeNames: Record<Locale, string> = {
  en: 'English',
  fr: 'Français',
  de: 'Deutsch',
  es: 'Español',
  it: 'Italiano',
  pt: 'Português',
  'pt-BR': 'Português (Brasil)',
  nl: 'Nederlands',
  sv: 'Svenska',
  da: 'Dansk',
  nb: 'Norsk bokmål',
  fi: 'Suomi',
  pl: 'Polski',
  cs: 'Čeština',
  tr: 'Türkçe',
  ru: 'Русский',
  uk: 'Українська',
  ja: '日本語',
  'zh-CN': '简体中文',
  ko: '한국어',
  ar: 'العربية',
  he: 'עברית',
};

/**
 * The locales with their names and direction. The widget's entry uses the plain lists above
 * (so the names are not in it); this is for the server and the views' language picker.
 */
export const locales: readonly LocaleInfo[] = /* @__PURE__ */ localeCodes.map((code) => ({ code, name: localeNames[code], rtl: rtlLocales.includes(code) }));

/** The language of last resort, and the source language of every catalog. */
export const defaultLocale: Locale = 'en';
