import { MigrationInterface, QueryRunner } from 'typeorm';
import { isMysql } from '../schema-helpers';

/**
 * SQLite only: rows TypeORM wrote before `createDataSource` gave it the schema's
 * clock hold `createdAt` / `updatedAt` to the second ("… 10:00:00"), which sorts
 * before the same time written with milliseconds ("… 10:00:00.000"), the form a
 * keyset cursor binds. They get their ".000". (An UPDATE still writes `updatedAt`
 * to the second: TypeORM sets it to CURRENT_TIMESTAMP itself. No cursor pages on it.)
 */
export class SqliteMillisecondTimes1765612800001 implements MigrationInterface {
  name = 'SqliteMillisecondTimes1765612800001';

  async up(qr: QueryRunner): Promise<void> {
    if (isMysql(qr)) return;
    const tables = (await qr.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)) as Array<{ name: string }>;
    for (const { name } of tables) {
      const columns = (await qr.query(`SELECT name FROM pragma_table_info(?)`, [name])) as Array<{ name: string }>;
      for (const column of columns.map((c) => c.name).filter((c) => c === 'createdAt' || c === 'updatedAt')) {
        await qr.query(`UPDATE "${name}" SET "${column}" = "${column}" || '.000' WHERE length("${column}") = 19`);
      }
    }
  }

  async down(): Promise<void> {
    // Nothing to undo: the times are the same, written with their milliseconds.
  }
}
