// Refunds of paid orders, to the card or to the wallet: recorded in the caller's transaction,
// then settled with the processor after the commit (same idempotency key on every attempt),
// and the refunds job that settles what a dead process left pending.
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { creditWallet, inTransaction, type OrderDeps } from './context.js';
import { orderRepository } from './repository.js';
import { orderEventData } from './views.js';

/** The reason written on the refunds an immediate cancellation makes. */
export const CANCEL_REFUND_REASON = 'Unused time after cancellation';

/**
 * The processor said no (a 4xx, or the test provider's refusal), as opposed to not answering.
 * 409 (Stripe: another request with this idempotency key is still running) and 429 (rate
 * limited) are not a no: the refund may be happening; it stays pending and is asked again.
 */
function isRefusal(error: unknown): boolean {
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number') return status >= 400 && status < 500 && status !== 409 && status !== 429;
  return error instanceof Error && error.message.startsWith('test provider:');
}

export function refundService(deps: OrderDeps) {
  const { db, clock } = deps;
  const repo = orderRepository(db);

  /**
   * Records a refund of part or all of a paid order, in the caller's transaction `x` (or one
   * of its own): the order is locked, the amount reserved on it, and the refund written.
   * To the wallet it is settled at once; to the card it is `pending` until `settleRefund`
   * (after the commit) has asked the processor, so a retry never refunds twice.
   */
  async function recordRefund(
    x: Kysely<DB>,
    ref: { organizationId: string; orderId: string },
    amount: number | 'rest',
    destination: 'payment_method' | 'wallet',
    reason: string | null,
  ) {
    return inTransaction(x, async (trx) => {
      const trxRepo = orderRepository(trx);
      const order = await trxRepo.lock(ref.organizationId, ref.orderId);
      if (!order) throw new ApiError(404, 'order_not_found', 'No such order.');
      if (!['paid', 'partially_refunded'].includes(order.status)) {
        throw new ApiError(409, 'order_not_refundable', `Order ${order.invoice_number} is ${order.status}; only paid orders can be refunded.`);
      }
      const refundable = order.total - order.refunded_amount;
      const value = amount === 'rest' ? refundable : amount;
      if (value < 1 || value > refundable) {
        throw new ApiError(400, 'refund_amount_invalid', `The refund must be between 1 and ${refundable} (the amount not yet refunded).`);
      }
      const now = clock.now();
      const refundId = newId('re', now.getTime());
      const status = order.refunded_amount + value >= order.total ? 'refunded' : 'partially_refunded';
      const updated = await trxRepo.addRefunded(order.id, value, status, now);
      const toCard = destination === 'payment_method';
      await trxRepo.insertRefund({
        id: refundId,
        organization_id: order.organization_id,
        order_id: order.id,
        amount: value,
        currency: order.currency,
        reason,
        destination,
        provider_ref: null,
        status: toCard ? 'pending' : 'succeeded',
        created_at: now,
      });
      if (!toCard) {
        await creditWallet(trx, order, value, 'refund', `Refund of invoice ${order.invoice_number}`, now);
        await deps.webhooks.emit(trx, order.organization_id, 'order.refunded', {
          ...orderEventData(updated),
          refund: { id: refundId, amount: value, destination },
        });
      }
      return { id: refundId, amount: value, destination, status: toCard ? ('pending' as const) : ('succeeded' as const), order: updated };
    });
  }

  /**
   * Asks the processor for a pending card refund (same idempotency key on every attempt) and
   * settles it. A refusal releases the reservation; `fallback: 'wallet'` then credits the
   * amount to the wallet instead, so money owed is never lost. A processor that cannot be
   * reached leaves it pending for the refunds job.
   */
  async function settleRefund(refundId: string, fallback: 'release' | 'wallet' = 'release'): Promise<'succeeded' | 'failed' | 'pending'> {
    const refund = await repo.findRefund(refundId);
    if (refund?.status !== 'pending') return refund?.status ?? 'failed';
    const order = (await repo.find(refund.organization_id, refund.order_id))!;
    let providerRef: string | null;
    try {
      providerRef = await deps.payments.refundToCard(order, refund.amount, refund.id);
    } catch (error) {
      if (!isRefusal(error)) {
        deps.logger?.warn({ refund: refund.id, order: order.id }, 'card refund not confirmed; the refunds job will ask again');
        return 'pending';
      }
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const trxRepo = orderRepository(trx);
        if (!(await trxRepo.finishRefund(refund.id, 'failed', null))) return;
        if (fallback === 'wallet') {
          // Owed to the customer all the same: the wallet keeps it, and the order says refunded.
          await creditWallet(trx, order, refund.amount, 'refund', `Refund of invoice ${order.invoice_number}`, now);
          await trxRepo.insertRefund({
            id: newId('re', now.getTime()),
            organization_id: order.organization_id,
            order_id: order.id,
            amount: refund.amount,
            currency: order.currency,
            reason: refund.reason,
            destination: 'wallet',
            provider_ref: null,
            status: 'succeeded',
            created_at: now,
          });
          const current = (await trxRepo.find(order.organization_id, order.id))!;
          await deps.webhooks.emit(trx, order.organization_id, 'order.refunded', {
            ...orderEventData(current),
            refund: { id: refund.id, amount: refund.amount, destination: 'wallet' },
          });
        } else {
          await trxRepo.releaseRefunded(order.id, refund.amount, now);
        }
      });
      if (fallback === 'release') throw new ApiError(402, 'refund_failed', 'The payment processor refused this refund; nothing was refunded.');
      return 'failed';
    }
    const settled = await db.transaction().execute(async (trx) => {
      const trxRepo = orderRepository(trx);
      if (!(await trxRepo.finishRefund(refund.id, 'succeeded', providerRef))) return false;
      const current = (await trxRepo.find(order.organization_id, order.id))!;
      await deps.webhooks.emit(trx, order.organization_id, 'order.refunded', {
        ...orderEventData(current),
        refund: { id: refund.id, amount: refund.amount, destination: 'payment_method' },
      });
      return true;
    });
    if (settled) await deps.onEntitlementsChanged?.(order.organization_id, order.customer_id);
    return 'succeeded';
  }

  return {
    recordRefund,
    settleRefund,

    /** Refunds part or all of a paid order, to the card or as wallet credit: record, then settle. */
    async refund(ref: { organizationId: string; orderId: string }, amount: number | 'rest', destination: 'payment_method' | 'wallet', reason: string | null) {
      const recorded = await recordRefund(db, ref, amount, destination, reason);
      const status = recorded.status === 'pending' ? await settleRefund(recorded.id) : recorded.status;
      if (status === 'succeeded' && destination === 'wallet') await deps.onEntitlementsChanged?.(ref.organizationId, recorded.order.customer_id);
      return { ...recorded, status, order: (await repo.find(ref.organizationId, ref.orderId))! };
    },

    /** The refunds job: card refunds a dead process left pending, asked again with the same key. */
    async settlePendingRefunds(olderThan: Date): Promise<number> {
      const pending = await repo.pendingRefunds(olderThan, 50);
      for (const r of pending) await settleRefund(r.id, r.reason === CANCEL_REFUND_REASON ? 'wallet' : 'release').catch(() => undefined);
      return pending.length;
    },
  };
}
