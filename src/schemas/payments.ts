// Saved payment methods as the portal sees them (server/modules/payments/service.ts
// `paymentMethodView`) and the hosted form's session. Pure zod/mini, shared by both sides.
import * as z from 'zod/mini';
import { me } from './customer.js';

export const paymentMethod = z.object({
  id: z.string(),
  brand: z.string(),
  last4: z.string(),
  exp_month: z.number(),
  exp_year: z.number(),
  is_default: z.boolean(),
  created_at: z.string(),
});
export type PaymentMethod = z.infer<typeof paymentMethod>;

export const paymentMethodList = z.object({ data: z.array(paymentMethod) });

/** POST /portal/v1/payment-methods/hosted-session: the iframe's address and who may talk to it. */
export const hostedSession = z.object({ url: z.string(), server_origin: z.string(), expires_at: z.string() });
export type HostedSession = z.infer<typeof hostedSession>;

/** GET /portal/v1/me?include=payment_methods: the settings view's one request. */
export const meWithPaymentMethods = z.extend(me, { payment_methods: z.array(paymentMethod) });
export type MeWithPaymentMethods = z.infer<typeof meWithPaymentMethods>;
