import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AccountStore, AccountWithSecret, NewPassword } from '../auth/ports';
import { isUniqueViolation } from '../common/errors/db-errors';
import { insertRows, insertSkippingDuplicates, selectIn, sqlDate } from '../common/sql';
import { foldName, normalizeEmail } from './email';
import { User } from './entities/user.entity';

/** A new account, inserted in bulk by an import (verified: the institute vouches for it). */
export interface BulkAccount {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  passwordHash: string | null;
  locale: string;
  createdById: string | null;
}

/** What a welcome mail needs of an account. */
export interface MailProfile {
  userId: string;
  email: string;
  firstName: string;
  locale: string;
  hasPassword: boolean;
}

/** Thrown by `insert` when the email already has an account (the unique index decides). */
export class EmailTakenError extends Error {
  constructor() {
    super('An account already uses this email address');
  }
}

/**
 * The `users` table: every read and write of accounts goes through here. It is
 * also the account store of `auth/` (sign-in, tokens, lockout).
 */
const BULK_COLUMNS = ['id', 'email', 'firstName', 'lastName', 'foldedFirstName', 'foldedLastName', 'passwordHash', 'emailVerifiedAt', 'locale', 'createdById'];

function bulkRows(em: EntityManager, accounts: BulkAccount[], verifiedAt: Date): unknown[][] {
  const at = sqlDate(em, verifiedAt);
  return accounts.map((a) => [
    a.id,
    a.email,
    a.firstName,
    a.lastName,
    foldName(a.firstName),
    foldName(a.lastName),
    a.passwordHash,
    at,
    a.locale,
    a.createdById,
  ]);
}

