// Money, billing intervals and dates as billing views show them. Kept out of format.ts,
// which the entry loads: only the views that show money pay for these.
import { msg, str } from '@lit/localize';
import { html, type TemplateResult } from 'lit';
import { intlLocale as locale, localeAttributes } from './localize.js';

/**
 * Right to left, an amount is its own left-to-right island inside the sentence (a left-to-right
 * isolate, LRI … PDI): Intl writes Arabic amounts as RLM "9.00 US$" / RLM LRM "-6.30 US$", and
 * in a first-strong isolate (FSI) or a right-to-left one that RLM makes the island right to
 * left, where the trailing "$" is a neutral and jumps to the far side: "$US 9.00". Left to
 * right, they read as Intl wrote them: "9.00 US$", "-6.30 US$".
 */
const isolate = (text: string): string => (localeAttributes().dir === 'rtl' ? `\u2066${text}\u2069` : text);

/**
 * An amount in minor units ("2900", "USD") as the customer reads it ("$29.00"), with the
 * currency's own number of decimals (JPY has none, KWD three).
 */
export function formatMoney(amount: number, currency: string): string {
  const format = new Intl.NumberFormat(locale(), { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return isolate(format.format(amount / 10 ** digits));
}

/** An amount shown on its own (a total, a price, a balance): in a `<bdi>`, isolated from the text around it in any direction. */
export function money(amount: number, currency: string, sign = ''): TemplateResult {
  return html`<bdi dir="ltr">${sign}${formatMoney(amount, currency)}</bdi>`;
}

/** A price shown on its own ("$29.00 / month"), in a `<bdi>`. */
export function priceTag(...args: Parameters<typeof formatPrice>): TemplateResult {
  return html`<bdi>${formatPrice(...args)}</bdi>`;
}

/** "month", "3 months", "year": counts through Intl, which knows each language's plural forms. */
export function formatInterval(interval: string | null, count = 1): string {
  const names: Record<string, string> = { day: msg('day'), week: msg('week'), month: msg('month'), year: msg('year') };
  const one = names[interval ?? ''];
  if (!one) return count === 1 ? (interval ?? '') : `${count} ${interval ?? ''}`;
  return count === 1 ? one : new Intl.NumberFormat(locale(), { style: 'unit', unit: interval!, unitDisplay: 'long' }).format(count);
}

/** "$29.00 / month", "$8.00 per seat / month". */
export function formatPrice(amount: number, currency: string, interval: string | null, count = 1, perSeat = false): string {
  const money = formatMoney(amount, currency);
  if (!interval) return money;
  const every = formatInterval(interval, count);
  return perSeat ? msg(str`${money} per seat / ${every}`) : msg(str`${money} / ${every}`);
}

/** "Nov 21, 2025" / "21 Nov 2025". */
export function formatShortDate(iso: string): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(new Date(iso));
}

/** "Nov 21 – Dec 21, 2025". */
export function formatDateRange(start: string, end: string): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).formatRange(new Date(start), new Date(end));
}

/** "12,500", "87.5"; `unit` ("requests") after it when given. */
export function formatNumber(value: number, unit?: string | null): string {
  const number = new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(value);
  return unit ? `${number} ${unit}` : number;
}
