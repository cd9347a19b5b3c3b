import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { fk, intColumn, textColumn, uuidRef, varchar } from '../schema-helpers';

/**
 * The rows of an uploaded import, kept in the database (not on a worker's disk)
 * so any worker process can take any chunk. Passwords are erased as soon as
 * their chunk is done; the rest stays for the report.
 */
export class ImportRows1764489600000 implements MigrationInterface {
  name = 'ImportRows1764489600000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn('import_batches', new TableColumn(intColumn('chunkCount')));
    await qr.createTable(
      new Table({
        name: 'import_rows',
        columns: [
          { ...uuidRef('batchId'), isPrimary: true },
          { name: 'rowNumber', type: 'int', isPrimary: true },
          intColumn('chunk'),
          varchar('firstName', 200),
          varchar('lastName', 200),
          varchar('email', 320),
          varchar('emailKey', 254, { isNullable: true }),
          varchar('password', 1024, { isNullable: true }),
          varchar('groupName', 200, { isNullable: true }),
          varchar('department', 200, { isNullable: true }),
          varchar('outcome', 16, { isNullable: true }),
          varchar('message', 500, { isNullable: true }),
          textColumn(qr, 'errors'),
          uuidRef('userId', true),
        ],
        indices: [{ name: 'IDX_import_rows_batch_chunk', columnNames: ['batchId', 'chunk', 'rowNumber'] }],
        foreignKeys: [fk('import_rows', 'batchId', 'import_batches')],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('import_rows', true);
    await qr.dropColumn('import_batches', 'chunkCount');
  }
}
