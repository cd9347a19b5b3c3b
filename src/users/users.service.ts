import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, IsNull, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AccountStore, AccountWithSecret, NewPassword } from '../auth/ports';
import { isUniqueViolation } from '../common/errors/db-errors';
import { insertRows, insertSkippingDuplicates, LIKE_ESCAPE, likeLiteral, selectIn, sqlDate } from '../common/sql';
import { AppError } from '../common/errors/app-error';
import { Page, PageQueryDto } from '../common/pagination';
import { words } from '../common/text';
import { foldName, normalizeEmail } from './email';
import { UserNameWord } from './entities/user-name-word.entity';
import { User } from './entities/user.entity';
import { nameWordsOf } from './name-words';

const MAX_QUERY_WORDS = 5;

/** Narrows the directory to the ids it returns among `ids` (an institute's members: its module decides). */
export type DirectoryScope = (ids: string[]) => Promise<Set<string>>;

const invalidCursor = () => AppError.validation([{ field: 'cursor', message: 'cursor is not a valid page cursor' }], 'Invalid cursor');

function encodeIdCursor(id: string): string {
  return Buffer.from(JSON.stringify(['id', id])).toString('base64url');
}

function decodeIdCursor(cursor: string): string {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && v[0] === 'id' && typeof v[1] === 'string') return v[1];
  } catch {
    // falls through
  }
  throw invalidCursor();
}

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

function hasOtherEnabled(staff: Array<{ id: string; disabledAt: unknown }>, userId: string): boolean {
  return staff.some((s) => s.id !== userId && !s.disabledAt);
}

/** The platform would be left without staff. */
export class LastStaffError extends Error {
  constructor() {
    super('The platform would be left without staff');
  }
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

/** Told of a change to an account's email or names, in its transaction (UsersService.onProfileChange). */
export type ProfileListener = (em: EntityManager, userId: string) => Promise<void>;

@Injectable()
export class UsersService implements AccountStore {
  private readonly profileListeners: ProfileListener[] = [];

  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string, em: EntityManager = this.users.manager): Promise<User | null> {
    return em.findOneBy(User, { id });
  }

  findByIds(ids: readonly string[]): Promise<User[]> {
    return ids.length ? this.users.findBy({ id: In([...ids]) }) : Promise.resolve([]);
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
    await this.writeNameWords(em, [{ id: row.id, firstName: row.firstName ?? '', lastName: row.lastName ?? '' }]);
  }

  /** The directory's word index of these accounts, replacing what was there. */
  private async writeNameWords(em: EntityManager, people: Array<{ id: string; firstName: string; lastName: string }>, replace = false): Promise<void> {
    if (replace && people.length) await em.delete(UserNameWord, { userId: In(people.map((p) => p.id)) });
    const rows = people.flatMap((p) => nameWordsOf(p.firstName, p.lastName).map((word) => [p.id, word]));
    if (rows.length) await insertSkippingDuplicates(em, 'user_name_words', ['userId', 'word'], rows);
  }

