import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseConfig, loadEnv } from '../config/env';
import { entities } from './entities';
import { migrations } from './migrations';
import { SQLITE_NOW } from './schema-helpers';
import { TypeOrmLogger } from './typeorm-logger';

/** The one options builder, used by the app, the CLI and the test harness. */
export function buildDataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  const common = {
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    logger: new TypeOrmLogger(),
    maxQueryExecutionTime: 2000,
  };
  if (db.type === 'mysql') {
    return {
      ...common,
      type: 'mysql',
      url: db.url,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      supportBigNumbers: true,
      poolSize: 20,
      connectTimeout: 5000,
      // mysql2's long stack traces capture the caller's stack on every query (≈ 12 µs of the event
      // loop each, 60 per sign-in); TypeORM's QueryFailedError carries its own stack anyway.
      trace: false,
      // One transaction per migration: a migration that fails half-way is rolled back where the engine allows it.
      migrationsTransactionMode: 'each',
      extra: { enableKeepAlive: true, waitForConnections: true, queueLimit: 0 },
    };
  }
  if (db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: db.path,
    migrationsTransactionMode: 'each',
    // WAL lets readers proceed during a write; foreign keys are off by default in SQLite.
    prepareDatabase: (sqlite: { pragma(s: string): unknown }) => {
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
      sqlite.pragma('foreign_keys = ON');
      sqlite.pragma('busy_timeout = 5000');
    },
  };
}

/**
 * The DataSource every process uses (`DatabaseModule`, the CLI). On SQLite,
 * TypeORM fills an unset `@CreateDateColumn` with `datetime('now')`, whole
 * seconds ("… 10:00:00"), while a `Date` it binds has milliseconds
 * ("… 10:00:00.000"), and SQLite compares them as text: the first sorts before
 * the second. A keyset cursor taken from such a row then let the same page come
 * back forever. Its defaults are therefore the schema's, to the millisecond.
 * (TypeORM's UPDATEs still set `updatedAt` to CURRENT_TIMESTAMP, to the second;
 * no cursor pages on it.)
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  const ds = new DataSource(options);
  if (options.type === 'better-sqlite3') {
    ds.driver.mappedDataTypes.createDateDefault = SQLITE_NOW;
    ds.driver.mappedDataTypes.updateDateDefault = SQLITE_NOW;
  }
  return ds;
}

/** For `src/cli.ts` (migrations from the shell): reads DATABASE_URL like the app does. */
export function dataSourceFromEnv(db: DatabaseConfig = loadEnv().database): DataSource {
  return createDataSource(buildDataSourceOptions(db));
}
