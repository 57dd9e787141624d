import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { BenefitFileRow, BenefitRow, BenefitType, DB, LicenseKeyActivationRow, Organization } from '../../db/schema.js';
import type { PortalBenefit } from '../../../src/schemas/benefits.js';
import { DAY, MINUTE, type Clock } from '../../lib/clock.js';
import { sha256 } from '../../lib/crypto.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { secretBox } from '../../lib/secretbox.js';
import type { RateLimiter } from '../rate-limits/service.js';
import { downloadLinks, fileStore, MAX_FILE_BYTES, tooLarge } from './files.js';
import { benefitRepository, type GrantWithBenefit } from './repository.js';
import {
  benefitProperties,
  type ApiKeyProperties,
  type BenefitCreate,
  type BenefitUpdate,
  type CustomProperties,
  type DiscordProperties,
  type LicenseKeyProperties,
} from './schemas.js';

interface Deps {
  db: Kysely<DB>;
  clock: Clock;
  config: { secret: string; publicUrl: string; dataDir: string };
  rateLimiter: RateLimiter;
  logger: Logger;
  /** Upload size limit; 100 MB unless told. */
  maxFileBytes?: number;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Keyed benefits: a secret per grant, shown to the customer, checked by the merchant's software. */
const KEYED: BenefitType[] = ['license_key', 'api_key'];

/** `ACME-7K2Q9D-…`: four groups of six Crockford base32 characters (120 random bits). */
function newLicenseKey(prefix: string | null): string {
  const bytes = randomBytes(24);
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) groups.push(Array.from(bytes.subarray(g * 6, g * 6 + 6), (b) => CROCKFORD[b % 32]).join(''));
  return [...(prefix ? [prefix.toUpperCase()] : []), ...groups].join('-');
}

