// The languages the portal speaks: the widget's UI and everything the server writes to a
// customer (emails, invoice and receipt PDFs). Pure data, no DOM and no Node imports, so
// both sides load it. Adding a language here means a server catalog (server/i18n/messages/)
// and the widget's translations; the server's tests fail until its catalog is complete.

export interface LocaleInfo {
  /** BCP 47 tag as we store and send it: a language, plus a region only where it matters. */
  readonly code: string;
  /** The language's name in itself, for a language picker. */
  readonly name: string;
  /** Written right to left: layouts mirror (dir="rtl"). */
  readonly rtl: boolean;
}

export const locales = [
  { code: 'en', name: 'English', rtl: false },
  { code: 'fr', name: 'Français', rtl: false },
  { code: 'de', name: 'Deutsch', rtl: false },
  { code: 'es', name: 'Español', rtl: false },
  { code: 'it', name: 'Italiano', rtl: false },
  { code: 'pt', name: 'Português', rtl: false },
  { code: 'pt-BR', name: 'Português (Brasil)', rtl: false },
  { code: 'nl', name: 'Nederlands', rtl: false },
  { code: 'sv', name: 'Svenska', rtl: false },
  { code: 'da', name: 'Dansk', rtl: false },
  { code: 'nb', name: 'Norsk bokmål', rtl: false },
  { code: 'fi', name: 'Suomi', rtl: false },
  { code: 'pl', name: 'Polski', rtl: false },
  { code: 'cs', name: 'Čeština', rtl: false },
  { code: 'tr', name: 'Türkçe', rtl: false },
  { code: 'ru', name: 'Русский', rtl: false },
  { code: 'uk', name: 'Українська', rtl: false },
  { code: 'ja', name: '日本語', rtl: false },
  { code: 'zh-CN', name: '简体中文', rtl: false },
  { code: 'ko', name: '한국어', rtl: false },
  { code: 'ar', name: 'العربية', rtl: true },
  { code: 'he', name: 'עברית', rtl: true },
] as const satisfies readonly LocaleInfo[];

export type Locale = (typeof locales)[number]['code'];

/** The language of last resort, and the source language of every catalog. */
export const defaultLocale: Locale = 'en';

export const localeCodes: readonly Locale[] = locales.map((l) => l.code);
