import type { Kysely } from 'kysely';
import type { DB, PaymentMethodRow, PaymentRow } from '../../db/schema.js';

export function paymentRepository(db: Kysely<DB>) {
  /** A customer's cards that are still attached: the start of every card look-up. */
  const liveMethods = (organizationId: string, customerId: string) =>
    db
      .selectFrom('payment_methods')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('customer_id', '=', customerId)
      .where('detached_at', 'is', null);

  return {
    listMethods(organizationId: string, customerId: string): Promise<PaymentMethodRow[]> {
      return liveMethods(organizationId, customerId).orderBy('is_default', 'desc').orderBy('id', 'desc').execute();
    },
    findMethod(organizationId: string, customerId: string, id: string) {
      return liveMethods(organizationId, customerId).where('id', '=', id).executeTakeFirst();
    },
    findMethodById(id: string) {
      return db.selectFrom('payment_methods').selectAll().where('id', '=', id).executeTakeFirst();
    },
    findMethodByRef(organizationId: string, customerId: string, ref: string) {
      return liveMethods(organizationId, customerId).where('provider_ref', '=', ref).executeTakeFirst();
    },
    defaultMethod(organizationId: string, customerId: string) {
      return liveMethods(organizationId, customerId).where('is_default', '=', true).executeTakeFirst();
    },
    async insertMethod(row: Omit<PaymentMethodRow, 'detached_at' | 'provider_event_at' | 'expiry_notice_for'>) {
      return db.insertInto('payment_methods').values(row).returningAll().executeTakeFirstOrThrow();
    },
    /** Saves a card unless the customer already has it attached (a confirm and an event at once); undefined then. */
    async insertMethodIfAbsent(row: Omit<PaymentMethodRow, 'detached_at' | 'provider_event_at' | 'expiry_notice_for'>) {
      return db
        .insertInto('payment_methods')
        .values(row)
        .onConflict((oc) => oc.columns(['customer_id', 'provider_ref']).where('detached_at', 'is', null).doNothing())
        .returningAll()
        .executeTakeFirst();
    },
    /** Every row for a processor's card, live or detached (it is one card at the processor). */
    methodsByRef(ref: string): Promise<PaymentMethodRow[]> {
      return db.selectFrom('payment_methods').selectAll().where('provider_ref', '=', ref).orderBy('id').execute();
    },
    /** New card details from the processor (card updater), for the cards of `ref` still attached. */
    async updateCard(ref: string, patch: { brand: string; last4: string; exp_month: number; exp_year: number; provider_event_at: Date }) {
      return db
        .updateTable('payment_methods')
        .set(patch)
        .where('provider_ref', '=', ref)
        .where('detached_at', 'is', null)
        .where((eb) => eb.or([eb('provider_event_at', 'is', null), eb('provider_event_at', '<=', patch.provider_event_at)]))
        .returningAll()
        .execute();
    },
    /** Detached at the processor: gone from the list, and no longer the default (no other card is promoted). */
    async detachByRef(ref: string, now: Date, eventAt: Date) {
      return db
        .updateTable('payment_methods')
        .set({ detached_at: now, is_default: false, provider_event_at: eventAt })
        .where('provider_ref', '=', ref)
        .where('detached_at', 'is', null)
        .returningAll()
        .execute();
    },
    /** Every card of a customer detached (its processor customer is gone). */
    async detachAll(organizationId: string, customerId: string, now: Date) {
      return db
        .updateTable('payment_methods')
        .set({ detached_at: now, is_default: false })
        .where('organization_id', '=', organizationId)
        .where('customer_id', '=', customerId)
        .where('detached_at', 'is', null)
        .returningAll()
        .execute();
    },
    /** The payment a processor charge ref (PaymentIntent id) belongs to. */
    findPaymentByRef(ref: string): Promise<PaymentRow | undefined> {
      return db.selectFrom('payments').selectAll().where('provider_ref', '=', ref).orderBy('id', 'desc').limit(1).executeTakeFirst();
    },
    async setDefault(organizationId: string, customerId: string, id: string) {
      const run = <T>(work: (trx: Kysely<DB>) => Promise<T>) => (db.isTransaction ? work(db) : db.transaction().execute(work));
      await run(async (trx) => {
        await trx
          .updateTable('payment_methods')
          .set({ is_default: false })
          .where('organization_id', '=', organizationId)
          .where('customer_id', '=', customerId)
          .where('is_default', '=', true)
          .execute();
        await trx.updateTable('payment_methods').set({ is_default: true }).where('organization_id', '=', organizationId).where('id', '=', id).execute();
      });
    },
    async detach(organizationId: string, id: string, now: Date) {
      await db
        .updateTable('payment_methods')
        .set({ detached_at: now, is_default: false })
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .execute();
    },
    pendingPayment(orderId: string): Promise<PaymentRow | undefined> {
      return db.selectFrom('payments').selectAll().where('order_id', '=', orderId).where('status', '=', 'pending').executeTakeFirst();
    },
    async countPayments(orderId: string): Promise<number> {
      const { count } = await db
        .selectFrom('payments')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('order_id', '=', orderId)
        .executeTakeFirstOrThrow();
      return Number(count);
    },
    /** The order's payment waiting for the customer's authentication, if any (at most one is open). */
    awaitingPayment(orderId: string): Promise<PaymentRow | undefined> {
      return db
        .selectFrom('payments')
        .selectAll()
        .where('order_id', '=', orderId)
        .where('status', '=', 'requires_action')
        .orderBy('id', 'desc')
        .executeTakeFirst();
    },
    findPayment(organizationId: string, id: string): Promise<PaymentRow | undefined> {
      return db.selectFrom('payments').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    },
    /**
     * Moves a payment on from `from` only: of two simultaneous settlements, one wins (returns the
     * row) and the other changes nothing (undefined).
     */
    transition(
      id: string,
      from: PaymentRow['status'][],
      patch: Partial<Pick<PaymentRow, 'status' | 'failure_code' | 'failure_message' | 'client_secret'>>,
      now: Date,
    ) {
      return db
        .updateTable('payments')
        .set({ ...patch, updated_at: now })
        .where('id', '=', id)
        .where('status', 'in', from)
        .returningAll()
        .executeTakeFirst();
    },
    async insertPaymentIfAbsent(row: Omit<PaymentRow, 'provider_ref' | 'failure_code' | 'failure_message' | 'client_secret'>) {
      await db
        .insertInto('payments')
        .values(row)
        .onConflict((oc) => oc.column('attempt_key').doNothing())
        .execute();
      return db.selectFrom('payments').selectAll().where('attempt_key', '=', row.attempt_key).executeTakeFirstOrThrow();
    },
    async finishPayment(
      id: string,
      patch: {
        status: 'succeeded' | 'failed' | 'requires_action';
        provider_ref: string | null;
        failure_code: string | null;
        failure_message: string | null;
        client_secret?: string | null;
      },
      now: Date,
    ) {
      await db
        .updateTable('payments')
        .set({ ...patch, updated_at: now })
        .where('id', '=', id)
        .execute();
    },
    succeededPayments(orderId: string) {
      return db.selectFrom('payments').selectAll().where('order_id', '=', orderId).where('status', '=', 'succeeded').orderBy('id').execute();
    },
  };
}
export type PaymentRepository = ReturnType<typeof paymentRepository>;
