import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import {
  DECLINE_MESSAGES,
  type CardDetails,
  type ChargeResult,
  type PaymentProvider,
  type PaymentState,
  type ProviderRefund,
  type SetupIntentState,
} from './provider.js';

export interface StripeProviderSettings {
  secretKey: string;
  /** A local fake of Stripe's API (tests): http://127.0.0.1:port. Unset means api.stripe.com. */
  apiUrl?: string | undefined;
  /** The SDK's own retries of network errors and 5xx (same idempotency key); its default when unset. */
  maxNetworkRetries?: number | undefined;
}

/** The Stripe client the provider talks through, pointed at a local fake when apiUrl is set. */
export function stripeClient(settings: StripeProviderSettings): Stripe {
  const options: ConstructorParameters<typeof Stripe>[1] = { appInfo: { name: 'customer-portal' } };
  if (settings.apiUrl) {
    const url = new URL(settings.apiUrl);
    options.host = url.hostname;
    options.port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    options.protocol = url.protocol === 'https:' ? 'https' : 'http';
  }
  if (settings.maxNetworkRetries !== undefined) options.maxNetworkRetries = settings.maxNetworkRetries;
  return new Stripe(settings.secretKey, options);
}

/**
 * Stripe's codes to ours: a decline code we have a message for wins (insufficient_funds),
 * otherwise the error code (card_declined for generic_decline).
 */
function failureCode(error: { code?: string | null | undefined; decline_code?: string | null | undefined }): string {
  if (error.decline_code && DECLINE_MESSAGES[error.decline_code]) return error.decline_code;
  return error.code ?? 'card_declined';
}

/** The message a customer can act on: ours for known codes, Stripe's otherwise. */
function failureMessage(code: string, stripeMessage: string | null | undefined): string {
  return DECLINE_MESSAGES[code] ?? stripeMessage ?? 'Your card was declined.';
}

function cardDetails(method: string | Stripe.PaymentMethod | null): CardDetails | null {
  if (!method || typeof method === 'string' || !method.card) return null;
  return {
    ref: method.id,
    brand: method.card.brand,
    last4: method.card.last4,
    exp_month: method.card.exp_month,
    exp_year: method.card.exp_year,
    attachedTo: method.customer ? refOf(method.customer) : null,
  };
}

/** Codes that mean the bank wants the customer, not that the card was refused. */
const AUTHENTICATION_CODES = new Set(['authentication_required', 'payment_intent_authentication_failure']);

/** A PaymentIntent's state as the billing engine sees it. */
function paymentState(intent: Stripe.PaymentIntent): PaymentState {
  if (intent.status === 'succeeded') return { status: 'succeeded' };
  if (intent.status === 'processing') return { status: 'processing' };
  if (intent.status === 'canceled') return { status: 'canceled', code: 'canceled', message: 'This payment was canceled.' };
  const lastError = intent.last_payment_error;
  if (intent.status === 'requires_action' || intent.status === 'requires_confirmation') return { status: 'requires_action' };
  // requires_payment_method: after an authentication asked for or failed, the customer may still
  // confirm it; after a decline, it failed.
  const code = lastError ? failureCode(lastError) : 'card_declined';
  if (!lastError || AUTHENTICATION_CODES.has(lastError.code ?? '') || AUTHENTICATION_CODES.has(lastError.decline_code ?? '')) {
    const authCode = lastError?.code === 'payment_intent_authentication_failure' ? lastError.code : null;
    return { status: 'requires_action', error: authCode ? { code: authCode, message: failureMessage(authCode, lastError?.message) } : undefined };
  }
  return { status: 'failed', code, message: failureMessage(code, lastError.message) };
}

const refOf = (value: string | { id: string } | null | undefined): string => (typeof value === 'string' ? value : (value?.id ?? ''));

/**
 * The `stripe` provider: customers, SetupIntents confirmed by Stripe.js in the hosted page,
 * off-session PaymentIntents for renewals, refunds. Charge refs are PaymentIntent ids.
 * A declined card is a `failed` result; anything else (network, 5xx, bad request) throws,
 * and the caller retries later with the same idempotency key, which Stripe answers with
 * the first result instead of charging again.
 */
