// What the merchant's wallet endpoints accept.
import { z } from 'zod';
import { paginationQuery } from '../../../src/schemas/common.js';
import { currency } from '../catalog/schemas.js';

export const creditGrant = z.object({
  customer_id: z.string().min(1),
  amount: z.number().int().min(1).max(100_000_000_00),
  currency,
  kind: z.enum(['promotional', 'prepaid', 'refund']).default('promotional'),
  description: z.string().trim().min(1).max(200),
  expires_at: z.iso.datetime().optional(),
});

export const ledgerQuery = z.object({ ...paginationQuery.shape, customer_id: z.string().min(1), currency: currency.optional() });

export type CreditGrant = z.infer<typeof creditGrant>;
