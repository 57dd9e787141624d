import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB, OrderLineRow, OrderRow, OrderStatus } from '../../db/schema.js';
import { revive } from '../../lib/json-rows.js';

export interface OrderWithLines {
  order: OrderRow;
  lines: OrderLineRow[];
}

/** Orders read as a JSON list with their lines (the queries below, in a statement of lists): rows again. */
export function ordersWithLinesFromJson(rows: unknown): OrderWithLines[] {
  return revive<OrderRow & { lines: unknown }>(rows, ['paid_at', 'period_start', 'period_end', 'created_at', 'updated_at']).map(({ lines, ...order }) => ({
    order,
    lines: revive<OrderLineRow>(lines, ['period_start', 'period_end']),
  }));
}

/** Set by the processor's dispute events, never at creation. */
type DisputeColumns =
  | 'carried_into_order_id'
  | 'dispute_ref'
  | 'dispute_status'
  | 'dispute_reason'
  | 'dispute_amount'
  | 'disputed_at'
  | 'dispute_closed_at'
  | 'dispute_event_at';

export function orderRepository(db: Kysely<DB>) {
  /** Orders, each with its lines in order as a JSON column `lines`. */
  const withLines = () =>
    db
      .selectFrom('orders')
      .selectAll('orders')
      .select((eb) =>
        jsonArrayFrom(
          eb.selectFrom('order_lines').selectAll('order_lines').whereRef('order_lines.order_id', '=', 'orders.id').orderBy('order_lines.position'),
        ).as('lines'),
      );
  return {
    /** A customer's newest orders with their lines (one over `limit`), as a query for a statement of lists (lib/json-rows.ts). */
    recentWithLinesQuery(organizationId: string, customerId: string, limit: number) {
      return withLines()
        .where('orders.organization_id', '=', organizationId)
        .where('orders.customer_id', '=', customerId)
        .orderBy('orders.id', 'desc')
        .limit(limit + 1);
    },
    /** coveringOrders for every subscription of a customer, with their lines, as a query for a statement of lists. */
    customerCoveringQuery(organizationId: string, customerId: string, at: Date) {
      return withLines()
        .where('orders.organization_id', '=', organizationId)
        .where('orders.customer_id', '=', customerId)
        .where('orders.subscription_id', 'is not', null)
        .where('orders.status', 'in', ['paid', 'partially_refunded'])
        .where('orders.period_end', '>', at)
        .orderBy('orders.id', 'desc');
    },
    /** The next invoice number of the organization; in the caller's transaction, so no gaps. */
    async nextInvoiceNumber(organizationId: string): Promise<number> {
      const row = await db
        .insertInto('invoice_counters')
        .values({ organization_id: organizationId, last_number: 1 })
        .onConflict((oc) => oc.column('organization_id').doUpdateSet((eb) => ({ last_number: eb('invoice_counters.last_number', '+', 1) })))
        .returning('last_number')
        .executeTakeFirstOrThrow();
      return row.last_number;
    },
    insertOrder(
      row: Omit<OrderRow, 'discount_amount' | 'tax_amount' | 'credit_amount' | 'refunded_amount' | 'billing_details' | DisputeColumns> & {
        discount_amount: number;
        tax_amount: number;
        credit_amount: number;
        billing_details: object;
      },
    ) {
      return db
        .insertInto('orders')
        .values({ ...row, billing_details: JSON.stringify(row.billing_details) })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async insertLines(lines: OrderLineRow[]) {
      if (lines.length) await db.insertInto('order_lines').values(lines).execute();
    },
    findByDedupe(organizationId: string, key: string) {
      return db.selectFrom('orders').selectAll().where('organization_id', '=', organizationId).where('dedupe_key', '=', key).executeTakeFirst();
    },
    find(organizationId: string, id: string) {
      return db.selectFrom('orders').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    },
    findForCustomer(organizationId: string, customerId: string, id: string) {
      return db
        .selectFrom('orders')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('customer_id', '=', customerId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    list(organizationId: string, opts: { customerId?: string; subscriptionId?: string; limit: number; startingAfter?: string }) {
      let q = db.selectFrom('orders').selectAll().where('organization_id', '=', organizationId);
      if (opts.customerId) q = q.where('customer_id', '=', opts.customerId);
      if (opts.subscriptionId) q = q.where('subscription_id', '=', opts.subscriptionId);
      if (opts.startingAfter) q = q.where('id', '<', opts.startingAfter);
      return q
        .orderBy('id', 'desc')
        .limit(opts.limit + 1)
        .execute();
    },
    lines(orderIds: string[]): Promise<OrderLineRow[]> {
      if (!orderIds.length) return Promise.resolve([]);
      return db.selectFrom('order_lines').selectAll().where('order_id', 'in', orderIds).orderBy('order_id').orderBy('position').execute();
    },
    refunds(orderIds: string[]) {
      if (!orderIds.length) return Promise.resolve([]);
      return db.selectFrom('refunds').selectAll().where('order_id', 'in', orderIds).orderBy('id').execute();
    },
    /** Moves an order from one status to another; false if another worker moved it first. */
    async transition(
      id: string,
      from: OrderStatus[],
      patch: { status: OrderStatus; paid_at?: Date | null; failure_message?: string | null; payment_method_id?: string | null },
      now: Date,
    ): Promise<boolean> {
      const row = await db
        .updateTable('orders')
        .set({ ...patch, updated_at: now })
        .where('id', '=', id)
        .where('status', 'in', from)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async setBillingDetails(id: string, details: object, now: Date) {
      return db
        .updateTable('orders')
        .set({ billing_details: JSON.stringify(details), updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async insertRefund(row: {
      id: string;
      organization_id: string;
      order_id: string;
      amount: number;
      currency: string;
      reason: string | null;
      destination: 'payment_method' | 'wallet';
      provider_ref: string | null;
      status: 'pending' | 'succeeded' | 'failed';
      created_at: Date;
    }) {
      await db.insertInto('refunds').values(row).execute();
    },
    /** The order, locked for the rest of the caller's transaction (refunds decide on it). */
    lock(organizationId: string, id: string) {
      return db.selectFrom('orders').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
    },
    /** Reserves a refund on a locked order: the caller checked it stays within the total. */
    async addRefunded(id: string, amount: number, status: OrderStatus, now: Date) {
      return db
        .updateTable('orders')
        .set((eb) => ({ refunded_amount: eb('refunded_amount', '+', amount), status, updated_at: now }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    /** Gives back a reservation the processor refused. */
    async releaseRefunded(id: string, amount: number, now: Date) {
      await db
        .updateTable('orders')
        .set((eb) => ({
          refunded_amount: eb('refunded_amount', '-', amount),
          status: sql<OrderStatus>`case when refunded_amount - ${amount} <= 0 then 'paid' else 'partially_refunded' end`,
          updated_at: now,
        }))
        .where('id', '=', id)
        .execute();
    },
    /**
     * A subscription's amounts carried forward (under the processor's minimum) and not yet billed
     * by a later order; `lock` holds them for the caller's transaction (a simultaneous order of
     * the same subscription waits, then finds them billed).
     */
    /** openCarried for every subscription of a customer, as a query for a statement of lists (lib/json-rows.ts). */
    customerCarriedQuery(organizationId: string, customerId: string) {
      return db
        .selectFrom('orders')
        .select(['subscription_id', 'id', 'invoice_number', 'total', 'currency'])
        .where('organization_id', '=', organizationId)
        .where('customer_id', '=', customerId)
        .where('subscription_id', 'is not', null)
        .where('status', '=', 'carried_forward')
        .where('carried_into_order_id', 'is', null)
        .orderBy('id');
    },
    openCarried(organizationId: string, subscriptionId: string, lock = false) {
      const q = db
        .selectFrom('orders')
        .select(['id', 'invoice_number', 'total', 'currency'])
        .where('organization_id', '=', organizationId)
        .where('subscription_id', '=', subscriptionId)
        .where('status', '=', 'carried_forward')
        .where('carried_into_order_id', 'is', null)
        .orderBy('id');
      return lock ? q.forUpdate().execute() : q.execute();
    },
    async markCarried(ids: string[], intoOrderId: string, now: Date) {
      if (!ids.length) return;
      await db.updateTable('orders').set({ carried_into_order_id: intoOrderId, updated_at: now }).where('id', 'in', ids).execute();
    },
    findRefundByRef(ref: string) {
      return db.selectFrom('refunds').selectAll().where('provider_ref', '=', ref).executeTakeFirst();
    },
    /** A dispute's state on the (locked) order, from a processor event. */
    async setDispute(
      id: string,
      patch: {
        dispute_ref: string;
        dispute_status: 'open' | 'won' | 'lost';
        dispute_reason: string | null;
        dispute_amount: number;
        disputed_at: Date;
        dispute_closed_at: Date | null;
        dispute_event_at: Date;
      },
      now: Date,
    ) {
      return db
        .updateTable('orders')
        .set({ ...patch, updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    findRefund(id: string) {
      return db.selectFrom('refunds').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Moves a pending refund on; false if another worker settled it first. */
    async finishRefund(id: string, status: 'succeeded' | 'failed', providerRef: string | null) {
      const row = await db
        .updateTable('refunds')
        .set({ status, provider_ref: providerRef })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
    pendingRefunds(olderThan: Date, limit: number) {
      return db
        .selectFrom('refunds')
        .select(['id', 'reason'])
        .where('status', '=', 'pending')
        .where('created_at', '<=', olderThan)
        .orderBy('created_at')
        .limit(limit)
        .execute();
    },
    /** Paid orders of a subscription with something bought for after `at` (an immediate cancellation refunds their unused part). */
    coveringOrders(subscriptionId: string, at: Date) {
      return db
        .selectFrom('orders')
        .selectAll()
        .where('subscription_id', '=', subscriptionId)
        .where('status', 'in', ['paid', 'partially_refunded'])
        .where('period_end', '>', at)
        .orderBy('id', 'desc')
        .execute();
    },
    async setStatus(id: string, status: OrderStatus, now: Date) {
      await db.updateTable('orders').set({ status, updated_at: now }).where('id', '=', id).execute();
    },
    /** A customer's orders waiting for their authentication of the payment, oldest first. */
    awaitingForCustomer(organizationId: string, customerId: string) {
      return db
        .selectFrom('orders')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('customer_id', '=', customerId)
        .where('status', '=', 'requires_action')
        .orderBy('id')
        .limit(20)
        .execute();
    },
    /** The latest unpaid order of a subscription: declined (failed) or waiting for the customer (requires_action). */
    latestFailedForSubscription(subscriptionId: string) {
      return db
        .selectFrom('orders')
        .selectAll()
        .where('subscription_id', '=', subscriptionId)
        .where('status', 'in', ['failed', 'requires_action'])
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
    paidForSubscription(subscriptionId: string) {
      return db
        .selectFrom('orders')
        .selectAll()
        .where('subscription_id', '=', subscriptionId)
        .where('status', 'in', ['paid', 'partially_refunded'])
        .orderBy('id', 'desc')
        .execute();
    },
  };
}
export type OrderRepository = ReturnType<typeof orderRepository>;
