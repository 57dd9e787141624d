import type { Kysely } from 'kysely';
import type { DB, MeterRow, PriceRow, ProductRow } from '../../db/schema.js';
import { revive, listsTemplate } from '../../lib/json-rows.js';

/** The catalog rows a customer's subscriptions name, read together (catalogSnapshot looks them up). */
export interface CustomerCatalogRows {
  prices: PriceRow[];
  products: ProductRow[];
  meters: MeterRow[];
}

/** The JSON lists of customerCatalogQueries (read in any statement of lists) as rows. */
export function customerCatalogRows(lists: { prices: unknown; products: unknown; meters: unknown }): CustomerCatalogRows {
  return {
    prices: revive<PriceRow>(lists.prices, ['created_at']),
    products: revive<ProductRow>(lists.products, ['archived_at', 'created_at', 'updated_at']),
    meters: revive<MeterRow>(lists.meters, ['created_at']),
  };
}

export function catalogRepository(db: Kysely<DB>) {
  /**
   * The prices, products and meters a customer's subscriptions name (their price and any
   * scheduled one), as queries for one statement (lib/json-rows.ts): a view of many
   * subscriptions reads its catalog at once, never price by price.
   */
  function customerCatalogQueries(organizationId: string, customerId: string) {
    const subs = () => db.selectFrom('subscriptions').where('organization_id', '=', organizationId).where('customer_id', '=', customerId);
    const priceIds = () =>
      db
        .selectFrom('prices')
        .select('prices.id')
        .where('prices.organization_id', '=', organizationId)
        .where((eb) =>
          eb.or([
            eb('prices.id', 'in', subs().select('price_id')),
            eb('prices.id', 'in', subs().select('pending_price_id').where('pending_price_id', 'is not', null)),
          ]),
        );
    return {
      prices: db.selectFrom('prices').selectAll().where('organization_id', '=', organizationId).where('id', 'in', priceIds()).orderBy('id'),
      products: db
        .selectFrom('products')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where((eb) =>
          eb.or([eb('id', 'in', db.selectFrom('prices').select('product_id').where('id', 'in', priceIds())), eb('id', 'in', subs().select('product_id'))]),
        )
        .orderBy('id'),
      meters: db
        .selectFrom('meters')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('id', 'in', db.selectFrom('prices').select('meter_id').where('id', 'in', priceIds()).where('meter_id', 'is not', null))
        .orderBy('id'),
    };
  }
  /** customerCatalog's statement, built and compiled once (lib/statement-template.ts) when first read. */
  let catalogStatement: ReturnType<typeof catalogTemplate> | undefined;
  const catalogTemplate = () =>
    listsTemplate(db, (a: { organizationId: string; customerId: string }) => customerCatalogQueries(a.organizationId, a.customerId));
  return {
    customerCatalogQueries,
    /** A customer's catalog in one statement. */
    async customerCatalog(organizationId: string, customerId: string): Promise<CustomerCatalogRows> {
      catalogStatement ??= catalogTemplate();
      return customerCatalogRows(await catalogStatement('catalog', { organizationId, customerId }));
    },
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
