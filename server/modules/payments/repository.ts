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
    async insertMethod(row: Omit<PaymentMethodRow, 'detached_at'>) {
      return db.insertInto('payment_methods').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async setDefault(organizationId: string, customerId: string, id: string) {
      await db.transaction().execute(async (trx) => {
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
    async insertPaymentIfAbsent(row: Omit<PaymentRow, 'provider_ref' | 'failure_code' | 'failure_message'>) {
      await db
        .insertInto('payments')
        .values(row)
        .onConflict((oc) => oc.column('attempt_key').doNothing())
        .execute();
      return db.selectFrom('payments').selectAll().where('attempt_key', '=', row.attempt_key).executeTakeFirstOrThrow();
    },
    async finishPayment(
      id: string,
      patch: { status: 'succeeded' | 'failed'; provider_ref: string | null; failure_code: string | null; failure_message: string | null },
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
