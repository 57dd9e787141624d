import { checkVatId } from '../../../src/schemas/vat.js';
import { percentOf } from './money.js';

export const EU_COUNTRIES = new Set([
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
]);

/** Normalises an EU VAT id ("de 123 456 789" → "DE123456789") or returns null if its format is wrong. */
export function normaliseEuVatId(value: string): { country: string; id: string } | null {
  const vat = checkVatId(value);
  if (vat.kind !== 'valid') return null;
  const prefix = vat.value.slice(0, 2);
  return { country: prefix === 'EL' ? 'GR' : prefix, id: vat.value };
}

export interface TaxSettings {
  seller_country: string | null;
  /** Percent by ISO country code, added on top of prices. */
  tax_rates: Record<string, number>;
}

export interface TaxDecision {
  rate: number;
  label: string | null;
  reverseCharge: boolean;
  note: string | null;
}

export const REVERSE_CHARGE_NOTE = 'Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC).';

/** The tax for a buyer: the organization's rate for the buyer's country, or reverse charge. */
export function decideTax(settings: TaxSettings, buyer: { country: string | null; tax_id: string | null }): TaxDecision {
  const country = buyer.country?.toUpperCase() ?? null;
  const vat = buyer.tax_id ? normaliseEuVatId(buyer.tax_id) : null;
  const seller = settings.seller_country?.toUpperCase() ?? null;
  if (vat && country && EU_COUNTRIES.has(country) && seller && EU_COUNTRIES.has(seller) && country !== seller) {
    return { rate: 0, label: null, reverseCharge: true, note: REVERSE_CHARGE_NOTE };
  }
  const rate = country ? (settings.tax_rates[country] ?? 0) : 0;
  if (!rate) return { rate: 0, label: null, reverseCharge: false, note: null };
  const name = EU_COUNTRIES.has(country!) ? 'VAT' : 'Tax';
  return { rate, label: `${name} (${rate}%)`, reverseCharge: false, note: null };
}

export function taxAmount(taxable: number, decision: TaxDecision): number {
  return decision.rate ? percentOf(Math.max(0, taxable), decision.rate) : 0;
}

/**
 * Checks a tax id as typed: an EU VAT number (it starts with an EU country prefix) must have
 * its country's format (src/schemas/vat.ts, the list the billing details form checks too), and
 * is returned normalised; other tax ids are kept as typed.
 * Returns an error message, or the value to store.
 */
export function checkTaxId(value: string | null | undefined): { ok: true; value: string | null } | { ok: false; message: string } {
  if (!value) return { ok: true, value: null };
  const vat = checkVatId(value);
  if (vat.kind === 'invalid') return { ok: false, message: `${value} is not a valid ${vat.country} VAT number format. Check it, e.g. DE123456789.` };
  if (vat.kind === 'valid') return { ok: true, value: vat.value };
  return { ok: true, value: value.trim() };
}
