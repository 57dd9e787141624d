import type { CustomerRow, OrderRow, PaymentMethodRow, SubscriptionRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { CustomerService } from '../customers/service.js';
import { DECLINE_MESSAGES, type PaymentProvider } from './provider.js';
import type { PaymentRepository } from './repository.js';
import type { PaymentMethod } from '../../../src/schemas/payments.js';

export type ChargeOutcome =
  | { status: 'succeeded'; paymentMethodId: string }
  | { status: 'failed'; code: string; message: string; paymentMethodId: string | null };

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
          : { status: 'failed', provider_ref: result.ref, failure_code: result.code, failure_message: result.message },
        clock.now(),
      );
      return result.status === 'succeeded'
        ? { status: 'succeeded', paymentMethodId: method.id }
        : { status: 'failed', code: result.code, message: DECLINE_MESSAGES[result.code] ?? result.message, paymentMethodId: method.id };
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
