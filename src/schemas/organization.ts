import * as z from 'zod/mini';
import { slug } from './common.js';

export const sectionIds = ['overview', 'subscriptions', 'orders', 'benefits', 'seats', 'usage', 'wallet', 'settings', 'account'] as const;
export const sectionId = z.enum(sectionIds);
export type SectionId = z.infer<typeof sectionId>;

export const hexColor = z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/, { error: 'Use a hex colour like #4f46e5.' }));

export const branding = z.object({
  logo_url: z.nullable(z.url({ protocol: /^https?$/ })),
  primary_color: z.nullable(hexColor),
});
export type Branding = z.infer<typeof branding>;

export const portalSettings = z.object({
  sections: z.record(sectionId, z.boolean()),
  actions: z.record(z.string(), z.boolean()),
});
export type PortalSettings = z.infer<typeof portalSettings>;

/** What anyone may read about an organization: enough to render sign-in and navigation. */
export const publicOrganization = z.object({
  slug,
  name: z.string(),
  branding,
  portal_settings: portalSettings,
});
export type PublicOrganization = z.infer<typeof publicOrganization>;
