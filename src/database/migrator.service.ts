import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';

const LOCK_NAME = 'oktonine_migrations';
const LOCK_TIMEOUT_S = 120;

/**
 * Applies pending migrations at start. On MySQL an advisory lock serialises
 * processes starting together (API replicas, workers), so only one migrates.
 */
@Injectable()
export class MigratorService implements OnModuleInit {
  private readonly logger = new Logger('Migrations');

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await runMigrations(this.dataSource, this.logger);
  }
}

/**
 * The app writes dates as UTC (`timezone: 'Z'`) while the database fills
 * `CURRENT_TIMESTAMP` defaults and `NOW()` in the session's time zone: both
 * must agree, or every created-at and every expiry compared in SQL is off by
 * the server's offset. Refuse to start rather than store skewed times.
 */
export async function assertUtcSession(runner: Pick<QueryRunner, 'query'>): Promise<void> {
  const [row] = (await runner.query('SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW()) AS skew, @@session.time_zone AS tz')) as Array<{
    skew: number | string;
    tz: string;
  }>;
  if (Number(row.skew) !== 0) {
    throw new Error(
      `The MySQL session time zone is ${row.tz} (UTC${Number(row.skew) >= 0 ? '+' : ''}${Number(row.skew)} min); ` +
        `the API stores UTC: start the server with --default-time-zone=+00:00 (or set time_zone='+00:00' in its configuration)`,
    );
  }
}

export async function runMigrations(dataSource: DataSource, logger: Pick<Logger, 'log'> = new Logger('Migrations')) {
  const mysql = dataSource.options.type === 'mysql';
  const lockRunner = mysql ? dataSource.createQueryRunner() : null;
  try {
    if (lockRunner) {
      await assertUtcSession(lockRunner);
      const [row] = (await lockRunner.query('SELECT GET_LOCK(?, ?) AS got', [LOCK_NAME, LOCK_TIMEOUT_S])) as Array<{ got: number | string | null }>;
      if (Number(row.got) !== 1) throw new Error(`Could not take the migration lock within ${LOCK_TIMEOUT_S}s`);
    }
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length) logger.log(`Applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
  } finally {
    if (lockRunner) {
      await lockRunner.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]).catch(() => undefined);
      await lockRunner.release();
    }
  }
}
