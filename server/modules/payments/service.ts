import type { CustomerRow, OrderRow, PaymentMethodRow, PaymentRow, SubscriptionRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { CustomerService } from '../customers/service.js';
import { DECLINE_MESSAGES, type PaymentProvider } from './provider.js';
import type { PaymentRepository } from './repository.js';
import type { PaymentMethod } from '../../../src/schemas/payments.js';

export type ChargeOutcome =
  | { status: 'succeeded'; paymentMethodId: string }
  /** The card's bank wants the customer to authenticate the charge: `paymentId` waits for them. */
  | { status: 'requires_action'; code: 'authentication_required'; message: string; paymentMethodId: string | null; paymentId: string }
  | { status: 'failed'; code: string; message: string; paymentMethodId: string | null };

/** What an authentication came to at the processor, with the payment after it. */
export type AuthenticationOutcome =
  | { status: 'succeeded'; payment: PaymentRow; settledNow: boolean }
  | { status: 'requires_action' | 'processing'; payment: PaymentRow; error?: { code: string; message: string } | undefined }
  | { status: 'failed'; payment: PaymentRow; code: string; message: string; settledNow: boolean };

const waiting = (payment: PaymentRow): ChargeOutcome => ({
  status: 'requires_action',
  code: 'authentication_required',
  message: DECLINE_MESSAGES.authentication_required!,
  paymentMethodId: payment.payment_method_id,
  paymentId: payment.id,
});

interface Deps {
  repo: PaymentRepository;
  provider: PaymentProvider;
  customers: CustomerService;
  clock: Clock;
  /** The customer's subscriptions that are not over (the subscription service is built after this one). */
  liveSubscriptions: (organizationId: string, customerId: string) => Promise<Pick<SubscriptionRow, 'status'>[]>;
}

export function paymentService({ repo, provider, customers, clock, liveSubscriptions }: Deps) {
  async function providerCustomer(customer: CustomerRow): Promise<string> {
    if (customer.provider_customer_ref) return customer.provider_customer_ref;
    const fresh = await customers.get(customer.organization_id, { id: customer.id });
    if (fresh.provider_customer_ref) return fresh.provider_customer_ref;
    const ref = await provider.createCustomer({
      email: fresh.email,
      name: fresh.name,
      customerId: fresh.id,
      organizationId: fresh.organization_id,
      // A link dropped when Stripe's customer was deleted (customer.deleted) makes a new one.
      version: fresh.updated_at.toISOString(),
    });
    return customers.setProviderRef(customer.organization_id, customer.id, ref);
  }

  return {
    provider,
    listMethods: (organizationId: string, customerId: string) => repo.listMethods(organizationId, customerId),
    defaultMethod: (organizationId: string, customerId: string) => repo.defaultMethod(organizationId, customerId),
    findMethodById: (id: string) => repo.findMethodById(id),

    async startSetup(customer: CustomerRow) {
      const ref = await providerCustomer(customer);
      const intent = await provider.createSetupIntent(ref);
      return { provider: provider.name, setup_intent_id: intent.id, client_secret: intent.client_secret };
    },

    /**
     * Reads a confirmed SetupIntent back from the provider and saves its card. Checks the
     * intent belongs to this customer, so one customer cannot claim another's card.
     */
    async completeSetup(customer: CustomerRow, setupIntentId: string, makeDefault: boolean): Promise<PaymentMethodRow> {
      const ref = await providerCustomer(customer);
      const intent = await provider.retrieveSetupIntent(setupIntentId);
      if (intent.customerRef !== ref) throw new ApiError(404, 'setup_intent_not_found', 'This card setup was not found. Start again.');
      if (intent.status !== 'succeeded') {
        throw new ApiError(402, intent.error?.code ?? 'setup_incomplete', intent.error?.message ?? 'The card was not saved. Try again or use another card.');
      }
      const existing = await repo.findMethodByRef(customer.organization_id, customer.id, intent.method.ref);
      const current = await repo.defaultMethod(customer.organization_id, customer.id);
      const method =
        existing ??
        // A card Stripe's setup_intent.succeeded event is saving at the same moment is that one.
        (await repo.insertMethodIfAbsent({
          id: newId('pm', clock.now().getTime()),
          organization_id: customer.organization_id,
          customer_id: customer.id,
          provider: provider.name,
          provider_ref: intent.method.ref,
          brand: intent.method.brand,
          last4: intent.method.last4,
          exp_month: intent.method.exp_month,
          exp_year: intent.method.exp_year,
          is_default: false,
          created_at: clock.now(),
        })) ??
        (await repo.findMethodByRef(customer.organization_id, customer.id, intent.method.ref))!;
      if (makeDefault || !current) await repo.setDefault(customer.organization_id, customer.id, method.id);
      return (await repo.findMethodById(method.id))!;
    },

    async setDefault(organizationId: string, customerId: string, id: string) {
      const method = await repo.findMethod(organizationId, customerId, id);
      if (!method) throw new ApiError(404, 'payment_method_not_found', 'This payment method was not found.');
      await repo.setDefault(organizationId, customerId, id);
    },

    /** Removes a card; refused when it would leave a live subscription with nothing to charge. */
    async remove(organizationId: string, customerId: string, id: string) {
      const method = await repo.findMethod(organizationId, customerId, id);
      if (!method) throw new ApiError(404, 'payment_method_not_found', 'This payment method was not found.');
      const all = await repo.listMethods(organizationId, customerId);
      if (all.length === 1 && (await liveSubscriptions(organizationId, customerId)).some((s) => s.status !== 'paused')) {
        throw new ApiError(
          409,
          'payment_method_required',
          'You have an active subscription, so you need a payment method. Add another card first, then remove this one.',
        );
      }
      await provider.detachPaymentMethod(method.provider_ref);
      await repo.detach(organizationId, id, clock.now());
      if (method.is_default) {
        const next = all.find((m) => m.id !== id);
        if (next) await repo.setDefault(organizationId, customerId, next.id);
      }
    },

    /**
     * Charges an order's total to the customer's default card. Idempotent: a pending attempt
     * (a crash between charging and recording) is retried with the same key, which the
     * provider answers with the original result instead of charging again.
     */
    async chargeOrder(order: OrderRow, customer: CustomerRow, description: string): Promise<ChargeOutcome> {
      const now = clock.now();
      // A charge waiting for the customer's authentication is not charged again off-session
      // (the bank would only ask again; Stripe does not retry these either): it waits, unless the
      // customer has since chosen another card, which supersedes it (canceled at the processor
      // first, so confirming the old one later can never charge twice).
      const awaiting = await repo.awaitingPayment(order.id);
      if (awaiting) {
        const current = await repo.defaultMethod(order.organization_id, order.customer_id);
        if (!current || current.id === awaiting.payment_method_id) return waiting(awaiting);
        const state = await provider.cancelPayment(awaiting.provider_ref!);
        if (state.status === 'succeeded') {
          await repo.transition(awaiting.id, ['requires_action'], { status: 'succeeded', client_secret: null, failure_code: null, failure_message: null }, now);
          return { status: 'succeeded', paymentMethodId: awaiting.payment_method_id! };
        }
        if (state.status === 'requires_action' || state.status === 'processing') return waiting(awaiting);
        await repo.transition(awaiting.id, ['requires_action'], { status: 'canceled', client_secret: null }, now);
      }
      let payment = await repo.pendingPayment(order.id);
      if (!payment) {
        const method = await repo.defaultMethod(order.organization_id, order.customer_id);
        if (!method) return { status: 'failed', code: 'no_payment_method', message: DECLINE_MESSAGES.no_payment_method!, paymentMethodId: null };
        const attempt = (await repo.countPayments(order.id)) + 1;
        payment = await repo.insertPaymentIfAbsent({
          id: newId('pay', now.getTime()),
          organization_id: order.organization_id,
          order_id: order.id,
          payment_method_id: method.id,
          provider: provider.name,
          attempt_key: `${order.id}:${attempt}`,
          amount: order.total,
          currency: order.currency,
          status: 'pending',
          created_at: now,
          updated_at: now,
        });
        if (payment.status === 'requires_action') return waiting(payment);
        if (payment.status !== 'pending') {
          return payment.status === 'succeeded'
            ? { status: 'succeeded', paymentMethodId: payment.payment_method_id! }
            : {
                status: 'failed',
                code: payment.failure_code ?? 'card_declined',
                message: payment.failure_message ?? '',
                paymentMethodId: payment.payment_method_id,
              };
        }
      }
      const method = payment.payment_method_id ? await repo.findMethodById(payment.payment_method_id) : undefined;
      if (!method) return { status: 'failed', code: 'no_payment_method', message: DECLINE_MESSAGES.no_payment_method!, paymentMethodId: null };
      const result = await provider.charge({
        customerRef: await providerCustomer(customer),
        methodRef: method.provider_ref,
        amount: payment.amount,
        currency: payment.currency,
        description,
        idempotencyKey: payment.attempt_key,
        metadata: { order_id: order.id, invoice_number: order.invoice_number },
      });
      await repo.finishPayment(
        payment.id,
        result.status === 'succeeded'
          ? { status: 'succeeded', provider_ref: result.ref, failure_code: null, failure_message: null }
          : result.status === 'requires_action'
            ? {
                status: 'requires_action',
                provider_ref: result.ref,
                failure_code: result.code,
                failure_message: result.message,
                client_secret: result.clientSecret,
              }
            : { status: 'failed', provider_ref: result.ref, failure_code: result.code, failure_message: result.message },
        clock.now(),
      );
      if (result.status === 'requires_action') return waiting(payment);
      return result.status === 'succeeded'
        ? { status: 'succeeded', paymentMethodId: method.id }
        : { status: 'failed', code: result.code, message: DECLINE_MESSAGES[result.code] ?? result.message, paymentMethodId: method.id };
    },

    findPayment: (organizationId: string, id: string) => repo.findPayment(organizationId, id),
    findPaymentByRef: (ref: string) => repo.findPaymentByRef(ref),
    awaitingPayment: (orderId: string) => repo.awaitingPayment(orderId),

    /** What the hosted confirm page needs for a payment waiting for the customer (see the provider). */
    prepareAuthentication: (payment: PaymentRow, returnUrl: string) => provider.prepareAuthentication(payment.provider_ref!, returnUrl),

    /**
     * Reads a payment that waited for the customer back from the processor and records what it
     * came to. Idempotent: of two simultaneous calls (two confirms, a confirm and Stripe's event)
     * one moves the payment (`settledNow`), the other finds it moved.
     */
    async resolveAuthentication(payment: PaymentRow, options: { giveUp?: boolean } = {}): Promise<AuthenticationOutcome> {
      if (payment.status === 'succeeded') return { status: 'succeeded', payment, settledNow: false };
      if (payment.status !== 'requires_action' || !payment.provider_ref) {
        return { status: 'failed', payment, code: payment.failure_code ?? 'card_declined', message: payment.failure_message ?? '', settledNow: false };
      }
      let state = await provider.retrievePayment(payment.provider_ref);
      // A change the customer could not confirm is undone: the PaymentIntent is canceled first, so
      // it cannot succeed later (if it just did, it is paid after all).
      if (options.giveUp && state.status === 'requires_action') state = await provider.cancelPayment(payment.provider_ref);
      const now = clock.now();
      if (state.status === 'succeeded') {
        const won = await repo.transition(
          payment.id,
          ['requires_action'],
          { status: 'succeeded', client_secret: null, failure_code: null, failure_message: null },
          now,
        );
        return { status: 'succeeded', payment: won ?? (await repo.findPayment(payment.organization_id, payment.id))!, settledNow: Boolean(won) };
      }
      if (state.status === 'failed' || state.status === 'canceled') {
        const code = state.status === 'canceled' ? 'payment_intent_authentication_failure' : state.code;
        const message = DECLINE_MESSAGES[code] ?? state.message;
        const won = await repo.transition(
          payment.id,
          ['requires_action'],
          { status: state.status, client_secret: null, failure_code: code, failure_message: message },
          now,
        );
        return { status: 'failed', payment: won ?? (await repo.findPayment(payment.organization_id, payment.id))!, code, message, settledNow: Boolean(won) };
      }
      if (state.status === 'requires_action' && state.error) {
        const message = DECLINE_MESSAGES[state.error.code] ?? state.error.message;
        await repo.transition(payment.id, ['requires_action'], { failure_code: state.error.code, failure_message: message }, now);
        return { status: 'requires_action', payment, error: { code: state.error.code, message } };
      }
      return { status: state.status, payment };
    },

    /** Refunds up to `amount` of an order's succeeded payments to the card. */
    async refundToCard(order: OrderRow, amount: number, refundId: string): Promise<string | null> {
      const payments = await repo.succeededPayments(order.id);
      const charge = payments.at(-1);
      if (!charge?.provider_ref) return null;
      const result = await provider.refund({ chargeRef: charge.provider_ref, amount, idempotencyKey: `refund:${refundId}`, refundId });
      return result.ref;
    },
  };
}
export type PaymentService = ReturnType<typeof paymentService>;

export function paymentMethodView(m: PaymentMethodRow): PaymentMethod {
  return {
    id: m.id,
    brand: m.brand,
    last4: m.last4,
    exp_month: m.exp_month,
    exp_year: m.exp_year,
    is_default: m.is_default,
    created_at: m.created_at.toISOString(),
  };
}
