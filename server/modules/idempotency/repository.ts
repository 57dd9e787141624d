import type { ExpressionBuilder, Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/** Which key: the merchant's or the signed-in customer's (`scope`), in an organization. */
export interface KeyRef {
  organizationId: string;
  scope: string;
  key: string;
}

/** Stored Idempotency-Keys: the request each was first used for, and its answer once known. */
export function idempotencyRepository(db: Kysely<DB>) {
  const match = (ref: KeyRef) => (eb: ExpressionBuilder<DB, 'idempotency_keys'>) =>
    eb.and([eb('organization_id', '=', ref.organizationId), eb('scope', '=', ref.scope), eb('key', '=', ref.key)]);
  return {
    /** Records a key for a request, or starts an expired one (created before `expiredBefore`) over; false when a live one holds it. */
    async claim(ref: KeyRef, requestHash: string, now: Date, expiredBefore: Date): Promise<boolean> {
      const inserted = await db
        .insertInto('idempotency_keys')
        .values({ organization_id: ref.organizationId, scope: ref.scope, key: ref.key, request_hash: requestHash, created_at: now })
        .onConflict((oc) =>
          // An expired key starts over; a live one is left alone (and not returned).
          oc
            .columns(['organization_id', 'scope', 'key'])
            .doUpdateSet({ request_hash: requestHash, status_code: null, response_body: null, created_at: now })
            .where('idempotency_keys.created_at', '<', expiredBefore),
        )
        .returning('key')
        .executeTakeFirst();
      return Boolean(inserted);
    },
    find(ref: KeyRef) {
      return db.selectFrom('idempotency_keys').selectAll().where(match(ref)).executeTakeFirst();
    },
    async saveAnswer(ref: KeyRef, status: number, body: string) {
      await db.updateTable('idempotency_keys').set({ status_code: status, response_body: body }).where(match(ref)).execute();
    },
    async remove(ref: KeyRef) {
      await db.deleteFrom('idempotency_keys').where(match(ref)).execute();
    },
  };
}
