import type { Kysely, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { CustomerSeatsTable, DB, SeatRow, SeatStatus } from '../../db/schema.js';
import { ENTITLING_STATUSES } from '../benefits/repository.js';

export function seatRepository(db: Kysely<DB>) {
  return {
    insert(row: Omit<SeatRow, 'customer_id' | 'claimed_at' | 'revoked_at'>) {
      return db.insertInto('customer_seats').values(row).returningAll().executeTakeFirstOrThrow();
    },
    /** Pending and claimed seats: what counts against the seats purchased. */
    async countAssigned(subscriptionId: string): Promise<number> {
      const row = await db
        .selectFrom('customer_seats')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('subscription_id', '=', subscriptionId)
        .where('status', '<>', 'revoked')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    ofSubscriptions(subscriptionIds: string[]) {
      if (!subscriptionIds.length) return Promise.resolve([]);
      return db.selectFrom('customer_seats').selectAll().where('subscription_id', 'in', subscriptionIds).orderBy('id').execute();
    },
    findActiveByEmail(subscriptionId: string, email: string) {
      return db
        .selectFrom('customer_seats')
        .selectAll()
        .where('subscription_id', '=', subscriptionId)
        .where('email', '=', email)
        .where('status', '<>', 'revoked')
        .executeTakeFirst();
    },
    /** A seat on one of the owner's subscriptions; another customer's seat is not found. */
    findForOwner(organizationId: string, ownerId: string, id: string) {
      return db
        .selectFrom('customer_seats as cs')
        .innerJoin('subscriptions as s', 's.id', 'cs.subscription_id')
        .selectAll('cs')
        .where('cs.organization_id', '=', organizationId)
        .where('s.customer_id', '=', ownerId)
        .where('cs.id', '=', id)
        .executeTakeFirst();
    },
    /**
     * The seats `customerId` holds on live subscriptions of the organization, with the plan's
     * name and how the owner is named (company, name, email): as a query for a statement of
     * lists. Nothing else of the owner's is read.
     */
    heldQuery(organizationId: string, customerId: string) {
      return db
        .selectFrom('customer_seats as cs')
        .innerJoin('subscriptions as s', (join) => join.onRef('s.id', '=', 'cs.subscription_id').onRef('s.organization_id', '=', 'cs.organization_id'))
        .innerJoin('products as p', (join) => join.onRef('p.id', '=', 's.product_id').onRef('p.organization_id', '=', 's.organization_id'))
        .innerJoin('customers as o', (join) => join.onRef('o.id', '=', 's.customer_id').onRef('o.organization_id', '=', 's.organization_id'))
        .select([
          'cs.id as seat_id',
          'cs.subscription_id',
          'cs.claimed_at',
          'p.name as plan',
          sql<string>`coalesce(nullif(btrim(o.billing_details->>'company'), ''), nullif(btrim(o.name), ''), o.email)`.as('owner'),
        ])
        .where('cs.organization_id', '=', organizationId)
        .where('cs.customer_id', '=', customerId)
        .where('cs.status', '=', 'claimed')
        .where('s.customer_id', '<>', customerId)
        .where('s.status', 'in', [...ENTITLING_STATUSES])
        .orderBy('cs.id');
    },
    findByTokenHash(tokenHash: string) {
      return db.selectFrom('customer_seats').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    /** Updates only if the seat is still in one of `from`: two concurrent changes cannot both win. */
    update(id: string, from: SeatStatus[], patch: Updateable<CustomerSeatsTable>, guard: { tokenHash?: string } = {}) {
      let q = db.updateTable('customer_seats').set(patch).where('id', '=', id).where('status', 'in', from);
      if (guard.tokenHash) q = q.where('token_hash', '=', guard.tokenHash);
      return q.returningAll().executeTakeFirst();
    },
    /** Locks the subscription row until the caller's transaction ends, so assignments are counted one at a time. */
    lockSubscription(id: string) {
      return db.selectFrom('subscriptions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    list(organizationId: string, opts: { limit: number; startingAfter?: string; subscriptionId?: string; status?: SeatStatus; customerId?: string }) {
      let q = db.selectFrom('customer_seats').selectAll().where('organization_id', '=', organizationId);
      if (opts.subscriptionId) q = q.where('subscription_id', '=', opts.subscriptionId);
      if (opts.status) q = q.where('status', '=', opts.status);
      if (opts.customerId) q = q.where('customer_id', '=', opts.customerId);
      if (opts.startingAfter) q = q.where('id', '<', opts.startingAfter);
      return q
        .orderBy('id', 'desc')
        .limit(opts.limit + 1)
        .execute();
    },
  };
}
export type SeatRepository = ReturnType<typeof seatRepository>;
