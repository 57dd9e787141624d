import { z } from 'zod';
import { sectionId } from '../../../src/schemas/organization.js';
import { slug } from '../../../src/schemas/common.js';
import { billingSettingsUpdate } from '../billing/settings.js';

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected a hex colour like #4f46e5');

/** An origin as browsers send it: scheme, host and port, nothing else. */
export const origin = z.url({ protocol: /^https?$/, error: 'expected an origin like https://shop.example.com' }).transform((value, ctx) => {
  const url = new URL(value);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    ctx.addIssue({ code: 'custom', message: `expected an origin without a path, like ${url.origin}` });
    return z.NEVER;
  }
  return url.origin;
});

export const organizationCreate = z.object({
  slug,
  name: z.string().trim().min(1).max(120),
  allowed_origins: z.array(origin).max(50).default([]),
});

export const organizationUpdate = z.object({
  name: z.string().trim().min(1).max(120).optional(),
  branding: z
    .object({
      logo_url: z
        .url({ protocol: /^https?$/ })
        .nullable()
        .optional(),
      primary_color: hexColor.nullable().optional(),
    })
    .optional(),
  allowed_origins: z.array(origin).max(50).optional(),
  portal_settings: z
    .object({
      sections: z.partialRecord(sectionId, z.boolean()).optional(),
      actions: z.record(z.string().max(40), z.boolean()).optional(),
    })
    .optional(),
  billing_settings: billingSettingsUpdate.optional(),
});
export type OrganizationUpdate = z.infer<typeof organizationUpdate>;
