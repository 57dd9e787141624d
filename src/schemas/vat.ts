// The EU VAT number formats, one list for both sides: the server checks a tax id before storing
// it and decides reverse charge on it (server/modules/billing/tax.ts); the billing details form
// checks it as the customer types (src/views/billing/details-form.ts), so a mistake shows before
// saving. Only the format is checked, not whether the number is registered. Pure: no DOM, no Node.

/** Each country's VAT number after its prefix (Greece uses EL). */
const FORMATS: Record<string, RegExp> = {
  AT: /^U\d{8}$/,
  BE: /^[01]\d{9}$/,
  BG: /^\d{9,10}$/,
  CY: /^\d{8}[A-Z]$/,
  CZ: /^\d{8,10}$/,
  DE: /^\d{9}$/,
  DK: /^\d{8}$/,
  EE: /^\d{9}$/,
  EL: /^\d{9}$/,
  ES: /^[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^\d{8}$/,
  FR: /^[A-HJ-NP-Z0-9]{2}\d{9}$/,
  HR: /^\d{11}$/,
  HU: /^\d{8}$/,
  IE: /^\d{7}[A-W][A-I]?$|^\d[A-Z+*]\d{5}[A-W]$/,
  IT: /^\d{11}$/,
  LT: /^(\d{9}|\d{12})$/,
  LU: /^\d{8}$/,
  LV: /^\d{11}$/,
  MT: /^\d{8}$/,
  NL: /^\d{9}B\d{2}$/,
  PL: /^\d{10}$/,
  PT: /^\d{9}$/,
  RO: /^\d{2,10}$/,
  SE: /^\d{12}$/,
  SI: /^\d{8}$/,
  SK: /^\d{10}$/,
};

export type TaxIdCheck =
  /** Not an EU VAT number (no EU prefix), or empty: kept as typed. */
  | { kind: 'other' }
  /** An EU VAT number in its country's format, normalised ("de 123 456 789" → "DE123456789"). */
  | { kind: 'valid'; value: string }
  /** An EU prefix (as typed: EL for Greece) with the wrong format for that country. */
  | { kind: 'invalid'; country: string };

/** Checks a tax id as typed: upper-cased, spaces, dots and dashes dropped. */
export function checkVatId(value: string): TaxIdCheck {
  const compact = value.toUpperCase().replace(/[\s.-]/g, '');
  const country = compact.slice(0, 2);
  const format = FORMATS[country];
  if (!format) return { kind: 'other' };
  return format.test(compact.slice(2)) ? { kind: 'valid', value: compact } : { kind: 'invalid', country };
}

/**
 * The country an EU VAT id is registered in, from its prefix (EL is Greece, GR), whatever its
 * format; undefined for other tax ids and empty ones.
 */
export function vatCountry(value: string | null | undefined): string | undefined {
  const prefix = (value ?? '')
    .toUpperCase()
    .replace(/[\s.-]/g, '')
    .slice(0, 2);
  if (!FORMATS[prefix]) return undefined;
  return prefix === 'EL' ? 'GR' : prefix;
}

/**
 * An EU VAT id whose prefix names another country than the billing address's ("DE…" with
 * France): the VAT country, or undefined when they agree, or either is missing. Tax (reverse
 * charge, the rate) depends on both, so they must agree. Both sides refuse it (the billing
 * details form as the customer types, the server on save).
 */
export function vatCountryMismatch(taxId: string | null | undefined, country: string | null | undefined): string | undefined {
  const vat = vatCountry(taxId);
  const chosen = country?.trim().toUpperCase();
  return vat && chosen && vat !== chosen ? vat : undefined;
}
