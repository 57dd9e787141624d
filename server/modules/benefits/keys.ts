// The secrets of keyed benefits (license keys and API keys): how they are made, stored
// (hashed to look up, sealed to show again) and when a license key expires.
import { randomBytes } from 'node:crypto';
import type { BenefitType } from '../../db/schema.js';
import { DAY } from '../../lib/clock.js';
import { sha256 } from '../../lib/crypto.js';
import { secretBox } from '../../lib/secretbox.js';
import type { ApiKeyProperties, LicenseKeyProperties } from './schemas.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Keyed benefits: a secret per grant, shown to the customer, checked by the merchant's software. */
export const KEYED: BenefitType[] = ['license_key', 'api_key'];

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

export function benefitKeys(secret: string) {
  const box = secretBox(secret, 'benefit-keys');
  return {
    /** A fresh key for a keyed benefit: the plain key once, its hash and sealed copy to store. */
    material(type: BenefitType, properties: unknown, now: Date) {
      const key =
        type === 'license_key' ? newLicenseKey((properties as LicenseKeyProperties).prefix ?? null) : newApiKey((properties as ApiKeyProperties).prefix ?? '');
      return { key, fields: { key_hash: sha256(key), key_encrypted: box.seal(key), key_hint: key.slice(-4), key_created_at: now } };
    },

    /** The plain key from its sealed copy; null when there is none or it cannot be opened. */
    read(sealed: string | null): string | null {
      if (!sealed) return null;
      try {
        return box.open(sealed);
      } catch {
        return null;
      }
    },
  };
}
export type BenefitKeys = ReturnType<typeof benefitKeys>;

/** When a license key granted now expires (its benefit's expires_after_days); other grants never do. */
export function expiresAt(type: BenefitType, properties: unknown, now: Date): Date | null {
  if (type !== 'license_key') return null;
  const days = (properties as LicenseKeyProperties).expires_after_days;
  return days ? new Date(now.getTime() + days * DAY) : null;
}
