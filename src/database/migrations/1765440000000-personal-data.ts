import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { datetime } from '../schema-helpers';

/**
 * Personal data: import rows are purged IMPORT_RETENTION_DAYS after their batch
 * ends (`purgedAt`, found through the (purgedAt, finishedAt) index), and a
 * person's audit entries are found by actor or target for export and erasure.
 */
export class PersonalData1765440000000 implements MigrationInterface {
  name = 'PersonalData1765440000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn('import_batches', new TableColumn(datetime('purgedAt')));
    await qr.createIndex('import_batches', new TableIndex({ name: 'IDX_import_batches_retention', columnNames: ['purgedAt', 'finishedAt'] }));
    await qr.createIndex('audit_entries', new TableIndex({ name: 'IDX_audit_entries_actor', columnNames: ['actorId'] }));
    await qr.createIndex('audit_entries', new TableIndex({ name: 'IDX_audit_entries_target', columnNames: ['targetId'] }));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('audit_entries', 'IDX_audit_entries_target');
    await qr.dropIndex('audit_entries', 'IDX_audit_entries_actor');
    await qr.dropIndex('import_batches', 'IDX_import_batches_retention');
    await qr.dropColumn('import_batches', 'purgedAt');
  }
}
