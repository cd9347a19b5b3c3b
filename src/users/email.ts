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
