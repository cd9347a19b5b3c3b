import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { boolColumn, fk, intColumn, textColumn, uuidRef } from '../schema-helpers';

/**
 * The rows of an uploaded import, kept in the database (not on a worker's disk)
 * so any worker process can take any chunk: one row per chunk, its rows as JSON
 * (one INSERT per chunk at upload, one UPDATE when it is done). Passwords sit in
 * their own column, erased when the chunk is done; the rest stays for the report.
 */
export class ImportChunks1764489600000 implements MigrationInterface {
  name = 'ImportChunks1764489600000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn('import_batches', new TableColumn(intColumn('chunkCount')));
    await qr.createTable(
      new Table({
        name: 'import_chunks',
        columns: [
          { ...uuidRef('batchId'), isPrimary: true },
          { name: 'chunk', type: 'int', isPrimary: true },
          intColumn('rowCount'),
          boolColumn('done'),
          textColumn(qr, 'data', false),
          textColumn(qr, 'passwords'),
          textColumn(qr, 'results'),
        ],
        foreignKeys: [fk('import_chunks', 'batchId', 'import_batches')],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('import_chunks', true);
    await qr.dropColumn('import_batches', 'chunkCount');
  }
}
