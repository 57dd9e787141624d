import type { Organization } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { randomToken, sha256 } from '../../lib/crypto.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { PublicOrganization } from '../../../src/schemas/organization.js';
import type { OrganizationRepository } from './repository.js';
import type { OrganizationUpdate } from './schemas.js';
import { defaultPortalSettings, resolvePortalSettings } from './settings.js';
import { resolveBillingSettings } from '../billing/settings.js';

/** Slugs that would collide with the server's own top-level paths (`/{slug}/portal`). */
const RESERVED_SLUGS = new Set(['portal', 'v1', 'dev', 'demo', 'hosted', 'chunks', 'assets', 'static', 'health', 'api']);

/** `onChange`: the organization changed; the auth service forgets its cached sessions (their rows carry it). */
export function organizationService(repo: OrganizationRepository, clock: Clock, onChange: (org: Organization) => void = () => {}) {
  return {
    async create(input: { slug: string; name: string; allowed_origins: string[] }) {
      if (RESERVED_SLUGS.has(input.slug)) {
        throw new ApiError(400, 'slug_reserved', `The slug "${input.slug}" is reserved; choose another.`);
      }
      if (await repo.findBySlug(input.slug)) {
        throw new ApiError(409, 'slug_taken', `An organization with the slug "${input.slug}" already exists.`);
      }
      const now = clock.now();
      return repo.insert({
        id: newId('org', now.getTime()),
        slug: input.slug,
        name: input.name,
        branding: { logo_url: null, primary_color: null },
        portal_settings: defaultPortalSettings(),
        allowed_origins: [...new Set(input.allowed_origins)],
        now,
      });
    },

    /** Makes a secret key; the plain key is returned once and only its hash is kept. */
    async createSecretKey(organizationId: string, name = 'default'): Promise<string> {
      const key = randomToken('sk');
      const now = clock.now();
      await repo.insertApiKey({
        id: newId('key', now.getTime()),
        organization_id: organizationId,
        name,
        key_hash: sha256(key),
        key_hint: `${key.slice(0, 7)}…${key.slice(-4)}`,
        now,
      });
      return key;
    },

    async rotateSecretKey(organizationId: string, name: string): Promise<string> {
      await repo.revokeApiKeysNamed(organizationId, name, clock.now());
      return this.createSecretKey(organizationId, name);
    },

    async authenticateSecretKey(key: string): Promise<Organization | undefined> {
      if (!key.startsWith('sk_')) return undefined;
      return repo.findOrganizationByKeyHash(sha256(key));
    },

    async bySlug(slug: string): Promise<Organization> {
      const org = await repo.findBySlug(slug);
      if (!org) throw new ApiError(404, 'organization_not_found', `No organization "${slug}" exists on this server.`);
      return org;
    },

    async byId(id: string): Promise<Organization> {
      const org = await repo.findById(id);
      if (!org) throw new ApiError(404, 'organization_not_found', 'This organization no longer exists.');
      return org;
    },

    async update(org: Organization, patch: OrganizationUpdate): Promise<Organization> {
      const current = resolvePortalSettings(org.portal_settings);
      const branding = { ...(org.branding as object), ...(patch.branding ?? {}) };
      const settings = patch.portal_settings
        ? resolvePortalSettings({
            sections: { ...current.sections, ...patch.portal_settings.sections },
            actions: { ...current.actions, ...patch.portal_settings.actions },
          })
        : undefined;
      const row = await repo.update(
        org.id,
        {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.branding !== undefined ? { branding } : {}),
          ...(settings ? { portal_settings: settings } : {}),
          ...(patch.allowed_origins !== undefined ? { allowed_origins: [...new Set(patch.allowed_origins)] } : {}),
          ...(patch.billing_settings !== undefined ? { billing_settings: { ...resolveBillingSettings(org.billing_settings), ...patch.billing_settings } } : {}),
        },
        clock.now(),
      );
      onChange(row);
      return row;
    },

    anyAllowsOrigin: (origin: string) => repo.anyAllowsOrigin(origin),
  };
}
export type OrganizationService = ReturnType<typeof organizationService>;

/** The organization's branding as stored (a JSON column), every field present. */
export interface Branding {
  logo_url: string | null;
  primary_color: string | null;
}

export function brandingOf(org: Pick<Organization, 'branding'>): Branding {
  const b = (org.branding ?? {}) as Partial<Branding>;
  return { logo_url: b.logo_url ?? null, primary_color: b.primary_color ?? null };
}

/** How the organization signs its emails: its name and brand colour. */
export function emailBrand(org: Pick<Organization, 'name' | 'branding'>): { name: string; primaryColor: string | null } {
  return { name: org.name, primaryColor: brandingOf(org).primary_color };
}

export function publicOrganizationView(org: Organization): PublicOrganization {
  return {
    slug: org.slug,
    name: org.name,
    branding: brandingOf(org),
    portal_settings: resolvePortalSettings(org.portal_settings),
  };
}

export function merchantOrganizationView(org: Organization) {
  return {
    id: org.id,
    ...publicOrganizationView(org),
    allowed_origins: org.allowed_origins,
    billing_settings: resolveBillingSettings(org.billing_settings),
    created_at: org.created_at.toISOString(),
    updated_at: org.updated_at.toISOString(),
  };
}
