import { z } from 'zod';
import type { BenefitType } from '../../db/schema.js';

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }).max(2000);

/** What each type of benefit is configured with. Stored in benefits.properties. */
export const benefitProperties = {
  license_key: z.object({
    /** Keys start with it: `ACME-XXXXXX-…`. */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9]{0,12}$/, 'expected up to 12 letters or digits')
      .nullable()
      .default(null),
    /** How many devices may activate one key; null: unlimited. */
    activation_limit: z.number().int().min(1).max(10_000).nullable().default(null),
    /** Keys expire this many days after they are granted; null: never. */
    expires_after_days: z.number().int().min(1).max(36_500).nullable().default(null),
  }),
  download: z.object({}),
  discord: z.object({ invite_url: httpUrl }),
  api_key: z.object({
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_]{0,16}$/, 'expected up to 16 letters, digits or underscores')
      .default(''),
  }),
  custom: z.object({
    text: z.string().trim().max(4000).nullable().default(null),
    links: z
      .array(z.object({ label: z.string().trim().min(1).max(80), url: httpUrl }))
      .max(10)
      .default([]),
  }),
} satisfies Record<BenefitType, z.ZodType>;

export type LicenseKeyProperties = z.output<(typeof benefitProperties)['license_key']>;
export type ApiKeyProperties = z.output<(typeof benefitProperties)['api_key']>;
export type CustomProperties = z.output<(typeof benefitProperties)['custom']>;
export type DiscordProperties = z.output<(typeof benefitProperties)['discord']>;

const description = z.string().trim().min(1).max(200);

export const benefitCreate = z.discriminatedUnion('type', [
  z.object({ type: z.literal('license_key'), description, properties: benefitProperties.license_key.default(benefitProperties.license_key.parse({})) }),
  z.object({ type: z.literal('download'), description, properties: benefitProperties.download.default({}) }),
  z.object({ type: z.literal('discord'), description, properties: benefitProperties.discord }),
  z.object({ type: z.literal('api_key'), description, properties: benefitProperties.api_key.default(benefitProperties.api_key.parse({})) }),
  z.object({ type: z.literal('custom'), description, properties: benefitProperties.custom.default(benefitProperties.custom.parse({})) }),
]);
export type BenefitCreate = z.output<typeof benefitCreate>;

/** Properties are merged over the stored ones, then checked against the benefit's type. */
export const benefitUpdate = z.object({
  description: description.optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
});
export type BenefitUpdate = z.output<typeof benefitUpdate>;

export const licenseKeyValidate = z.object({
  organization: z.string().min(1).max(64),
  key: z.string().trim().min(1).max(200),
  activation_id: z.string().min(1).max(64).optional(),
});

export const licenseKeyActivate = z.object({
  organization: z.string().min(1).max(64),
  key: z.string().trim().min(1).max(200),
  label: z.string().trim().min(1).max(200),
});

export const licenseKeyDeactivate = z.object({
  organization: z.string().min(1).max(64),
  key: z.string().trim().min(1).max(200),
  activation_id: z.string().min(1).max(64),
});

export const apiKeyValidate = z.object({ key: z.string().trim().min(1).max(300) });

/** `?filename=` of an upload: a plain name, no folders or control characters. */
export const uploadQuery = z.object({
  filename: z
    .string()
    .trim()
    .min(1, 'send ?filename= with the name customers will see')
    .max(255)
    .refine((n) => !/[/\\\u0000-\u001f\u007f]/.test(n) && n !== '.' && n !== '..', 'expected a file name without slashes or control characters'),
});
