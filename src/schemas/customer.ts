import * as z from 'zod/mini';
import { emailAddress } from './common.js';
import { isCountryCode } from './countries.js';

export const customer = z.object({
  id: z.string(),
  email: z.string(),
  name: z.nullable(z.string()),
  external_id: z.nullable(z.string()),
  /** The language emails and PDFs are written in (src/i18n/locales.ts); null until known. */
  locale: z.optional(z.nullable(z.string())),
  created_at: z.string(),
});
export type Customer = z.infer<typeof customer>;

/** A BCP 47 tag; the server checks it against the supported locales ("fr-CA" is stored as "fr"). */
export const localeTag = z.string().check(z.trim(), z.minLength(2), z.maxLength(35));

export const customerName = z.string().check(z.trim(), z.maxLength(200));

const shortText = (max: number) => z.nullable(z.string().check(z.trim(), z.maxLength(max)));

export const address = z.object({
  line1: z.optional(shortText(200)),
  line2: z.optional(shortText(200)),
  city: z.optional(shortText(100)),
  state: z.optional(shortText(100)),
  postal_code: z.optional(shortText(20)),
  country: z.optional(
    z.nullable(
      z.string().check(z.trim(), z.toUpperCase(), z.refine(isCountryCode, { error: 'Choose a country from the list (an ISO country code, like DE).' })),
    ),
  ),
});

/** What goes on invoices: editable by the customer, snapshotted onto each order. */
export const billingDetails = z.object({
  name: z.optional(shortText(200)),
  company: z.optional(shortText(200)),
  email: z.optional(z.nullable(emailAddress)),
  address: z.optional(address),
  tax_id: z.optional(shortText(40)),
});
export type BillingDetails = z.infer<typeof billingDetails>;

/** GET /portal/v1/me: the customer with what goes on their invoices. */
export const me = z.extend(customer, {
  billing_details: billingDetails,
  /** Whether the organization lets customers change their email here. */
  email_change: z.optional(z.boolean()),
  /** "Customer since": the earliest of created_at, the first order and the first subscription. */
  customer_since: z.optional(z.string()),
});
export type Me = z.infer<typeof me>;

export const meUpdate = z.object({
  name: z.optional(z.nullable(customerName)),
  billing_details: z.optional(billingDetails),
  locale: z.optional(z.nullable(localeTag)),
});

export const externalId = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const metadata = z.record(z.string().check(z.maxLength(40)), z.union([z.string().check(z.maxLength(500)), z.number(), z.boolean()]));

export const customerCreate = z.object({
  email: emailAddress,
  name: z.optional(z.nullable(customerName)),
  external_id: z.optional(z.nullable(externalId)),
  metadata: z.optional(metadata),
  billing_details: z.optional(billingDetails),
  locale: z.optional(z.nullable(localeTag)),
});

export const customerUpdate = z.object({
  email: z.optional(emailAddress),
  name: z.optional(z.nullable(customerName)),
  external_id: z.optional(z.nullable(externalId)),
  metadata: z.optional(metadata),
  billing_details: z.optional(billingDetails),
  locale: z.optional(z.nullable(localeTag)),
});

export const merchantCustomer = z.extend(customer, {
  organization_id: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  updated_at: z.string(),
});
export type MerchantCustomer = z.infer<typeof merchantCustomer>;

/** POST /portal/v1/me/email-change: the new address, which gets a code. */
export const emailChangeRequest = z.object({ email: emailAddress });
/** POST /portal/v1/me/email-change/verify: the code sent to the new address. */
export const emailChangeVerifyRequest = z.object({ code: z.string().check(z.trim(), z.regex(/^\d{6}$/, 'The code has 6 digits.')) });