@Injectable()
export class UsersService implements AccountStore {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string, em: EntityManager = this.users.manager): Promise<User | null> {
    return em.findOneBy(User, { id });
  }

  findByEmail(email: string, em: EntityManager = this.users.manager): Promise<User | null> {
    return em.findOneBy(User, { email: normalizeEmail(email) });
  }

  /** Read from the email index alone, the same work whether or not the address has an account. */
  async idByEmail(email: string): Promise<string | null> {
    const row: { id: string } | undefined = await this.users
      .createQueryBuilder('u')
      .select('u.id', 'id')
      .where('u.email = :email', { email: normalizeEmail(email) })
      .getRawOne();
    return row?.id ?? null;
  }

  findByEmailWithSecret(email: string): Promise<AccountWithSecret | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: normalizeEmail(email) })
      .getOne();
  }

  findByIdWithSecret(id: string): Promise<AccountWithSecret | null> {
    return this.users.createQueryBuilder('u').addSelect('u.passwordHash').where('u.id = :id', { id }).getOne();
  }

  /** Staff accounts, oldest first (they receive validation requests and digests). */
  staff(em: EntityManager = this.users.manager): Promise<User[]> {
    return em.find(User, { where: { isStaff: true }, order: { createdAt: 'ASC' } });
  }

  hasStaff(): Promise<boolean> {
    return this.users.exists({ where: { isStaff: true } });
  }

  /** Inserts one account (in `em` when given); a taken email throws EmailTakenError. */
  async insert(row: Partial<User> & { id: string; email: string }, em: EntityManager = this.users.manager): Promise<void> {
    try {
      await em.insert(User, {
        ...row,
        email: normalizeEmail(row.email),
        foldedFirstName: foldName(row.firstName ?? ''),
        foldedLastName: foldName(row.lastName ?? ''),
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
  }

  /** Names and email of an account, folded names kept in step; a taken email throws EmailTakenError. */
  async updateProfile(
    userId: string,
    changes: { firstName?: string; lastName?: string; email?: string },
    em: EntityManager = this.users.manager,
  ): Promise<void> {
    const set: QueryDeepPartialEntity<User> = {};
    if (changes.firstName !== undefined) Object.assign(set, { firstName: changes.firstName, foldedFirstName: foldName(changes.firstName) });
    if (changes.lastName !== undefined) Object.assign(set, { lastName: changes.lastName, foldedLastName: foldName(changes.lastName) });
    // A new address ends every session: whoever held the old one must sign in again.
    if (changes.email !== undefined) Object.assign(set, { email: normalizeEmail(changes.email), tokenVersion: () => 'tokenVersion + 1' });
    if (!Object.keys(set).length) return;
    try {
      await em.createQueryBuilder().update(User).set(set).where('id = :id', { id: userId }).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
  }

  async setPassword(userId: string, password: NewPassword, em: EntityManager = this.users.manager): Promise<void> {
    await em
      .createQueryBuilder()
      .update(User)
      .set({
        passwordHash: password.hash,
        ...(password.revokeTokens ? { tokenVersion: () => 'tokenVersion + 1' } : {}),
        ...(password.clearLockout ? { failedLoginCount: 0, lockedUntil: null } : {}),
        ...(password.verifyEmail ? { emailVerifiedAt: password.verifyEmail } : {}),
      })
      .where('id = :id', { id: userId })
      .execute();
  }

  async markEmailVerified(userId: string, at: Date, em: EntityManager = this.users.manager): Promise<void> {
    await em.update(User, { id: userId, emailVerifiedAt: IsNull() }, { emailVerifiedAt: at });
  }

  async reserveLoginAttempt(userId: string, max: number, lockMs: number, now: Date): Promise<boolean> {
    const qb = () => this.users.createQueryBuilder().update(User);
    // A lock whose time is up is lifted (and its counter restarted) first.
    await qb()
      .set({ failedLoginCount: 0, lockedUntil: null })
      .where('id = :userId AND lockedUntil IS NOT NULL AND lockedUntil <= :now', { userId, now })
      .execute();
    const reserved = await qb()
      .set({ failedLoginCount: () => 'failedLoginCount + 1' })
      .where('id = :userId AND failedLoginCount < :max', { userId, max })
      .execute();
    // Reaching the threshold locks at once (also if this process dies before the password check ends).
    await qb()
      .set({ lockedUntil: new Date(now.getTime() + lockMs) })
      .where('id = :userId AND failedLoginCount >= :max AND lockedUntil IS NULL', { userId, max })
      .execute();
    return (reserved.affected ?? 0) > 0;
  }

  async clearLoginFailures(userId: string): Promise<void> {
    await this.users.update({ id: userId }, { failedLoginCount: 0, lockedUntil: null });
  }

  async updateLocale(userId: string, locale: string): Promise<void> {
    await this.users.update({ id: userId }, { locale });
  }

  /** Conditional: false when the account was staff already (or is gone). */
  async promoteToStaff(userId: string, verifiedAt: Date): Promise<boolean> {
    const user = await this.findById(userId);
    if (!user) return false;
    const res = await this.users.update({ id: userId, isStaff: false }, { isStaff: true, emailVerifiedAt: user.emailVerifiedAt ?? verifiedAt });
    return Boolean(res.affected);
  }

  /**
   * The accounts of an import chunk, in multi-row INSERTs of 1,000
   * rows: an email that already has an account (even one created a moment ago
   * by a concurrent import) is left alone. Callers read back the ids by email.
   */
  async insertMissing(em: EntityManager, accounts: BulkAccount[], verifiedAt: Date): Promise<void> {
    await insertSkippingDuplicates(em, 'users', BULK_COLUMNS, bulkRows(em, accounts, verifiedAt));
  }

  /**
   * The same accounts by a plain INSERT, when the caller believes none of the
   * emails has an account: false when one has, by now (then insertMissing()
   * the same accounts: what was written is skipped as a duplicate).
   */
  async insertNew(em: EntityManager, accounts: BulkAccount[], verifiedAt: Date): Promise<boolean> {
    try {
      await insertRows(em, 'users', BULK_COLUMNS, bulkRows(em, accounts, verifiedAt));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Account ids by normalised email, for the emails that have an account. */
  async idsByEmail(emails: readonly string[], em: EntityManager = this.users.manager): Promise<Map<string, string>> {
    const rows = await selectIn<{ id: string; email: string }>(em, (p) => `SELECT id, email FROM users WHERE email IN (${p})`, emails);
    return new Map(rows.map((u) => [u.email, u.id]));
  }

  async mailProfiles(ids: readonly string[]): Promise<MailProfile[]> {
    const rows = await selectIn<{ userId: string; email: string; firstName: string; locale: string; noPassword: number | string }>(
      this.users.manager,
      (p) => `SELECT id AS userId, email, firstName, locale, CASE WHEN passwordHash IS NULL THEN 1 ELSE 0 END AS noPassword FROM users WHERE id IN (${p})`,
      ids,
    );
    return rows.map((r) => ({ userId: r.userId, email: r.email, firstName: r.firstName, locale: r.locale, hasPassword: Number(r.noPassword) !== 1 }));
  }
}
