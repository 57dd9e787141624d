// Checking keys for the merchant's software and backend: license keys (validate, activate on
// a device, deactivate; public, rate-limited per IP) and customers' API keys (validate).
import type { Organization } from '../../db/schema.js';
import { MINUTE } from '../../lib/clock.js';
import { sha256 } from '../../lib/crypto.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { BenefitContext } from './context.js';
import { benefitRepository } from './repository.js';
import type { LicenseKeyProperties } from './schemas.js';

type LicenseStatus = 'active' | 'expired' | 'revoked' | 'not_found';

const INVALID_MESSAGES: Record<Exclude<LicenseStatus, 'active'>, string> = {
  not_found: 'This license key does not exist (it may have been replaced by a new key).',
  revoked: 'This license key was revoked.',
  expired: 'This license key has expired.',
};

export function licenseService(ctx: BenefitContext) {
  const { db, clock, repo } = ctx;

  /** Looks up a license key of an organization; the answer says why it is not valid. */
  async function findLicense(organizationId: string, key: string) {
    const grant = await repo.findGrantByKey(organizationId, sha256(key), 'license_key');
    const now = clock.now();
    let status: LicenseStatus = 'active';
    if (!grant) status = 'not_found';
    else if (grant.revoked_at || grant.benefit_deleted_at) status = 'revoked';
    else if (grant.expires_at && grant.expires_at <= now) status = 'expired';
    return { grant, status };
  }

  async function licenseLimits(ip: string) {
    await ctx.rateLimiter.hit({ key: `license-keys:ip:${ip}`, max: 120, windowMs: MINUTE });
  }

  return {
    // ── License keys, for the merchant's software ──
    async validateLicense(org: Organization, input: { key: string; activation_id?: string | undefined; ip: string }) {
      await licenseLimits(input.ip);
      const { grant, status } = await findLicense(org.id, input.key);
      const activations = grant ? await repo.activationsOf([grant.id]) : [];
      const activation = input.activation_id ? (activations.find((a) => a.id === input.activation_id) ?? null) : null;
      const activationMissing = input.activation_id !== undefined && !activation;
      return {
        valid: status === 'active' && !activationMissing,
        status,
        message:
          status !== 'active'
            ? INVALID_MESSAGES[status]
            : activationMissing
              ? 'This activation does not exist for this license key (it was deactivated, or the key was replaced).'
              : null,
        benefit_id: status === 'not_found' ? null : grant!.benefit_id,
        customer_id: status === 'not_found' ? null : grant!.customer_id,
        expires_at: grant?.expires_at?.toISOString() ?? null,
        activation_limit: grant ? ((grant.properties as LicenseKeyProperties).activation_limit ?? null) : null,
        activations_used: activations.length,
        activation: activation ? { id: activation.id, label: activation.label, created_at: activation.created_at.toISOString() } : null,
      };
    },

    async activateLicense(org: Organization, input: { key: string; label: string; ip: string }) {
      await licenseLimits(input.ip);
      const { grant, status } = await findLicense(org.id, input.key);
      if (status !== 'active') throw new ApiError(status === 'not_found' ? 404 : 403, `license_key_${status}`, INVALID_MESSAGES[status]);
      const limit = (grant!.properties as LicenseKeyProperties).activation_limit ?? null;
      const now = clock.now();
      const activation = await db.transaction().execute(async (trx) => {
        const r = benefitRepository(trx);
        await r.lockGrant(grant!.id);
        const used = (await r.activationsOf([grant!.id])).length;
        if (limit !== null && used >= limit) {
          throw new ApiError(
            409,
            'activation_limit_reached',
            `This license key is already activated ${used} time${used === 1 ? '' : 's'}, its limit. Deactivate it on another device first.`,
            { activation_limit: limit, activations_used: used },
          );
        }
        return r.insertActivation({ id: newId('lka', now.getTime()), organization_id: org.id, grant_id: grant!.id, label: input.label, now });
      });
      return {
        id: activation.id,
        label: activation.label,
        created_at: activation.created_at.toISOString(),
        license_key: { benefit_id: grant!.benefit_id, expires_at: grant!.expires_at?.toISOString() ?? null, activation_limit: limit },
      };
    },

    async deactivateLicense(org: Organization, input: { key: string; activation_id: string; ip: string }) {
      await licenseLimits(input.ip);
      const { grant } = await findLicense(org.id, input.key);
      if (!grant) throw new ApiError(404, 'license_key_not_found', INVALID_MESSAGES.not_found);
      if (!(await repo.deleteActivation(grant.id, input.activation_id))) {
        throw new ApiError(404, 'activation_not_found', 'This activation does not exist for this license key.');
      }
      return { id: input.activation_id, deactivated: true };
    },

    // ── API keys, for the merchant's backend ──
    async validateApiKey(organizationId: string, key: string) {
      const grant = await repo.findGrantByKey(organizationId, sha256(key), 'api_key');
      const valid = Boolean(grant && !grant.revoked_at && !grant.benefit_deleted_at);
      return {
        valid,
        status: !grant ? ('not_found' as const) : valid ? ('active' as const) : ('revoked' as const),
        benefit_id: grant?.benefit_id ?? null,
        customer_id: grant?.customer_id ?? null,
        grant_id: grant?.id ?? null,
      };
    },
  };
}
