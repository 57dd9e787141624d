import type { Kysely } from 'kysely';
import type { DB, PriceRow, ProductRow } from '../../db/schema.js';

export function catalogRepository(db: Kysely<DB>) {
  return {
    insertProduct(row: { id: string; organization_id: string; name: string; description: string | null; visibility: 'public' | 'private'; now: Date }) {
      return db
        .insertInto('products')
        .values({
          id: row.id,
          organization_id: row.organization_id,
          name: row.name,
          description: row.description,
          visibility: row.visibility,
          created_at: row.now,
          updated_at: row.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    insertPrice(row: Omit<PriceRow, 'active'>) {
      return db.insertInto('prices').values(row).returningAll().executeTakeFirstOrThrow();
    },
    async meterExists(organizationId: string, id: string): Promise<boolean> {
      const row = await db.selectFrom('meters').select('id').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
      return row !== undefined;
    },
    findProduct(organizationId: string, id: string): Promise<ProductRow | undefined> {
      return db.selectFrom('products').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    },
    findPrice(organizationId: string, id: string): Promise<PriceRow | undefined> {
      return db.selectFrom('prices').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    },
    pricesOf(productIds: string[]): Promise<PriceRow[]> {
      if (productIds.length === 0) return Promise.resolve([]);
      return db.selectFrom('prices').selectAll().where('product_id', 'in', productIds).orderBy('id').execute();
    },
    listProducts(organizationId: string, opts: { limit: number; startingAfter?: string; visibility?: 'public' | 'private'; includeArchived?: boolean }) {
      let q = db.selectFrom('products').selectAll().where('organization_id', '=', organizationId);
      if (opts.startingAfter) q = q.where('id', '<', opts.startingAfter);
      if (opts.visibility) q = q.where('visibility', '=', opts.visibility);
      if (!opts.includeArchived) q = q.where('archived_at', 'is', null);
      return q
        .orderBy('id', 'desc')
        .limit(opts.limit + 1)
        .execute();
    },
    updateProduct(
      organizationId: string,
      id: string,
      patch: { name?: string; description?: string | null; visibility?: 'public' | 'private'; archived_at?: Date | null },
      now: Date,
    ) {
      return db
        .updateTable('products')
        .set({ ...patch, updated_at: now })
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    },
    setPriceActive(organizationId: string, id: string, active: boolean) {
      return db.updateTable('prices').set({ active }).where('organization_id', '=', organizationId).where('id', '=', id).returningAll().executeTakeFirst();
    },
  };
}
export type CatalogRepository = ReturnType<typeof catalogRepository>;
