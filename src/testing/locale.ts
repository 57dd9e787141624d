// The widget's language in tests. @lit/localize keeps one language per page, and
// chooseLocale() remembers where it came from (an attribute, the customer), so a test that
// changes it must put it back: call resetLocale() after it.
import { msg, type LocaleStatusEventDetail } from '@lit/localize';
import { chooseLocale, getLocale } from '../i18n/localize.js';

/** Resolves once `locale` is the active language (its translations loaded); no timers. */
export function localeReady(locale: string): Promise<void> {
  if (getLocale() === locale) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const listener = (event: Event): void => {
      const detail = (event as CustomEvent<LocaleStatusEventDetail>).detail;
      if (detail.status === 'ready' && detail.readyLocale === locale) resolve();
      else if (detail.status === 'error' && detail.errorLocale === locale) reject(new Error(detail.errorMessage));
      else return;
      window.removeEventListener('lit-localize-status', listener);
    };
    window.addEventListener('lit-localize-status', listener);
  });
}

/**
 * Waits until `element` (a portal element) shows `locale`: the translations loaded and the
 * element re-rendered with them (its host's `lang` follows).
 */
export async function shownIn(element: HTMLElement & { updateComplete: Promise<boolean> }, locale: string): Promise<void> {
  await localeReady(locale);
  await element.updateComplete;
}

/** Forgets the picked, the attribute's and the customer's language and goes back to the browser's (English). */
export async function resetLocale(): Promise<void> {
  chooseLocale('picked', null);
  chooseLocale('attribute', null);
  chooseLocale('customer', null);
  await localeReady('en');
}

/**
 * One of the widget's strings as the active language shows it: "Continue" reads "متابعة" in
 * Arabic. Tests find buttons by it in any language. Typed apart from msg() so that
 * `lit-localize extract` does not take the tests' look-ups for strings to translate.
 */
export const say: (english: string) => string = msg;
