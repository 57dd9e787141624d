import { percentOf } from './money.js';

export const EU_COUNTRIES = new Set([
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT',
  'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
]);

/** Format of each EU country's VAT number after its prefix (Greece uses EL). */
const VAT_FORMATS: Record<string, RegExp> = {
  AT: /^U\d{8}$/, BE: /^[01]\d{9}$/, BG: /^\d{9,10}$/, CY: /^\d{8}[A-Z]$/, CZ: /^\d{8,10}$/,
  DE: /^\d{9}$/, DK: /^\d{8}$/, EE: /^\d{9}$/, EL: /^\d{9}$/, ES: /^[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^\d{8}$/, FR: /^[A-HJ-NP-Z0-9]{2}\d{9}$/, HR: /^\d{11}$/, HU: /^\d{8}$/, IE: /^\d{7}[A-W][A-I]?$|^\d[A-Z+*]\d{5}[A-W]$/,
  IT: /^\d{11}$/, LT: /^(\d{9}|\d{12})$/, LU: /^\d{8}$/, LV: /^\d{11}$/, MT: /^\d{8}$/,
  NL: /^\d{9}B\d{2}$/, PL: /^\d{10}$/, PT: /^\d{9}$/, RO: /^\d{2,10}$/, SE: /^\d{12}$/,
  SI: /^\d{8}$/, SK: /^\d{10}$/,
};

/** Normalises an EU VAT id ("de 123 456 789" → "DE123456789") or returns null if its format is wrong. */
export function normaliseEuVatId(value: string): { country: string; id: string } | null {
  const compact = value.toUpperCase().replace(/[\s.\-]/g, '');
  const prefix = compact.slice(0, 2);
  const format = VAT_FORMATS[prefix];
  if (!format || !format.test(compact.slice(2))) return null;
  return { country: prefix === 'EL' ? 'GR' : prefix, id: compact };
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
  const rate = country ? settings.tax_rates[country] ?? 0 : 0;
  if (!rate) return { rate: 0, label: null, reverseCharge: false, note: null };
  const name = EU_COUNTRIES.has(country!) ? 'VAT' : 'Tax';
  return { rate, label: `${name} (${rate}%)`, reverseCharge: false, note: null };
}

export function taxAmount(taxable: number, decision: TaxDecision): number {
  return decision.rate ? percentOf(Math.max(0, taxable), decision.rate) : 0;
}

const EU_VAT_PREFIX = /^(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK)/i;

/**
 * Checks a tax id as typed: an EU VAT number (it starts with an EU country prefix) must have
 * its country's format, and is returned normalised; other tax ids are kept as typed.
 * Returns an error message, or the value to store.
 */
export function checkTaxId(value: string | null | undefined): { ok: true; value: string | null } | { ok: false; message: string } {
  if (!value) return { ok: true, value: null };
  const compact = value.replace(/[\s.\-]/g, '');
  if (EU_VAT_PREFIX.test(compact)) {
    const vat = normaliseEuVatId(compact);
    if (!vat) return { ok: false, message: `${value} is not a valid ${compact.slice(0, 2).toUpperCase()} VAT number format. Check it, e.g. DE123456789.` };
    return { ok: true, value: vat.id };
  }
  return { ok: true, value: value.trim() };
}
