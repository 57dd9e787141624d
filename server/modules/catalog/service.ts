import type { MeterRow, PriceRow, ProductRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { CatalogRepository, CustomerCatalogRows } from './repository.js';
import type { PriceCreate } from './schemas.js';

export function catalogService(repo: CatalogRepository, clock: Clock) {
  return {
    async createProduct(organizationId: string, input: { name: string; description?: string | null; visibility: 'public' | 'private'; prices: PriceCreate[] }) {
      const now = clock.now();
      const product = await repo.insertProduct({
        id: newId('prod', now.getTime()),
        organization_id: organizationId,
        name: input.name,
        description: input.description ?? null,
        visibility: input.visibility,
        now,
      });
      const prices: PriceRow[] = [];
      for (const p of input.prices) prices.push(await this.addPriceRow(organizationId, product.id, p));
      return { product, prices };
    },

    async addPriceRow(organizationId: string, productId: string, p: PriceCreate): Promise<PriceRow> {
      const now = clock.now();
      if (p.meter_id && !(await repo.meterExists(organizationId, p.meter_id))) {
        throw new ApiError(400, 'meter_not_found', `No meter ${p.meter_id} in this organization.`);
      }
      return repo.insertPrice({
        id: newId('price', now.getTime()),
        organization_id: organizationId,
        product_id: productId,
        type: p.type,
        model: p.model,
        currency: p.currency,
        unit_amount: p.unit_amount,
        interval: p.interval ?? null,
        interval_count: p.interval_count,
        included_units: p.included_units,
        meter_id: p.meter_id ?? null,
        overage_unit_amount: p.overage_unit_amount ?? null,
        created_at: now,
      });
    },

    async product(organizationId: string, id: string) {
      const product = await repo.findProduct(organizationId, id);
      if (!product) throw new ApiError(404, 'product_not_found', `No product ${id}.`);
      return { product, prices: await repo.pricesOf([id]) };
    },

    async price(organizationId: string, id: string): Promise<PriceRow> {
      const price = await repo.findPrice(organizationId, id);
      if (!price) throw new ApiError(404, 'price_not_found', `No price ${id}.`);
      return price;
    },

    async list(organizationId: string, opts: { limit: number; startingAfter?: string; visibility?: 'public' | 'private'; includeArchived?: boolean }) {
      const products = await repo.listProducts(organizationId, opts);
      const prices = await repo.pricesOf(products.map((p) => p.id));
      return products.map((product) => ({ id: product.id, product, prices: prices.filter((p) => p.product_id === product.id) }));
    },

    async update(
      organizationId: string,
      id: string,
      patch: { name?: string; description?: string | null; visibility?: 'public' | 'private'; archived?: boolean },
    ) {
      const { archived, ...rest } = patch;
      const row = await repo.updateProduct(
        organizationId,
        id,
        { ...rest, ...(archived !== undefined ? { archived_at: archived ? clock.now() : null } : {}) },
        clock.now(),
      );
      if (!row) throw new ApiError(404, 'product_not_found', `No product ${id}.`);
      return { product: row, prices: await repo.pricesOf([id]) };
    },

    async setPriceActive(organizationId: string, id: string, active: boolean) {
      const row = await repo.setPriceActive(organizationId, id, active);
      if (!row) throw new ApiError(404, 'price_not_found', `No price ${id}.`);
      return row;
    },

    pricesOf: (productIds: string[]) => repo.pricesOf(productIds),
    /** The prices, products and meters a customer's subscriptions name, in one statement. */
    customerCatalog: async (organizationId: string, customerId: string) => catalogSnapshot(await repo.customerCatalog(organizationId, customerId)),
    findProduct: (organizationId: string, id: string) => repo.findProduct(organizationId, id),
  };
}
export type CatalogService = ReturnType<typeof catalogService>;

/**
 * Catalog rows read once for a request, looked up without a query: price and product answer
 * as the catalog service does (404 price_not_found / product_not_found when missing).
 */
export function catalogSnapshot(rows: CustomerCatalogRows) {
  const prices = new Map(rows.prices.map((p) => [p.id, p]));
  const products = new Map(rows.products.map((p) => [p.id, p]));
  const meters = new Map(rows.meters.map((m) => [m.id, m]));
  return {
    price(id: string): PriceRow {
      const price = prices.get(id);
      if (!price) throw new ApiError(404, 'price_not_found', `No price ${id}.`);
      return price;
    },
    product(id: string): ProductRow {
      const product = products.get(id);
      if (!product) throw new ApiError(404, 'product_not_found', `No product ${id}.`);
      return product;
    },
    meter(id: string | null): MeterRow | undefined {
      return id ? meters.get(id) : undefined;
    },
  };
}
export type CatalogSnapshot = ReturnType<typeof catalogSnapshot>;

export function priceView(p: PriceRow) {
  return {
    id: p.id,
    product_id: p.product_id,
    type: p.type,
    model: p.model,
    currency: p.currency,
    unit_amount: p.unit_amount,
    interval: p.interval,
    interval_count: p.interval_count,
    included_units: p.included_units,
    meter_id: p.meter_id,
    overage_unit_amount: p.overage_unit_amount,
    active: p.active,
  };
}

export function productView(product: ProductRow, prices: PriceRow[]) {
  return {
    id: product.id,
    name: product.name,
    description: product.description,
    visibility: product.visibility,
    archived: product.archived_at !== null,
    prices: prices.map(priceView),
    created_at: product.created_at.toISOString(),
  };
}
