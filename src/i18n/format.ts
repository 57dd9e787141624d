// Dates and numbers go through Intl, in the portal's language (see localize.ts).
import { intlLocale as locale } from './localize.js';

/** "21 November 2025" / "November 21, 2025". */
export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long' }).format(new Date(iso));
}

/** "27s", "27 s", … for short countdowns. */
export function formatSeconds(seconds: number): string {
  return new Intl.NumberFormat(locale(), { style: 'unit', unit: 'second', unitDisplay: 'narrow' }).format(seconds);
}
