import { z } from 'zod';

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'expected an ISO 4217 currency code like USD')
  .transform((c) => c.toUpperCase())
  .refine((c) => KNOWN_CURRENCIES.has(c), 'unknown currency');

export const priceCreate = z
  .object({
    type: z.enum(['one_time', 'recurring']),
    model: z.enum(['flat', 'per_seat', 'metered']).default('flat'),
    currency,
    unit_amount: z.number().int('amounts are whole minor units (cents)').min(0).max(100_000_000_00),
    interval: z.enum(['day', 'week', 'month', 'year']).optional(),
    interval_count: z.number().int().min(1).max(36).default(1),
    included_units: z.number().int().min(0).default(0),
    meter_id: z.string().optional(),
    /** For a flat or per-seat price with a meter: the price per unit above the included units. */
    overage_unit_amount: z.number().int().min(0).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.type === 'recurring' && !p.interval) ctx.addIssue({ code: 'custom', path: ['interval'], message: 'a recurring price needs an interval' });
    if (p.type === 'one_time' && p.interval) ctx.addIssue({ code: 'custom', path: ['interval'], message: 'a one-time price has no interval' });
    if (p.type === 'one_time' && p.model !== 'flat') ctx.addIssue({ code: 'custom', path: ['model'], message: 'per-seat and metered prices are recurring' });
    if (p.model === 'metered' && !p.meter_id) ctx.addIssue({ code: 'custom', path: ['meter_id'], message: 'a metered price needs a meter' });
    if (p.overage_unit_amount !== undefined && (!p.meter_id || p.model === 'metered')) {
      ctx.addIssue({ code: 'custom', path: ['overage_unit_amount'], message: 'overage needs a meter on a flat or per-seat price' });
    }
  });
export type PriceCreate = z.infer<typeof priceCreate>;

export const productCreate = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).nullable().optional(),
  visibility: z.enum(['public', 'private']).default('public'),
  prices: z.array(priceCreate).min(1).max(20),
});

export const productUpdate = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().trim().max(2000).nullable().optional(),
  visibility: z.enum(['public', 'private']).optional(),
  archived: z.boolean().optional(),
});
