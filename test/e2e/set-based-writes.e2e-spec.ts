import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { isUniqueViolation } from '../../src/common/errors/db-errors';
import { insertRows, insertSkippingDuplicates } from '../../src/common/sql';
import { parseDatabaseUrl } from '../../src/config/env';
import { buildDataSourceOptions, createDataSource } from '../../src/database/data-source';
import { runMigrations } from '../../src/database/migrator.service';
import { User } from '../../src/users/entities/user.entity';
import { UsersService } from '../../src/users/users.service';
import { createTestDatabase } from '../support/infra';

/**
 * The multi-row INSERT of imports skips rows a unique index already holds, and
 * nothing else: a foreign key that points nowhere or a value too long for its
 * column fails the statement (MySQL's INSERT IGNORE would write a warning and
 * drop or truncate the row, and the import would report it done).
 */
describe.each([
  ['MariaDB', 'mysql'],
  ['SQLite', 'sqlite'],
])('Set-based writes on %s', (_label, engine) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  const columns = ['id', 'email', 'firstName', 'lastName'];

  beforeAll(async () => {
    Logger.overrideLogger(false);
    if (engine === 'mysql') {
      const db = await createTestDatabase();
      ds = createDataSource(buildDataSourceOptions(parseDatabaseUrl(db.url)));
      cleanup = () => db.drop();
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'okt-sqlite-'));
      ds = createDataSource(buildDataSourceOptions(parseDatabaseUrl(`sqlite:${join(dir, 'test.sqlite')}`)));
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    await ds.initialize();
    await runMigrations(ds, { log: () => undefined });
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await cleanup?.();
  });

  it("a plain INSERT meeting a duplicate fails as a whole, and only itself: the import's careful path then runs in the same transaction", async () => {
    const taken = randomUUID();
    await insertRows(ds.manager, 'users', columns, [[taken, 'taken.plain@example.com', 'Taken', 'Before']]);
    const ours = randomUUID();
    const fresh = randomUUID();
    await ds.transaction(async (em) => {
      const error = await insertRows(em, 'users', columns, [
        [fresh, 'fresh.plain@example.com', 'Fresh', 'Row'],
        [ours, 'taken.plain@example.com', 'Ours', 'Row'],
      ]).catch((e: unknown) => e);
      expect(isUniqueViolation(error)).toBe(true);
      const [{ n }] = await em.query(`SELECT COUNT(*) AS n FROM users WHERE email = 'fresh.plain@example.com'`);
      expect(Number(n)).toBe(0);
      await insertSkippingDuplicates(em, 'users', columns, [
        [fresh, 'fresh.plain@example.com', 'Fresh', 'Row'],
        [ours, 'taken.plain@example.com', 'Ours', 'Row'],
      ]);
    });
    const rows = await ds.query<Array<{ id: string; email: string }>>(
      `SELECT id, email FROM users WHERE email IN ('fresh.plain@example.com', 'taken.plain@example.com') ORDER BY email`,
    );
    expect(rows).toEqual([
      { id: fresh, email: 'fresh.plain@example.com' },
      { id: taken, email: 'taken.plain@example.com' },
    ]);
  });

  it('inserts the new rows and leaves the ones a unique index holds as they were', async () => {
    const kept = randomUUID();
    await insertSkippingDuplicates(ds.manager, 'users', columns, [[kept, 'kept@example.com', 'Kept', 'As-is']]);
    const fresh = randomUUID();
    await insertSkippingDuplicates(ds.manager, 'users', columns, [
      [randomUUID(), 'kept@example.com', 'Other', 'Name'],
      [fresh, 'fresh@example.com', 'Fresh', 'Row'],
    ]);
    const rows = await ds.query<Array<{ id: string; email: string; firstName: string }>>(
      `SELECT id, email, firstName FROM users WHERE email IN ('kept@example.com', 'fresh@example.com') ORDER BY email`,
    );
    expect(rows).toEqual([
      { id: fresh, email: 'fresh@example.com', firstName: 'Fresh' },
      { id: kept, email: 'kept@example.com', firstName: 'Kept' },
    ]);
  });

  it('counts sign-in attempts, locks at the threshold and lifts an expired lock in one statement (each SET reads only unassigned columns)', async () => {
    const users = new UsersService(ds.getRepository(User));
    const id = randomUUID();
    await insertRows(ds.manager, 'users', columns, [[id, `lock.${id}@example.com`, 'Lock', 'Out']]);
    const state = async () => {
      const u = await ds.getRepository(User).findOneByOrFail({ id });
      return { count: u.failedLoginCount, lockedUntil: u.lockedUntil?.toISOString() ?? null };
    };
    const now = new Date('2026-09-01T08:00:00.000Z');
    const lockMs = 15 * 60 * 1000;
    for (let i = 1; i <= 2; i++) expect(await users.reserveLoginAttempt(id, 3, lockMs, now)).toBe(true);
    expect(await state()).toEqual({ count: 2, lockedUntil: null });
    // The third attempt reaches the threshold: counted and locked by the same statement.
    expect(await users.reserveLoginAttempt(id, 3, lockMs, now)).toBe(true);
    expect(await state()).toEqual({ count: 3, lockedUntil: '2026-09-01T08:15:00.000Z' });
    expect(await users.reserveLoginAttempt(id, 3, lockMs, new Date('2026-09-01T08:14:59.999Z'))).toBe(false);
    expect(await state()).toEqual({ count: 3, lockedUntil: '2026-09-01T08:15:00.000Z' });
    // Once the lock is up, the run of failures restarts with this attempt.
    const later = new Date('2026-09-01T08:15:00.000Z');
    expect(await users.reserveLoginAttempt(id, 3, lockMs, later)).toBe(true);
    expect(await state()).toEqual({ count: 1, lockedUntil: null });
    await users.clearLoginFailures(id);
    expect(await state()).toEqual({ count: 0, lockedUntil: null });
    // A threshold of one locks with the first attempt, also the one that lifts an expired lock.
    expect(await users.reserveLoginAttempt(id, 1, lockMs, now)).toBe(true);
    expect(await state()).toEqual({ count: 1, lockedUntil: '2026-09-01T08:15:00.000Z' });
    expect(await users.reserveLoginAttempt(id, 1, lockMs, later)).toBe(true);
    expect(await state()).toEqual({ count: 1, lockedUntil: '2026-09-01T08:30:00.000Z' });
  });

  it('fails on a foreign key that points nowhere instead of dropping the row', async () => {
    const [user] = await ds.query<Array<{ id: string }>>(`SELECT id FROM users WHERE email = 'kept@example.com'`);
    await expect(
      insertSkippingDuplicates(
        ds.manager,
        'memberships',
        ['id', 'userId', 'instituteId', 'role', 'status'],
        [[randomUUID(), user.id, randomUUID(), 'student', 'active']],
      ),
    ).rejects.toThrow(/foreign key/i);
    expect(await ds.query(`SELECT id FROM memberships WHERE userId = ?`, [user.id])).toEqual([]);
  });

  if (engine === 'mysql') {
    it('fails on a value too long for its column instead of truncating it', async () => {
      await expect(insertSkippingDuplicates(ds.manager, 'users', columns, [[randomUUID(), 'long@example.com', 'x'.repeat(300), 'L']])).rejects.toThrow(
        /too long/i,
      );
      expect(await ds.query(`SELECT id FROM users WHERE email = 'long@example.com'`)).toEqual([]);
    });
  }
});
