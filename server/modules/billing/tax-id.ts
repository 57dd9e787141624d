import { ApiError } from '../../lib/errors.js';
import { vatCountryMismatch } from '../../../src/schemas/vat.js';
import { checkTaxId } from './tax.js';

/** Billing details with their tax id checked and normalised, or a 400 naming the field. */
export function validTaxId<T extends { tax_id?: string | null | undefined }>(details: T): T {
  if (details.tax_id === undefined) return details;
  const checked = checkTaxId(details.tax_id);
  if (!checked.ok) throw new ApiError(400, 'validation_error', checked.message, [{ path: 'tax_id', message: checked.message }]);
  return { ...details, tax_id: checked.value };
}

/** A customer create/update body with its billing details' tax id checked (when it has any). */
export function withValidTaxId<T extends { billing_details?: { tax_id?: string | null | undefined } | undefined }>(input: T): T {
  return input.billing_details ? { ...input, billing_details: validTaxId(input.billing_details) } : input;
}

const countryName = (code: string) => new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;

/**
 * Refuses billing details (as they will be stored: the patch merged over what is there) whose
 * EU VAT id belongs to another country than the address: "germany" saved as GE next to a DE
 * VAT id decided the tax on the wrong country.
 */
export function assertVatMatchesCountry(details: Record<string, unknown>): void {
  const address = details.address as { country?: string | null } | undefined;
  const vat = vatCountryMismatch(details.tax_id as string | null | undefined, address?.country);
  if (!vat) return;
  const message = `This VAT number is from ${countryName(vat)}, but the country is ${countryName(address!.country!.toUpperCase())}. Choose the country the VAT number is registered in, or correct the number.`;
  throw new ApiError(400, 'validation_error', message, [{ path: 'tax_id', message }]);
}
