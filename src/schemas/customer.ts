import * as z from 'zod/mini';
import { emailAddress } from './common.js';

export const customer = z.object({
  id: z.string(),
  email: z.string(),
  name: z.nullable(z.string()),
  external_id: z.nullable(z.string()),
  created_at: z.string(),
});
export type Customer = z.infer<typeof customer>;

export const customerName = z.string().check(z.trim(), z.maxLength(200));

export const meUpdate = z.object({
  name: z.optional(z.nullable(customerName)),
});

export const externalId = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const metadata = z.record(z.string().check(z.maxLength(40)), z.union([z.string().check(z.maxLength(500)), z.number(), z.boolean()]));

export const customerCreate = z.object({
  email: emailAddress,
  name: z.optional(z.nullable(customerName)),
  external_id: z.optional(z.nullable(externalId)),
  metadata: z.optional(metadata),
});

export const customerUpdate = z.object({
  email: z.optional(emailAddress),
  name: z.optional(z.nullable(customerName)),
  external_id: z.optional(z.nullable(externalId)),
  metadata: z.optional(metadata),
});

export const merchantCustomer = z.extend(customer, {
  organization_id: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  updated_at: z.string(),
});
export type MerchantCustomer = z.infer<typeof merchantCustomer>;