  /**
   * The people directory: accounts whose email starts with `search`, or whose
   * names hold a word starting with each typed word (folded like the institute
   * search). The matching ids come from the email index, the folded names'
   * indexes and the (word) index of user_name_words, so the cost follows the
   * matches; `scope` narrows them (an institute's members), and the page is
   * read with a keyset on the id.
   */
  async directory(search: string, query: PageQueryDto, scope?: DirectoryScope): Promise<Page<User>> {
    // A bad cursor is refused whatever the search finds.
    const after = query.cursor ? decodeIdCursor(query.cursor) : '';
    const em = this.users.manager;
    const hits = new Set<string>();
    const email = normalizeEmail(search);
    if (email && !/\s/.test(email)) {
      for (const r of await em.query<Array<{ id: string }>>(`SELECT id FROM users WHERE email LIKE ? ${LIKE_ESCAPE}`, [`${likeLiteral(email)}%`]))
        hits.add(r.id);
    }
    // Every typed word must start a word of the person's names: a first word through the folded
    // name's own index, a later one through user_name_words' (word) index (name-words.ts). The
    // longest word is read first (index ranges); each further word narrows the set: by primary
    // key while it is small, else by its own ranges, intersected here. No statement scans users.
    const terms = words(search)
      .slice(0, MAX_QUERY_WORDS)
      .sort((a, b) => b.length - a.length);
    let named = null as Set<string> | null;
    for (const term of terms) {
      const like = `${likeLiteral(term)}%`;
      let rows: Array<{ userId: string }>;
      if (named && named.size <= 1000) {
        if (!named.size) break;
        const ids = [...named];
        const list = ids.map(() => '?').join(',');
        rows = await em.query(
          `SELECT userId FROM user_name_words WHERE word LIKE ? ${LIKE_ESCAPE} AND userId IN (${list}) ` +
            `UNION ALL SELECT id FROM users WHERE id IN (${list}) AND (foldedFirstName LIKE ? ${LIKE_ESCAPE} OR foldedLastName LIKE ? ${LIKE_ESCAPE})`,
          [like, ...ids, ...ids, like, like],
        );
      } else {
        rows = await em.query(
          `SELECT userId FROM user_name_words WHERE word LIKE ? ${LIKE_ESCAPE} ` +
            `UNION ALL SELECT id FROM users WHERE foldedFirstName LIKE ? ${LIKE_ESCAPE} UNION ALL SELECT id FROM users WHERE foldedLastName LIKE ? ${LIKE_ESCAPE}`,
          [like, like, like],
        );
      }
      const found = new Set(rows.map((r) => r.userId));
      named = named ? new Set([...named].filter((id) => found.has(id))) : found;
    }
    for (const id of named ?? []) hits.add(id);
    if (!hits.size) return { items: [], nextCursor: null };
    // Keyset on the id: the page needs no column of users, only the matching ids, so the
    // accounts read are the page's (by primary key), never all the matches.
    const sorted = [...hits].filter((id) => id > after).sort();
    const limit = query.limit ?? 20;
    const chosen: string[] = [];
    for (let i = 0; i < sorted.length && chosen.length <= limit; i += limit * 4) {
      const part = sorted.slice(i, i + limit * 4);
      const allowed = scope ? await scope(part) : null;
      chosen.push(...part.filter((id) => !allowed || allowed.has(id)));
    }
    const pageIds = chosen.slice(0, limit);
    const byId = new Map((pageIds.length ? await this.users.findBy({ id: In(pageIds) }) : []).map((u) => [u.id, u]));
    const items = pageIds.map((id) => byId.get(id)).filter((u): u is User => Boolean(u));
    return { items, nextCursor: chosen.length > limit ? encodeIdCursor(pageIds[pageIds.length - 1]) : null };
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
    if (changes.firstName !== undefined || changes.lastName !== undefined) {
      const names = await em.findOneBy(User, { id: userId });
      if (names) await this.writeNameWords(em, [names], true);
    }
    for (const listener of this.profileListeners) await listener(em, userId);
  }

