import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/** Stripe's events as received: one row per event id, written in the transaction that handles it. */
export function stripeEventRepository(db: Kysely<DB>) {
  return {
    /** Stores the event; false if its id is already stored (a redelivery, or one being handled right now). */
    async insertIfNew(row: { id: string; type: string; object_id: string | null; created_at: Date; payload: object; received_at: Date }) {
      const fresh = await db
        .insertInto('stripe_events')
        .values({ ...row, payload: JSON.stringify(row.payload) })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      return fresh !== undefined;
    },
    async setOutcome(id: string, outcome: string) {
      await db.updateTable('stripe_events').set({ outcome }).where('id', '=', id).execute();
    },
    find(id: string) {
      return db.selectFrom('stripe_events').selectAll().where('id', '=', id).executeTakeFirst();
    },
  };
}
