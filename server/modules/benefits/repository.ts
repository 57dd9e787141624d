import type { Kysely, Updateable } from 'kysely';
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { BenefitFileRow, BenefitGrantRow, BenefitGrantsTable, BenefitRow, BenefitType, DB, LicenseKeyActivationRow } from '../../db/schema.js';
import { revive } from '../../lib/json-rows.js';

/** Subscription statuses that entitle to the product's benefits. */
export const ENTITLING_STATUSES = ['active', 'trialing', 'past_due'] as const;
const LIVE = sql.raw(`(${ENTITLING_STATUSES.map((s) => `'${s}'`).join(', ')})`);

/**
 * Who is entitled to which product, as (customer_id, product_id) rows, for one customer or
 * one product: live subscriptions, paid (not fully refunded) purchases, claimed seats on
 * live subscriptions.
 */
function entitlements(organizationId: string, by: { customerId: string } | { productId: string }) {
  const forCustomer = 'customerId' in by;
  const subscription = forCustomer ? sql`s.customer_id = ${by.customerId}` : sql`s.product_id = ${by.productId}`;
  const purchase = forCustomer ? sql`o.customer_id = ${by.customerId}` : sql`p.product_id = ${by.productId}`;
  const seat = forCustomer ? sql`cs.customer_id = ${by.customerId}` : sql`s.product_id = ${by.productId}`;
  return sql`
    SELECT s.customer_id, s.product_id FROM subscriptions s
    WHERE s.organization_id = ${organizationId} AND ${subscription} AND s.status IN ${LIVE}
    UNION
    SELECT o.customer_id, p.product_id FROM orders o
    JOIN order_lines l ON l.order_id = o.id
    JOIN prices p ON p.id = l.price_id
    WHERE o.organization_id = ${organizationId} AND ${purchase}
      AND o.billing_reason = 'purchase' AND o.status IN ('paid', 'partially_refunded')
    UNION
    SELECT cs.customer_id, s.product_id FROM customer_seats cs
    JOIN subscriptions s ON s.id = cs.subscription_id
    WHERE cs.organization_id = ${organizationId} AND ${seat}
      AND cs.status = 'claimed' AND cs.customer_id IS NOT NULL AND s.status IN ${LIVE}`;
}

export type GrantWithBenefit = Awaited<ReturnType<ReturnType<typeof benefitRepository>['activeGrants']>>[number];

/** portalGrantsQuery's JSON list as rows: each grant with its benefit's files and its activations. */
export function portalGrantsFromJson(rows: unknown) {
  return revive<GrantWithBenefit & { files: unknown; activations: unknown }>(rows, [
    'granted_at',
    'revoked_at',
    'key_created_at',
    'expires_at',
    'benefit_deleted_at',
  ]).map(({ files, activations, ...grant }) => ({
    grant: grant as GrantWithBenefit,
    files: revive<BenefitFileRow>(files, ['created_at', 'deleted_at']),
    activations: revive<LicenseKeyActivationRow>(activations, ['created_at']),
  }));
}

