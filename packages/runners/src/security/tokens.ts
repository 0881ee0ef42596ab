import { createHash, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;

/** A new bearer token: 256 random bits, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/**
 * What is stored for a token (TM$OPERATOR_AUTHS.TOKEN) and how it is looked up: its SHA-256, hex. A fast hash is
 * right here, unlike for passwords: a token has 256 random bits, so nothing can be guessed from the hash, and a
 * lookup by hash compares no secret in variable time.
 */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
