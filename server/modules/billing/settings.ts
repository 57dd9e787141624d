import { z } from 'zod';
import { localeCodes } from '../../../src/i18n/locales.js';
import { matchLocale } from '../../../src/i18n/negotiate.js';

export { cancellationReasons, type CancellationReason } from '../../../src/schemas/billing.js';
import { cancellationReasons, type CancellationReason } from '../../../src/schemas/billing.js';

export const DEFAULT_REASON_LABELS: Record<CancellationReason, string> = {
  too_expensive: 'It’s too expensive',
  missing_features: 'Some features are missing',
  switched_service: 'I’m switching to another service',
  unused: 'I don’t use it enough',
  customer_service: 'Customer service was less than expected',
  too_complex: 'It’s too complicated',
  low_quality: 'Quality was less than expected',
  other: 'Other reason',
};

const country = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166 country code like DE');

/** A supported locale; a regional variant is stored as its language ("fr-CA" → "fr"). */
const locale = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const match = matchLocale(value);
    if (match) return match;
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a supported locale. Use one of: ${localeCodes.join(', ')}.` });
    return z.NEVER;
  });

/** The organization's billing rules. Stored sparse; read through resolveBillingSettings. */
export const billingSettingsSchema = z.object({
  seller_country: country.nullable(),
  seller_details: z.object({
    company: z.string().max(200).nullable(),
    address_lines: z.array(z.string().max(200)).max(6),
    tax_id: z.string().max(40).nullable(),
    email: z.email().nullable(),
  }),
  tax_rates: z.record(country, z.number().min(0).max(100)),
  /** When plan changes take effect: upgrades now (charge the prorated difference), downgrades at renewal. */
  upgrade_timing: z.enum(['now', 'renewal']),
  downgrade_timing: z.enum(['now', 'renewal']),
  /** Where the prorated refund of an immediate cancellation goes. */
  cancel_refund_to: z.enum(['payment_method', 'wallet']),
  dunning_retry_days: z.array(z.number().int().min(1).max(60)).max(8),
  /** After the last failed retry: cancel the subscription, or leave it unpaid. */
  dunning_final_action: z.enum(['cancel', 'unpaid']),
  /** Rename or hide reasons; "other" can be renamed but never hidden. */
  cancellation_reasons: z.partialRecord(z.enum(cancellationReasons), z.object({ label: z.string().min(1).max(80).optional(), hidden: z.boolean().optional() })),
  retention_offer: z.object({ percent_off: z.number().int().min(1).max(100), periods: z.number().int().min(1).max(24) }).nullable(),
  invoice_prefix: z.string().regex(/^[A-Z0-9-]{1,12}$/, 'expected up to 12 capital letters, digits or hyphens'),
  /** Seat invitations: emailed by us, or 'none' (the merchant invites from its own app on customer_seat.assigned). */
  seat_invitations: z.enum(['email', 'none']),
  /** The language of emails and PDFs for a customer whose own locale is not known; null means English. */
  default_locale: locale.nullable(),
});
export type BillingSettings = z.infer<typeof billingSettingsSchema>;

export const billingSettingsUpdate = billingSettingsSchema.partial();

export function defaultBillingSettings(): BillingSettings {
  return {
    seller_country: null,
    seller_details: { company: null, address_lines: [], tax_id: null, email: null },
    tax_rates: {},
    upgrade_timing: 'now',
    downgrade_timing: 'renewal',
    cancel_refund_to: 'payment_method',
    dunning_retry_days: [1, 3, 5],
    dunning_final_action: 'cancel',
    cancellation_reasons: {},
    retention_offer: null,
    invoice_prefix: 'INV',
    seat_invitations: 'email',
    default_locale: null,
  };
}

export function resolveBillingSettings(stored: unknown): BillingSettings {
  return { ...defaultBillingSettings(), ...((stored ?? {}) as Partial<BillingSettings>) };
}

/** The reasons a customer may pick, with the organization's labels; "other" always last. */
export function visibleReasons(settings: BillingSettings): Array<{ id: CancellationReason; label: string }> {
  return cancellationReasons
    .filter((id) => id === 'other' || !settings.cancellation_reasons[id]?.hidden)
    .map((id) => ({ id, label: settings.cancellation_reasons[id]?.label ?? DEFAULT_REASON_LABELS[id] }));
}
