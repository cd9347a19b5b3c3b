import { isEmail } from 'class-validator';
import { foldText } from '../common/text';

/**
 * How emails are compared and stored: trimmed, Unicode NFC, lower case. The
 * `users.email` column compares bytes (utf8mb4_bin), so `josé@…` and `jose@…`
 * are two mailboxes, and `JOSÉ@…` (or the same letters typed decomposed, NFD)
 * is the same as `josé@…`. Every lookup by email goes through this function.
 */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** A first or last name as member search compares it (folded like institute names: accents, case, ligatures). */
export function foldName(name: string): string {
  return foldText(name).slice(0, 100);
}

/**
 * The rule `@IsEmail()` applies (class-validator's `isEmail` with its default
 * options), for checking many addresses at once. Its length limits (254
 * characters in all, 64 bytes before the `@`, 254 after, 63 characters per
 * domain label) are checked here instead: the validator counts bytes by
 * splitting the output of `encodeURI`, 14 ms of a 10,000-row import's upload,
 * and throws on a lone surrogate.
 */
export function isEmailAddress(email: string): boolean {
  if (email.length > 254) return false;
  const at = email.lastIndexOf('@');
  if (at < 0) return false;
  const domain = email.slice(at + 1);
  if (Buffer.byteLength(email.slice(0, at)) > 64 || Buffer.byteLength(domain) > 254) return false;
  if (domain.split('.').some((label) => label.length > 63)) return false;
  return isEmail(email, { ignore_max_length: true });
}
