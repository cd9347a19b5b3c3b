import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

let common: Set<string> | undefined;

/** The 10,000 most common passwords (SecLists, MIT), shipped with the project. */
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(join(__dirname, 'passwords', 'common-passwords.txt'), 'utf8')
      .split(/\r?\n/)
      .map((p) => p.trim().toLowerCase())
      .filter(Boolean),
  );
  return common;
}

/**
 * ASVS 5 / NIST 800-63B: length counted in code points (8..128), no composition
 * rules, no truncation, not a common password, not the account's email.
 * Returns the reason it is refused, or null when it is acceptable.
 */
export function passwordProblem(password: string, email?: string | null): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  const folded = password.toLowerCase();
  if (commonPasswords().has(folded)) return 'is too common; choose a less predictable password';
  if (email) {
    const e = email.trim().toLowerCase();
    if (folded === e || folded === e.split('@')[0]) return 'must not be your email address';
  }
  return null;
}
