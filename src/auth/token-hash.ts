import { createHash, randomBytes } from 'node:crypto';

/** 256-bit random opaque token, URL-safe. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Only this digest is stored; the raw token exists in the response or the email. */
export function sha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
