import { sql, type Kysely } from 'kysely';
import type { CustomerRow, DB } from '../../db/schema.js';

export interface CustomerFields {
  email?: string;
  name?: string | null;
  external_id?: string | null;
  metadata?: Record<string, unknown>;
  billing_details?: Record<string, unknown>;
  /** A supported locale (checked by the service), or null for "not known". */
  locale?: string | null;
}

/** Every query names the organization: a customer is only ever found inside its own organization. */
export function customerRepository(db: Kysely<DB>) {
  return {
    findById(organizationId: string, id: string): Promise<CustomerRow | undefined> {
      return db.selectFrom('customers').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    },
    findByExternalId(organizationId: string, externalId: string): Promise<CustomerRow | undefined> {
      return db.selectFrom('customers').selectAll().where('organization_id', '=', organizationId).where('external_id', '=', externalId).executeTakeFirst();
    },
    findByEmail(organizationId: string, email: string): Promise<CustomerRow | undefined> {
      return db.selectFrom('customers').selectAll().where('organization_id', '=', organizationId).where('email', '=', email).executeTakeFirst();
    },
    /** Customers by ids and external ids, in one query (for event batches). */
    findMany(organizationId: string, refs: { ids: string[]; externalIds: string[] }): Promise<CustomerRow[]> {
      if (!refs.ids.length && !refs.externalIds.length) return Promise.resolve([]);
      return db
        .selectFrom('customers')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where((eb) =>
          eb.or([...(refs.ids.length ? [eb('id', 'in', refs.ids)] : []), ...(refs.externalIds.length ? [eb('external_id', 'in', refs.externalIds)] : [])]),
        )
        .execute();
    },
    list(organizationId: string, opts: { limit: number; startingAfter?: string; email?: string }): Promise<CustomerRow[]> {
      let q = db.selectFrom('customers').selectAll().where('organization_id', '=', organizationId);
      if (opts.startingAfter) q = q.where('id', '<', opts.startingAfter);
      if (opts.email) q = q.where('email', '=', opts.email);
      return q
        .orderBy('id', 'desc')
        .limit(opts.limit + 1)
        .execute();
    },
    insert(row: {
      id: string;
      organization_id: string;
      email: string;
      name: string | null;
      external_id: string | null;
      metadata: object;
      billing_details: object;
      locale: string | null;
      now: Date;
    }) {
      return db
        .insertInto('customers')
        .values({
          id: row.id,
          organization_id: row.organization_id,
          email: row.email,
          name: row.name,
          external_id: row.external_id,
          metadata: JSON.stringify(row.metadata),
          billing_details: JSON.stringify(row.billing_details),
          locale: row.locale,
          created_at: row.now,
          updated_at: row.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    /** Sets the provider's customer ref once; returns whichever ref is stored (a concurrent caller may have won). */
    async setProviderRef(organizationId: string, id: string, ref: string): Promise<string> {
      await db
        .updateTable('customers')
        .set({ provider_customer_ref: ref })
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .where('provider_customer_ref', 'is', null)
        .execute();
      const row = await db.selectFrom('customers').select('provider_customer_ref').where('id', '=', id).executeTakeFirstOrThrow();
      return row.provider_customer_ref!;
    },
    /** The customers linked to a processor customer (one, unless the processor reused it). */
    findByProviderRef(ref: string): Promise<CustomerRow[]> {
      return db.selectFrom('customers').selectAll().where('provider_customer_ref', '=', ref).execute();
    },
    /** The processor's customer is gone: the link is dropped (a new one is made on next need). */
    clearProviderRef(organizationId: string, id: string, ref: string, now: Date): Promise<CustomerRow | undefined> {
      return (
        db
          .updateTable('customers')
          // A new updated_at even within the same millisecond: it versions the next processor customer.
          .set({ provider_customer_ref: null, updated_at: sql<Date>`greatest(${now}, updated_at + interval '1 millisecond')` })
          .where('organization_id', '=', organizationId)
          .where('id', '=', id)
          .where('provider_customer_ref', '=', ref)
          .returningAll()
          .executeTakeFirst()
      );
    },
    update(organizationId: string, id: string, fields: CustomerFields, now: Date): Promise<CustomerRow | undefined> {
      return db
        .updateTable('customers')
        .set({
          ...(fields.email !== undefined ? { email: fields.email } : {}),
          ...(fields.name !== undefined ? { name: fields.name } : {}),
          ...(fields.external_id !== undefined ? { external_id: fields.external_id } : {}),
          ...(fields.metadata !== undefined ? { metadata: JSON.stringify(fields.metadata) } : {}),
          ...(fields.billing_details !== undefined ? { billing_details: JSON.stringify(fields.billing_details) } : {}),
          ...(fields.locale !== undefined ? { locale: fields.locale } : {}),
          updated_at: now,
        })
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },
  };
}
export type CustomerRepository = ReturnType<typeof customerRepository>;
