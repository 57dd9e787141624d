// What the merchant and the portal see of benefits, files and grants. A grant's key is shown
// to its customer only (the merchant sees its last characters).
import type { BenefitFileRow, BenefitRow, LicenseKeyActivationRow } from '../../db/schema.js';
import type { PortalBenefit } from '../../../src/schemas/benefits.js';
import type { GrantWithBenefit } from './repository.js';
import type { ApiKeyProperties, CustomProperties, DiscordProperties, LicenseKeyProperties } from './schemas.js';

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

/** How a portal view opens a sealed key and signs a download link. */
export interface PortalViewTools {
  readKey(sealed: string | null): string | null;
  downloadUrl(fileId: string, grantId: string, now: Date): { url: string; expires_at: string };
}

export function licenseView(g: GrantWithBenefit, activations: LicenseKeyActivationRow[], now: Date, tools: Pick<PortalViewTools, 'readKey'>) {
  const props = g.properties as LicenseKeyProperties;
  return {
    key: tools.readKey(g.key_encrypted),
    hint: g.key_hint ?? '',
    status: g.expires_at && g.expires_at <= now ? ('expired' as const) : ('active' as const),
    expires_at: g.expires_at?.toISOString() ?? null,
    activation_limit: props.activation_limit ?? null,
    activations: activations.map((a) => ({ id: a.id, label: a.label, created_at: a.created_at.toISOString() })),
  };
}

/** A grant as its customer sees it in the portal; an API key in full only with `revealKey`. */
export function portalView(
  g: GrantWithBenefit,
  extra: { files: BenefitFileRow[]; activations: LicenseKeyActivationRow[]; revealKey?: boolean },
  now: Date,
  tools: PortalViewTools,
): PortalBenefit {
  const base = { id: g.id, benefit_id: g.benefit_id, description: g.description, granted_at: g.granted_at.toISOString() };
  switch (g.type) {
    case 'license_key':
      return { ...base, type: 'license_key', license_key: licenseView(g, extra.activations, now, tools) };
    case 'download':
      return {
        ...base,
        type: 'download',
        files: extra.files.map((f) => {
          const link = tools.downloadUrl(f.id, g.id, now);
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
          key: extra.revealKey ? tools.readKey(g.key_encrypted) : null,
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
