import { createHmac, hash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** An opaque bearer token: a prefix and 256 random bits. */
export function randomToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/**
 * Tokens carry 256 random bits, so a plain SHA-256 is a safe way to store them. The one-shot
 * `crypto.hash` (Node ≥ 20.12): every portal request hashes its session token, and a Hash
 * object per call cost ≈2.5 × as much (issue 15).
 */
export function sha256(value: string): string {
  return hash('sha256', value, 'hex');
}

export function hmac(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}

export function safeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Six digits from the CSPRNG, leading zeros kept. */
export function sixDigitCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}