function newApiKey(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export type LicenseStatus = 'active' | 'expired' | 'revoked' | 'not_found';

export function benefitService(deps: Deps) {
  const { db, clock } = deps;
  const repo = benefitRepository(db);
  const box = secretBox(deps.config.secret, 'benefit-keys');
  const maxBytes = deps.maxFileBytes ?? MAX_FILE_BYTES;
  const files = fileStore(deps.config.dataDir, maxBytes);
  const links = downloadLinks(deps.config.secret, deps.config.publicUrl);

  function parseProperties(type: BenefitType, value: unknown) {
    const result = benefitProperties[type].safeParse(value);
    if (!result.success) {
      const details = result.error.issues.map((i) => ({ path: ['properties', ...i.path].map(String).join('.'), message: i.message }));
      throw new ApiError(400, 'validation_error', `${details[0]!.path}: ${details[0]!.message}`, details);
    }
    return result.data as Record<string, unknown>;
  }

  async function getBenefit(organizationId: string, id: string) {
    const row = await repo.findBenefit(organizationId, id);
    if (!row) throw new ApiError(404, 'benefit_not_found', `No benefit ${id}.`);
    return row;
  }

  /** A fresh key for a keyed benefit: the plain key once, its hash and sealed copy to store. */
  function keyMaterial(type: BenefitType, properties: unknown, now: Date) {
    const key =
      type === 'license_key' ? newLicenseKey((properties as LicenseKeyProperties).prefix ?? null) : newApiKey((properties as ApiKeyProperties).prefix ?? '');
    return { key, fields: { key_hash: sha256(key), key_encrypted: box.seal(key), key_hint: key.slice(-4), key_created_at: now } };
  }

  function readKey(sealed: string | null): string | null {
    if (!sealed) return null;
    try {
      return box.open(sealed);
    } catch {
      return null;
    }
  }

  function expiresAt(type: BenefitType, properties: unknown, now: Date): Date | null {
    if (type !== 'license_key') return null;
    const days = (properties as LicenseKeyProperties).expires_after_days;
    return days ? new Date(now.getTime() + days * DAY) : null;
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
            ...(keyed ? keyMaterial(benefit.type, benefit.properties, now).fields : {}),
            expires_at: expiresAt(benefit.type, benefit.properties, now),
            created_at: now,
            updated_at: now,
          });
        } else {
          await r.updateGrant(grant.id, {
            revoked_at: null,
            granted_at: now,
            expires_at: expiresAt(benefit.type, benefit.properties, now),
            ...(keyed && !grant.key_hash ? keyMaterial(benefit.type, benefit.properties, now).fields : {}),
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

  function licenseView(g: GrantWithBenefit, activations: LicenseKeyActivationRow[], now: Date) {
    const props = g.properties as LicenseKeyProperties;
    return {
      key: readKey(g.key_encrypted),
      hint: g.key_hint ?? '',
      status: g.expires_at && g.expires_at <= now ? ('expired' as const) : ('active' as const),
      expires_at: g.expires_at?.toISOString() ?? null,
      activation_limit: props.activation_limit ?? null,
      activations: activations.map((a) => ({ id: a.id, label: a.label, created_at: a.created_at.toISOString() })),
    };
  }

  function portalView(g: GrantWithBenefit, extra: { files: BenefitFileRow[]; activations: LicenseKeyActivationRow[]; revealKey?: boolean }, now: Date): PortalBenefit {
    const base = { id: g.id, benefit_id: g.benefit_id, description: g.description, granted_at: g.granted_at.toISOString() };
    switch (g.type) {
      case 'license_key':
        return { ...base, type: 'license_key', license_key: licenseView(g, extra.activations, now) };
      case 'download':
        return {
          ...base,
          type: 'download',
          files: extra.files.map((f) => {
            const link = links.url(f.id, g.id, now);
            return { id: f.id, name: f.name, size: f.size, content_type: f.content_type, url: link.url, url_expires_at: link.expires_at };
          }),
        };
      case 'discord':
        return { ...base, type: 'discord', invite_url: (g.properties as DiscordProperties).invite_url };
      case 'api_key': {
        const prefix = (g.properties as ApiKeyProperties).prefix ?? '';
        return {
          ...base,
          type: 'api_key',
          api_key: {
            hint: `${prefix}…${g.key_hint ?? ''}`,
            key: extra.revealKey ? readKey(g.key_encrypted) : null,
            created_at: (g.key_created_at ?? g.granted_at).toISOString(),
          },
        };
      }
      case 'custom': {
        const props = g.properties as CustomProperties;
        return { ...base, type: 'custom', text: props.text ?? null, links: props.links ?? [] };
      }
    }
  }

  async function ownGrant(organizationId: string, customerId: string, grantId: string) {
    const grant = await repo.findGrantOfCustomer(organizationId, customerId, grantId);
    if (!grant || grant.revoked_at) throw new ApiError(404, 'benefit_not_found', 'This benefit was not found.');
    return grant;
  }

  async function singleView(grant: GrantWithBenefit, revealKey: boolean) {
    const now = clock.now();
    const [fileRows, activations] = await Promise.all([
      grant.type === 'download' ? repo.filesOf([grant.benefit_id]) : Promise.resolve([]),
      grant.type === 'license_key' ? repo.activationsOf([grant.id]) : Promise.resolve([]),
    ]);
    return portalView(grant, { files: fileRows, activations, revealKey }, now);
  }

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

  const INVALID_MESSAGES: Record<Exclude<LicenseStatus, 'active'>, string> = {
    not_found: 'This license key does not exist (it may have been replaced by a new key).',
    revoked: 'This license key was revoked.',
    expired: 'This license key has expired.',
  };

  async function licenseLimits(ip: string) {
    await deps.rateLimiter.hit({ key: `license-keys:ip:${ip}`, max: 120, windowMs: MINUTE });
  }

  return {
    repo,
    files,
    links,
    maxFileBytes: maxBytes,

    // ── Merchant: benefits and products ──
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
      for (const f of removedFiles) await files.remove(f.organization_id, f.id);
    },

    async productsOf(benefitIds: string[]) {
      return repo.productIdsOf(benefitIds);
    },

    async attach(organizationId: string, productId: string, benefitId: string) {
      if (!(await repo.productExists(organizationId, productId))) throw new ApiError(404, 'product_not_found', `No product ${productId}.`);
      await getBenefit(organizationId, benefitId);
      await repo.attach(organizationId, productId, benefitId, clock.now());
      await reconcileAll(organizationId, await repo.customersOfProduct(organizationId, productId));
      return repo.benefitsOfProduct(organizationId, productId);
    },

    async detach(organizationId: string, productId: string, benefitId: string) {
      if (!(await repo.productExists(organizationId, productId))) throw new ApiError(404, 'product_not_found', `No product ${productId}.`);
      if (!(await repo.detach(organizationId, productId, benefitId))) {
        throw new ApiError(404, 'benefit_not_attached', `Benefit ${benefitId} is not attached to product ${productId}.`);
      }
      await reconcileAll(organizationId, await repo.holdersOf(organizationId, benefitId));
      return repo.benefitsOfProduct(organizationId, productId);
    },

    async productBenefits(organizationId: string, productId: string) {
      if (!(await repo.productExists(organizationId, productId))) throw new ApiError(404, 'product_not_found', `No product ${productId}.`);
      return repo.benefitsOfProduct(organizationId, productId);
    },

    // ── Merchant: files of download benefits ──
    async upload(organizationId: string, benefitId: string, input: { filename: string; contentType: string | undefined; length: number | undefined; body: ReadableStream<Uint8Array> | null }) {
      const benefit = await getBenefit(organizationId, benefitId);
      if (benefit.type !== 'download') throw new ApiError(400, 'benefit_not_download', 'Files can only be added to a download benefit.');
      if (input.length !== undefined && input.length > maxBytes) throw tooLarge(maxBytes);
      const now = clock.now();
      const id = newId('file', now.getTime());
      const written = await files.write(organizationId, id, input.body);
      const contentType = input.contentType && /^[\w.+-]+\/[\w.+-]+$/.test(input.contentType.split(';')[0]!.trim()) ? input.contentType.split(';')[0]!.trim() : 'application/octet-stream';
      return repo.insertFile({ id, organization_id: organizationId, benefit_id: benefitId, name: input.filename, size: written.size, content_type: contentType, sha256: written.sha256, now });
    },

    async removeFile(organizationId: string, benefitId: string, fileId: string) {
      await getBenefit(organizationId, benefitId);
      const removed = await repo.deleteFiles(organizationId, benefitId, clock.now(), fileId);
      if (!removed.length) throw new ApiError(404, 'file_not_found', `No file ${fileId} on benefit ${benefitId}.`);
      await files.remove(organizationId, fileId);
    },

    filesOf: (benefitIds: string[]) => repo.filesOf(benefitIds),

    /** A signed link's file, if the link is genuine, fresh, and its grant still stands. */
    async download(fileId: string, query: { grant?: string | undefined; expires?: string | undefined; sig?: string | undefined }) {
      const grantId = links.verify(fileId, query, clock.now());
      const [file, grant] = await Promise.all([repo.findFile(fileId), repo.findGrant(grantId)]);
      if (!file || !grant || file.benefit_id !== grant.benefit_id || file.organization_id !== grant.organization_id) {
        throw new ApiError(404, 'file_not_found', 'This file is no longer available.');
      }
      if (grant.revoked_at || grant.benefit_deleted_at) {
        throw new ApiError(403, 'access_revoked', 'You no longer have access to this download.');
      }
      if (!(await files.exists(file.organization_id, file.id))) throw new ApiError(404, 'file_not_found', 'This file is no longer available.');
      return { file, stream: files.read(file.organization_id, file.id) };
    },

    // ── Grants ──
    /**
     * Reconciles a customer's grants with what they are entitled to, then those of the
     * customers holding seats on their subscriptions (whose benefits follow the owner's).
     */
    async syncCustomer(organizationId: string, customerId: string) {
      await reconcile(organizationId, customerId);
      await reconcileAll(organizationId, await repo.seatHoldersOf(organizationId, customerId));
    },

    async listGrants(organizationId: string, opts: { limit: number; startingAfter?: string; customerId?: string; benefitId?: string; includeRevoked: boolean }) {
      return repo.listGrants(organizationId, opts);
    },

    // ── Portal ──
    async portalList(organizationId: string, customerId: string): Promise<PortalBenefit[]> {
      const grants = await repo.activeGrants(organizationId, customerId);
      const now = clock.now();
      const [fileRows, activations] = await Promise.all([
        repo.filesOf(grants.filter((g) => g.type === 'download').map((g) => g.benefit_id)),
        repo.activationsOf(grants.filter((g) => g.type === 'license_key').map((g) => g.id)),
      ]);
      return grants.map((g) =>
        portalView(g, { files: fileRows.filter((f) => f.benefit_id === g.benefit_id), activations: activations.filter((a) => a.grant_id === g.id) }, now),
      );
    },

    /** A new license key or API key; the old one stops validating at once. A license key's activations go with it. */
    async rotate(organizationId: string, customerId: string, grantId: string) {
      const grant = await ownGrant(organizationId, customerId, grantId);
      if (!KEYED.includes(grant.type)) throw new ApiError(400, 'benefit_not_rotatable', 'Only license keys and API keys can be replaced.');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const r = benefitRepository(trx);
        await r.updateGrant(grant.id, { ...keyMaterial(grant.type, grant.properties, now).fields, updated_at: now });
        if (grant.type === 'license_key') await r.clearActivations(grant.id);
      });
      return singleView((await repo.findGrant(grant.id))!, true);
    },

    /** An API key in full (the list shows it masked). */
    async reveal(organizationId: string, customerId: string, grantId: string) {
      const grant = await ownGrant(organizationId, customerId, grantId);
      if (grant.type !== 'api_key') throw new ApiError(400, 'benefit_not_revealable', 'Only API keys are masked; license keys are shown in the list.');
      return singleView(grant, true);
    },

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
export type BenefitService = ReturnType<typeof benefitService>;

export function benefitView(b: BenefitRow, extra: { files?: BenefitFileRow[]; productIds?: string[] } = {}) {
  return {
    id: b.id,
    type: b.type,
    description: b.description,
    properties: b.properties,
    ...(b.type === 'download' && extra.files ? { files: extra.files.map(fileView) } : {}),
    ...(extra.productIds ? { product_ids: extra.productIds } : {}),
    created_at: b.created_at.toISOString(),
    updated_at: b.updated_at.toISOString(),
  };
}

export function fileView(f: BenefitFileRow) {
  return { id: f.id, name: f.name, size: f.size, content_type: f.content_type, sha256: f.sha256, created_at: f.created_at.toISOString() };
}

/** A grant as the merchant sees it: never the key itself, only its last characters. */
export function merchantGrantView(g: GrantWithBenefit) {
  return {
    id: g.id,
    customer_id: g.customer_id,
    benefit_id: g.benefit_id,
    type: g.type,
    status: g.revoked_at ? 'revoked' : 'granted',
    granted_at: g.granted_at.toISOString(),
    revoked_at: g.revoked_at?.toISOString() ?? null,
    key_hint: g.key_hint,
    expires_at: g.expires_at?.toISOString() ?? null,
  };
}
