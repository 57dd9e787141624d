// Stripe's events reconciled into our state (the webhook route verifies the signature and
// calls `receive`). Each event is stored and handled in one transaction keyed by its id, so a
// redelivery, or the same event delivered twice at once, is handled once (the second insert
// waits for the first and finds the row). Handlers read the state of the object in the event
// (or fetched from Stripe before the transaction) and its `created`, never the order of arrival,
// so a late or early event changes nothing twice. What a handler changes is re-emitted to the
// merchant through our own webhooks, in the same transaction.
import type { Kysely } from 'kysely';
import type Stripe from 'stripe';
import type { DB, DisputeStatus, OrderRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { customerRepository } from '../customers/repository.js';
import { merchantCustomerView } from '../customers/service.js';
import type { OrderService } from '../orders/service.js';
import type { WebhookService } from '../webhooks/service.js';
import type { CardDetails, PaymentProvider, ProviderRefund } from './provider.js';
import { paymentRepository } from './repository.js';
import { paymentMethodView } from './service.js';
import { stripeEventRepository } from './stripe-event-repository.js';

type EventObject = Record<string, unknown> & { id?: string };

interface Deps {
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  provider: PaymentProvider;
  orders: OrderService;
  webhooks: WebhookService;
  /** Subscriptions built after this service: what follows a settled order or a new default card. */
  afterOrderPaid: (order: OrderRow) => Promise<unknown>;
  afterDefaultCardChanged: (organizationId: string, customerId: string) => Promise<unknown>;
}

/** What a handler fetched from Stripe before the transaction (the object's state now). */
type Prefetched = { refunds?: ProviderRefund[]; setup?: { status: string; customerRef: string; method?: CardDetails } };

/** What happens after the commit (emails, retries): never inside the event's transaction. */
type After = () => Promise<unknown>;

const refOf = (value: unknown): string | null =>
  typeof value === 'string'
    ? value
    : value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string'
      ? (value as { id: string }).id
      : null;

function disputeStatus(status: unknown): DisputeStatus {
  if (status === 'won' || status === 'warning_closed') return 'won';
  if (status === 'lost') return 'lost';
  return 'open';
}

export function stripeEventService(deps: Deps) {
  const { db, clock, logger, provider } = deps;

  async function prefetch(event: Stripe.Event): Promise<Prefetched> {
    const object = event.data.object as unknown as EventObject;
    if (event.type === 'charge.refunded' && provider.listRefunds) {
      const pi = refOf(object.payment_intent);
      return pi ? { refunds: await provider.listRefunds(pi) } : {};
    }
    if (event.type === 'setup_intent.succeeded' && object.id) {
      const intent = await provider.retrieveSetupIntent(object.id);
      return { setup: { status: intent.status, customerRef: intent.customerRef, ...(intent.status === 'succeeded' ? { method: intent.method } : {}) } };
    }
    return {};
  }

  /** Handles one event in `trx`; returns its outcome and what to do after the commit. */
  async function apply(trx: Kysely<DB>, event: Stripe.Event, fetched: Prefetched): Promise<{ outcome: string; after?: After }> {
    const object = event.data.object as unknown as EventObject;
    const eventAt = new Date(event.created * 1000);
    const now = clock.now();
    switch (event.type) {
      case 'payment_intent.succeeded':
      case 'payment_intent.payment_failed': {
        const lastError = object.last_payment_error as { code?: string; decline_code?: string; message?: string } | null | undefined;
        const metadata = (object.metadata ?? {}) as Record<string, string>;
        const { outcome, order } = await deps.orders.settlePaymentIntent(trx, {
          ref: object.id!,
          status: event.type === 'payment_intent.succeeded' ? 'succeeded' : 'failed',
          orderId: metadata.order_id ?? null,
          code: lastError?.decline_code ?? lastError?.code ?? null,
          message: lastError?.message ?? null,
        });
        return { outcome, ...(outcome === 'paid' && order ? { after: () => deps.afterOrderPaid(order) } : {}) };
      }
      case 'charge.refunded': {
        const pi = refOf(object.payment_intent);
        if (!pi || !fetched.refunds) return { outcome: 'ignored' };
        const { order, recorded } = await deps.orders.reconcileProcessorRefunds(trx, pi, fetched.refunds);
        if (!order) return { outcome: 'unknown_payment' };
        return { outcome: recorded.length ? 'applied' : 'unchanged' };
      }
      case 'charge.dispute.created':
      case 'charge.dispute.updated':
      case 'charge.dispute.closed': {
        const pi = refOf(object.payment_intent);
        if (!pi) return { outcome: 'ignored' };
        const { outcome } = await deps.orders.applyDispute(
          trx,
          {
            ref: object.id!,
            chargeRef: pi,
            status: disputeStatus(object.status),
            reason: typeof object.reason === 'string' ? object.reason : null,
            amount: Number(object.amount ?? 0),
            createdAt: new Date(Number(object.created ?? event.created) * 1000),
          },
          eventAt,
        );
        return { outcome };
      }
      case 'payment_method.updated':
      case 'payment_method.automatically_updated': {
        const card = object.card as { brand?: string; last4?: string; exp_month?: number; exp_year?: number } | undefined;
        if (!card?.last4 || !card.exp_month || !card.exp_year) return { outcome: 'ignored' };
        const methods = paymentRepository(trx);
        const updated = await methods.updateCard(object.id!, {
          brand: card.brand ?? 'card',
          last4: card.last4,
          exp_month: card.exp_month,
          exp_year: card.exp_year,
          provider_event_at: eventAt,
        });
        for (const m of updated) {
          await deps.webhooks.emit(trx, m.organization_id, 'payment_method.updated', { customer_id: m.customer_id, payment_method: paymentMethodView(m) });
        }
        if (updated.length) return { outcome: 'applied' };
        return { outcome: (await methods.methodsByRef(object.id!)).length ? 'stale' : 'unknown_object' };
      }
      case 'payment_method.detached': {
        const detached = await paymentRepository(trx).detachByRef(object.id!, now, eventAt);
        for (const m of detached) {
          await deps.webhooks.emit(trx, m.organization_id, 'payment_method.detached', { customer_id: m.customer_id, payment_method: paymentMethodView(m) });
        }
        return { outcome: detached.length ? 'applied' : 'unchanged' };
      }
      case 'setup_intent.succeeded': {
        const setup = fetched.setup;
        // Stripe's state now: a card detached since (or a setup that no longer succeeded) is not saved.
        if (setup?.status !== 'succeeded' || !setup.method) return { outcome: 'stale' };
        if (setup.method.attachedTo !== undefined && setup.method.attachedTo !== setup.customerRef) return { outcome: 'stale' };
        const [customer] = await customerRepository(trx).findByProviderRef(setup.customerRef);
        if (!customer) return { outcome: 'unknown_object' };
        const methods = paymentRepository(trx);
        if ((await methods.methodsByRef(setup.method.ref)).some((m) => m.customer_id === customer.id)) return { outcome: 'unchanged' };
        const hadDefault = await methods.defaultMethod(customer.organization_id, customer.id);
        const inserted = await methods.insertMethodIfAbsent({
          id: newId('pm', now.getTime()),
          organization_id: customer.organization_id,
          customer_id: customer.id,
          provider: provider.name,
          provider_ref: setup.method.ref,
          brand: setup.method.brand,
          last4: setup.method.last4,
          exp_month: setup.method.exp_month,
          exp_year: setup.method.exp_year,
          is_default: false,
          created_at: now,
        });
        if (!inserted) return { outcome: 'unchanged' };
        if (!hadDefault) await methods.setDefault(customer.organization_id, customer.id, inserted.id);
        const row = (await methods.findMethodById(inserted.id))!;
        await deps.webhooks.emit(trx, customer.organization_id, 'payment_method.updated', { customer_id: customer.id, payment_method: paymentMethodView(row) });
        return { outcome: 'applied', ...(row.is_default ? { after: () => deps.afterDefaultCardChanged(customer.organization_id, customer.id) } : {}) };
      }
      case 'customer.deleted': {
        const customers = customerRepository(trx);
        const linked = await customers.findByProviderRef(object.id!);
        for (const c of linked) {
          await paymentRepository(trx).detachAll(c.organization_id, c.id, now);
          const row = await customers.clearProviderRef(c.organization_id, c.id, object.id!, now);
          if (row) await deps.webhooks.emit(trx, c.organization_id, 'customer.updated', merchantCustomerView(row));
        }
        return { outcome: linked.length ? 'applied' : 'unknown_object' };
      }
      default:
        return { outcome: 'ignored' };
    }
  }

  return {
    /**
     * Stores and handles one verified event. `duplicate` when its id was stored before (or is
     * being handled by a simultaneous delivery, which this one waited for).
     */
    async receive(event: Stripe.Event): Promise<{ duplicate: boolean; outcome: string }> {
      const object = event.data.object as unknown as EventObject;
      const fields = { stripe_event: event.id, type: event.type };
      const fetched = await prefetch(event);
      const result = await db.transaction().execute(async (trx) => {
        const events = stripeEventRepository(trx);
        const fresh = await events.insertIfNew({
          id: event.id,
          type: event.type,
          object_id: typeof object.id === 'string' ? object.id : null,
          created_at: new Date(event.created * 1000),
          payload: event as unknown as object,
          received_at: clock.now(),
        });
        if (!fresh) return null;
        const applied = await apply(trx, event, fetched);
        await events.setOutcome(event.id, applied.outcome);
        return applied;
      });
      if (!result) {
        logger.debug(fields, 'stripe: event already handled');
        return { duplicate: true, outcome: 'duplicate' };
      }
      logger.info({ ...fields, outcome: result.outcome }, 'stripe: event handled');
      if (result.after) {
        await result.after().catch((error: unknown) => logger.error({ ...fields, err: error }, 'stripe: follow-up of an event failed'));
      }
      return { duplicate: false, outcome: result.outcome };
    },
  };
}
export type StripeEventService = ReturnType<typeof stripeEventService>;