/** Every query names the organization (and the customer where there is one). */
export function benefitRepository(db: Kysely<DB>) {
  const grantColumns = [
    'g.id',
    'g.organization_id',
    'g.customer_id',
    'g.benefit_id',
    'g.granted_at',
    'g.revoked_at',
    'g.key_hash',
    'g.key_encrypted',
    'g.key_hint',
    'g.key_created_at',
    'g.expires_at',
    'b.type',
    'b.description',
    'b.properties',
    'b.deleted_at as benefit_deleted_at',
  ] as const;
  /** A grant with what it needs of its benefit: the start of every grant query. */
  const grants = () => db.selectFrom('benefit_grants as g').innerJoin('benefits as b', 'b.id', 'g.benefit_id').select(grantColumns);

  return {
    insertBenefit(row: { id: string; organization_id: string; type: BenefitType; description: string; properties: object; now: Date }) {
      return db
        .insertInto('benefits')
        .values({
          id: row.id,
          organization_id: row.organization_id,
          type: row.type,
          description: row.description,
          properties: JSON.stringify(row.properties),
          created_at: row.now,
          updated_at: row.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    findBenefit(organizationId: string, id: string): Promise<BenefitRow | undefined> {
      return db
        .selectFrom('benefits')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
    },
    listBenefits(organizationId: string, opts: { limit: number; startingAfter?: string; type?: BenefitType }) {
      let q = db.selectFrom('benefits').selectAll().where('organization_id', '=', organizationId).where('deleted_at', 'is', null);
      if (opts.type) q = q.where('type', '=', opts.type);
      if (opts.startingAfter) q = q.where('id', '<', opts.startingAfter);
      return q
        .orderBy('id', 'desc')
        .limit(opts.limit + 1)
        .execute();
    },
    updateBenefit(organizationId: string, id: string, patch: { description?: string; properties?: object; deleted_at?: Date }, now: Date) {
      return db
        .updateTable('benefits')
        .set({
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.properties !== undefined ? { properties: JSON.stringify(patch.properties) } : {}),
          ...(patch.deleted_at !== undefined ? { deleted_at: patch.deleted_at } : {}),
          updated_at: now,
        })
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
    },
    productIdsOf(benefitIds: string[]) {
      if (!benefitIds.length) return Promise.resolve([]);
      return db.selectFrom('product_benefits').select(['benefit_id', 'product_id']).where('benefit_id', 'in', benefitIds).orderBy('created_at').execute();
    },
    async attach(organizationId: string, productId: string, benefitId: string, now: Date) {
      await db
        .insertInto('product_benefits')
        .values({ organization_id: organizationId, product_id: productId, benefit_id: benefitId, created_at: now })
        .onConflict((oc) => oc.columns(['product_id', 'benefit_id']).doNothing())
        .execute();
    },
    async detach(organizationId: string, productId: string, benefitId: string) {
      const res = await db
        .deleteFrom('product_benefits')
        .where('organization_id', '=', organizationId)
        .where('product_id', '=', productId)
        .where('benefit_id', '=', benefitId)
        .executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async detachEverywhere(organizationId: string, benefitId: string) {
      await db.deleteFrom('product_benefits').where('organization_id', '=', organizationId).where('benefit_id', '=', benefitId).execute();
    },
    benefitsOfProduct(organizationId: string, productId: string) {
      return db
        .selectFrom('product_benefits as pb')
        .innerJoin('benefits as b', 'b.id', 'pb.benefit_id')
        .selectAll('b')
        .where('pb.organization_id', '=', organizationId)
        .where('pb.product_id', '=', productId)
        .where('b.deleted_at', 'is', null)
        .orderBy('pb.created_at')
        .orderBy('b.id')
        .execute();
    },
    productExists(organizationId: string, productId: string) {
      return db.selectFrom('products').select('id').where('organization_id', '=', organizationId).where('id', '=', productId).executeTakeFirst();
    },

    // Files of download benefits.
    insertFile(row: { id: string; organization_id: string; benefit_id: string; name: string; size: number; content_type: string; sha256: string; now: Date }) {
      const { now, ...rest } = row;
      return db
        .insertInto('benefit_files')
        .values({ ...rest, created_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    filesOf(benefitIds: string[]) {
      if (!benefitIds.length) return Promise.resolve([]);
      return db.selectFrom('benefit_files').selectAll().where('benefit_id', 'in', benefitIds).where('deleted_at', 'is', null).orderBy('id').execute();
    },
    findFile(id: string) {
      return db.selectFrom('benefit_files').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    },
    deleteFiles(organizationId: string, benefitId: string, now: Date, fileId?: string) {
      let q = db
        .updateTable('benefit_files')
        .set({ deleted_at: now })
        .where('organization_id', '=', organizationId)
        .where('benefit_id', '=', benefitId)
        .where('deleted_at', 'is', null);
      if (fileId) q = q.where('id', '=', fileId);
      return q.returning(['id', 'organization_id']).execute();
    },

    // Grants.
    /** The benefits a customer is entitled to now: live subscriptions, paid purchases, claimed seats. */
    async entitledBenefitIds(organizationId: string, customerId: string): Promise<string[]> {
      const { rows } = await sql<{ benefit_id: string }>`
        SELECT DISTINCT pb.benefit_id
        FROM product_benefits pb
        JOIN benefits b ON b.id = pb.benefit_id AND b.deleted_at IS NULL
        WHERE pb.organization_id = ${organizationId}
          AND pb.product_id IN (SELECT e.product_id FROM (${entitlements(organizationId, { customerId })}) e)`.execute(db);
      return rows.map((r) => r.benefit_id);
    },
    /** Customers entitled to a product's benefits. */
    async customersOfProduct(organizationId: string, productId: string): Promise<string[]> {
      const { rows } = await sql<{ customer_id: string }>`SELECT DISTINCT e.customer_id FROM (${entitlements(organizationId, { productId })}) e`.execute(db);
      return rows.map((r) => r.customer_id);
    },
    /** Customers holding seats on a customer's subscriptions: their benefits follow the owner's. */
    async seatHoldersOf(organizationId: string, ownerId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('customer_seats as cs')
        .innerJoin('subscriptions as s', 's.id', 'cs.subscription_id')
        .select('cs.customer_id')
        .distinct()
        .where('s.organization_id', '=', organizationId)
        .where('s.customer_id', '=', ownerId)
        .where('cs.status', '=', 'claimed')
        .where('cs.customer_id', 'is not', null)
        .execute();
      return rows.map((r) => r.customer_id!).filter((id) => id !== ownerId);
    },
    async holdersOf(organizationId: string, benefitId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('benefit_grants')
        .select('customer_id')
        .where('organization_id', '=', organizationId)
        .where('benefit_id', '=', benefitId)
        .where('revoked_at', 'is', null)
        .execute();
      return rows.map((r) => r.customer_id);
    },
    /** Serialises reconciles of one customer (both databases), inside the caller's transaction. */
    async lockCustomer(customerId: string) {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`benefit-grants:${customerId}`}))`.execute(db);
    },
    grantsOfCustomer(organizationId: string, customerId: string) {
      return db.selectFrom('benefit_grants').selectAll().where('organization_id', '=', organizationId).where('customer_id', '=', customerId).execute();
    },
    insertGrant(row: Omit<BenefitGrantRow, 'revoked_at'>) {
      return db.insertInto('benefit_grants').values(row).returningAll().executeTakeFirstOrThrow();
    },
    updateGrant(id: string, patch: Updateable<BenefitGrantsTable>) {
      return db.updateTable('benefit_grants').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
    },
    async revokeGrants(organizationId: string, ids: string[], now: Date) {
      if (!ids.length) return;
      await db
        .updateTable('benefit_grants')
        .set({ revoked_at: now, updated_at: now })
        .where('organization_id', '=', organizationId)
        .where('id', 'in', ids)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async revokeAllOfBenefit(organizationId: string, benefitId: string, now: Date) {
      await db
        .updateTable('benefit_grants')
        .set({ revoked_at: now, updated_at: now })
        .where('organization_id', '=', organizationId)
        .where('benefit_id', '=', benefitId)
        .where('revoked_at', 'is', null)
        .execute();
    },
    /** A customer's live grants with their benefits, oldest first. */
    activeGrants(organizationId: string, customerId: string) {
      return grants()
        .where('g.organization_id', '=', organizationId)
        .where('g.customer_id', '=', customerId)
        .where('g.revoked_at', 'is', null)
        .orderBy('g.granted_at')
        .orderBy('g.id')
        .execute();
    },
    /**
     * activeGrants with what the portal shows of each (a download's files, a license key's
     * activations) as JSON columns: a query for a statement of lists (lib/json-rows.ts), so the
     * benefits read in one statement however many there are.
     */
    portalGrantsQuery(organizationId: string, customerId: string) {
      return grants()
        .select((eb) => [
          jsonArrayFrom(
            eb
              .selectFrom('benefit_files as f')
              .selectAll('f')
              .whereRef('f.benefit_id', '=', 'g.benefit_id')
              .where('b.type', '=', 'download')
              .where('f.deleted_at', 'is', null)
              .orderBy('f.id'),
          ).as('files'),
          jsonArrayFrom(
            eb
              .selectFrom('license_key_activations as a')
              .selectAll('a')
              .whereRef('a.grant_id', '=', 'g.id')
              .where('b.type', '=', 'license_key')
              .orderBy('a.id'),
          ).as('activations'),
        ])
        .where('g.organization_id', '=', organizationId)
        .where('g.customer_id', '=', customerId)
        .where('g.revoked_at', 'is', null)
        .orderBy('g.granted_at')
        .orderBy('g.id');
    },
    findGrantOfCustomer(organizationId: string, customerId: string, id: string) {
      return grants().where('g.organization_id', '=', organizationId).where('g.customer_id', '=', customerId).where('g.id', '=', id).executeTakeFirst();
    },
    findGrant(id: string) {
      return grants().where('g.id', '=', id).executeTakeFirst();
    },
    findGrantByKey(organizationId: string, keyHash: string, type: BenefitType) {
      return grants().where('g.organization_id', '=', organizationId).where('g.key_hash', '=', keyHash).where('b.type', '=', type).executeTakeFirst();
    },
    /** Locks a grant row until the caller's transaction ends (activation limits). */
    async lockGrant(id: string) {
      await db.selectFrom('benefit_grants').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
    },
    listGrants(organizationId: string, opts: { limit: number; startingAfter?: string; customerId?: string; benefitId?: string; includeRevoked: boolean }) {
      let q = grants().where('g.organization_id', '=', organizationId);
      if (opts.customerId) q = q.where('g.customer_id', '=', opts.customerId);
      if (opts.benefitId) q = q.where('g.benefit_id', '=', opts.benefitId);
      if (!opts.includeRevoked) q = q.where('g.revoked_at', 'is', null);
      if (opts.startingAfter) q = q.where('g.id', '<', opts.startingAfter);
      return q
        .orderBy('g.id', 'desc')
        .limit(opts.limit + 1)
        .execute();
    },

    // License key activations.
    activationsOf(grantIds: string[]) {
      if (!grantIds.length) return Promise.resolve([]);
      return db.selectFrom('license_key_activations').selectAll().where('grant_id', 'in', grantIds).orderBy('id').execute();
    },
    insertActivation(row: { id: string; organization_id: string; grant_id: string; label: string; now: Date }) {
      return db
        .insertInto('license_key_activations')
        .values({ id: row.id, organization_id: row.organization_id, grant_id: row.grant_id, label: row.label, created_at: row.now })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    async deleteActivation(grantId: string, id: string) {
      const res = await db.deleteFrom('license_key_activations').where('grant_id', '=', grantId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async clearActivations(grantId: string) {
      await db.deleteFrom('license_key_activations').where('grant_id', '=', grantId).execute();
    },
  };
}
export type BenefitRepository = ReturnType<typeof benefitRepository>;
