import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { User } from '../users/entities/user.entity';
import { LOCKOUT_MS, LOCKOUT_THRESHOLD } from './auth.constants';

/**
 * Per-account brute-force lock: LOCKOUT_THRESHOLD consecutive failures lock the
 * account for LOCKOUT_MS. Every attempt first reserves a slot with one
 * conditional UPDATE, so parallel attempts can never evaluate more passwords
 * than the threshold: the database, not the process, does the counting.
 */
@Injectable()
export class LockoutService {
  constructor(
    private readonly clock: Clock,
    @InjectRepository(User) private readonly users: Repository<User>,
  ) {}

  /** True when this attempt may check the password; false when the account is locked. */
  async reserveAttempt(userId: string): Promise<boolean> {
    const now = this.clock.now();
    // A lock whose time is up is lifted (and its counter restarted) first.
    await this.users
      .createQueryBuilder()
      .update(User)
      .set({ failedLoginCount: 0, lockedUntil: null })
      .where('id = :userId AND lockedUntil IS NOT NULL AND lockedUntil <= :now', { userId, now })
      .execute();
    const reserved = await this.users
      .createQueryBuilder()
      .update(User)
      .set({ failedLoginCount: () => 'failedLoginCount + 1' })
      .where('id = :userId AND failedLoginCount < :max', { userId, max: LOCKOUT_THRESHOLD })
      .execute();
    // Reaching the threshold locks at once (also if this process dies before the password check ends).
    await this.users
      .createQueryBuilder()
      .update(User)
      .set({ lockedUntil: new Date(now.getTime() + LOCKOUT_MS) })
      .where('id = :userId AND failedLoginCount >= :max AND lockedUntil IS NULL', { userId, max: LOCKOUT_THRESHOLD })
      .execute();
    return (reserved.affected ?? 0) > 0;
  }

  /** A correct password ends the run of failures. */
  async clear(userId: string): Promise<void> {
    await this.users.update({ id: userId }, { failedLoginCount: 0, lockedUntil: null });
  }
}
