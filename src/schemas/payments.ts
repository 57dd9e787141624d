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

/** POST /portal/v1/payment-methods/hosted-session: the page that opens the form, and whether the card becomes the default. */
export const hostedSessionRequest = z.object({ origin: z.url({ protocol: /^https?$/ }), make_default: z._default(z.boolean(), true) });

/** The hosted form, once the provider confirmed the SetupIntent: store the card. */
export const setupIntentConfirmRequest = z.object({
  setup_intent_id: z.string().check(z.minLength(1), z.maxLength(200)),
  make_default: z._default(z.boolean(), true),
});

/** The offline test provider's stand-in for Stripe.js: the card the hosted form posts (test numbers only). */
export const testCardRequest = z.object({
  client_secret: z.string().check(z.minLength(10), z.maxLength(300)),
  number: z.string().check(z.maxLength(30)),
  exp_month: z.int(),
  exp_year: z.int(),
  cvc: z.string().check(z.maxLength(4)),
});
export type TestCardRequest = z.input<typeof testCardRequest>;

/** The test bank's 3-D Secure challenge, answered in the hosted confirm page (the test provider's stand-in for handleNextAction). */
export const testAuthenticateRequest = z.object({
  client_secret: z.string().check(z.minLength(10), z.maxLength(300)),
  outcome: z.enum(['approve', 'fail']),
});

/** POST /portal/v1/payments/confirm-session: the hosted confirm page for the order named, or the oldest waiting payment. */
export const confirmSessionRequest = z.object({
  origin: z.url({ protocol: /^https?$/ }),
  order_id: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
});

/** The hosted confirm page trades its open token (once), or asks again with its confirm token ("Try again"). */
export const confirmStartRequest = z.object({
  token: z.optional(z.string().check(z.minLength(10), z.maxLength(200))),
  confirm_token: z.optional(z.string().check(z.minLength(10), z.maxLength(200))),
});

/** The hosted confirm page after the next action ran: settle the payment. */
export const confirmCompleteRequest = z.object({ confirm_token: z.string().check(z.minLength(10), z.maxLength(200)) });

/** POST /portal/v1/payment-methods/hosted-session: the iframe's address and who may talk to it. */
export const hostedSession = z.object({ url: z.string(), server_origin: z.string(), expires_at: z.string() });
export type HostedSession = z.infer<typeof hostedSession>;

/** GET /portal/v1/me?include=payment_methods: the settings view's one request. */
export const meWithPaymentMethods = z.extend(me, { payment_methods: z.array(paymentMethod) });
export type MeWithPaymentMethods = z.infer<typeof meWithPaymentMethods>;
