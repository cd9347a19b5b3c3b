import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { AppError } from '../common/errors/app-error';
import { passwordProblem } from '../common/password-policy';

/** OWASP's argon2id profile: 19 MiB, 2 iterations, 1 lane. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordService {
  private dummy?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  async verify(hash: string | null | undefined, password: string): Promise<boolean> {
    if (!hash) {
      // Same work as a real check, so timing does not tell whether the account exists.
      await this.verifyDummy(password);
      return false;
    }
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  async verifyDummy(password: string): Promise<void> {
    this.dummy ??= argon2.hash('dummy password for timing equalisation', ARGON2_OPTIONS);
    await argon2.verify(await this.dummy, password).catch(() => false);
  }

  needsRehash(hash: string): boolean {
    try {
      return argon2.needsRehash(hash, ARGON2_OPTIONS);
    } catch {
      return true;
    }
  }

  /** Throws 400 VALIDATION_FAILED naming `field` when the password breaks the policy. */
  assertAcceptable(password: string, email: string | null | undefined, field = 'password'): void {
    const problem = passwordProblem(password, email);
    if (problem) throw AppError.validation([{ field, message: `${field} ${problem}` }], `The ${field} ${problem}`);
  }
}
