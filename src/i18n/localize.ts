// The widget's language. One per page (@lit/localize keeps one), chosen in this order:
//   0. the language the customer picked in Account on this page (until another customer signs in),
//   1. the `locale` attribute of a portal element (the last one set wins),
//   2. the signed-in customer's language (the server sends it as Content-Language on every
//      authenticated answer, so this costs no request),
//   3. the browser's languages (navigator.languages), else English.
// Translations load on demand: each locale is its own chunk (src/i18n/generated/, built from
// the XLIFF files in src/i18n/xliff/ by `npx lit-localize build`), fetched only when chosen.
import { configureLocalization, type LocaleModule } from '@lit/localize';
import { defaultLocale, localeCodes, type Locale } from './locales.js';
import { isRtl, matchLocale } from './negotiate.js';

// Written out (not import.meta.glob) so the browser tests, which load the sources unbundled,
// resolve them too; the type makes a missing locale a compile error.
const catalogs: Record<Exclude<Locale, 'en'>, () => Promise<LocaleModule>> = {
  fr: () => import('./generated/fr.js'),
  de: () => import('./generated/de.js'),
  es: () => import('./generated/es.js'),
  it: () => import('./generated/it.js'),
  pt: () => import('./generated/pt.js'),
  'pt-BR': () => import('./generated/pt-BR.js'),
  nl: () => import('./generated/nl.js'),
  sv: () => import('./generated/sv.js'),
  da: () => import('./generated/da.js'),
  nb: () => import('./generated/nb.js'),
  fi: () => import('./generated/fi.js'),
  pl: () => import('./generated/pl.js'),
  cs: () => import('./generated/cs.js'),
  tr: () => import('./generated/tr.js'),
  ru: () => import('./generated/ru.js'),
  uk: () => import('./generated/uk.js'),
  ja: () => import('./generated/ja.js'),
  'zh-CN': () => import('./generated/zh-CN.js'),
  ko: () => import('./generated/ko.js'),
  ar: () => import('./generated/ar.js'),
  he: () => import('./generated/he.js'),
};

export const { getLocale, setLocale } = configureLocalization({
  sourceLocale: defaultLocale,
  targetLocales: localeCodes.filter((code) => code !== defaultLocale),
  loadLocale: (locale) => catalogs[locale as keyof typeof catalogs](),
});

const chosen: { picked?: Locale | null; attribute?: Locale | null; customer?: Locale | null } = {};

function browserLocale(): Locale {
  for (const tag of navigator.languages) {
    const match = matchLocale(tag);
    if (match) return match;
  }
  return defaultLocale;
}

/**
 * Records where a language came from and switches to the one that wins. An unsupported tag
 * counts as not given ("tlh" falls through to the customer's or the browser's language).
 */
export function chooseLocale(source?: keyof typeof chosen, tag?: string | null): Promise<void> {
  if (source) chosen[source] = matchLocale(tag);
  // Asked even when it is the language on screen: another may be loading, and would win.
  // setLocale() does nothing for the language shown or loading. One that fails to load
  // (offline) leaves the current one on screen.
  return setLocale(chosen.picked ?? chosen.attribute ?? chosen.customer ?? browserLocale()).catch(() => undefined);
}

/** The attributes a portal element's host gets for the active language. */
export function localeAttributes(): { lang: string; dir: 'ltr' | 'rtl' } {
  const locale = getLocale();
  return { lang: locale, dir: isRtl(locale) ? 'rtl' : 'ltr' };
}

/**
 * The tag Intl formats with: the host page's own regional variant when it is of the same
 * language ("en-GB" dates on a British page showing English), else the active locale.
 */
export function intlLocale(): string {
  const locale = getLocale();
  const page = document.documentElement.lang;
  return page && page.split('-')[0]!.toLowerCase() === locale.split('-')[0] && page.length > locale.length ? page : locale;
}
