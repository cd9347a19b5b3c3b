import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../../src/config/env';
import { buildDataSourceOptions, createDataSource } from '../../src/database/data-source';
import { migrations } from '../../src/database/migrations';
import { assertUtcSession, runMigrations } from '../../src/database/migrator.service';
import { createTestDatabase } from '../support/infra';
import { rawDate } from '../../src/common/sql';

const DOMAIN_TABLES = [
  'users',
  'institutes',
  'companies',
  'memberships',
  'company_affiliations',
  'one_time_tokens',
  'refresh_tokens',
  'notifications',
  'audit_entries',
  'import_batches',
];

async function tableNames(ds: DataSource): Promise<string[]> {
  const rows: Array<{ name: string }> =
    ds.options.type === 'mysql'
      ? await ds.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()`)
      : await ds.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
  return rows.map((r) => r.name);
}

const quiet = { log: () => undefined };

/** Raw SQL: the columns of any migration's schema, not the entity's. */
async function insertUser(ds: DataSource, id: string, email: string, firstName = 'A', lastName = 'B') {
  await ds.query('INSERT INTO users (id, email, firstName, lastName) VALUES (?, ?, ?, ?)', [id, email, firstName, lastName]);
}

/** Reverts the migrations down to (and including) `name`. */
async function revertTo(ds: DataSource, name: string) {
  const at = migrations.findIndex((m) => m.name === name);
  for (let i = migrations.length - 1; i >= at; i--) await ds.undoLastMigration({ transaction: 'each' });
}

describe.each([
  ['MariaDB', 'mysql'],
  ['SQLite', 'sqlite'],
])('Migrations on %s', (_label, engine) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    // Outside an app, TypeORM's migration messages would go to the console.
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
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await cleanup?.();
  });

  it('runs every migration up, enforcing the unique and foreign-key rules in the database', async () => {
    await runMigrations(ds, quiet);
    expect(await tableNames(ds)).toEqual(expect.arrayContaining([...DOMAIN_TABLES, 'migrations']));
    expect(await ds.showMigrations()).toBe(false);

    await insertUser(ds, '00000000-0000-4000-8000-000000000001', 'ada@example.org');
    await expect(insertUser(ds, '00000000-0000-4000-8000-000000000002', 'ada@example.org')).rejects.toThrow();

    await ds.query(`INSERT INTO institutes (id, name, searchName) VALUES ('i1', 'School', 'school')`);
    const membership = `INSERT INTO memberships (id, userId, instituteId, role, status) VALUES (?, ?, 'i1', 'student', 'active')`;
    await ds.query(membership, ['m1', '00000000-0000-4000-8000-000000000001']);
    // user × institute is unique
    await expect(ds.query(membership, ['m2', '00000000-0000-4000-8000-000000000001'])).rejects.toThrow();
    // a membership must point at a real user
    await expect(ds.query(membership, ['m3', 'no-such-user'])).rejects.toThrow();
  });

  it('is idempotent: running again applies nothing', async () => {
    const applied = await ds.runMigrations();
    expect(applied).toEqual([]);
  });

  it('the accent-sensitive email migration stores existing addresses normalised (NFC, lower case)', async () => {
    await revertTo(ds, 'EmailsAccentSensitive1764576000000');
    const id = '00000000-0000-4000-8000-000000000003';
    await insertUser(ds, id, ' ÉLODIE@Example.org'.normalize('NFD'));
    await runMigrations(ds, quiet);
    const [row] = await ds.query('SELECT email FROM users WHERE id = ?', [id]);
    expect(row.email).toBe('élodie@example.org'.normalize('NFC'));
    // And from now on the variant without the accent is another address.
    await expect(insertUser(ds, '00000000-0000-4000-8000-000000000004', 'elodie@example.org')).resolves.toBeUndefined();
    // Reverting refuses to fold the two back into one address (MariaDB: duplicate key), so one goes first.
    await ds.query('DELETE FROM users WHERE id = ?', ['00000000-0000-4000-8000-000000000004']);
  });

  it('the folded-names migration re-folds institutes, companies and member names (œ æ ß ø ł đ þ)', async () => {
    await revertTo(ds, 'FoldedNames1764748800000');
    await ds.query(`INSERT INTO institutes (id, name, searchName) VALUES ('i2', 'Lycée du Sacré-Cœur', 'lycee du sacre cœur')`);
    await ds.query(`INSERT INTO institute_name_words (instituteId, word) VALUES ('i2', 'cœur')`);
    await ds.query(
      `INSERT INTO companies (id, name, normalizedName) VALUES ('c1', 'Øresund AB', 'øresund'), ('c2', 'Oresund', 'oresund'), ('c3', 'Łódź Tech', 'łodz tech')`,
    );
    await insertUser(ds, '00000000-0000-4000-8000-000000000005', 'lukas@example.org', 'Zoë', 'Łukasiewicz');
    await runMigrations(ds, quiet);
    const [inst] = await ds.query(`SELECT searchName FROM institutes WHERE id = 'i2'`);
    expect(inst.searchName).toBe('lycee du sacre coeur');
    const wordRows: Array<{ word: string }> = await ds.query(`SELECT word FROM institute_name_words WHERE instituteId = 'i2' ORDER BY word`);
    expect(wordRows.map((w) => w.word)).toEqual(['coeur', 'du', 'lycee', 'sacre']);
    // c1 and c2 now both fold to "oresund": the one already holding it keeps it, the other its old
    // key until staff fold it; c3 simply gets its new key.
    const companies: Array<{ id: string; normalizedName: string }> = await ds.query(
      `SELECT id, normalizedName FROM companies WHERE id IN ('c1', 'c2', 'c3') ORDER BY id`,
    );
    expect(companies).toEqual([
      { id: 'c1', normalizedName: 'øresund' },
      { id: 'c2', normalizedName: 'oresund' },
      { id: 'c3', normalizedName: 'lodz tech' },
    ]);
    const [user] = await ds.query(`SELECT foldedFirstName, foldedLastName FROM users WHERE id = '00000000-0000-4000-8000-000000000005'`);
    expect(user).toEqual({ foldedFirstName: 'zoe', foldedLastName: 'lukasiewicz' });
  });

  it('the millisecond-times migration writes the milliseconds of times SQLite stored to the second', async () => {
    await revertTo(ds, 'SqliteMillisecondTimes1765612800001');
    await ds.query(`INSERT INTO institutes (id, name, searchName, createdAt, updatedAt) VALUES ('i3', 'Old', 'old', ?, ?)`, [
      '2026-01-02 03:04:05',
      '2026-01-02 03:04:06.250',
    ]);
    await runMigrations(ds, quiet);
    const [row] = await ds.query(`SELECT createdAt, updatedAt FROM institutes WHERE id = 'i3'`);
    if (engine === 'sqlite') expect(row).toEqual({ createdAt: '2026-01-02 03:04:05.000', updatedAt: '2026-01-02 03:04:06.250' });
    else expect([row.createdAt, row.updatedAt]).toEqual([new Date('2026-01-02T03:04:05.000Z'), new Date('2026-01-02T03:04:06.250Z')]);
  });

  it('the name-words migration keeps only the words after the first of each name, and its revert puts the first ones back', async () => {
    const words = async (id: string) =>
      (await ds.query<Array<{ word: string }>>(`SELECT word FROM user_name_words WHERE userId = ? ORDER BY word`, [id])).map((w) => w.word);
    const person = (id: string, email: string, first: string, last: string, folded: [string, string]) =>
      ds.query('INSERT INTO users (id, email, firstName, lastName, foldedFirstName, foldedLastName) VALUES (?, ?, ?, ?, ?, ?)', [
        id,
        email,
        first,
        last,
        ...folded,
      ]);
    // Written the current way: the first words are in the folded names only.
    const zoe = '00000000-0000-4000-8000-000000000006';
    await person(zoe, 'zoe@example.org', 'Zoé', 'Dupont-Lefèvre', ['zoe', 'dupont lefevre']);
    await ds.query(`INSERT INTO user_name_words (userId, word) VALUES (?, 'lefevre')`, [zoe]);
    await revertTo(ds, 'NameWordsBeyondFirst1765699200000');
    expect(await words(zoe)).toEqual(['dupont', 'lefevre', 'zoe']);
    // Written the earlier way: every word.
    const jean = '00000000-0000-4000-8000-000000000007';
    await person(jean, 'jp@example.org', 'Jean-Pierre', 'De la Cruz', ['jean pierre', 'de la cruz']);
    await ds.query(`INSERT INTO user_name_words (userId, word) VALUES ${['jean', 'pierre', 'de', 'la', 'cruz'].map(() => '(?, ?)').join(', ')}`, [
      ...['jean', 'pierre', 'de', 'la', 'cruz'].flatMap((w) => [jean, w]),
    ]);
    await runMigrations(ds, quiet);
    expect(await words(zoe)).toEqual(['lefevre']);
    expect(await words(jean)).toEqual(['cruz', 'la', 'pierre']);
  });

  it('the member-search-keys migration copies each member’s email and folded names from the account; its revert drops them', async () => {
    const indexes = async () =>
      engine === 'mysql'
        ? (
            await ds.query<Array<{ name: string }>>(
              `SELECT DISTINCT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'memberships'`,
            )
          ).map((r) => r.name)
        : (await ds.query<Array<{ name: string }>>(`SELECT name FROM pragma_index_list('memberships')`)).map((r) => r.name);
    const columns = async () =>
      engine === 'mysql'
        ? (
            await ds.query<Array<{ name: string }>>(
              `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'memberships'`,
            )
          ).map((r) => r.name)
        : (await ds.query<Array<{ name: string }>>(`SELECT name FROM pragma_table_info('memberships')`)).map((r) => r.name);
    await revertTo(ds, 'MemberSearchKeys1765785600000');
    expect(await columns()).not.toContain('searchEmail');
    const marie = '00000000-0000-4000-8000-000000000008';
    await ds.query('INSERT INTO users (id, email, firstName, lastName, foldedFirstName, foldedLastName) VALUES (?, ?, ?, ?, ?, ?)', [
      marie,
      'marie.curie@example.org',
      'Marie',
      'Skłodowska-Curie',
      'marie',
      'sklodowska curie',
    ]);
    await ds.query(`INSERT INTO memberships (id, userId, instituteId, role, status, updatedAt) VALUES ('m4', ?, 'i1', 'teacher', 'active', ?)`, [
      marie,
      '2026-01-02 03:04:05.678',
    ]);
    await runMigrations(ds, quiet);
    const [{ updatedAt, ...keys }] = await ds.query(`SELECT searchEmail, searchFirstName, searchLastName, updatedAt FROM memberships WHERE id = 'm4'`);
    expect(keys).toEqual({ searchEmail: 'marie.curie@example.org', searchFirstName: 'marie', searchLastName: 'sklodowska curie' });
    // Nothing about the membership changed: its updatedAt (SCIM's meta.lastModified) stays.
    expect(rawDate(updatedAt)?.toISOString()).toBe('2026-01-02T03:04:05.678Z');
    const searchIndexes = ['IDX_memberships_search_email', 'IDX_memberships_search_last_name', 'IDX_memberships_search_first_name'];
    // On SQLite, whose LIKE reads no index, the keys have none.
    if (engine === 'mysql') expect(await indexes()).toEqual(expect.arrayContaining(searchIndexes));
    else expect(await indexes()).toEqual(expect.not.arrayContaining(searchIndexes));
    expect(await indexes()).not.toContain('IDX_memberships_user_institute_created');
    await revertTo(ds, 'MemberSearchKeys1765785600000');
    expect(await columns()).toEqual(expect.not.arrayContaining(['searchEmail', 'searchFirstName', 'searchLastName']));
    expect(await indexes()).toContain('IDX_memberships_user_institute_created');
    await runMigrations(ds, quiet);
  });

  it('reverts every migration down to an empty schema, and up again', async () => {
    for (let i = 0; i < migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    const left = (await tableNames(ds)).filter((t) => t !== 'migrations');
    expect(left).toEqual([]);
    await runMigrations(ds, quiet);
    expect(await tableNames(ds)).toEqual(expect.arrayContaining(DOMAIN_TABLES));
  });
});

describe('Start on MariaDB', () => {
  it('refuses a session whose time zone is not UTC, naming the server option, and accepts UTC', async () => {
    const db = await createTestDatabase();
    const ds = createDataSource(buildDataSourceOptions(parseDatabaseUrl(db.url)));
    await ds.initialize();
    const runner = ds.createQueryRunner();
    try {
      await runner.query("SET time_zone = '+02:00'");
      await expect(assertUtcSession(runner)).rejects.toThrow(/time zone is \+02:00 .*--default-time-zone=\+00:00/);
      await runner.query("SET time_zone = '+00:00'");
      await expect(assertUtcSession(runner)).resolves.toBeUndefined();
    } finally {
      await runner.release();
      await ds.destroy();
      await db.drop();
    }
  });
});
