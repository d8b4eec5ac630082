import { createHash, randomBytes } from 'node:crypto';

/** A fresh secret (32 random bytes, base64url) and the digest it is kept as. */
export function newSecret(): { secret: string; digest: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, digest: digestOf(secret) };
}

/** What is stored instead of a secret: its SHA-256, so a leaked store or log lets no one in. */
export function digestOf(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/** Whether `text` could be a secret we issued (43 base64url characters), before any lookup. */
export function looksLikeSecret(text: unknown): text is string {
  return typeof text === 'string' && /^[A-Za-z0-9_-]{43}$/.test(text);
}
