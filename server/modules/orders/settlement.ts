// What the payment processor tells us after the fact, settled into orders: a payment's
// asynchronous result (by PaymentIntent), refunds made in the processor's dashboard, and
// disputes. Each runs in the caller's transaction (the Stripe event's), locks the order it
// decides on, and reads the processor object's own state, so a late, early or repeated event
// changes nothing twice.
import type { Kysely } from 'kysely';
import type { DB, DisputeStatus, OrderRow } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import type { ProviderRefund } from '../payments/provider.js';
import { paymentRepository } from '../payments/repository.js';
import { inTransaction, type OrderDeps } from './context.js';
import { orderRepository } from './repository.js';
import { disputeView, orderEventData } from './views.js';

/** The reason written on refunds made in the processor's dashboard. */
export const PROCESSOR_REFUND_REASON = 'Refunded in Stripe';

export type SettleOutcome = 'paid' | 'failed' | 'unchanged' | 'unknown_payment';

export interface PaymentIntentResult {
  /** The PaymentIntent id (our payments' provider_ref). */
  ref: string;
  status: 'succeeded' | 'failed';
  /** metadata.order_id: finds a payment whose answer never arrived (no ref recorded yet). */
  orderId?: string | null;
  code?: string | null;
  message?: string | null;
}

export function settlementService(deps: OrderDeps) {
  const { clock } = deps;

  /** The payment of a PaymentIntent: by its ref, else the pending attempt of the order it names. */
  async function paymentFor(trx: Kysely<DB>, ref: string, orderId: string | null | undefined) {
    const payments = paymentRepository(trx);
    const byRef = await payments.findPaymentByRef(ref);
    if (byRef) return byRef;
    return orderId ? payments.pendingPayment(orderId) : undefined;
  }

  return {
    /**
     * Settles a payment by its PaymentIntent, idempotently: the first result for a pending
     * payment decides it; `succeeded` also wins over an earlier failure of the same intent (a
     * payment that finished processing, or was confirmed by the customer later). A failure after
     * success is stale and ignored. The order follows (paid, with order.paid; or failed, with
     * order.payment_failed), once. Returns what changed, and the order.
     */
    async settlePaymentIntent(x: Kysely<DB>, result: PaymentIntentResult): Promise<{ outcome: SettleOutcome; order: OrderRow | null }> {
      return inTransaction(x, async (trx) => {
        const payment = await paymentFor(trx, result.ref, result.orderId);
        if (!payment) return { outcome: 'unknown_payment' as const, order: null };
        const orders = orderRepository(trx);
        const order = (await orders.lock(payment.organization_id, payment.order_id))!;
        const payments = paymentRepository(trx);
        const now = clock.now();
        if (result.status === 'succeeded') {
          if (payment.status !== 'succeeded') {
            await payments.finishPayment(payment.id, { status: 'succeeded', provider_ref: result.ref, failure_code: null, failure_message: null }, now);
          }
          // requires_action: a payment the customer authenticated (SCA), its success reported by Stripe.
          const moved = await orders.transition(
            order.id,
            ['pending', 'failed', 'requires_action'],
            { status: 'paid', paid_at: now, failure_message: null, payment_method_id: payment.payment_method_id },
            now,
          );
          if (!moved) return { outcome: 'unchanged' as const, order };
          const paid = (await orders.find(order.organization_id, order.id))!;
          await deps.webhooks.emit(trx, order.organization_id, 'order.paid', orderEventData(paid));
          return { outcome: 'paid' as const, order: paid };
        }
        // Failed: only a payment still waiting for its answer is decided by it.
        if (payment.status !== 'pending') return { outcome: 'unchanged' as const, order };
        const message = result.message ?? 'The payment could not be completed.';
        await payments.finishPayment(
          payment.id,
          { status: 'failed', provider_ref: result.ref, failure_code: result.code ?? 'card_declined', failure_message: message },
          now,
        );
        const moved = await orders.transition(
          order.id,
          ['pending'],
          { status: 'failed', failure_message: message, payment_method_id: payment.payment_method_id },
          now,
        );
        if (!moved) return { outcome: 'unchanged' as const, order };
        const failed = (await orders.find(order.organization_id, order.id))!;
        await deps.webhooks.emit(trx, order.organization_id, 'order.payment_failed', { ...orderEventData(failed), failure_message: message });
        return { outcome: 'failed' as const, order: failed };
      });
    },

    /**
     * The processor's refunds of a charge (all of them, as it lists them now) reconciled with
     * ours: a refund we asked for is known by its id in metadata or by its ref and counted once
     * (its own settlement records it); any other is one made in the dashboard, recorded as a
     * settled card refund with its ref (unique), and the order becomes refunded or partially
     * refunded. Returns the refunds recorded.
     */
    async reconcileProcessorRefunds(x: Kysely<DB>, chargeRef: string, refunds: ProviderRefund[]) {
      return inTransaction(x, async (trx) => {
        const payment = await paymentRepository(trx).findPaymentByRef(chargeRef);
        if (!payment) return { order: null, recorded: [] as Array<{ id: string; amount: number; ref: string }> };
        const orders = orderRepository(trx);
        let order = (await orders.lock(payment.organization_id, payment.order_id))!;
        const ours = new Set((await orders.refunds([order.id])).map((r) => r.id));
        const recorded: Array<{ id: string; amount: number; ref: string }> = [];
        const now = clock.now();
        for (const refund of refunds) {
          if (refund.status === 'failed' || refund.status === 'canceled') continue;
          if (refund.refundId && ours.has(refund.refundId)) continue;
          if (await orders.findRefundByRef(refund.ref)) continue;
          if (!['paid', 'partially_refunded', 'refunded'].includes(order.status)) {
            deps.logger?.warn({ order: order.id, stripe_refund: refund.ref }, 'stripe: refund of an order that is not paid; not recorded');
            continue;
          }
          const left = order.total - order.refunded_amount;
          const amount = Math.min(refund.amount, left);
          if (amount < refund.amount) {
            deps.logger?.warn({ order: order.id, stripe_refund: refund.ref, left }, 'stripe: dashboard refund over what the order has left; recorded up to it');
          }
          if (amount < 1) continue;
          const id = newId('re', now.getTime());
          await orders.insertRefund({
            id,
            organization_id: order.organization_id,
            order_id: order.id,
            amount,
            currency: order.currency,
            reason: PROCESSOR_REFUND_REASON,
            destination: 'payment_method',
            provider_ref: refund.ref,
            status: 'succeeded',
            created_at: now,
          });
          const status = order.refunded_amount + amount >= order.total ? 'refunded' : 'partially_refunded';
          order = await orders.addRefunded(order.id, amount, status, now);
          await deps.webhooks.emit(trx, order.organization_id, 'order.refunded', {
            ...orderEventData(order),
            refund: { id, amount, destination: 'payment_method', provider_ref: refund.ref },
          });
          recorded.push({ id, amount, ref: refund.ref });
        }
        return { order, recorded };
      });
    },

    /**
     * A dispute of an order's payment, as the processor's object says at `eventAt` (its event's
     * created): open, won or lost. An older event than the last applied is stale, and a decided
     * dispute never reopens. Emits order.disputed when it opens, order.dispute_closed when decided.
     */
    async applyDispute(
      x: Kysely<DB>,
      dispute: { ref: string; chargeRef: string; status: DisputeStatus; reason: string | null; amount: number; createdAt: Date },
      eventAt: Date,
    ) {
      return inTransaction(x, async (trx) => {
        const payment = await paymentRepository(trx).findPaymentByRef(dispute.chargeRef);
        if (!payment) return { outcome: 'unknown_payment' as const, order: null };
        const orders = orderRepository(trx);
        const order = (await orders.lock(payment.organization_id, payment.order_id))!;
        const decided = order.dispute_ref === dispute.ref && (order.dispute_status === 'won' || order.dispute_status === 'lost');
        const older = order.dispute_ref === dispute.ref && order.dispute_event_at && eventAt < order.dispute_event_at;
        if (older || (decided && dispute.status === 'open')) return { outcome: 'stale' as const, order };
        if (order.dispute_ref === dispute.ref && order.dispute_status === dispute.status) return { outcome: 'unchanged' as const, order };
        const now = clock.now();
        const wasOpen = order.dispute_ref === dispute.ref;
        const updated = await orders.setDispute(
          order.id,
          {
            dispute_ref: dispute.ref,
            dispute_status: dispute.status,
            dispute_reason: dispute.reason,
            dispute_amount: dispute.amount,
            disputed_at: dispute.createdAt,
            dispute_closed_at: dispute.status === 'open' ? null : now,
            dispute_event_at: eventAt,
          },
          now,
        );
        const data = { ...orderEventData(updated), dispute: disputeView(updated) };
        if (!wasOpen) await deps.webhooks.emit(trx, order.organization_id, 'order.disputed', data);
        if (dispute.status !== 'open') await deps.webhooks.emit(trx, order.organization_id, 'order.dispute_closed', data);
        return { outcome: 'applied' as const, order: updated };
      });
    },
  };
}
