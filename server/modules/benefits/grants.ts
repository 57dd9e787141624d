// Grants: what a customer holds of the benefits they are entitled to. Reconciling grants with
// entitlements (purchases, subscriptions, seats), the lists of them, and the customer's own
// actions on a keyed grant (a new key, the API key in full).
import type { PortalBenefit } from '../../../src/schemas/benefits.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { BenefitContext } from './context.js';
import type { BenefitFiles } from './files.js';
import { expiresAt, KEYED, type BenefitKeys } from './keys.js';
import { listsTemplate } from '../../lib/json-rows.js';
import { benefitRepository, portalGrantsFromJson, type GrantWithBenefit } from './repository.js';
import { portalView, type PortalViewTools } from './views.js';

export function grantService(ctx: BenefitContext, keys: BenefitKeys, files: Pick<BenefitFiles, 'downloadUrl'>) {
  const { db, clock, repo } = ctx;
  const tools: PortalViewTools = { readKey: keys.read, downloadUrl: files.downloadUrl };
  // Built and compiled once (lib/statement-template.ts), run with each customer's ids.
  const portalGrants = listsTemplate(db, (a: { organizationId: string; customerId: string }) => ({
    grants: repo.portalGrantsQuery(a.organizationId, a.customerId),
  }));

  /** The portal's benefits from portalGrantsQuery's JSON list, read in any statement of lists. */
  function portalViews(grants: unknown): PortalBenefit[] {
    const now = clock.now();
    return portalGrantsFromJson(grants).map(({ grant, files, activations }) => portalView(grant, { files, activations }, now, tools));
  }

  /**
   * Grants what a customer is entitled to and is missing, revokes what they hold and are no
   * longer entitled to. Idempotent; serialised per customer. A grant revoked and granted
   * again keeps its key, so the customer's software keeps working after they come back.
   */
  async function reconcile(organizationId: string, customerId: string) {
    await db.transaction().execute(async (trx) => {
      const r = benefitRepository(trx);
      await r.lockCustomer(customerId);
      const entitled = new Set(await r.entitledBenefitIds(organizationId, customerId));
      const grants = await r.grantsOfCustomer(organizationId, customerId);
      const now = clock.now();
      for (const benefitId of entitled) {
        const grant = grants.find((g) => g.benefit_id === benefitId);
        if (grant && !grant.revoked_at) continue;
        const benefit = (await r.findBenefit(organizationId, benefitId))!;
        const keyed = KEYED.includes(benefit.type);
        if (!grant) {
          await r.insertGrant({
            id: newId('bgr', now.getTime()),
            organization_id: organizationId,
            customer_id: customerId,
            benefit_id: benefitId,
            granted_at: now,
            key_hash: null,
            key_encrypted: null,
            key_hint: null,
            key_created_at: null,
            ...(keyed ? keys.material(benefit.type, benefit.properties, now).fields : {}),
            expires_at: expiresAt(benefit.type, benefit.properties, now),
            created_at: now,
            updated_at: now,
          });
        } else {
          await r.updateGrant(grant.id, {
            revoked_at: null,
            granted_at: now,
            expires_at: expiresAt(benefit.type, benefit.properties, now),
            ...(keyed && !grant.key_hash ? keys.material(benefit.type, benefit.properties, now).fields : {}),
            updated_at: now,
          });
        }
      }
      const extra = grants.filter((g) => !g.revoked_at && !entitled.has(g.benefit_id)).map((g) => g.id);
      await r.revokeGrants(organizationId, extra, now);
    });
  }

  /** Every customer whose grants may change, reconciled one by one. */
  async function reconcileAll(organizationId: string, customerIds: Iterable<string>) {
    for (const id of new Set(customerIds)) await reconcile(organizationId, id);
  }

  async function singleView(grant: GrantWithBenefit, revealKey: boolean) {
    const now = clock.now();
    const [fileRows, activations] = await Promise.all([
      grant.type === 'download' ? repo.filesOf([grant.benefit_id]) : Promise.resolve([]),
      grant.type === 'license_key' ? repo.activationsOf([grant.id]) : Promise.resolve([]),
    ]);
    return portalView(grant, { files: fileRows, activations, revealKey }, now, tools);
  }

  return {
    reconcileAll,

    /**
     * Reconciles a customer's grants with what they are entitled to, then those of the
     * customers holding seats on their subscriptions (whose benefits follow the owner's).
     */
    async syncCustomer(organizationId: string, customerId: string) {
      await reconcile(organizationId, customerId);
      await reconcileAll(organizationId, await repo.seatHoldersOf(organizationId, customerId));
    },

    async listGrants(
      organizationId: string,
      opts: { limit: number; startingAfter?: string; customerId?: string; benefitId?: string; includeRevoked: boolean },
    ) {
      return repo.listGrants(organizationId, opts);
    },

    // ── Portal ──
    /** GET /portal/v1/benefits: one statement. */
    async portalList(organizationId: string, customerId: string): Promise<PortalBenefit[]> {
      const { grants } = await portalGrants('portal', { organizationId, customerId });
      return portalViews(grants);
    },
    portalViews,
    /** The query portalViews reads, for a statement of lists (the overview's). */
    portalGrantsQuery: (organizationId: string, customerId: string) => repo.portalGrantsQuery(organizationId, customerId),

    /** A new license key or API key; the old one stops validating at once. A license key's activations go with it. */
    async rotate(organizationId: string, customerId: string, grantId: string) {
      const grant = await ctx.ownGrant(organizationId, customerId, grantId);
      if (!KEYED.includes(grant.type)) throw new ApiError(400, 'benefit_not_rotatable', 'Only license keys and API keys can be replaced.');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const r = benefitRepository(trx);
        await r.updateGrant(grant.id, { ...keys.material(grant.type, grant.properties, now).fields, updated_at: now });
        if (grant.type === 'license_key') await r.clearActivations(grant.id);
      });
      return singleView((await repo.findGrant(grant.id))!, true);
    },

    /** An API key in full (the list shows it masked). */
    async reveal(organizationId: string, customerId: string, grantId: string) {
      const grant = await ctx.ownGrant(organizationId, customerId, grantId);
      if (grant.type !== 'api_key') throw new ApiError(400, 'benefit_not_revealable', 'Only API keys are masked; license keys are shown in the list.');
      return singleView(grant, true);
    },
  };
}
export type GrantService = ReturnType<typeof grantService>;