  /**
   * `listener` runs in the transaction of every change of an account's email or
   * names, after it (the memberships copy them for their search). Call from onModuleInit.
   */
  onProfileChange(listener: ProfileListener): void {
    this.profileListeners.push(listener);
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

  /**
   * One statement, so the counting and the locking cannot be torn apart: an expired
   * lock is lifted (its run of failures restarts), the attempt is counted unless the
   * run has reached `max`, and reaching it locks at once. Each SET expression reads
   * only columns not assigned before it (MySQL would see the new values, SQLite the
   * old); a lock only ever exists with the count at `max`, so a count at `max` in a
   * reserved row means the lock had expired.
   */
  async reserveLoginAttempt(userId: string, max: number, lockMs: number, now: Date): Promise<boolean> {
    const expired = 'lockedUntil IS NOT NULL AND lockedUntil <= :now';
    const reserved = await this.users
      .createQueryBuilder()
      .update(User)
      .set({
        lockedUntil: () =>
          `CASE WHEN ${expired} THEN (CASE WHEN 1 >= :max THEN :until ELSE NULL END) ` +
          'WHEN lockedUntil IS NULL AND failedLoginCount + 1 >= :max THEN :until ELSE lockedUntil END',
        failedLoginCount: () => 'CASE WHEN failedLoginCount >= :max THEN 1 ELSE failedLoginCount + 1 END',
      })
      .where(`id = :userId AND (failedLoginCount < :max OR (${expired}))`)
      .setParameters({ userId, max, now, until: new Date(now.getTime() + lockMs) })
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
   * Demotes one staff account unless it is the last one. The staff rows are
   * locked first (MySQL), so two staff demoting each other cannot both succeed.
   * 'not_staff' when the account is not staff (or is gone).
   */
  async demoteStaff(userId: string, em: EntityManager): Promise<'demoted' | 'not_staff' | 'last_staff'> {
    const staff = await this.lockedStaff(em);
    if (!staff.some((s) => s.id === userId)) return 'not_staff';
    if (!hasOtherEnabled(staff, userId)) return 'last_staff';
    await em.update(User, { id: userId }, { isStaff: false, tokenVersion: () => 'tokenVersion + 1' });
    return 'demoted';
  }

  /**
   * LAST_STAFF when `userId` is staff and no other enabled staff account would
   * be left (a disabled one cannot sign in). Staff rows are locked first on MySQL.
   */
  async assertNotLastStaff(userId: string, em: EntityManager): Promise<void> {
    const staff = await this.lockedStaff(em);
    if (staff.some((s) => s.id === userId) && !hasOtherEnabled(staff, userId)) throw new LastStaffError();
  }

  /** The staff rows, locked (MySQL) so that two staff acting on each other at once are serialised. */
  private lockedStaff(em: EntityManager): Promise<Array<{ id: string; disabledAt: Date | string | null }>> {
    const mysql = em.connection.options.type === 'mysql' || em.connection.options.type === 'mariadb';
    return em.query(`SELECT id, disabledAt FROM users WHERE isStaff = ? ORDER BY id${mysql ? ' FOR UPDATE' : ''}`, [1]);
  }

  /** Deletes the account and its search words (what references it is deleted or set null by the foreign keys). */
  async deleteAccount(userId: string, em: EntityManager): Promise<void> {
    await em.delete(UserNameWord, { userId });
    await em.delete(User, { id: userId });
  }

  /**
   * Disables (at `at`) or enables an account. Disabling bumps the token version,
   * so every access token already issued is refused at the next request.
   * False when nothing changed (already in that state, or no such account).
   */
  async setDisabled(userId: string, at: Date | null, em: EntityManager = this.users.manager): Promise<boolean> {
    const qb = em.createQueryBuilder().update(User).where('id = :userId', { userId });
    if (at) qb.set({ disabledAt: at, tokenVersion: () => 'tokenVersion + 1' }).andWhere('disabledAt IS NULL');
    else qb.set({ disabledAt: null }).andWhere('disabledAt IS NOT NULL');
    return Boolean((await qb.execute()).affected);
  }

  /**
   * Claims the right to resend an invitation: a conditional UPDATE, so of two
   * concurrent requests within `intervalMs` only one sends. False when one was
   * sent less than `intervalMs` ago.
   */
  async claimInvitation(userId: string, now: Date, intervalMs: number): Promise<boolean> {
    const res = await this.users
      .createQueryBuilder()
      .update(User)
      .set({ invitationSentAt: now })
      .where('id = :userId AND (invitationSentAt IS NULL OR invitationSentAt <= :before)', { userId, before: new Date(now.getTime() - intervalMs) })
      .execute();
    return Boolean(res.affected);
  }

  /**
   * The accounts of an import chunk, in multi-row INSERTs of 1,000
   * rows: an email that already has an account (even one created a moment ago
   * by a concurrent import) is left alone. Callers read back the ids by email.
   */
  async insertMissing(em: EntityManager, accounts: BulkAccount[], verifiedAt: Date): Promise<void> {
    await insertSkippingDuplicates(em, 'users', BULK_COLUMNS, bulkRows(em, accounts, verifiedAt));
    // Words only for the accounts this statement inserted (an existing email kept its own id).
    const inserted = new Set(
      (
        await selectIn<{ id: string }>(
          em,
          (p) => `SELECT id FROM users WHERE id IN (${p})`,
          accounts.map((a) => a.id),
        )
      ).map((r) => r.id),
    );
    await this.writeNameWords(
      em,
      accounts.filter((a) => inserted.has(a.id)),
    );
  }

  /**
   * The same accounts by a plain INSERT, when the caller believes none of the
   * emails has an account: false when one has, by now (then insertMissing()
   * the same accounts: what was written is skipped as a duplicate).
   */
  async insertNew(em: EntityManager, accounts: BulkAccount[], verifiedAt: Date): Promise<boolean> {
    try {
      await insertRows(em, 'users', BULK_COLUMNS, bulkRows(em, accounts, verifiedAt));
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
    await this.writeNameWords(em, accounts);
    return true;
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
