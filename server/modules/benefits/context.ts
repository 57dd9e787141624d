// What every part of the benefits module shares: its dependencies, the repository, and
// reading a merchant's benefit or a customer's grant (404 when it is not theirs).
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { RateLimiter } from '../rate-limits/service.js';
import { benefitRepository } from './repository.js';

export interface BenefitDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: { secret: string; publicUrl: string; dataDir: string };
  rateLimiter: RateLimiter;
  logger: Logger;
  /** Upload size limit; 100 MB unless told. */
  maxFileBytes?: number;
}

export function benefitContext(deps: BenefitDeps) {
  const repo = benefitRepository(deps.db);

  async function getBenefit(organizationId: string, id: string) {
    const row = await repo.findBenefit(organizationId, id);
    if (!row) throw new ApiError(404, 'benefit_not_found', `No benefit ${id}.`);
    return row;
  }

  async function ownGrant(organizationId: string, customerId: string, grantId: string) {
    const grant = await repo.findGrantOfCustomer(organizationId, customerId, grantId);
    if (!grant || grant.revoked_at) throw new ApiError(404, 'benefit_not_found', 'This benefit was not found.');
    return grant;
  }

  return { ...deps, repo, getBenefit, ownGrant };
}
export type BenefitContext = ReturnType<typeof benefitContext>;
