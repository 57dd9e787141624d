// Benefits and seats as the portal sees them: GET /portal/v1/benefits, GET /portal/v1/seats,
// and the bodies of the seat endpoints. Pure zod/mini, shared by the widget and the server.
import * as z from 'zod/mini';
import { emailAddress } from './common.js';

export const benefitTypes = ['license_key', 'download', 'discord', 'api_key', 'custom'] as const;
export const benefitType = z.enum(benefitTypes);

export const licenseKeyActivation = z.object({
  id: z.string(),
  label: z.string(),
  created_at: z.string(),
});

export const portalLicenseKey = z.object({
  /** The key in full; null only when it cannot be read back (the server secret changed). */
  key: z.nullable(z.string()),
  /** The last characters, for a masked display. */
  hint: z.string(),
  status: z.enum(['active', 'expired']),
  expires_at: z.nullable(z.string()),
  /** null: unlimited. */
  activation_limit: z.nullable(z.number()),
  activations: z.array(licenseKeyActivation),
});

export const portalDownloadFile = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number(),
  content_type: z.string(),
  /** A signed link that works for 10 minutes; every GET /portal/v1/benefits makes fresh ones. */
  url: z.string(),
  url_expires_at: z.string(),
});

export const portalApiKey = z.object({
  /** Masked, like `acme_…k3Qz`. */
  hint: z.string(),
  /** The key in full: only in the answers of reveal and rotate, null in the list. */
  key: z.nullable(z.string()),
  created_at: z.string(),
});

export const customLink = z.object({ label: z.string(), url: z.string() });

const grantBase = {
  /** The grant's id: what rotate and reveal take. */
  id: z.string(),
  benefit_id: z.string(),
  description: z.string(),
  granted_at: z.string(),
};

export const portalBenefit = z.discriminatedUnion('type', [
  z.object({ ...grantBase, type: z.literal('license_key'), license_key: portalLicenseKey }),
  z.object({ ...grantBase, type: z.literal('download'), files: z.array(portalDownloadFile) }),
  z.object({ ...grantBase, type: z.literal('discord'), invite_url: z.string() }),
  z.object({ ...grantBase, type: z.literal('api_key'), api_key: portalApiKey }),
  z.object({ ...grantBase, type: z.literal('custom'), text: z.nullable(z.string()), links: z.array(customLink) }),
]);
export type PortalBenefit = z.infer<typeof portalBenefit>;

export const portalBenefitList = z.object({ data: z.array(portalBenefit) });
export type PortalBenefitList = z.infer<typeof portalBenefitList>;

export const seatStatus = z.enum(['pending', 'claimed', 'revoked']);

export const portalSeat = z.object({
  id: z.string(),
  subscription_id: z.string(),
  email: z.string(),
  status: seatStatus,
  invited_at: z.string(),
  /** When the pending invitation's claim link stops working. */
  invitation_expires_at: z.nullable(z.string()),
  claimed_at: z.nullable(z.string()),
  revoked_at: z.nullable(z.string()),
});
export type PortalSeat = z.infer<typeof portalSeat>;

/** One per-seat subscription of the signed-in customer, with its seats. */
export const portalSeatGroup = z.object({
  subscription_id: z.string(),
  subscription_status: z.string(),
  product: z.object({ id: z.string(), name: z.string() }),
  seats_purchased: z.number(),
  /** Pending and claimed seats. */
  seats_used: z.number(),
  /** How many more can be assigned now (a seat decrease scheduled for the renewal counts). */
  seats_available: z.number(),
  /** Whether seats can be assigned now (live subscription, a free seat). */
  can_assign: z.boolean(),
  seats: z.array(portalSeat),
});
export type PortalSeatGroup = z.infer<typeof portalSeatGroup>;

export const portalSeatList = z.object({ data: z.array(portalSeatGroup) });
export type PortalSeatList = z.infer<typeof portalSeatList>;

/**
 * A seat the signed-in customer holds on someone else's subscription (GET /portal/v1/overview's
 * `memberships`): whose team and which plan, nothing of the owner's billing.
 */
export const heldSeat = z.object({
  seat_id: z.string(),
  subscription_id: z.string(),
  /** The plan's (product's) name, as the merchant wrote it. */
  plan: z.string(),
  /** Who owns the subscription: their company on invoices, else their name, else their email (as the invitation named them). */
  owner: z.string(),
  claimed_at: z.nullable(z.string()),
});
export type HeldSeat = z.infer<typeof heldSeat>;

export const seatAssign = z.object({
  subscription_id: z.string().check(z.minLength(1), z.maxLength(64)),
  email: emailAddress,
});

export const seatClaim = z.object({ token: z.string().check(z.minLength(1), z.maxLength(200)) });

/** POST /portal/v1/seats/claim: a session for the invitee, like /auth/exchange. */
export const seatClaimResult = z.object({
  token: z.string(),
  expires_at: z.string(),
  return_url: z.nullable(z.string()),
  seat: portalSeat,
});
