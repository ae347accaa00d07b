import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * An API key is `mdk_<8 prefix chars>_<43 secret chars>`: the prefix (stored, shown in the console and
 * the audit log) finds the row, the whole key's SHA-256 is compared with the stored hash. The secret
 * is 256 random bits, so a fast hash is safe here (no dictionary to guess from), unlike passwords,
 * and it keeps checking a key on every API request in the microseconds.
 */
const KEY_SHAPE = /^(mdk_[a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface NewKey {
  /** The whole key, shown once. */
  key: string;
  prefix: string;
  secretHash: string;
}

export function generateKey(): NewKey {
  const prefix = `mdk_${Array.from(randomBytes(8), (b) => PREFIX_ALPHABET[b % PREFIX_ALPHABET.length]).join('')}`;
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, secretHash: hashKey(key) };
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The prefix of a well-formed key, or null (then there is nothing to look up). */
export function prefixOf(key: string): string | null {
  return KEY_SHAPE.exec(key)?.[1] ?? null;
}

export function keyMatches(key: string, secretHash: string): boolean {
  const given = Buffer.from(hashKey(key), 'hex');
  const stored = Buffer.from(secretHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
