import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Encryption at rest for secrets the server must show again (license keys, customers' API
 * keys): AES-256-GCM with a key derived (HKDF-SHA256) from the server secret and a purpose,
 * a fresh 96-bit IV per value. Sealed text: `v1.<iv>.<ciphertext>.<tag>` in base64url.
 * Opening a tampered value, or one sealed under another secret, throws.
 */
export function secretBox(secret: string, purpose: string) {
  const key = Buffer.from(hkdfSync('sha256', secret, 'customer-portal', `secretbox:${purpose}`, 32));
  return {
    seal(plain: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed: string): string {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== VERSION || !iv || body === undefined || !tag) throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
export type SecretBox = ReturnType<typeof secretBox>;
