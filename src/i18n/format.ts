// Dates and numbers go through Intl, in the language of the host page (its <html lang>),
// or the browser's when the page does not say.

function locale(): string | undefined {
  return document.documentElement.lang || undefined;
}

/** "21 November 2025" / "November 21, 2025". */
export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long' }).format(new Date(iso));
}

/** "27s", "27 s", … for short countdowns. */
export function formatSeconds(seconds: number): string {
  return new Intl.NumberFormat(locale(), { style: 'unit', unit: 'second', unitDisplay: 'narrow' }).format(seconds);
}
