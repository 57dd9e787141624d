// The merchant's benefits: create, read, change and delete them, and attach them to products
// (whose customers' grants follow at once).
import type { BenefitRow, BenefitType } from '../../db/schema.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { BenefitContext } from './context.js';
import type { BenefitFiles } from './files.js';
import type { GrantService } from './grants.js';
import { benefitRepository } from './repository.js';
import { benefitProperties, type BenefitCreate, type BenefitUpdate } from './schemas.js';
import { benefitView } from './views.js';

export function merchantBenefits(ctx: BenefitContext, grants: Pick<GrantService, 'reconcileAll'>, files: Pick<BenefitFiles, 'removeStored'>) {
  const { db, clock, repo, getBenefit } = ctx;

  function parseProperties(type: BenefitType, value: unknown) {
    const result = benefitProperties[type].safeParse(value);
    if (!result.success) {
      const details = result.error.issues.map((i) => ({ path: ['properties', ...i.path].map(String).join('.'), message: i.message }));
      throw new ApiError(400, 'validation_error', `${details[0]!.path}: ${details[0]!.message}`, details);
    }
    return result.data as Record<string, unknown>;
  }

  async function assertProduct(organizationId: string, productId: string) {
    if (!(await repo.productExists(organizationId, productId))) throw new ApiError(404, 'product_not_found', `No product ${productId}.`);
  }

  return {
    async create(organizationId: string, input: BenefitCreate) {
      return repo.insertBenefit({
        id: newId('ben', clock.now().getTime()),
        organization_id: organizationId,
        type: input.type,
        description: input.description,
        properties: input.properties,
        now: clock.now(),
      });
    },
    get: getBenefit,
    list: (organizationId: string, opts: { limit: number; startingAfter?: string; type?: BenefitType }) => repo.listBenefits(organizationId, opts),

    /** Benefits as the merchant sees them: with their files and the products they are on. */
    async merchantViews(rows: BenefitRow[]) {
      const ids = rows.map((r) => r.id);
      const [fileRows, products] = await Promise.all([repo.filesOf(ids), repo.productIdsOf(ids)]);
      return rows.map((r) =>
        benefitView(r, {
          files: fileRows.filter((f) => f.benefit_id === r.id),
          productIds: products.filter((p) => p.benefit_id === r.id).map((p) => p.product_id),
        }),
      );
    },

    async update(organizationId: string, id: string, patch: BenefitUpdate) {
      const current = await getBenefit(organizationId, id);
      const properties = patch.properties ? parseProperties(current.type, { ...(current.properties as object), ...patch.properties }) : undefined;
      const row = await repo.updateBenefit(
        organizationId,
        id,
        { ...(patch.description !== undefined ? { description: patch.description } : {}), ...(properties ? { properties } : {}) },
        clock.now(),
      );
      if (!row) throw new ApiError(404, 'benefit_not_found', `No benefit ${id}.`);
      return row;
    },

    /** Deletes a benefit: it leaves every product, every grant is revoked at once, its files go. */
    async remove(organizationId: string, id: string) {
      await getBenefit(organizationId, id);
      const now = clock.now();
      const removedFiles = await db.transaction().execute(async (trx) => {
        const r = benefitRepository(trx);
        await r.updateBenefit(organizationId, id, { deleted_at: now }, now);
        await r.detachEverywhere(organizationId, id);
        await r.revokeAllOfBenefit(organizationId, id, now);
        return r.deleteFiles(organizationId, id, now);
      });
      await files.removeStored(removedFiles);
    },

    async attach(organizationId: string, productId: string, benefitId: string) {
      await assertProduct(organizationId, productId);
      await getBenefit(organizationId, benefitId);
      await repo.attach(organizationId, productId, benefitId, clock.now());
      await grants.reconcileAll(organizationId, await repo.customersOfProduct(organizationId, productId));
      return repo.benefitsOfProduct(organizationId, productId);
    },

    async detach(organizationId: string, productId: string, benefitId: string) {
      await assertProduct(organizationId, productId);
      if (!(await repo.detach(organizationId, productId, benefitId))) {
        throw new ApiError(404, 'benefit_not_attached', `Benefit ${benefitId} is not attached to product ${productId}.`);
      }
      await grants.reconcileAll(organizationId, await repo.holdersOf(organizationId, benefitId));
      return repo.benefitsOfProduct(organizationId, productId);
    },

    async productBenefits(organizationId: string, productId: string) {
      await assertProduct(organizationId, productId);
      return repo.benefitsOfProduct(organizationId, productId);
    },
  };
}
