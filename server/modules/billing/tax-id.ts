import { ApiError } from '../../lib/errors.js';
import { checkTaxId } from './tax.js';

/** Billing details with their tax id checked and normalised, or a 400 naming the field. */
export function validTaxId<T extends { tax_id?: string | null | undefined }>(details: T): T {
  if (details.tax_id === undefined) return details;
  const checked = checkTaxId(details.tax_id);
  if (!checked.ok) throw new ApiError(400, 'validation_error', `tax_id: ${checked.message}`, [{ path: 'tax_id', message: checked.message }]);
  return { ...details, tax_id: checked.value };
}

/** A customer create/update body with its billing details' tax id checked (when it has any). */
export function withValidTaxId<T extends { billing_details?: { tax_id?: string | null | undefined } | undefined }>(input: T): T {
  return input.billing_details ? { ...input, billing_details: validTaxId(input.billing_details) } : input;
}
