/**
 * What the billing engine needs from a payment processor. Two implementations: `test`
 * (offline, Stripe's test-card behaviour, records kept in our database) and `stripe`.
 * Card data never reaches our server under `stripe`: the hosted page confirms the
 * SetupIntent with Stripe.js and we only read back the resulting payment method.
 */
export interface CardDetails {
  /** The provider's id of the payment method (pm_… on Stripe). */
  ref: string;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  /** The provider's customer the card is attached to now (null once detached), when the provider says. */
  attachedTo?: string | null;
}

export type SetupIntentState =
  | { status: 'succeeded'; method: CardDetails }
  | { status: 'requires_payment_method' | 'processing' | 'requires_action' | 'canceled'; error?: { code: string; message: string } };

export interface ChargeRequest {
  customerRef: string;
  methodRef: string;
  amount: number;
  currency: string;
  description: string;
  /** The same key always means the same charge: a retried call never charges twice. */
  idempotencyKey: string;
  metadata?: Record<string, string>;
}

/**
 * `requires_action`: the card's bank wants the customer to authenticate this charge (3-D Secure,
 * Stripe's `authentication_required`); `ref` is the PaymentIntent that waits for them and
 * `clientSecret` what the hosted confirm page hands to Stripe.js.
 */
export type ChargeResult =
  | { status: 'succeeded'; ref: string }
  | { status: 'requires_action'; ref: string; clientSecret: string; code: 'authentication_required'; message: string }
  | { status: 'failed'; ref: string | null; code: string; message: string };

/**
 * A PaymentIntent that needed the customer, as the processor has it now. `requires_action`:
 * still waiting (with `error` when an authentication was tried and failed: the customer may try
 * again); `failed`: declined after all; `canceled`: given up (superseded by a new attempt).
 */
export type PaymentState =
  | { status: 'succeeded' }
  | { status: 'processing' }
  | { status: 'requires_action'; error?: { code: string; message: string } | undefined }
  | { status: 'failed' | 'canceled'; code: string; message: string };

export interface RefundRequest {
  chargeRef: string;
  amount: number;
  idempotencyKey: string;
  /** Our refund's id, kept on the processor's refund (metadata) so its events are matched to it. */
  refundId?: string;
}

/** A refund as the processor has it (made by us or in its dashboard). */
export interface ProviderRefund {
  ref: string;
  amount: number;
  status: 'succeeded' | 'pending' | 'failed' | 'canceled';
  /** Our refund id when we asked for it (metadata.refund_id), null when made elsewhere. */
  refundId: string | null;
  reason: string | null;
}

export interface PaymentProvider {
  readonly name: 'test' | 'stripe';
  /** The provider's customer for ours, made on first need. */
  createCustomer(input: {
    email: string;
    name: string | null;
    customerId: string;
    organizationId: string;
    /** Changes when our row does (its updated_at): part of the idempotency key, so a customer made again is a new one. */
    version?: string;
  }): Promise<string>;
  createSetupIntent(customerRef: string): Promise<{ id: string; client_secret: string }>;
  retrieveSetupIntent(id: string): Promise<SetupIntentState & { customerRef: string }>;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<{ ref: string }>;
  /**
   * Readies a payment that needs the customer for the hosted confirm page (on Stripe: an
   * off-session PaymentIntent declined with `authentication_required` is confirmed again
   * on-session so it has a next action) and returns what the page needs.
   */
  prepareAuthentication(ref: string, returnUrl: string): Promise<{ clientSecret: string; state: PaymentState }>;
  /** The payment's state now (the source of truth after the customer acted, or an event said so). */
  retrievePayment(ref: string): Promise<PaymentState>;
  /** Gives a waiting payment up; answers its state after (succeeded when the customer was faster). */
  cancelPayment(ref: string): Promise<PaymentState>;
  detachPaymentMethod(methodRef: string): Promise<void>;
  /** Every refund of a charge (its PaymentIntent id), wherever it was made; Stripe only. */
  listRefunds?(chargeRef: string): Promise<ProviderRefund[]>;
}

/** Messages a customer can act on, by decline code (Stripe's codes). */
export const DECLINE_MESSAGES: Record<string, string> = {
  card_declined: 'Your card was declined. Use another card or contact your bank.',
  insufficient_funds: 'Your card has insufficient funds. Use another card.',
  expired_card: 'Your card has expired. Use another card.',
  incorrect_cvc: 'The security code is incorrect. Check it and try again.',
  processing_error: 'The card could not be processed. Try again in a moment.',
  no_payment_method: 'There is no card on file. Add a payment method.',
  authentication_required: 'Your bank asks you to confirm this payment. Confirm it in your portal.',
  payment_intent_authentication_failure: 'Your bank could not confirm the payment. Try again, or use another card.',
};
