import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { LOCKOUT_MS, LOCKOUT_THRESHOLD } from './auth.constants';
import { AccountStore } from './ports';

/**
 * Per-account brute-force lock: LOCKOUT_THRESHOLD consecutive failures lock the
 * account for LOCKOUT_MS. Every attempt first reserves a slot with a
 * conditional UPDATE (in the account store), so parallel attempts can never
 * evaluate more passwords than the threshold: the database does the counting.
 */
@Injectable()
export class LockoutService {
  constructor(
    private readonly clock: Clock,
    private readonly accounts: AccountStore,
  ) {}

  /** True when this attempt may check the password; false when the account is locked. */
  reserveAttempt(userId: string): Promise<boolean> {
    return this.accounts.reserveLoginAttempt(userId, LOCKOUT_THRESHOLD, LOCKOUT_MS, this.clock.now());
  }

  /** A correct password ends the run of failures. */
  clear(userId: string): Promise<void> {
    return this.accounts.clearLoginFailures(userId);
  }
}