export function stripeProvider(settings: StripeProviderSettings): PaymentProvider {
  const stripe = stripeClient(settings);
  return {
    name: 'stripe',

    async createCustomer({ email, name, customerId, organizationId, version }) {
      const customer = await stripe.customers.create(
        { email, ...(name ? { name } : {}), metadata: { customer_id: customerId, organization_id: organizationId } },
        // One Stripe customer per ours when a first need is retried or races another; the
        // details are in the key so a changed email never meets Stripe's "same key, other
        // parameters" refusal.
        {
          idempotencyKey: `customer:${customerId}:${createHash('sha256')
            .update(`${email}\n${name ?? ''}\n${version ?? ''}`)
            .digest('hex')
            .slice(0, 16)}`,
        },
      );
      return customer.id;
    },

    async createSetupIntent(customerRef) {
      // Cards only: a saved method must be chargeable off-session and shown as brand and last4.
      // (`allowed_payment_method_types` is what API version 2026-10-28 calls `payment_method_types`.)
      const intent = await stripe.setupIntents.create({ customer: customerRef, usage: 'off_session', allowed_payment_method_types: ['card'] });
      if (!intent.client_secret) throw new Error(`Stripe returned SetupIntent ${intent.id} without a client secret`);
      return { id: intent.id, client_secret: intent.client_secret };
    },

    async retrieveSetupIntent(id) {
      let intent: Stripe.SetupIntent;
      try {
        intent = await stripe.setupIntents.retrieve(id, { expand: ['payment_method'] });
      } catch (error) {
        if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) {
          return { status: 'canceled', customerRef: '', error: { code: 'setup_intent_invalid', message: 'Unknown setup.' } };
        }
        throw error;
      }
      const customerRef = refOf(intent.customer);
      if (intent.status === 'succeeded') {
        const method = cardDetails(intent.payment_method);
        if (method) return { status: 'succeeded', method, customerRef };
        return { status: 'requires_payment_method', customerRef, error: { code: 'card_required', message: 'Only cards can be saved here. Use a card.' } };
      }
      const pending: string[] = ['processing', 'requires_action', 'canceled'];
      const status = (pending.includes(intent.status) ? intent.status : 'requires_payment_method') as Exclude<SetupIntentState['status'], 'succeeded'>;
      const lastError = intent.last_setup_error;
      if (!lastError) return { status, customerRef };
      const code = failureCode(lastError);
      return { status, customerRef, error: { code, message: failureMessage(code, lastError.message) } };
    },

    async charge(request): Promise<ChargeResult> {
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: request.amount,
            currency: request.currency.toLowerCase(),
            customer: request.customerRef,
            payment_method: request.methodRef,
            off_session: true,
            confirm: true,
            description: request.description,
            ...(request.metadata ? { metadata: request.metadata } : {}),
          },
          { idempotencyKey: request.idempotencyKey },
        );
        if (intent.status === 'succeeded') return { status: 'succeeded', ref: intent.id };
        if (intent.status === 'requires_action' && intent.client_secret) {
          return {
            status: 'requires_action',
            ref: intent.id,
            clientSecret: intent.client_secret,
            code: 'authentication_required',
            message: DECLINE_MESSAGES.authentication_required!,
          };
        }
        // Off-session card payments either succeed, fail with a card error or wait for the
        // customer; anything else (a method still processing) is not a payment yet.
        const lastError = intent.last_payment_error;
        const code = lastError ? failureCode(lastError) : `payment_${intent.status}`;
        return {
          status: 'failed',
          ref: intent.id,
          code,
          message: failureMessage(code, lastError?.message ?? 'The payment could not be completed. Use another card.'),
        };
      } catch (error) {
        if (error instanceof Stripe.errors.StripeCardError) {
          const intent = (error.raw as { payment_intent?: { id?: string; client_secret?: string } }).payment_intent;
          // The bank wants the customer (SCA): the PaymentIntent waits for them to confirm it.
          if ((error.code === 'authentication_required' || error.decline_code === 'authentication_required') && intent?.id && intent.client_secret) {
            return {
              status: 'requires_action',
              ref: intent.id,
              clientSecret: intent.client_secret,
              code: 'authentication_required',
              message: DECLINE_MESSAGES.authentication_required!,
            };
          }
          const code = failureCode(error);
          return { status: 'failed', ref: intent?.id ?? null, code, message: failureMessage(code, error.message) };
        }
        throw error;
      }
    },

    async prepareAuthentication(ref, returnUrl) {
      let intent = await stripe.paymentIntents.retrieve(ref);
      // Declined off-session with authentication_required (or a failed attempt): confirm it again
      // on-session with its card, so it has a next action for Stripe.js (handleNextAction).
      if (intent.status === 'requires_payment_method' && paymentState(intent).status === 'requires_action') {
        const method = refOf(intent.payment_method ?? intent.last_payment_error?.payment_method ?? null);
        try {
          intent = await stripe.paymentIntents.confirm(ref, { ...(method ? { payment_method: method } : {}), return_url: returnUrl });
        } catch (error) {
          if (!(error instanceof Stripe.errors.StripeCardError)) throw error;
          intent = await stripe.paymentIntents.retrieve(ref);
        }
      }
      return { clientSecret: intent.client_secret ?? '', state: paymentState(intent) };
    },

    async retrievePayment(ref) {
      return paymentState(await stripe.paymentIntents.retrieve(ref));
    },

    async cancelPayment(ref) {
      try {
        return paymentState(await stripe.paymentIntents.cancel(ref));
      } catch (error) {
        // Already succeeded or canceled: its state is the answer.
        if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'payment_intent_unexpected_state') return this.retrievePayment(ref);
        throw error;
      }
    },

    async refund(request) {
      const refund = await stripe.refunds.create(
        { payment_intent: request.chargeRef, amount: request.amount, ...(request.refundId ? { metadata: { refund_id: request.refundId } } : {}) },
        { idempotencyKey: request.idempotencyKey },
      );
      return { ref: refund.id };
    },

    async listRefunds(chargeRef) {
      const all: ProviderRefund[] = [];
      for await (const refund of stripe.refunds.list({ payment_intent: chargeRef, limit: 100 })) {
        all.push({
          ref: refund.id,
          amount: refund.amount,
          status: (['succeeded', 'pending', 'failed', 'canceled'].includes(refund.status ?? '') ? refund.status : 'pending') as ProviderRefund['status'],
          refundId: refund.metadata?.refund_id ?? null,
          reason: refund.reason ?? null,
        });
      }
      return all;
    },

    async detachPaymentMethod(methodRef) {
      try {
        await stripe.paymentMethods.detach(methodRef);
      } catch (error) {
        // Already detached (or deleted at Stripe): the card is gone either way.
        if (error instanceof Stripe.errors.StripeInvalidRequestError && (error.statusCode === 404 || error.code === 'payment_method_unexpected_state')) return;
        throw error;
      }
    },
  };
}
